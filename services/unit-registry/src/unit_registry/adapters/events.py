"""Domain events -> CloudEvents with protobuf payloads (neibao.unitregistry.v1 events), for the outbox."""

from __future__ import annotations

from typing import Any, Final

from google.protobuf.message import Message

from neibao.unitregistry.v1 import events_pb2
from neibao_messaging import Event, PayloadRegistry
from unit_registry.adapters.proto_mapping import (
    KEY_UNIT_CATEGORY,
    SECTOR,
    UNIT_TYPE,
    actor_to_proto,
    location_to_proto,
    sectors_to_proto,
    timestamp,
)
from unit_registry.domain.events import (
    DomainEvent,
    KeyUnitDesignated,
    KeyUnitProposed,
    KeyUnitWithdrawn,
    UnitClosed,
    UnitRegistered,
    UnitUpdated,
)
from unit_registry.domain.model import Unit

TOPIC: Final = "neibao.unit-registry.events.v1"
SOURCE: Final = "/neibao/unit-registry"

UNIT_REGISTERED: Final = "neibao.unit-registry.unit.registered.v1"
UNIT_UPDATED: Final = "neibao.unit-registry.unit.updated.v1"
UNIT_CLOSED: Final = "neibao.unit-registry.unit.closed.v1"
KEY_UNIT_PROPOSED: Final = "neibao.unit-registry.key-unit.proposed.v1"
KEY_UNIT_DESIGNATED: Final = "neibao.unit-registry.key-unit.designated.v1"
KEY_UNIT_WITHDRAWN: Final = "neibao.unit-registry.key-unit.withdrawn.v1"

PAYLOADS: Final = PayloadRegistry(
    {
        UNIT_REGISTERED: events_pb2.UnitRegistered,
        UNIT_UPDATED: events_pb2.UnitUpdated,
        UNIT_CLOSED: events_pb2.UnitClosed,
        KEY_UNIT_PROPOSED: events_pb2.KeyUnitProposed,
        KEY_UNIT_DESIGNATED: events_pb2.KeyUnitDesignated,
        KEY_UNIT_WITHDRAWN: events_pb2.KeyUnitWithdrawn,
    }
)
"""Every event type this service publishes and its payload class (for consumers and tests)."""


def _unit_fields(unit: Unit) -> dict[str, Any]:
    """What every payload says about the unit: routing and scope keys."""
    return {
        "uscc": unit.uscc,
        "jurisdiction": unit.jurisdiction,
        "unit_type": UNIT_TYPE.to_proto(unit.unit_type),
        "sector": SECTOR.to_proto(unit.sector),
        "sectors": sectors_to_proto(unit.sectors),
    }


def _description(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "police_station": unit.police_station or "",
        "address": unit.address,
        "location": location_to_proto(unit.location),
        "legal_representative": unit.legal_representative,
    }


def payload(event: DomainEvent) -> tuple[str, Message]:
    """The CloudEvents type and the protobuf payload of a domain event."""
    common = {**_unit_fields(event.unit), "actor": actor_to_proto(event.actor)}
    at = timestamp(event.occurred_at)
    match event:
        case UnitRegistered():
            return UNIT_REGISTERED, events_pb2.UnitRegistered(
                **common,
                **_description(event.unit),
                version=event.unit.version,
                occurred_at=at,
            )
        case UnitUpdated():
            return UNIT_UPDATED, events_pb2.UnitUpdated(
                **common,
                **_description(event.unit),
                version=event.unit.version,
                changed_fields=list(event.changed_fields),
                occurred_at=at,
            )
        case UnitClosed():
            return UNIT_CLOSED, events_pb2.UnitClosed(
                **common,
                reason=event.reason,
                version=event.unit.version,
                occurred_at=at,
            )
        case KeyUnitProposed():
            return KEY_UNIT_PROPOSED, events_pb2.KeyUnitProposed(
                **common,
                designation_id=str(event.designation.id),
                category=KEY_UNIT_CATEGORY.to_proto(event.designation.category),
                reason=event.designation.reason,
                occurred_at=at,
            )
        case KeyUnitDesignated():
            designated_on = event.designation.designated_on
            return KEY_UNIT_DESIGNATED, events_pb2.KeyUnitDesignated(
                **common,
                designation_id=str(event.designation.id),
                category=KEY_UNIT_CATEGORY.to_proto(event.designation.category),
                designated_on=designated_on.isoformat() if designated_on else "",
                version=event.unit.version,
                occurred_at=at,
            )
        case KeyUnitWithdrawn():
            return KEY_UNIT_WITHDRAWN, events_pb2.KeyUnitWithdrawn(
                **common,
                designation_id=str(event.designation.id),
                category=KEY_UNIT_CATEGORY.to_proto(event.designation.category),
                reason=event.designation.withdrawal_reason,
                was_designated=event.was_designated,
                version=event.unit.version,
                occurred_at=at,
            )


def cloud_event(event: DomainEvent) -> Event:
    """The envelope written to the outbox: keyed and subjected by the unit's USCC."""
    event_type, data = payload(event)
    unit = event.unit
    # Scope attributes let consumers (the gateway's live streams) filter without decoding the payload.
    return Event.create(
        type=event_type,
        source=SOURCE,
        data=data,
        subject=unit.uscc,
        jurisdiction=unit.jurisdiction,
        sector=unit.sector.value,
        unit=unit.uscc,
    )
