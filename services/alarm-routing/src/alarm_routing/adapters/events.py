"""The alarm routing's events as CloudEvents with protobuf payloads, and the streams it reads."""

from __future__ import annotations

from typing import Final

from google.protobuf.message import Message

from alarm_routing.adapters.proto_mapping import (
    OUTCOME,
    actor_to_proto,
    context_to_proto,
    route_to_proto,
    silence_to_proto,
    summary_to_proto,
    timestamp,
)
from alarm_routing.domain.events import (
    AlarmAcknowledged,
    AlarmClosed,
    AlarmDeadlineMissed,
    AlarmDispatched,
    AlarmEscalated,
    AlarmEvent,
    AlarmOnScene,
    AlarmRaised,
    AlarmRepeated,
    AlarmResolved,
    DomainEvent,
    SilenceChanged,
)
from neibao.alarmrouting.v1 import events_pb2
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.sectorexchange.v1 import events_pb2 as exchange_events_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from neibao_messaging import Event, PayloadRegistry

TOPIC: Final = "neibao.alarm-routing.events.v1"
UNIT_EVENTS_TOPIC: Final = "neibao.unit-registry.events.v1"
DEVICE_EVENTS_TOPIC: Final = "neibao.device-inventory.events.v1"
EXCHANGE_EVENTS_TOPIC: Final = "neibao.sector-exchange.events.v1"
SOURCE: Final = "/neibao/alarm-routing"

ALARM_RAISED: Final = "neibao.alarm-routing.alarm.raised.v1"
# No longer published (alarm.raised carries the routes); still decoded from the stream's history.
ALARM_ROUTED: Final = "neibao.alarm-routing.alarm.routed.v1"
ALARM_ACKNOWLEDGED: Final = "neibao.alarm-routing.alarm.acknowledged.v1"
ALARM_ESCALATED: Final = "neibao.alarm-routing.alarm.escalated.v1"
ALARM_DISPATCHED: Final = "neibao.alarm-routing.alarm.dispatched.v1"
ALARM_RESOLVED: Final = "neibao.alarm-routing.alarm.resolved.v1"
ALARM_ON_SCENE: Final = "neibao.alarm-routing.alarm.on-scene.v1"
ALARM_CLOSED: Final = "neibao.alarm-routing.alarm.closed.v1"
ALARM_REPEATED: Final = "neibao.alarm-routing.alarm.repeated.v1"
ALARM_DEADLINE_MISSED: Final = "neibao.alarm-routing.alarm.deadline-missed.v1"
SILENCE_CREATED: Final = "neibao.alarm-routing.silence.created.v1"
SILENCE_APPROVED: Final = "neibao.alarm-routing.silence.approved.v1"
SILENCE_CANCELLED: Final = "neibao.alarm-routing.silence.cancelled.v1"
SILENCE_TYPES: Final = {
    "created": SILENCE_CREATED,
    "approved": SILENCE_APPROVED,
    "cancelled": SILENCE_CANCELLED,
}

PAYLOADS: Final = PayloadRegistry(
    {
        ALARM_RAISED: events_pb2.AlarmRaised,
        ALARM_ROUTED: events_pb2.AlarmRouted,
        ALARM_ACKNOWLEDGED: events_pb2.AlarmAcknowledged,
        ALARM_ESCALATED: events_pb2.AlarmEscalated,
        ALARM_DISPATCHED: events_pb2.AlarmDispatched,
        ALARM_RESOLVED: events_pb2.AlarmResolved,
        ALARM_ON_SCENE: events_pb2.AlarmOnScene,
        ALARM_CLOSED: events_pb2.AlarmClosed,
        ALARM_REPEATED: events_pb2.AlarmRepeated,
        ALARM_DEADLINE_MISSED: events_pb2.AlarmDeadlineMissed,
        SILENCE_CREATED: events_pb2.SilenceChanged,
        SILENCE_APPROVED: events_pb2.SilenceChanged,
        SILENCE_CANCELLED: events_pb2.SilenceChanged,
    }
)
"""Every event type this service publishes and its payload class (for consumers and tests)."""

# The unit registry's event types the unit read model follows (the rest of its stream is skipped).
UNIT_REGISTERED: Final = "neibao.unit-registry.unit.registered.v1"
UNIT_UPDATED: Final = "neibao.unit-registry.unit.updated.v1"
UNIT_CLOSED: Final = "neibao.unit-registry.unit.closed.v1"
KEY_UNIT_DESIGNATED: Final = "neibao.unit-registry.key-unit.designated.v1"
KEY_UNIT_WITHDRAWN: Final = "neibao.unit-registry.key-unit.withdrawn.v1"
DOSSIER_UPDATED: Final = "neibao.unit-registry.dossier.updated.v1"

UNIT_PAYLOADS: Final = PayloadRegistry(
    {
        UNIT_REGISTERED: unit_events_pb2.UnitRegistered,
        UNIT_UPDATED: unit_events_pb2.UnitUpdated,
        UNIT_CLOSED: unit_events_pb2.UnitClosed,
        KEY_UNIT_DESIGNATED: unit_events_pb2.KeyUnitDesignated,
        KEY_UNIT_WITHDRAWN: unit_events_pb2.KeyUnitWithdrawn,
        DOSSIER_UPDATED: unit_events_pb2.DossierUpdated,
    }
)


