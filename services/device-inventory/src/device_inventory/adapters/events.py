"""The inventory's events as CloudEvents with protobuf payloads, and the streams it reads."""

from __future__ import annotations

from typing import Any, Final

from google.protobuf.message import Message

from device_inventory.adapters.proto_mapping import (
    DEVICE_STATUS,
    DEVICE_TYPE,
    actor_to_proto,
    device_to_proto,
    timestamp,
)
from device_inventory.domain.events import (
    ComplianceChanged,
    DeviceRegistered,
    DeviceStatusChanged,
    DeviceUpdated,
    DomainEvent,
)
from neibao.deviceinventory.v1 import device_pb2, events_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from neibao_messaging import Event, PayloadRegistry

TOPIC: Final = "neibao.device-inventory.events.v1"
HEARTBEATS_TOPIC: Final = "neibao.device-inventory.heartbeats.v1"
UNIT_EVENTS_TOPIC: Final = "neibao.unit-registry.events.v1"
SOURCE: Final = "/neibao/device-inventory"

DEVICE_REGISTERED: Final = "neibao.device-inventory.device.registered.v1"
DEVICE_UPDATED: Final = "neibao.device-inventory.device.updated.v1"
DEVICE_STATUS_CHANGED: Final = "neibao.device-inventory.device.status-changed.v1"
COMPLIANCE_CHANGED: Final = "neibao.device-inventory.compliance.changed.v1"
HEARTBEAT_BATCH: Final = "neibao.device-inventory.heartbeat-batch.v1"

PAYLOADS: Final = PayloadRegistry(
    {
        DEVICE_REGISTERED: events_pb2.DeviceRegistered,
        DEVICE_UPDATED: events_pb2.DeviceUpdated,
        DEVICE_STATUS_CHANGED: events_pb2.DeviceStatusChanged,
        COMPLIANCE_CHANGED: events_pb2.ComplianceChanged,
    }
)
"""Every event type this service publishes and its payload class (for consumers and tests)."""

HEARTBEAT_PAYLOADS: Final = PayloadRegistry({HEARTBEAT_BATCH: device_pb2.HeartbeatBatch})
"""What the heartbeat stream carries."""

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


def payload(event: DomainEvent) -> tuple[str, Message]:
    """The CloudEvents type and the protobuf payload of a domain event."""
    keys = event.unit
    common: dict[str, Any] = {
        "uscc": keys.uscc,
        "jurisdiction": keys.jurisdiction,
        "sector": keys.sector,
        "unit_type": keys.unit_type,
        "occurred_at": timestamp(event.occurred_at),
    }
    match event:
        case DeviceRegistered():
            return DEVICE_REGISTERED, events_pb2.DeviceRegistered(
                **common, device=device_to_proto(event.device), actor=actor_to_proto(event.actor)
            )
        case DeviceUpdated():
            return DEVICE_UPDATED, events_pb2.DeviceUpdated(
                **common,
                device=device_to_proto(event.device),
                changed_fields=list(event.changed_fields),
                actor=actor_to_proto(event.actor),
            )
        case DeviceStatusChanged():
            return DEVICE_STATUS_CHANGED, events_pb2.DeviceStatusChanged(
                **common,
                device_id=str(event.device_id),
                device_type=DEVICE_TYPE.to_proto(event.device_type),
                key_part=str(event.key_part) if event.key_part else "",
                status=DEVICE_STATUS.to_proto(event.status),
                previous=DEVICE_STATUS.to_proto(event.previous),
                last_heartbeat_at=timestamp(event.last_heartbeat_at),
                supervision_interval_seconds=event.supervision_interval_seconds,
                networked_to_police=event.networked_to_police,
            )
        case ComplianceChanged():
            return COMPLIANCE_CHANGED, events_pb2.ComplianceChanged(
                **common,
                compliant=event.compliant,
                previously_compliant=event.previously_compliant,
                unmet=list(event.unmet),
                previously_unmet=list(event.previously_unmet),
                rules_version=event.rules_version,
            )


def cloud_event(event: DomainEvent) -> Event:
    """The envelope written to the outbox: keyed and scoped by the unit."""
    event_type, data = payload(event)
    keys = event.unit
    return Event.create(
        type=event_type,
        source=SOURCE,
        data=data,
        subject=keys.uscc,
        jurisdiction=keys.jurisdiction,
        sector=keys.sector or None,
        unit=keys.uscc,
    )
