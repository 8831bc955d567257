"""The OpenAPI models of the device routes describe the proto exactly, and what the translation makes of
a message validates against them. No I/O."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TypeVar

import pytest
from google.protobuf.descriptor import Descriptor, EnumDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel

from gateway.adapters.proto_json import from_rest, rest_enum_values, to_rest
from gateway.entrypoints.http import device_schemas as schemas
from neibao.deviceinventory.v1 import compliance_pb2, device_pb2, figures_pb2

M = TypeVar("M", bound=BaseModel)

READ_MODELS: list[tuple[Descriptor, type[BaseModel]]] = [
    (device_pb2.Device.DESCRIPTOR, schemas.DeviceRead),
    (device_pb2.ListDevicesResponse.DESCRIPTOR, schemas.DevicePage),
    (compliance_pb2.UnitCompliance.DESCRIPTOR, schemas.ComplianceRead),
    (compliance_pb2.Requirement.DESCRIPTOR, schemas.RequirementRead),
    (figures_pb2.FigureRow.DESCRIPTOR, schemas.FigureRowRead),
    (device_pb2.ProtectionItem.DESCRIPTOR, schemas.ProtectionItemRead),
    (device_pb2.ListProtectionResponse.DESCRIPTOR, schemas.ProtectionList),
    (device_pb2.SetProtectionResponse.DESCRIPTOR, schemas.ProtectionList),
    (figures_pb2.GetFiguresResponse.DESCRIPTOR, schemas.FiguresRead),
    (device_pb2.Zone.DESCRIPTOR, schemas.ZoneRead),
]
WRITE_MODELS: list[tuple[Descriptor, type[BaseModel], set[str]]] = [
    (device_pb2.RegisterDeviceRequest.DESCRIPTOR, schemas.DeviceCreate, {"uscc"}),
    (device_pb2.ListDevicesRequest.DESCRIPTOR, schemas.DeviceQuery, {"limit"}),
    (device_pb2.Heartbeat.DESCRIPTOR, schemas.HeartbeatIn, set()),
    (device_pb2.RecordHeartbeatsRequest.DESCRIPTOR, schemas.HeartbeatBatchIn, set()),
    (figures_pb2.GetFiguresRequest.DESCRIPTOR, schemas.FigureQuery, set()),
    (device_pb2.UpdateDeviceRequest.DESCRIPTOR, schemas.DeviceUpdate, {"id", "version", "replace_zones"}),
    (device_pb2.SetProtectionRequest.DESCRIPTOR, schemas.ProtectionSet, {"uscc"}),
    (
        device_pb2.ProtectionItem.DESCRIPTOR,
        schemas.ProtectionItemIn,
        {"uscc", "key_part", "category", "updated_at"},
    ),
    (device_pb2.Zone.DESCRIPTOR, schemas.ZoneIn, set()),
]
ENUMS: list[tuple[EnumDescriptor, type[StrEnum]]] = [
    (device_pb2.DeviceType.DESCRIPTOR, schemas.DeviceType),
    (device_pb2.Lifecycle.DESCRIPTOR, schemas.Lifecycle),
    (device_pb2.DeviceStatus.DESCRIPTOR, schemas.DeviceStatus),
    (device_pb2.HeartbeatStatus.DESCRIPTOR, schemas.HeartbeatStatus),
    (figures_pb2.FigureGrouping.DESCRIPTOR, schemas.FigureGrouping),
    (device_pb2.ProtectionKind.DESCRIPTOR, schemas.ProtectionKind),
    (device_pb2.ProtectionCategory.DESCRIPTOR, schemas.ProtectionCategory),
    (device_pb2.ZoneDetector.DESCRIPTOR, schemas.ZoneDetector),
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


def test_translated_messages_validate_against_their_models() -> None:
    full = device_pb2.Device(
        id="d",
        uscc="91210102MA0LN001X3",
        device_type=device_pb2.DEVICE_TYPE_NVR,
        name="录像机",
        retention_days=30,
        lifecycle=device_pb2.LIFECYCLE_IN_SERVICE,
        status=device_pb2.DEVICE_STATUS_ONLINE,
        last_heartbeat_at=Timestamp(seconds=1),
        version=1,
        zones=[device_pb2.Zone(number=1, name="前门", detector=device_pb2.ZONE_DETECTOR_DOOR_CONTACT)],
    )
    read = valid(schemas.DeviceRead, full)
    assert read.retention_days == 30
    assert read.zones == [
        schemas.ZoneRead(number=1, name="前门", key_part=None, detector=schemas.ZoneDetector.DOOR_CONTACT)
    ]
    assert valid(schemas.DeviceRead, device_pb2.Device(id="e", uscc="x")).retention_days is None
    assert valid(schemas.DevicePage, device_pb2.ListDevicesResponse(items=[full])).next_cursor is None
    compliance = compliance_pb2.UnitCompliance(
        uscc="x",
        rules_version="v",
        requirements=[compliance_pb2.Requirement(rule_id="r", met=True, evidence=["e"], measures=["§11"])],
    )
    assert valid(schemas.ComplianceRead, compliance).requirements[0].met
    figures = figures_pb2.GetFiguresResponse(
        total=figures_pb2.FigureRow(devices=2, online=1, online_rate=1.0),
        rows=[figures_pb2.FigureRow(key="210100", devices=2, online=1, online_rate=1.0)],
    )
    read_figures = valid(schemas.FiguresRead, figures)
    assert read_figures.total.key is None
    assert read_figures.total.compliance_rate == 0.0


def test_a_registration_body_translates_to_its_request() -> None:
    body = schemas.DeviceCreate.model_validate(
        {
            "device_type": "one_button_alarm",
            "name": "报警",
            "networked_to_police": True,
            "install_date": "2024-03-01",
        }
    )
    request = from_rest(
        {**body.model_dump(mode="json", exclude_none=True), "uscc": "x"}, device_pb2.RegisterDeviceRequest
    )
    assert request.device_type == device_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM
    assert request.install_date == "2024-03-01"
    assert not request.HasField("retention_days")


def test_a_device_patch_clears_optional_fields_with_null_and_refuses_to_clear_the_others() -> None:
    from gateway.domain.problems import Problem
    from gateway.entrypoints.http.routes.devices import _device_changes

    body = schemas.DeviceUpdate.model_validate({"key_part": None, "make": None, "location": "东门"})
    assert _device_changes(body) == {"key_part": "", "make": "", "location": "东门"}
    request = from_rest({**_device_changes(body), "id": "d", "version": 3}, device_pb2.UpdateDeviceRequest)
    assert request.HasField("key_part")  # present and empty: detach
    assert request.key_part == ""

    with pytest.raises(Problem) as refused:
        _device_changes(schemas.DeviceUpdate.model_validate({"name": None, "retention_days": None}))
    assert [(v.pointer, v.detail) for v in refused.value.errors] == [
        ("/name", "cannot be cleared"),
        ("/retention_days", "cannot be cleared"),
    ]
    with pytest.raises(Problem):
        _device_changes(schemas.DeviceUpdate.model_validate({}))


def test_a_device_patch_replaces_zones_when_present_clears_them_with_empty_and_keeps_them_absent() -> None:
    from gateway.entrypoints.http.routes.devices import _device_changes

    zone = {"number": 3, "name": "窗", "detector": "glass_break"}
    replaced = _device_changes(schemas.DeviceUpdate.model_validate({"zones": [zone]}))
    assert replaced == {"zones": [zone], "replace_zones": True}
    request = from_rest({**replaced, "id": "d", "version": 3}, device_pb2.UpdateDeviceRequest)
    assert request.replace_zones
    assert [(z.number, z.detector) for z in request.zones] == [(3, device_pb2.ZONE_DETECTOR_GLASS_BREAK)]
    for cleared in ([], None):
        assert _device_changes(schemas.DeviceUpdate.model_validate({"zones": cleared})) == {
            "zones": [],
            "replace_zones": True,
        }
    assert _device_changes(schemas.DeviceUpdate.model_validate({"location": "东门"})) == {"location": "东门"}
