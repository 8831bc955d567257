"""What happened, as the handlers announce it (the adapters turn these into protobuf CloudEvents)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from device_inventory.domain.enums import DeviceStatus, DeviceType
from device_inventory.domain.model import Actor, Device


@dataclass(frozen=True, slots=True)
class UnitKeys:
    """What every event says about the unit: routing and scope keys."""

    uscc: str
    jurisdiction: str
    sector: str
    unit_type: str


@dataclass(frozen=True, slots=True)
class DeviceRegistered:
    unit: UnitKeys
    device: Device
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class DeviceUpdated:
    unit: UnitKeys
    device: Device
    changed_fields: tuple[str, ...]
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class DeviceStatusChanged:
    unit: UnitKeys
    device_id: uuid.UUID
    device_type: DeviceType
    key_part: uuid.UUID | None
    status: DeviceStatus
    previous: DeviceStatus
    last_heartbeat_at: datetime | None
    supervision_interval_seconds: int
    networked_to_police: bool
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class ComplianceChanged:
    unit: UnitKeys
    compliant: bool
    previously_compliant: bool
    unmet: tuple[str, ...]
    previously_unmet: tuple[str, ...]
    rules_version: str
    occurred_at: datetime


DomainEvent = DeviceRegistered | DeviceUpdated | DeviceStatusChanged | ComplianceChanged
