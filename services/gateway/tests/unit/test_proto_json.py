"""REST JSON ↔ protobuf by one rule: names, enum spellings, nulls, 64-bit numbers, time, pointers. No I/O."""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from gateway.adapters.proto_json import (
    enum_prefix,
    field_mask,
    from_rest,
    rest_enum_value,
    rest_enum_values,
    to_rest,
)
from gateway.domain.problems import Problem
from neibao.common.v1 import common_pb2
from neibao.unitregistry.v1 import jurisdiction_pb2, unit_pb2

# Issue 4's stable enumerations.
UNIT_TYPES = [
    *("news_media", "transport_hub", "defence_industry", "telecom", "postal_express", "financial_outlet"),
    *("energy_utility", "reserve_or_trade_centre", "school", "research_institute", "hospital", "large_venue"),
    *("museum_heritage", "hazardous_goods", "pathogen_lab", "key_project", "fuel_station", "gas_station"),
    *("jewellery_store", "urban_rail", "public_transport", "logistics", "state_owned_enterprise"),
    *("enterprise", "institution"),
]
SECTORS = [
    *("postal", "transport", "commerce", "housing", "banking", "insurance", "securities", "sasac"),
    *("culture_tourism", "health", "education", "energy", "telecom"),
]


def demo_unit(**changes: Any) -> unit_pb2.Unit:
    fields: dict[str, Any] = {
        "uscc": "91210102MA0LN001X3",
        "name": "沈阳太原街商贸中心有限公司",
        "unit_type": unit_pb2.UNIT_TYPE_RESERVE_OR_TRADE_CENTRE,
        "sector": unit_pb2.SECTOR_COMMERCE,
        "sectors": [unit_pb2.SECTOR_COMMERCE, unit_pb2.SECTOR_POSTAL],
        "jurisdiction": "210102",
        "address": "辽宁省沈阳市和平区太原北街86号",
        "location": unit_pb2.Location(
            latitude=41.798, longitude=123.406, coordinate_system=unit_pb2.COORDINATE_SYSTEM_GCJ02
        ),
        "status": unit_pb2.UNIT_STATUS_ACTIVE,
        "key_unit": True,
        "key_unit_category": unit_pb2.KEY_UNIT_CATEGORY_RESERVE_OR_TRADE_CENTRE,
        "version": 2,
        "etag": '"2"',
        "created_at": Timestamp(seconds=1704186000),
        "jurisdiction_name": "和平区",
    }
    return unit_pb2.Unit(**(fields | changes))


def violations(problem: Problem) -> dict[str, str]:
    return {error.pointer: error.detail for error in problem.errors}


def test_enum_values_are_spelled_without_their_prefix_in_lower_case() -> None:
    assert enum_prefix(unit_pb2.UnitType.DESCRIPTOR) == "UNIT_TYPE_"
    assert enum_prefix(common_pb2.ActorKind.DESCRIPTOR) == "ACTOR_KIND_"
    assert rest_enum_values(unit_pb2.UnitType.DESCRIPTOR) == tuple(UNIT_TYPES)
    assert rest_enum_values(unit_pb2.Sector.DESCRIPTOR) == tuple(SECTORS)
    assert rest_enum_values(unit_pb2.CoordinateSystem.DESCRIPTOR) == ("wgs84", "gcj02", "bd09", "cgcs2000")
    assert rest_enum_value(unit_pb2.UnitType.DESCRIPTOR, 0) is None  # UNSPECIFIED is no value
    assert rest_enum_value(unit_pb2.UnitType.DESCRIPTOR, 999) is None


def test_a_message_becomes_a_document_with_every_field() -> None:
    document = to_rest(demo_unit())

    assert list(document) == [field.name for field in unit_pb2.Unit.DESCRIPTOR.fields]
    assert document["unit_type"] == "reserve_or_trade_centre"
    assert document["sectors"] == ["commerce", "postal"]
    assert document["location"] == {"latitude": 41.798, "longitude": 123.406, "coordinate_system": "gcj02"}
    assert document["version"] == 2  # a number, not json_format's string
    assert document["created_at"] == "2024-01-02T09:00:00Z"
    assert document["key_unit"] is True
    # Unset and empty are null; empty lists stay lists; false stays false.
    assert document["closed_at"] is None
    assert document["police_station"] is None
    assert document["legal_representative"] is None
    assert document["former_names"] == []
    assert document["filing_overdue"] is False


