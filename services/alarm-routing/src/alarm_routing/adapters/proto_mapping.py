"""Domain values <-> protobuf: enums by name (ALARM_KIND_HOLD_UP <-> "hold_up"), alarms, routes, actors.

The REST spelling of an enum value is its proto name without the enum's prefix, lower-cased; the domain
enums hold exactly those spellings, so one rule maps all three (checked by a unit test).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from alarm_routing.domain import context, enums
from alarm_routing.domain.errors import FieldViolation, ValidationFailed
from alarm_routing.domain.figures import AlarmFigures
from alarm_routing.domain.model import Actor, Alarm, Route, TimelineEntry
from alarm_routing.domain.silences import Silence, SilenceState
from neibao.alarmrouting.v1 import alarm_pb2, events_pb2, silence_pb2
from neibao.common.v1 import common_pb2

E = TypeVar("E", bound=StrEnum)


class EnumCodec(Generic[E]):
    """Maps one domain enum onto its proto enum (whose zero value is X_UNSPECIFIED)."""

    def __init__(self, domain: type[E], wrapper: Any) -> None:
        self.domain = domain
        self.wrapper = wrapper
        unspecified = wrapper.DESCRIPTOR.values[0].name
        if not unspecified.endswith("_UNSPECIFIED") or wrapper.DESCRIPTOR.values[0].number != 0:
            raise ValueError(f"{wrapper.DESCRIPTOR.name} has no X_UNSPECIFIED zero value")
        self.prefix = unspecified.removesuffix("UNSPECIFIED")

    def to_proto(self, value: E | None) -> Any:
        """The proto number of a domain value (0 for None)."""
        if value is None:
            return 0
        return self.wrapper.Value(self.prefix + value.value.upper())

    def from_proto(self, number: int, field: str) -> E | None:
        """The domain value of a proto number (None for 0); ValidationFailed for a number we do not know."""
        if number == 0:
            return None
        try:
            name: str = self.wrapper.Name(number)
        except ValueError as exc:
            raise ValidationFailed(
                [FieldViolation(field, "UNKNOWN_VALUE", f"{field} has no value {number}")]
            ) from exc
        return self.domain(name.removeprefix(self.prefix).lower())


ALARM_KIND = EnumCodec(enums.AlarmKind, alarm_pb2.AlarmKind)
ALARM_STATUS = EnumCodec(enums.AlarmStatus, alarm_pb2.AlarmStatus)
PARTY_KIND = EnumCodec(enums.PartyKind, alarm_pb2.PartyKind)
ROUTE_ROLE = EnumCodec(enums.RouteRole, alarm_pb2.RouteRole)
OUTCOME = EnumCodec(enums.Outcome, alarm_pb2.Outcome)
ACKNOWLEDGEMENT_OUTCOME = EnumCodec(enums.AcknowledgementOutcome, alarm_pb2.AcknowledgementOutcome)
TIMELINE_TYPE = EnumCodec(enums.TimelineType, alarm_pb2.TimelineEntryType)
SILENCE_STATE = EnumCodec(SilenceState, silence_pb2.SilenceState)
RESPONSIBLE_ROLE = EnumCodec(context.ResponsibleRole, alarm_pb2.ResponsibleRole)
DISCLOSURE_LEVEL = EnumCodec(context.DisclosureLevel, alarm_pb2.DisclosureLevel)
PERSONAL_DATA_KIND = EnumCodec(context.PersonalDataKind, alarm_pb2.PersonalDataKind)

_ACTOR_KINDS = {
    enums.ActorKind.USER: common_pb2.ACTOR_KIND_USER,
    enums.ActorKind.MACHINE: common_pb2.ACTOR_KIND_MACHINE,
    enums.ActorKind.SYSTEM: common_pb2.ACTOR_KIND_SYSTEM,
}


def timestamp(moment: datetime | None) -> Timestamp | None:
    """A protobuf Timestamp, or None."""
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def actor_to_proto(actor: Actor | None) -> common_pb2.Actor | None:
    """The common Actor message."""
    if actor is None:
        return None
    return common_pb2.Actor(
        kind=_ACTOR_KINDS[actor.kind],
        subject=actor.subject,
        name=actor.name,
        roles=list(actor.roles),
        jurisdiction=actor.jurisdiction,
        sector=actor.sector,
        unit=actor.unit,
        client_id=actor.client_id,
    )


def route_to_proto(route: Route) -> alarm_pb2.Route:
    """A route."""
    return alarm_pb2.Route(
        id=str(route.id),
        party=PARTY_KIND.to_proto(route.party),
        target=route.target,
        role=ROUTE_ROLE.to_proto(route.role),
        rule_id=route.rule_id,
        rules_version=route.rules_version,
        reason=route.reason,
        routed_at=timestamp(route.routed_at),
        acknowledge_by=timestamp(route.acknowledge_by),
        acknowledged_at=timestamp(route.acknowledged_at),
        acknowledged_by=actor_to_proto(route.acknowledged_by),
        acknowledgement_note=route.note,
        escalation_level=route.escalation_level,
        acknowledgement_outcome=ACKNOWLEDGEMENT_OUTCOME.to_proto(route.outcome),
        deadline_missed_at=timestamp(route.deadline_missed_at),
    )


def entry_to_proto(entry: TimelineEntry) -> alarm_pb2.TimelineEntry:
    """A timeline entry."""
    return alarm_pb2.TimelineEntry(
        sequence=entry.sequence,
        type=TIMELINE_TYPE.to_proto(entry.type),
        at=timestamp(entry.at),
        actor=actor_to_proto(entry.actor),
        party=PARTY_KIND.to_proto(entry.party),
        target=entry.target,
        detail=entry.detail,
    )


def key_part_to_proto(part: context.KeyPartSummary) -> alarm_pb2.KeyPartSummary:
    """A key part of the unit context."""
    return alarm_pb2.KeyPartSummary(
        id=part.id,
        name=part.name,
        location=part.location,
        description=part.description,
        protection_measures=list(part.protection_measures),
        required_device_types=list(part.required_device_types),
    )


def context_to_proto(unit_context: context.UnitContext) -> alarm_pb2.UnitContext:
    """The unit context of an alarm (phones as disclosed), with its disclosure."""
    disclosure = unit_context.disclosure
    return alarm_pb2.UnitContext(
        emergency_plans=[
            alarm_pb2.EmergencyPlanSummary(
                plan_id=plan.plan_id,
                id=plan.id,
                version=plan.version,
                title=plan.title,
                scenario=plan.scenario,
                content=plan.content,
                effective_on=plan.effective_on,
            )
            for plan in unit_context.emergency_plans
        ],
        key_parts=[key_part_to_proto(part) for part in unit_context.key_parts],
        alarm_key_part=(
            key_part_to_proto(unit_context.alarm_key_part) if unit_context.alarm_key_part else None
        ),
        responsible_persons=[
            alarm_pb2.ResponsibleContact(
                id=person.id,
                role=RESPONSIBLE_ROLE.to_proto(person.role),
                name=person.name,
                position=person.position,
                phone=person.phone,
            )
            for person in unit_context.responsible_persons
        ],
        disclosure=alarm_pb2.Disclosure(
            level=DISCLOSURE_LEVEL.to_proto(disclosure.level),
            kinds=[PERSONAL_DATA_KIND.to_proto(kind) for kind in sorted(disclosure.kinds)],
            subject_ids=list(disclosure.subject_ids),
        ),
    )


def alarm_to_proto(
    alarm: Alarm, *, timeline: bool = True, unit_context: context.UnitContext | None = None
) -> alarm_pb2.Alarm:
    """An alarm (with its timeline unless told otherwise; with the unit context when given)."""
    unit = alarm.unit
    return alarm_pb2.Alarm(
        id=str(alarm.id),
        uscc=alarm.uscc,
        kind=ALARM_KIND.to_proto(alarm.kind),
        priority=alarm.priority,
        status=ALARM_STATUS.to_proto(alarm.status),
        occurred_at=timestamp(alarm.occurred_at),
        received_at=timestamp(alarm.received_at),
        description=alarm.description,
        source=alarm.source,
        source_id=alarm.source_id,
        zone=alarm.zone,
        device_id=alarm.device_id,
        jurisdiction=alarm.jurisdiction,
        sector=alarm.sector,
        unit=alarm_pb2.UnitSummary(
            uscc=unit.uscc,
            name=unit.name,
            jurisdiction=unit.jurisdiction,
            police_station=unit.police_station,
            sector=unit.sector,
            key_unit=unit.key_unit,
        ),
        rules_version=alarm.rules_version,
        routes=[route_to_proto(r) for r in alarm.routes],
        timeline=[entry_to_proto(e) for e in alarm.timeline] if timeline else [],
        outcome=OUTCOME.to_proto(alarm.outcome),
        raised_by=actor_to_proto(alarm.raised_by),
        updated_at=timestamp(alarm.updated_at),
        repeat_count=alarm.repeat_count,
        last_reported_at=timestamp(alarm.last_reported_at),
        silence_id=str(alarm.silence_id) if alarm.silence_id else "",
        context=context_to_proto(unit_context) if unit_context is not None else None,
    )


def summary_to_proto(alarm: Alarm) -> events_pb2.AlarmSummary:
    """What every alarm event carries about the alarm."""
    return events_pb2.AlarmSummary(
        id=str(alarm.id),
        uscc=alarm.uscc,
        kind=ALARM_KIND.to_proto(alarm.kind),
        priority=alarm.priority,
        status=ALARM_STATUS.to_proto(alarm.status),
        jurisdiction=alarm.jurisdiction,
        sector=alarm.sector,
        occurred_at=timestamp(alarm.occurred_at),
        received_at=timestamp(alarm.received_at),
        unit_name=alarm.unit.name,
        repeat_count=alarm.repeat_count,
        silence_id=str(alarm.silence_id) if alarm.silence_id else "",
    )


def silence_to_proto(silence: Silence) -> silence_pb2.Silence:
    """A silence."""
    return silence_pb2.Silence(
        id=str(silence.id),
        uscc=silence.uscc,
        device_id=silence.device_id,
        starts_at=timestamp(silence.starts_at),
        ends_at=timestamp(silence.ends_at),
        reason=silence.reason,
        includes_life_safety=silence.includes_life_safety,
        state=SILENCE_STATE.to_proto(silence.state),
        created_by=actor_to_proto(silence.created_by),
        created_at=timestamp(silence.created_at),
        approved_by=actor_to_proto(silence.approved_by),
        approved_at=timestamp(silence.approved_at),
        cancelled_by=actor_to_proto(silence.cancelled_by),
        cancelled_at=timestamp(silence.cancelled_at),
    )


def _priorities(counts: Mapping[int, int]) -> list[alarm_pb2.PriorityCount]:
    return [alarm_pb2.PriorityCount(priority=p, count=n) for p, n in sorted(counts.items())]


def figures_to_proto(figures: AlarmFigures) -> alarm_pb2.GetAlarmFiguresResponse:
    """Alarm figures (a median of None, when police acknowledged nothing that day, as 0)."""
    return alarm_pb2.GetAlarmFiguresResponse(
        days=[
            alarm_pb2.AlarmDayFigures(
                day=day.day.isoformat(),
                raised=day.raised,
                by_priority=_priorities(day.by_priority),
                real=day.real,
                false_alarms=day.false_alarms,
                deadlines_missed=day.deadlines_missed,
                median_acknowledge_seconds=day.median_acknowledge_seconds or 0.0,
                p90_acknowledge_seconds=day.p90_acknowledge_seconds or 0.0,
            )
            for day in figures.days
        ],
        open_by_priority=_priorities(figures.open_by_priority),
    )
