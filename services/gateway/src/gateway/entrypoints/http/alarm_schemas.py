"""Bodies of the alarm routes, for validation and the OpenAPI document.

They describe, key for key, what `adapters.proto_json` makes of neibao.alarmrouting.v1 messages (field
names are the proto's; enums are the proto's values without their prefix, lower-cased; an empty or unset
value is null). tests/unit/test_alarm_schemas.py holds them to the proto.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from google.protobuf.message import Message
from pydantic import BaseModel, ConfigDict, Field

from gateway.adapters.proto_json import to_rest
from gateway.entrypoints.http.dossier_schemas import (
    DisclosureRead,
    ResponsibleRole,
)
from gateway.entrypoints.http.registry_schemas import DEMO_UNIT, MAX_CURSOR_LENGTH, ActorRead, Uscc

MAX_TEXT_LENGTH: Final = 2000
MAX_KEY_LENGTH: Final = 200
DEMO_ALARM: Final = "5f1c2a9e-3b7d-4c1e-9a2f-6d8e0b4c7a31"


class AlarmKind(StrEnum):
    """What raised the alarm."""

    PANIC = "panic"
    INTRUSION = "intrusion"
    PERIMETER = "perimeter"
    HOLD_UP = "hold_up"
    FIRE_LINKAGE = "fire_linkage"
    VIDEO_ANALYTICS = "video_analytics"
    DEVICE_FAULT = "device_fault"
    INFORMANT_REPORT = "informant_report"
    EARLY_WARNING = "early_warning"


class AlarmStatus(StrEnum):
    """received → routed → acknowledged → dispatched → on_scene → resolved → closed."""

    RECEIVED = "received"
    ROUTED = "routed"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    CLOSED = "closed"


class PartyKind(StrEnum):
    """Who an alarm goes to."""

    POLICE_STATION = "police_station"
    DISTRICT_BRANCH = "district_branch"
    CITY_COMMAND = "city_command"
    UNIT_SECURITY = "unit_security"
    SECTOR_REGULATOR = "sector_regulator"


class RouteRole(StrEnum):
    """respond: must acknowledge by its deadline or the alarm escalates; informed: no deadline."""

    RESPOND = "respond"
    INFORMED = "informed"


class Outcome(StrEnum):
    """How an alarm ended."""

    REAL = "real"
    FALSE = "false"
    TEST = "test"
    DUPLICATE = "duplicate"


class AcknowledgementOutcome(StrEnum):
    """What an acknowledging party found: police take the alarm (`accepted`, the default); the unit's
    security office, on site, confirms it, finds it false, a test, or cannot verify it."""

    ACCEPTED = "accepted"
    CONFIRMED = "confirmed"
    FALSE_ALARM = "false_alarm"
    TEST = "test"
    UNABLE_TO_VERIFY = "unable_to_verify"


class TimelineEntryType(StrEnum):
    """What a timeline entry records."""

    RECEIVED = "received"
    ROUTED = "routed"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    DISPATCHED = "dispatched"
    RESOLVED = "resolved"
    PRIORITY_RAISED = "priority_raised"
    ON_SCENE = "on_scene"
    CLOSED = "closed"
    REPEATED = "repeated"
    SUPPRESSED = "suppressed"
    DEADLINE_MISSED = "deadline_missed"


_ALARM_EXAMPLE: Final[dict[str, Any]] = {
    "uscc": DEMO_UNIT,
    "kind": "panic",
    "priority": 1,
    "occurred_at": "2026-11-24T08:00:00+08:00",
    "description": "收银台一键报警",
    "source": "panel-1",
    "source_id": "000123",
}


class AlarmCreate(BaseModel):
    """An alarm to take in: committed before the answer; a retransmit (same source_id) is the same alarm."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ALARM_EXAMPLE]})

    uscc: Uscc
    kind: AlarmKind
    priority: int = Field(ge=1, le=4, description="1 = highest … 4; panic and hold-up are always 1.")
    occurred_at: datetime = Field(description="RFC 3339 time with a zone.")
    description: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    source: str | None = Field(
        default=None, max_length=MAX_KEY_LENGTH, description="The sending system (within the caller)."
    )
    source_id: str | None = Field(
        default=None, max_length=MAX_KEY_LENGTH, description="The sender's id or sequence of the alarm."
    )
    zone: str | None = Field(default=None, max_length=MAX_KEY_LENGTH)
    device_id: str | None = Field(default=None, max_length=MAX_KEY_LENGTH)