def test_zero_enums_and_unset_messages_are_null() -> None:
    document = to_rest(unit_pb2.Unit(uscc="x"))
    assert document["unit_type"] is None
    assert document["status"] is None
    assert document["location"] is None
    assert document["version"] == 0


def test_nested_and_repeated_messages_follow_the_same_rule() -> None:
    answer = unit_pb2.ListKeyUnitDesignationsResponse(
        items=[
            unit_pb2.KeyUnitDesignation(
                id="d1",
                state=unit_pb2.DESIGNATION_STATE_CONFIRMED,
                proposed_by=common_pb2.Actor(
                    kind=common_pb2.ACTOR_KIND_USER, name="police-heping", roles=["police"]
                ),
                designated_on="2026-01-01",
            )
        ]
    )
    (item,) = to_rest(answer)["items"]
    assert item["state"] == "confirmed"
    assert item["proposed_by"]["kind"] == "user"
    assert item["proposed_by"]["roles"] == ["police"]
    assert item["proposed_by"]["jurisdiction"] is None
    assert item["confirmed_by"] is None
    assert item["designated_on"] == "2026-01-01"
    tree = to_rest(
        jurisdiction_pb2.Jurisdiction(
            code="210100",
            level=jurisdiction_pb2.DIVISION_LEVEL_CITY,
            children=[
                jurisdiction_pb2.Jurisdiction(code="210102", level=jurisdiction_pb2.DIVISION_LEVEL_COUNTY)
            ],
        )
    )
    assert tree["level"] == "city"
    assert tree["children"][0]["level"] == "county"
    assert tree["children"][0]["children"] == []


def test_a_document_becomes_a_message() -> None:
    request = from_rest(
        {
            "uscc": "91210102MA0LN001X3",
            "unit_type": "postal_express",
            "sector": "postal",
            "sectors": ["postal", "transport"],
            "location": {"latitude": 41.8, "longitude": 123.4, "coordinate_system": "wgs84"},
            "police_station": None,  # null: not given
        },
        unit_pb2.CreateUnitRequest,
    )
    assert request.unit_type == unit_pb2.UNIT_TYPE_POSTAL_EXPRESS
    assert list(request.sectors) == [unit_pb2.SECTOR_POSTAL, unit_pb2.SECTOR_TRANSPORT]
    assert request.location.coordinate_system == unit_pb2.COORDINATE_SYSTEM_WGS84
    assert request.police_station == ""


def test_an_optional_boolean_keeps_its_presence() -> None:
    assert not from_rest({}, unit_pb2.ListUnitsRequest).HasField("key_unit")
    chosen = from_rest({"key_unit": False}, unit_pb2.ListUnitsRequest)
    assert chosen.HasField("key_unit")
    assert chosen.key_unit is False


def test_what_does_not_fit_is_a_400_naming_each_field() -> None:
    with pytest.raises(Problem) as refused:
        from_rest(
            {
                "unit_type": "spaceship",
                "sectors": ["postal", "mining"],
                "location": {"coordinate_system": 7, "altitude": 3},
                "colour": "red",
            },
            unit_pb2.CreateUnitRequest,
        )
    problem = refused.value
    assert problem.status == 400
    assert problem.type == "urn:neibao:problem:invalid-argument"
    found = violations(problem)
    assert set(found) == {
        "/unit_type",
        "/sectors/1",
        "/location/coordinate_system",
        "/location/altitude",
        "/colour",
    }
    assert "postal_express" in found["/unit_type"]
    assert found["/colour"] == "is not a field of this request"


def test_a_value_of_the_wrong_type_points_at_its_field() -> None:
    with pytest.raises(Problem) as refused:
        from_rest({"location": {"latitude": "north"}}, unit_pb2.CreateUnitRequest)
    assert set(violations(refused.value)) == {"/location/latitude"}
    with pytest.raises(Problem) as refused:
        from_rest({"location": "here"}, unit_pb2.CreateUnitRequest)
    assert set(violations(refused.value)) == {"/location"}
    with pytest.raises(Problem) as refused:
        from_rest({"sectors": "postal"}, unit_pb2.CreateUnitRequest)
    assert set(violations(refused.value)) == {"/sectors"}


def test_a_round_trip_keeps_every_value() -> None:
    unit = demo_unit(former_names=["旧名"], police_station="210102001", legal_representative="赵建国")
    document = {key: value for key, value in to_rest(unit).items() if value is not None}
    assert from_rest(document, unit_pb2.Unit) == unit


def test_the_field_mask_names_the_keys_sent() -> None:
    assert list(field_mask({"name": 1, "address": 2}).paths) == ["address", "name"]
