"""Live events: the ring buffer, resume cursors, scope filtering, CloudEvents headers. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gateway.adapters.kafka_feed import live_event_from_record
from gateway.domain.live import EventBuffer, LiveEvent, visible_to
from neibao_identity import Principal, Role, Scope


def event(
    n: int, jurisdiction: str | None = "210102", sector: str | None = None, unit: str | None = None
) -> LiveEvent:
    return LiveEvent(
        id=f"0-{n}",
        event_id=f"e{n}",
        type="t",
        time="2025-01-01T00:00:00Z",
        jurisdiction=jurisdiction,
        sector=sector,
        unit=unit,
    )


def test_a_reader_without_last_event_id_sees_only_new_events() -> None:
    buffer = EventBuffer(10)
    buffer.append([event(0), event(1)])

    cursor = buffer.cursor_after(None)
    buffer.append([event(2)])

    assert [e.id for e in buffer.read(cursor)[0]] == ["0-2"]


def test_resume_after_a_held_id_and_from_the_oldest_for_an_unknown_one() -> None:
    buffer = EventBuffer(10)
    buffer.append([event(n) for n in range(5)])

    assert [e.id for e in buffer.read(buffer.cursor_after("0-2"))[0]] == ["0-3", "0-4"]
    assert [e.id for e in buffer.read(buffer.cursor_after("9-99"))[0]] == [f"0-{n}" for n in range(5)]
    assert buffer.read(buffer.cursor_after("0-4"))[0] == []


def test_the_buffer_keeps_the_last_events_and_forgets_evicted_ids() -> None:
    buffer = EventBuffer(3)
    buffer.append([event(n) for n in range(5)])

    events, cursor = buffer.read(0)

    assert [e.id for e in events] == ["0-2", "0-3", "0-4"]
    assert cursor == 5 == buffer.end
    assert buffer.cursor_after("0-0") == 2  # evicted: from the oldest held
    assert buffer.cursor_after("0-3") == 4


def test_reads_are_bounded_and_duplicates_skipped() -> None:
    buffer = EventBuffer(100)
    assert buffer.append([event(n) for n in range(10)]) == 10
    assert buffer.append([event(3)]) == 0

    first, cursor = buffer.read(0, limit=4)
    rest, end = buffer.read(cursor, limit=100)

    assert [e.id for e in first] == ["0-0", "0-1", "0-2", "0-3"]
    assert len(rest) == 6
    assert end == 10
    with pytest.raises(ValueError, match="capacity"):
        EventBuffer(0)


def principal(role: Role, **claims: str) -> Principal:
    return Principal(subject="s", username="u", roles=frozenset({role}), **claims)


HEPING = event(1, "210102", "postal", "91210102MA0LN001X3")
DALIAN = event(2, "210211", "commerce", "91210211MA0CCCCC3Z")
UNSCOPED = event(3, None, None, None)


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        (principal(Role.PROVINCE_ADMIN, jurisdiction="210000"), {"0-1", "0-2", "0-3"}),
        (principal(Role.POLICE, jurisdiction="210000"), {"0-1", "0-2"}),
        (principal(Role.POLICE, jurisdiction="210100"), {"0-1"}),
        (principal(Role.POLICE, jurisdiction="210102"), {"0-1"}),
        (principal(Role.POLICE, jurisdiction="210200"), {"0-2"}),
        (principal(Role.POLICE), set()),
        (principal(Role.REGULATOR, jurisdiction="210000", sector="postal"), {"0-1"}),
        (principal(Role.REGULATOR, jurisdiction="210200", sector="postal"), set()),
        (principal(Role.REGULATOR, jurisdiction="210200", sector="commerce"), {"0-2"}),
        (principal(Role.UNIT_SECURITY, jurisdiction="210102", unit="91210102MA0LN001X3"), {"0-1"}),
        (principal(Role.UNIT_SECURITY, unit="91210202MA0BBBBB2Y"), set()),
        (principal(Role.SECTOR_SYSTEM, sector="postal", org="91210102MA0LN001X3"), {"0-1"}),
    ],
)
def test_events_are_filtered_by_the_readers_scope(who: Principal, visible: set[str]) -> None:
    scope = Scope.for_principal(who)
    assert {e.id for e in (HEPING, DALIAN, UNSCOPED) if visible_to(scope, e)} == visible


@dataclass
class Record:
    partition: int
    offset: int
    headers: list[tuple[str, bytes | None]]
    key: bytes | None = b"k"
    value: bytes | None = b""


def test_a_record_becomes_a_live_event_from_its_headers_alone() -> None:
    record = Record(
        3,
        42,
        [
            ("ce_id", b"8d9f"),
            ("ce_type", b"neibao.unit-registry.unit.updated.v1"),
            ("ce_time", b"2025-03-01T00:30:05.123456Z"),
            ("ce_subject", b"91210102MA0LN001X3"),
            ("ce_jurisdiction", b"210102"),
            ("ce_sector", b""),
            ("ce_unit", b"91210102MA0LN001X3"),
            ("ce_dataschema", b"neibao.unitregistry.v1.UnitUpdated"),
            ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ],
    )

    live = live_event_from_record(record)

    assert live is not None
    assert live.id == "3-42"
    assert live.document() == {
        "id": "8d9f",
        "type": "neibao.unit-registry.unit.updated.v1",
        "time": "2025-03-01T00:30:05.123456Z",
        "subject": "91210102MA0LN001X3",
        "jurisdiction": "210102",
        "sector": None,
        "unit": "91210102MA0LN001X3",
    }


def test_a_record_without_cloudevents_headers_is_not_an_event() -> None:
    assert live_event_from_record(Record(0, 1, [("ce_type", b"t")])) is None
    assert live_event_from_record(Record(0, 1, [])) is None