class RouteRead(BaseModel):
    """One party the alarm went to, why, and its acknowledgement."""

    id: str
    party: PartyKind | None
    target: str | None = Field(description="Station code, division code, USCC or sector.")
    role: RouteRole | None
    rule_id: str | None
    rules_version: str | None
    reason: str | None
    routed_at: datetime | None
    acknowledge_by: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: ActorRead | None
    acknowledgement_note: str | None
    acknowledgement_outcome: AcknowledgementOutcome | None
    escalation_level: int
    deadline_missed_at: datetime | None = Field(
        description="When the party let its deadline pass unacknowledged (escalation or a notice followed)."
    )


class TimelineEntryRead(BaseModel):
    """One step of the alarm's life."""

    sequence: int
    type: TimelineEntryType | None
    at: datetime | None
    actor: ActorRead | None
    party: PartyKind | None
    target: str | None
    detail: str | None


class UnitSummaryRead(BaseModel):
    """The unit, as the alarm routing knows it."""

    uscc: str | None
    name: str | None
    jurisdiction: str | None
    police_station: str | None
    sector: str | None
    key_unit: bool


class EmergencyPlanSummaryRead(BaseModel):
    """The current version of one of the unit's emergency plans."""

    plan_id: str | None = Field(description="The plan's id, shared by its versions.")
    id: str | None = Field(description="This version's id.")
    version: int
    title: str | None
    scenario: str | None = Field(description="The emergency it answers, e.g. 火灾, 暴恐袭击.")
    content: str | None
    effective_on: str | None = Field(description="ISO 8601 date.")


class KeyPartSummaryRead(BaseModel):
    """One of the unit's key parts (重要部位) and its protection."""

    id: str | None
    name: str | None
    location: str | None = Field(description="Where it is inside the unit.")
    description: str | None
    protection_measures: list[str]
    required_device_types: list[str] = Field(description="Technical protection it requires.")


class ResponsibleContactRead(BaseModel):
    """A responsible person of the unit, to call."""

    id: str | None
    role: ResponsibleRole | None
    name: str | None
    position: str | None
    phone: str | None = Field(description="Masked unless the caller may see it (see `disclosure`).")


class UnitContextRead(BaseModel):
    """What the responder needs of the unit: its emergency plans, key parts (and the one the alarm came
    from, when its zone names one) and responsible persons, from the unit registry's dossier."""

    emergency_plans: list[EmergencyPlanSummaryRead]
    key_parts: list[KeyPartSummaryRead]
    alarm_key_part: KeyPartSummaryRead | None = Field(description="The key part the alarm's zone names.")
    responsible_persons: list[ResponsibleContactRead] = Field(
        description="The first responsible person first."
    )
    disclosure: DisclosureRead | None


class AlarmRead(BaseModel):
    """An alarm with its routes and (for one alarm) its timeline."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"id": DEMO_ALARM, "uscc": DEMO_UNIT}]})

    id: str
    uscc: str | None
    kind: AlarmKind | None
    priority: int
    status: AlarmStatus | None
    occurred_at: datetime | None
    received_at: datetime | None
    description: str | None
    source: str | None
    source_id: str | None
    zone: str | None
    device_id: str | None
    jurisdiction: str | None
    sector: str | None
    unit: UnitSummaryRead | None
    rules_version: str | None
    routes: list[RouteRead]
    timeline: list[TimelineEntryRead] = Field(description="Empty in lists.")
    outcome: Outcome | None
    raised_by: ActorRead | None
    updated_at: datetime | None
    repeat_count: int = Field(description="Repeats from the same zone counted on this alarm.")
    last_reported_at: datetime | None
    silence_id: str | None = Field(description="The silence that suppressed it (routed to nobody), if any.")
    context: UnitContextRead | None = Field(
        description="The unit's plans, key parts and responsible persons (one alarm's read only; else null)."
    )


class AlarmCreated(AlarmRead):
    """The alarm taken in, and whether the report was a retransmit of one taken in before (`duplicate`)
    or a repeat from the zone of an open alarm, counted on it (`grouped`)."""

    duplicate: bool
    grouped: bool


class AlarmPage(BaseModel):
    """One page of alarms in the caller's scope, newest first."""

    items: list[AlarmRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AlarmQuery(BaseModel):
    """Criteria of the alarm list; every criterion given must hold."""

    status: AlarmStatus | None = None
    uscc: Uscc | None = None
    kind: AlarmKind | None = None
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)


