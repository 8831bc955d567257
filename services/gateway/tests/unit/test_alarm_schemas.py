"""The OpenAPI models of the alarm routes describe the proto exactly, what the translation makes of a
message validates against them, and the live stream's `data` carries the alarm's summary. No I/O."""

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
from gateway.entrypoints.http import alarm_schemas as schemas
from gateway.entrypoints.http import dossier_schemas
from gateway.entrypoints.http.routes.alarms import ALARM_EVENT_PAYLOADS
from neibao.alarmrouting.v1 import alarm_pb2, events_pb2, silence_pb2
from neibao.common.v1 import common_pb2

M = TypeVar("M", bound=BaseModel)

READ_MODELS: list[tuple[Descriptor, type[BaseModel]]] = [
    (alarm_pb2.Alarm.DESCRIPTOR, schemas.AlarmRead),
    (alarm_pb2.Route.DESCRIPTOR, schemas.RouteRead),
    (alarm_pb2.TimelineEntry.DESCRIPTOR, schemas.TimelineEntryRead),
    (alarm_pb2.UnitSummary.DESCRIPTOR, schemas.UnitSummaryRead),
    (alarm_pb2.ListAlarmsResponse.DESCRIPTOR, schemas.AlarmPage),
    (common_pb2.Actor.DESCRIPTOR, schemas.ActorRead),
    (silence_pb2.Silence.DESCRIPTOR, schemas.SilenceRead),
    (silence_pb2.ListSilencesResponse.DESCRIPTOR, schemas.SilenceList),
    (alarm_pb2.UnitContext.DESCRIPTOR, schemas.UnitContextRead),
    (alarm_pb2.EmergencyPlanSummary.DESCRIPTOR, schemas.EmergencyPlanSummaryRead),
    (alarm_pb2.KeyPartSummary.DESCRIPTOR, schemas.KeyPartSummaryRead),
    (alarm_pb2.ResponsibleContact.DESCRIPTOR, schemas.ResponsibleContactRead),
    (alarm_pb2.Disclosure.DESCRIPTOR, schemas.DisclosureRead),
    (alarm_pb2.GetAlarmFiguresResponse.DESCRIPTOR, schemas.AlarmFiguresRead),
    (alarm_pb2.AlarmDayFigures.DESCRIPTOR, schemas.AlarmDayFiguresRead),
    (alarm_pb2.PriorityCount.DESCRIPTOR, schemas.PriorityCountRead),
]
WRITE_MODELS: list[tuple[Descriptor, type[BaseModel], set[str]]] = [
    (alarm_pb2.RaiseAlarmRequest.DESCRIPTOR, schemas.AlarmCreate, set()),
    (alarm_pb2.ListAlarmsRequest.DESCRIPTOR, schemas.AlarmQuery, {"page_size"}),
    (alarm_pb2.AcknowledgeAlarmRequest.DESCRIPTOR, schemas.AcknowledgementIn, {"id"}),
    (alarm_pb2.DispatchAlarmRequest.DESCRIPTOR, schemas.DispatchIn, {"id"}),
    (alarm_pb2.ResolveAlarmRequest.DESCRIPTOR, schemas.ResolutionIn, {"id"}),
    (alarm_pb2.ArriveAlarmRequest.DESCRIPTOR, schemas.ArrivalIn, {"id"}),
    (alarm_pb2.CloseAlarmRequest.DESCRIPTOR, schemas.ClosureIn, {"id"}),
    (silence_pb2.CreateSilenceRequest.DESCRIPTOR, schemas.SilenceCreate, set()),
    (silence_pb2.ListSilencesRequest.DESCRIPTOR, schemas.SilenceQuery, set()),
    (alarm_pb2.GetAlarmFiguresRequest.DESCRIPTOR, schemas.AlarmFigureQuery, set()),
]
ENUMS: list[tuple[EnumDescriptor, type[StrEnum]]] = [
    (alarm_pb2.AlarmKind.DESCRIPTOR, schemas.AlarmKind),
    (alarm_pb2.AlarmStatus.DESCRIPTOR, schemas.AlarmStatus),
    (alarm_pb2.PartyKind.DESCRIPTOR, schemas.PartyKind),
    (alarm_pb2.RouteRole.DESCRIPTOR, schemas.RouteRole),
    (alarm_pb2.Outcome.DESCRIPTOR, schemas.Outcome),
    (alarm_pb2.TimelineEntryType.DESCRIPTOR, schemas.TimelineEntryType),
    (silence_pb2.SilenceState.DESCRIPTOR, schemas.SilenceState),
    (alarm_pb2.AcknowledgementOutcome.DESCRIPTOR, schemas.AcknowledgementOutcome),
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


# The unit context shares the dossier's REST enums (one schema per name in the OpenAPI document): the
# alarm contract's values must be among them.
SHARED_ENUMS: list[tuple[EnumDescriptor, type[StrEnum]]] = [
    (alarm_pb2.DisclosureLevel.DESCRIPTOR, dossier_schemas.DisclosureLevel),
    (alarm_pb2.PersonalDataKind.DESCRIPTOR, dossier_schemas.PersonalDataKind),
    (alarm_pb2.ResponsibleRole.DESCRIPTOR, dossier_schemas.ResponsibleRole),
]


@pytest.mark.parametrize(("enum", "model"), SHARED_ENUMS, ids=lambda item: getattr(item, "name", ""))
def test_each_shared_enum_admits_every_value_of_the_alarm_contract(
    enum: EnumDescriptor, model: type[StrEnum]
) -> None:
    assert set(rest_enum_values(enum)) <= {member.value for member in model}


def test_translated_alarms_validate_against_their_models() -> None:
    alarm = alarm_pb2.Alarm(
        id="a",
        uscc="91210102MA0LN001X3",
        kind=alarm_pb2.ALARM_KIND_PANIC,
        priority=1,
        status=alarm_pb2.ALARM_STATUS_ROUTED,
        occurred_at=Timestamp(seconds=1),
        routes=[
            alarm_pb2.Route(
                id="r",
                party=alarm_pb2.PARTY_KIND_POLICE_STATION,
                target="210102001",
                role=alarm_pb2.ROUTE_ROLE_RESPOND,
                reason="station",
                acknowledge_by=Timestamp(seconds=61),
            )
        ],
        timeline=[alarm_pb2.TimelineEntry(sequence=1, type=alarm_pb2.TIMELINE_ENTRY_TYPE_RECEIVED)],
    )
    read = valid(schemas.AlarmRead, alarm)
    assert read.kind is schemas.AlarmKind.PANIC
    assert read.routes[0].acknowledged_at is None
    assert read.outcome is None
    assert valid(schemas.AlarmPage, alarm_pb2.ListAlarmsResponse(items=[alarm])).next_cursor is None


def test_a_raise_body_translates_to_its_request() -> None:
    body = schemas.AlarmCreate.model_validate(
        {
            "uscc": "91210102MA0LN001X3",
            "kind": "hold_up",
            "priority": 1,
            "occurred_at": "2026-11-24T08:00:00+08:00",
            "source_id": "42",
        }
    )
    request = from_rest(body.model_dump(mode="json", exclude_none=True), alarm_pb2.RaiseAlarmRequest)
    assert request.kind == alarm_pb2.ALARM_KIND_HOLD_UP
    assert request.occurred_at.seconds == 1795478400  # 2026-11-24T00:00:00Z
    assert request.source_id == "42"


def test_stream_data_carries_the_alarm_summary_at_top_level() -> None:
    assert ALARM_EVENT_PAYLOADS.types() == {
        f"neibao.alarm-routing.alarm.{change}.v1"
        for change in (
            "raised",
            "routed",
            "acknowledged",
            "escalated",
            "dispatched",
            "on-scene",
            "resolved",
            "closed",
            "repeated",
            "deadline-missed",
        )
    }
    event = events_pb2.AlarmAcknowledged(
        alarm=events_pb2.AlarmSummary(
            id="a", uscc="91210102MA0LN001X3", priority=2, status=alarm_pb2.ALARM_STATUS_ACKNOWLEDGED
        ),
        note="收到",
    )
    document = schemas.alarm_event_document(event)
    assert (document["id"], document["uscc"], document["status"], document["priority"]) == (
        "a",
        "91210102MA0LN001X3",
        "acknowledged",
        2,
    )
    assert document["change"]["note"] == "收到"


def test_alarm_figures_with_quiet_days_validate_against_their_model() -> None:
    answer = alarm_pb2.GetAlarmFiguresResponse(
        days=[
            alarm_pb2.AlarmDayFigures(day="2026-11-24"),
            alarm_pb2.AlarmDayFigures(
                day="2026-11-25",
                raised=3,
                by_priority=[alarm_pb2.PriorityCount(priority=1, count=3)],
                real=1,
                median_acknowledge_seconds=42.5,
                p90_acknowledge_seconds=80.0,
            ),
        ],
        open_by_priority=[alarm_pb2.PriorityCount(priority=1, count=2)],
    )
    figures = valid(schemas.AlarmFiguresRead, answer)
    assert [(d.day, d.raised, d.median_acknowledge_seconds) for d in figures.days] == [
        ("2026-11-24", 0, 0.0),
        ("2026-11-25", 3, 42.5),
    ]
