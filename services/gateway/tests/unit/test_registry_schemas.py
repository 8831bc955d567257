"""The OpenAPI models of the registry's routes describe the proto exactly: every field and every enum value,
and what the translation makes of a message validates against them. No I/O."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TypeVar

import pytest
from google.protobuf.descriptor import Descriptor, EnumDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel

from gateway.adapters.proto_json import rest_enum_values, to_rest
from gateway.entrypoints.http import registry_schemas as schemas
from neibao.common.v1 import common_pb2
from neibao.unitregistry.v1 import jurisdiction_pb2, unit_pb2
from neibao_codes import DivisionLevel

from .test_proto_json import SECTORS, UNIT_TYPES, demo_unit

M = TypeVar("M", bound=BaseModel)

READ_MODELS: list[tuple[Descriptor, type[BaseModel]]] = [
    (unit_pb2.Unit.DESCRIPTOR, schemas.UnitRead),
    (unit_pb2.Location.DESCRIPTOR, schemas.LocationRead),
    (unit_pb2.ListUnitsResponse.DESCRIPTOR, schemas.UnitPage),
    (unit_pb2.KeyUnitDesignation.DESCRIPTOR, schemas.KeyUnitDesignationRead),
    (unit_pb2.ListKeyUnitDesignationsResponse.DESCRIPTOR, schemas.KeyUnitDesignationList),
    (unit_pb2.ConfirmKeyUnitResponse.DESCRIPTOR, schemas.KeyUnitDecisionRead),
    (unit_pb2.WithdrawKeyUnitResponse.DESCRIPTOR, schemas.KeyUnitDecisionRead),
    (unit_pb2.UnitChange.DESCRIPTOR, schemas.UnitChangeRead),
    (unit_pb2.FieldChange.DESCRIPTOR, schemas.FieldChangeRead),
    (unit_pb2.ListUnitChangesResponse.DESCRIPTOR, schemas.UnitChangePage),
    (common_pb2.Actor.DESCRIPTOR, schemas.ActorRead),
    (jurisdiction_pb2.Jurisdiction.DESCRIPTOR, schemas.JurisdictionTreeRead),
    (jurisdiction_pb2.PoliceStation.DESCRIPTOR, schemas.PoliceStationRead),
    (jurisdiction_pb2.ListJurisdictionsResponse.DESCRIPTOR, schemas.JurisdictionList),
]
# Request bodies: the request message's fields a client sends (the rest come from the path and If-Match).
WRITE_MODELS: list[tuple[Descriptor, type[BaseModel], set[str]]] = [
    (unit_pb2.CreateUnitRequest.DESCRIPTOR, schemas.UnitCreate, set()),
    (unit_pb2.UpdateUnitRequest.DESCRIPTOR, schemas.UnitUpdate, {"uscc", "version", "update_mask"}),
    (unit_pb2.CloseUnitRequest.DESCRIPTOR, schemas.UnitClose, {"uscc", "version"}),
    (unit_pb2.ProposeKeyUnitRequest.DESCRIPTOR, schemas.KeyUnitProposal, {"uscc"}),
    (unit_pb2.ConfirmKeyUnitRequest.DESCRIPTOR, schemas.KeyUnitConfirmation, {"uscc", "version"}),
    (unit_pb2.WithdrawKeyUnitRequest.DESCRIPTOR, schemas.KeyUnitWithdrawal, {"uscc", "version"}),
    (unit_pb2.ListUnitsRequest.DESCRIPTOR, schemas.UnitQuery, {"limit"}),  # limit: the page-size dependency
    (unit_pb2.Location.DESCRIPTOR, schemas.Location, set()),
]
ENUMS: list[tuple[EnumDescriptor, type[StrEnum]]] = [
    (unit_pb2.UnitType.DESCRIPTOR, schemas.UnitType),
    (unit_pb2.Sector.DESCRIPTOR, schemas.Sector),
    (unit_pb2.UnitStatus.DESCRIPTOR, schemas.UnitStatus),
    (unit_pb2.CoordinateSystem.DESCRIPTOR, schemas.CoordinateSystem),
    (unit_pb2.KeyUnitCategory.DESCRIPTOR, schemas.KeyUnitCategory),
    (unit_pb2.DesignationState.DESCRIPTOR, schemas.DesignationState),
    (common_pb2.ActorKind.DESCRIPTOR, schemas.ActorKind),
    (jurisdiction_pb2.DivisionLevel.DESCRIPTOR, DivisionLevel),
]


def valid(model: type[M], message: Message) -> M:
    """The model of a message's REST document, validated strictly from its JSON (as a client reads it)."""
    return model.model_validate_json(json.dumps(to_rest(message)), strict=True)