class AcknowledgementIn(BaseModel):
    """An optional note and what the party found; the acknowledging party is derived from the caller."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    outcome: AcknowledgementOutcome | None = Field(
        default=None,
        description="Not given: `accepted`. The unit's security office reports what it found on site.",
    )


class DispatchIn(BaseModel):
    """An optional note on who was sent."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class ArrivalIn(BaseModel):
    """An optional note on who arrived."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class ClosureIn(BaseModel):
    """An optional closing note."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class ResolutionIn(BaseModel):
    """How the alarm ended."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"outcome": "false"}]})

    outcome: Outcome
    note: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class SilenceState(StrEnum):
    """pending_approval (life safety, awaiting a second person), active, cancelled."""

    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    CANCELLED = "cancelled"


class SilenceCreate(BaseModel):
    """Silence a unit's (or one device's) alarms for at most 7 days; suppressed alarms stay visible."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"uscc": DEMO_UNIT, "ends_at": "2026-11-24T18:00:00+08:00", "reason": "消防系统检修"}
            ]
        },
    )

    uscc: Uscc
    device_id: str | None = Field(default=None, max_length=MAX_KEY_LENGTH, description="Only this device.")
    starts_at: datetime | None = Field(default=None, description="Now when not given.")
    ends_at: datetime
    reason: str = Field(min_length=1, max_length=500)
    includes_life_safety: bool = Field(
        default=False,
        description="Silence panic and hold-up alarms too: in force once a second person approves.",
    )


class SilenceRead(BaseModel):
    """A silence and who created, approved or cancelled it."""

    id: str
    uscc: str | None
    device_id: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    reason: str | None
    includes_life_safety: bool
    state: SilenceState | None
    created_by: ActorRead | None
    created_at: datetime | None
    approved_by: ActorRead | None
    approved_at: datetime | None
    cancelled_by: ActorRead | None
    cancelled_at: datetime | None


class SilenceList(BaseModel):
    """Silences in the caller's scope, newest first."""

    items: list[SilenceRead]


class SilenceQuery(BaseModel):
    """Which silences (always within the caller's scope)."""

    uscc: Uscc | None = None


def alarm_event_document(message: Message) -> Mapping[str, Any]:
    """The `data` of an alarm event on the live stream: the alarm's summary (id, uscc, status, priority,
    ...) at top level, what the event adds under `change`."""
    document = to_rest(message)
    summary = document.pop("alarm", None) or {}
    return {**summary, "change": document}


class AlarmFigureQuery(BaseModel):
    """The period of the alarm figures."""

    days: int | None = Field(default=None, ge=1, le=90, description="The last this many days (default 30).")


class PriorityCountRead(BaseModel):
    """How many alarms of one priority."""

    priority: int
    count: int


class AlarmDayFiguresRead(BaseModel):
    """One day's alarms (the day they were received, China time)."""

    day: str = Field(description="YYYY-MM-DD.", examples=["2026-11-25"])
    raised: int
    by_priority: list[PriorityCountRead]
    real: int = Field(description="Resolved as real incidents.")
    false_alarms: int = Field(description="Resolved as false alarms.")
    deadlines_missed: int = Field(description="Alarms on which a party let its deadline pass.")
    median_acknowledge_seconds: float = Field(
        description="From receipt to the first police acknowledgement (0: police acknowledged none)."
    )
    p90_acknowledge_seconds: float


class AlarmFiguresRead(BaseModel):
    """Alarm figures in the caller's scope: every day of the period, oldest first, and the open alarms."""

    days: list[AlarmDayFiguresRead]
    open_by_priority: list[PriorityCountRead]
