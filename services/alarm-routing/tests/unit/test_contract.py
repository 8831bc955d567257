"""The domain's spellings and the proto enums stay one-to-one; the packaged rules load."""

from __future__ import annotations

from enum import StrEnum

import pytest

from alarm_routing.adapters.events import PAYLOADS
from alarm_routing.adapters.proto_mapping import (
    ACKNOWLEDGEMENT_OUTCOME,
    ALARM_KIND,
    ALARM_STATUS,
    DISCLOSURE_LEVEL,
    OUTCOME,
    PARTY_KIND,
    PERSONAL_DATA_KIND,
    RESPONSIBLE_ROLE,
    ROUTE_ROLE,
    SILENCE_STATE,
    TIMELINE_TYPE,
    EnumCodec,
)
from alarm_routing.adapters.rules import load_policy
from alarm_routing.domain.errors import ValidationFailed

CODECS: list[EnumCodec[StrEnum]] = [  # type: ignore[list-item]
    ALARM_KIND,
    ALARM_STATUS,
    PARTY_KIND,
    ROUTE_ROLE,
    OUTCOME,
    TIMELINE_TYPE,
    SILENCE_STATE,
    RESPONSIBLE_ROLE,
    DISCLOSURE_LEVEL,
    PERSONAL_DATA_KIND,
    ACKNOWLEDGEMENT_OUTCOME,
]


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: c.domain.__name__)
def test_every_domain_value_has_its_proto_value_and_back(codec: EnumCodec[StrEnum]) -> None:
    proto_numbers = {v.number for v in codec.wrapper.DESCRIPTOR.values if v.number}
    assert {codec.to_proto(value) for value in codec.domain} == proto_numbers
    for value in codec.domain:
        assert codec.from_proto(codec.to_proto(value), "f") == value


def test_unknown_proto_numbers_are_field_violations() -> None:
    with pytest.raises(ValidationFailed) as raised:
        ALARM_KIND.from_proto(999, "kind")
    assert raised.value.violations[0].field == "kind"


def test_every_event_type_is_versioned_and_named_after_the_service() -> None:
    assert PAYLOADS.types()
    for event_type in PAYLOADS.types():
        assert event_type.startswith(("neibao.alarm-routing.alarm.", "neibao.alarm-routing.silence."))
        assert event_type.endswith(".v1")


def test_the_packaged_rules_load() -> None:
    policy = load_policy()
    assert policy.version
    assert policy.rules