@pytest.mark.parametrize(("message", "model"), READ_MODELS, ids=lambda item: getattr(item, "name", ""))
def test_each_read_model_has_exactly_the_fields_of_its_message(
    message: Descriptor, model: type[BaseModel]
) -> None:
    assert set(model.model_fields) == {field.name for field in message.fields}


@pytest.mark.parametrize(
    ("message", "model", "elsewhere"), WRITE_MODELS, ids=lambda item: getattr(item, "name", "")
)
def test_each_body_has_the_fields_of_its_request_but_those_from_elsewhere(
    message: Descriptor, model: type[BaseModel], elsewhere: set[str]
) -> None:
    assert set(model.model_fields) == {field.name for field in message.fields} - elsewhere


@pytest.mark.parametrize(("enum", "model"), ENUMS, ids=lambda item: getattr(item, "name", ""))
def test_each_enum_has_exactly_the_values_of_the_proto(enum: EnumDescriptor, model: type[StrEnum]) -> None:
    assert tuple(member.value for member in model) == rest_enum_values(enum)


def test_the_stable_enumerations_of_the_contract() -> None:
    assert [member.value for member in schemas.UnitType] == UNIT_TYPES
    assert [member.value for member in schemas.Sector] == SECTORS


def test_translated_messages_validate_against_their_models() -> None:
    full = demo_unit(
        police_station="210102001", legal_representative="赵建国", closed_at=Timestamp(seconds=1)
    )
    for unit in (
        full,
        demo_unit(),
        unit_pb2.Unit(uscc="x", name="n", jurisdiction="210102", address="a", etag='"1"'),
    ):
        valid(schemas.UnitRead, unit)
    actor = common_pb2.Actor(kind=common_pb2.ACTOR_KIND_SYSTEM, subject="seed", name="demo seed")
    designation = unit_pb2.KeyUnitDesignation(
        id="d",
        uscc="x",
        category=unit_pb2.KEY_UNIT_CATEGORY_KEY_PROJECT,
        state=unit_pb2.DESIGNATION_STATE_PROPOSED,
        proposed_by=actor,
        proposed_at=Timestamp(seconds=1),
        designated_on="2026-01-01",
    )
    valid(schemas.KeyUnitDecisionRead, unit_pb2.ConfirmKeyUnitResponse(unit=full, designation=designation))
    valid(
        schemas.KeyUnitDesignationList,
        unit_pb2.ListKeyUnitDesignationsResponse(
            items=[designation, unit_pb2.KeyUnitDesignation(id="e", uscc="x")]
        ),
    )
    change = unit_pb2.UnitChange(
        version=2,
        change_type="updated",
        changes=[unit_pb2.FieldChange(field="name", old_value='"a"', new_value='"b"')],
        actor=actor,
        changed_at=Timestamp(seconds=1),
    )
    page = valid(schemas.UnitChangePage, unit_pb2.ListUnitChangesResponse(items=[change], next_cursor="c"))
    assert page.next_cursor == "c"
    assert valid(schemas.UnitPage, unit_pb2.ListUnitsResponse()).next_cursor is None
    tree = jurisdiction_pb2.Jurisdiction(
        code="210000",
        name="辽宁省",
        level=jurisdiction_pb2.DIVISION_LEVEL_PROVINCE,
        children=[
            jurisdiction_pb2.Jurisdiction(
                code="210102",
                name="和平区",
                parent="210100",
                valid_from="1983-01-01",
                police_stations=[
                    jurisdiction_pb2.PoliceStation(code="210102001", name="n", jurisdiction="210102")
                ],
            )
        ],
    )
    valid(schemas.JurisdictionList, jurisdiction_pb2.ListJurisdictionsResponse(items=[tree]))


def test_a_body_dumps_to_what_the_translation_takes() -> None:
    body = schemas.UnitCreate.model_validate(
        {
            "uscc": "91210102MA0LN001X3",
            "name": "n",
            "unit_type": "enterprise",
            "sector": "commerce",
            "jurisdiction": "210102",
            "address": "a",
            "location": {"latitude": 41.8, "longitude": 123.4, "coordinate_system": "cgcs2000"},
        }
    )
    document = body.model_dump(mode="json")
    assert document["location"]["coordinate_system"] == "cgcs2000"
    assert document["police_station"] is None