# The device inventory's event type that raises device_fault alarms (the rest of its stream is skipped).
DEVICE_STATUS_CHANGED: Final = "neibao.device-inventory.device.status-changed.v1"
# And those that say which key part a device guards (the unit context's read model).
DEVICE_REGISTERED: Final = "neibao.device-inventory.device.registered.v1"
DEVICE_UPDATED: Final = "neibao.device-inventory.device.updated.v1"
DEVICE_PAYLOADS: Final = PayloadRegistry(
    {
        DEVICE_STATUS_CHANGED: device_events_pb2.DeviceStatusChanged,
        DEVICE_REGISTERED: device_events_pb2.DeviceRegistered,
        DEVICE_UPDATED: device_events_pb2.DeviceUpdated,
    }
)

# The sector exchange's warnings raise early_warning alarms (the rest of its stream is skipped).
EXCHANGE_WARNING_RAISED: Final = "neibao.sector-exchange.warning.raised.v1"
EXCHANGE_PAYLOADS: Final = PayloadRegistry({EXCHANGE_WARNING_RAISED: exchange_events_pb2.EarlyWarningRaised})


def payload(event: AlarmEvent) -> tuple[str, Message]:  # noqa: PLR0911 - one return per event type
    """The CloudEvents type and the protobuf payload of a domain event."""
    alarm = event.alarm
    summary = summary_to_proto(alarm)
    at = timestamp(event.occurred_at)
    match event:
        case AlarmRaised():
            return ALARM_RAISED, events_pb2.AlarmRaised(
                alarm=summary,
                description=alarm.description,
                source=alarm.source,
                source_id=alarm.source_id,
                zone=alarm.zone,
                device_id=alarm.device_id,
                actor=actor_to_proto(alarm.raised_by),
                occurred_at=at,
                context=context_to_proto(event.context) if event.context is not None else None,
                routes=[route_to_proto(r) for r in alarm.routes],
                rules_version=alarm.rules_version,
            )
        case AlarmAcknowledged():
            return ALARM_ACKNOWLEDGED, events_pb2.AlarmAcknowledged(
                alarm=summary,
                routes=[route_to_proto(r) for r in event.routes],
                note=event.note,
                actor=actor_to_proto(event.actor),
                occurred_at=at,
            )
        case AlarmEscalated():
            return ALARM_ESCALATED, events_pb2.AlarmEscalated(
                alarm=summary,
                missed=route_to_proto(event.escalation.missed),
                escalated_to=route_to_proto(event.escalation.called),
                occurred_at=at,
            )
        case AlarmDispatched():
            return ALARM_DISPATCHED, events_pb2.AlarmDispatched(
                alarm=summary, note=event.note, actor=actor_to_proto(event.actor), occurred_at=at
            )
        case AlarmRepeated():
            report = event.report
            return ALARM_REPEATED, events_pb2.AlarmRepeated(
                alarm=summary,
                description=report.description,
                source=report.source,
                source_id=report.source_id,
                actor=actor_to_proto(report.reported_by),
                occurred_at=at,
            )
        case AlarmOnScene():
            return ALARM_ON_SCENE, events_pb2.AlarmOnScene(
                alarm=summary, note=event.note, actor=actor_to_proto(event.actor), occurred_at=at
            )
        case AlarmClosed():
            return ALARM_CLOSED, events_pb2.AlarmClosed(
                alarm=summary, note=event.note, actor=actor_to_proto(event.actor), occurred_at=at
            )
        case AlarmResolved():
            return ALARM_RESOLVED, events_pb2.AlarmResolved(
                alarm=summary,
                outcome=OUTCOME.to_proto(alarm.outcome),
                note=event.note,
                actor=actor_to_proto(event.actor),
                occurred_at=at,
            )
        case AlarmDeadlineMissed():
            return ALARM_DEADLINE_MISSED, events_pb2.AlarmDeadlineMissed(
                alarm=summary, route=route_to_proto(event.route), occurred_at=at
            )


def cloud_event(event: DomainEvent) -> Event:
    """The envelope written to the outbox: keyed by the unit's USCC, subject the alarm (or silence) id, with
    its scope."""
    if isinstance(event, SilenceChanged):
        return Event.create(
            type=SILENCE_TYPES[event.change],
            source=SOURCE,
            data=events_pb2.SilenceChanged(
                silence=silence_to_proto(event.silence),
                actor=actor_to_proto(event.actor),
                occurred_at=timestamp(event.occurred_at),
            ),
            subject=str(event.silence.id),
            key=event.silence.uscc,
            jurisdiction=event.unit.jurisdiction or None,
            sector=event.unit.sector or None,
            unit=event.silence.uscc,
        )
    event_type, data = payload(event)
    alarm = event.alarm
    return Event.create(
        type=event_type,
        source=SOURCE,
        data=data,
        subject=str(alarm.id),
        key=alarm.uscc,
        jurisdiction=alarm.jurisdiction or None,
        sector=alarm.sector or None,
        unit=alarm.uscc,
    )
