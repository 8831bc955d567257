"""The optional scope extensions of the envelope (ce_jurisdiction, ce_sector, ce_unit). No I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pytest
from google.protobuf.struct_pb2 import Struct

from neibao_messaging import Event, PayloadRegistry, decode, encode

UNIT_UPDATED = "neibao.unit-registry.unit.updated.v1"
SOURCE = "/neibao/unit-registry"
USCC = "91210102MA0LN001X3"


@dataclass
class Record:
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes | None]] | None


def as_record(event: Event) -> Record:
    key, value, headers = encode(event)
    return Record(key, value, list(headers))


def test_scope_attributes_travel_as_extension_headers_and_come_back() -> None:
    event = Event.create(
        type=UNIT_UPDATED,
        source=SOURCE,
        data=Struct(),
        subject=USCC,
        jurisdiction="210102",
        sector="postal",
        unit=USCC,
    )

    record = as_record(event)
    decoded = decode(record, PayloadRegistry({UNIT_UPDATED: Struct}))

    headers = dict(record.headers or [])
    assert headers["ce_jurisdiction"] == b"210102"
    assert headers["ce_sector"] == b"postal"
    assert headers["ce_unit"] == USCC.encode()
    assert decoded == event
    assert (decoded.jurisdiction, decoded.sector, decoded.unit) == ("210102", "postal", USCC)


def test_scope_attributes_are_optional_one_by_one() -> None:
    event = Event.create(type=UNIT_UPDATED, source=SOURCE, data=Struct(), subject=USCC, jurisdiction="210200")

    record = as_record(event)
    decoded = decode(record, PayloadRegistry({UNIT_UPDATED: Struct}))

    names = {name for name, _ in record.headers or []}
    assert "ce_jurisdiction" in names
    assert not names & {"ce_sector", "ce_unit"}
    assert (decoded.jurisdiction, decoded.sector, decoded.unit) == ("210200", None, None)


def test_events_without_scope_encode_exactly_as_before() -> None:
    event = Event.create(type=UNIT_UPDATED, source=SOURCE, data=Struct(), subject=USCC)

    names = {name for name, _ in encode(event)[2]}

    assert not names & {"ce_jurisdiction", "ce_sector", "ce_unit"}
    assert event.jurisdiction is None


def test_empty_header_values_decode_as_absent() -> None:
    record = as_record(Event.create(type=UNIT_UPDATED, source=SOURCE, data=Struct(), subject=USCC))
    record = replace(record, headers=[*(record.headers or []), ("ce_sector", b"")])

    assert decode(record, PayloadRegistry({UNIT_UPDATED: Struct})).sector is None


@pytest.mark.parametrize("attribute", ["jurisdiction", "sector", "unit"])
def test_an_empty_scope_attribute_is_refused(attribute: str) -> None:
    with pytest.raises(ValueError, match=attribute):
        Event.create(type=UNIT_UPDATED, source=SOURCE, data=Struct(), subject=USCC, **{attribute: ""})
