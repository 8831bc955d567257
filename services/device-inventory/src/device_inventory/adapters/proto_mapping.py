"""Domain values <-> protobuf: enums by name (DEVICE_TYPE_VIDEO_CAMERA <-> "video_camera"), devices, actors.

The REST spelling of an enum value is its proto name without the enum's prefix, lower-cased; the domain
enums hold exactly those spellings, so one rule maps all three (checked by a unit test).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from device_inventory.domain import enums
from device_inventory.domain.errors import FieldViolation, ValidationFailed
from device_inventory.domain.model import Actor, ActorKind, Device, Zone
from neibao.common.v1 import common_pb2
from neibao.deviceinventory.v1 import device_pb2

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

    def name_of(self, number: int, field: str) -> str:
        """The REST spelling of a proto number ("" for 0); ValidationFailed for a number we do not know."""
        if number == 0:
            return ""
        try:
            name: str = self.wrapper.Name(number)
        except ValueError as exc:
            raise ValidationFailed(
                [FieldViolation(field, "UNKNOWN_VALUE", f"{field} has no value {number}")]
            ) from exc
        return name.removeprefix(self.prefix).lower()

    def from_proto(self, number: int, field: str) -> E | None:
        """The domain value of a proto number (None for 0); ValidationFailed for a number we do not know."""
        name = self.name_of(number, field)
        return self.domain(name) if name else None


DEVICE_TYPE = EnumCodec(enums.DeviceType, device_pb2.DeviceType)
LIFECYCLE = EnumCodec(enums.Lifecycle, device_pb2.Lifecycle)
DEVICE_STATUS = EnumCodec(enums.DeviceStatus, device_pb2.DeviceStatus)
HEARTBEAT_STATUS = EnumCodec(enums.HeartbeatStatus, device_pb2.HeartbeatStatus)
PROTECTION_KIND = EnumCodec(enums.ProtectionKind, device_pb2.ProtectionKind)
PROTECTION_CATEGORY = EnumCodec(enums.ProtectionCategory, device_pb2.ProtectionCategory)
ZONE_DETECTOR = EnumCodec(enums.ZoneDetector, device_pb2.ZoneDetector)

_ACTOR_KINDS = {
    ActorKind.USER: common_pb2.ACTOR_KIND_USER,
    ActorKind.MACHINE: common_pb2.ACTOR_KIND_MACHINE,
    ActorKind.SYSTEM: common_pb2.ACTOR_KIND_SYSTEM,
}


def timestamp(moment: datetime | None) -> Timestamp | None:
    """A protobuf Timestamp, or None."""
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def actor_to_proto(actor: Actor) -> common_pb2.Actor:
    """neibao.common.v1.Actor of a domain actor."""
    return common_pb2.Actor(
        kind=_ACTOR_KINDS[actor.kind],
        subject=actor.subject,
        name=actor.name,
        roles=sorted(actor.roles),
        jurisdiction=actor.jurisdiction or "",
        sector=actor.sector or "",
        unit=actor.unit or "",
        client_id=actor.client_id or "",
    )


def zone_to_proto(zone: Zone) -> device_pb2.Zone:
    """The proto Zone."""
    return device_pb2.Zone(
        number=zone.number,
        name=zone.name,
        key_part=str(zone.key_part) if zone.key_part else "",
        detector=ZONE_DETECTOR.to_proto(zone.detector),
    )


def device_to_proto(device: Device) -> device_pb2.Device:
    """The proto Device."""
    message = device_pb2.Device(
        id=str(device.id),
        uscc=device.uscc,
        key_part=str(device.key_part) if device.key_part else "",
        device_type=DEVICE_TYPE.to_proto(device.device_type),
        name=device.name,
        make=device.make,
        model=device.model,
        serial=device.serial,
        install_date=device.install_date.isoformat() if device.install_date else "",
        location=device.location,
        networked_to_police=device.networked_to_police,
        network_id=device.network_id,
        resolution=device.resolution,
        lifecycle=LIFECYCLE.to_proto(device.lifecycle),
        status=DEVICE_STATUS.to_proto(device.status),
        last_heartbeat_at=timestamp(device.last_heartbeat_at),
        supervision_interval_seconds=device.supervision_interval_seconds,
        jurisdiction=device.jurisdiction,
        version=device.version,
        created_at=timestamp(device.created_at),
        updated_at=timestamp(device.updated_at),
        status_changed_at=timestamp(device.status_changed_at),
        zones=[zone_to_proto(z) for z in device.zones],
    )
    if device.retention_days is not None:
        message.retention_days = device.retention_days
    return message
