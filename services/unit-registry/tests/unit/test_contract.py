"""The wire contract: proto enums map 1:1 onto the REST spellings of issue 4; errors carry field names."""

from __future__ import annotations

from enum import StrEnum

import grpc
import pytest
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]

from unit_registry.adapters import proto_mapping
from unit_registry.domain.enums import DeviceType, FilingState, Sector, UnitType
from unit_registry.domain.errors import (
    AlreadyExists,
    FieldViolation,
    NotFound,
    ValidationFailed,
    VersionConflict,
)
from unit_registry.entrypoints.errors import status_for
from unit_registry.service.pagination import decode_cursor, encode_cursor

# The stable REST enumerations of issue 4 (add values, never rename).
REST_UNIT_TYPES = [
    "news_media",
    "transport_hub",
    "defence_industry",
    "telecom",
    "postal_express",
    "financial_outlet",
    "energy_utility",
    "reserve_or_trade_centre",
    "school",
    "research_institute",
    "hospital",
    "large_venue",
    "museum_heritage",
    "hazardous_goods",
    "pathogen_lab",
    "key_project",
    "fuel_station",
    "gas_station",
    "jewellery_store",
    "urban_rail",
    "public_transport",
    "logistics",
    "state_owned_enterprise",
    "enterprise",
    "institution",
]
REST_SECTORS = [
    "postal",
    "transport",
    "commerce",
    "housing",
    "banking",
    "insurance",
    "securities",
    "sasac",
    "culture_tourism",
    "health",
    "education",
    "energy",
    "telecom",
]

CODECS = [
    proto_mapping.UNIT_TYPE,
    proto_mapping.SECTOR,
    proto_mapping.UNIT_STATUS,
    proto_mapping.COORDINATE_SYSTEM,
    proto_mapping.KEY_UNIT_CATEGORY,
    proto_mapping.DESIGNATION_STATE,
    proto_mapping.DIVISION_LEVEL,
    proto_mapping.SEVERITY,
    proto_mapping.DEVICE_TYPE,
    proto_mapping.FILING_STATE,
    proto_mapping.RESPONSIBLE_ROLE,
    proto_mapping.PLAN_STATE,
    proto_mapping.DISCLOSURE_LEVEL,
    proto_mapping.PERSONAL_DATA_KIND,
    proto_mapping.DOSSIER_SECTION,
    proto_mapping.CHANGE_KIND,
    proto_mapping.EMPLOYMENT,
    proto_mapping.SKILL_GRADE,
    proto_mapping.STAFF_STATE,
    proto_mapping.TRAINING_RESULT,
    proto_mapping.ASSESSMENT_RESULT,
    proto_mapping.PARTY_KIND,
    proto_mapping.HAZARD_STATE,
]


def test_rest_enumerations_are_the_domain_values() -> None:
    assert [t.value for t in UnitType] == REST_UNIT_TYPES
    assert [s.value for s in Sector] == REST_SECTORS
    assert [t.value for t in DeviceType][:2] == ["video_camera", "intrusion_panel"]
    assert [s.value for s in FilingState] == ["draft", "submitted", "accepted", "returned"]


@pytest.mark.parametrize("codec", CODECS, ids=lambda c: c.prefix)
def test_every_value_round_trips_and_nothing_is_left_over(codec: proto_mapping.EnumCodec[StrEnum]) -> None:
    for value in codec.domain:
        assert codec.from_proto(codec.to_proto(value), "f") is value
    proto_numbers = {v.number for v in codec.wrapper.DESCRIPTOR.values} - {0}
    assert proto_numbers == {codec.to_proto(value) for value in codec.domain}
    assert codec.from_proto(0, "f") is None


def test_an_unknown_enum_number_is_a_field_violation() -> None:
    with pytest.raises(ValidationFailed) as caught:
        proto_mapping.UNIT_TYPE.from_proto(999, "unit_type")
    assert caught.value.violations[0].field == "unit_type"
    assert caught.value.violations[0].reason == "UNKNOWN_VALUE"


def _details(status: grpc.Status) -> status_pb2.Status:
    (key, value), *_ = status.trailing_metadata
    assert key == "grpc-status-details-bin"
    return status_pb2.Status.FromString(value)


def test_validation_failure_is_invalid_argument_with_field_violations() -> None:
    status = status_for(ValidationFailed([FieldViolation("uscc", "INVALID_USCC", "bad check character")]))
    assert status.code is grpc.StatusCode.INVALID_ARGUMENT
    bad_request = error_details_pb2.BadRequest()
    assert _details(status).details[0].Unpack(bad_request)
    assert [(v.field, v.reason) for v in bad_request.field_violations] == [("uscc", "INVALID_USCC")]


def test_other_errors_map_to_their_codes() -> None:
    assert status_for(NotFound("unit", "x")).code is grpc.StatusCode.NOT_FOUND
    duplicate = status_for(AlreadyExists("unit", "x", "uscc"))
    assert duplicate.code is grpc.StatusCode.ALREADY_EXISTS
    bad_request = error_details_pb2.BadRequest()
    assert _details(duplicate).details[0].Unpack(bad_request)
    assert bad_request.field_violations[0].field == "uscc"
    assert status_for(VersionConflict("x", 1, 2)).code is grpc.StatusCode.FAILED_PRECONDITION


def test_cursors_round_trip_and_refuse_foreign_ones() -> None:
    assert decode_cursor("units", encode_cursor("units", "91210102MA0LN001X3")) == "91210102MA0LN001X3"
    assert decode_cursor("units", "") is None
    for bad in ("garbage!", encode_cursor("changes", "12")):
        with pytest.raises(ValidationFailed):
            decode_cursor("units", bad)
