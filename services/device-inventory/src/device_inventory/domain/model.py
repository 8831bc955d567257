"""Devices, the units they protect (a read model fed by the registry's events), protection stock."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from device_inventory.domain.enums import (
    DeviceStatus,
    DeviceType,
    Lifecycle,
    ProtectionKind,
    ZoneDetector,
)
from device_inventory.domain.errors import FieldViolation, ValidationFailed
from neibao_codes import is_valid_uscc

MAX_NAME = 200
MAX_TEXT = 500
MAX_RETENTION_DAYS = 3650
MAX_ZONES = 256
MAX_ZONE_NUMBER = 999
MAX_ZONE_NAME = 100
_RESOLUTION = re.compile(r"[1-9][0-9]{1,4}x[1-9][0-9]{1,4}")

# How long each kind of device may stay silent before it counts as offline; alarm devices tightest.
DEFAULT_SUPERVISION_SECONDS: Mapping[DeviceType, int] = {
    DeviceType.ONE_BUTTON_ALARM: 30,
    DeviceType.INTRUSION_PANEL: 60,
    DeviceType.PERIMETER_ALARM: 60,
    DeviceType.TRAJECTORY_TERMINAL: 60,
    DeviceType.VIDEO_CAMERA: 120,
    DeviceType.NVR: 120,
    DeviceType.PLATE_RECOGNITION_CAMERA: 120,
    DeviceType.ACCESS_CONTROL: 300,
    DeviceType.ID_VERIFICATION_TERMINAL: 300,
    DeviceType.XRAY_SCREENING: 300,
}


class ActorKind(StrEnum):
    """Who acted: a person, a machine client, the platform itself."""

    USER = "user"
    MACHINE = "machine"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who caused a change (carried in events)."""

    subject: str
    name: str
    roles: frozenset[str] = frozenset()
    kind: ActorKind = ActorKind.USER
    jurisdiction: str | None = None
    sector: str | None = None
    unit: str | None = None
    client_id: str | None = None


SYSTEM_ACTOR = Actor(subject="device-inventory", name="device-inventory", kind=ActorKind.SYSTEM)


@dataclass(frozen=True, slots=True)
class UnitView:
    """What the inventory knows of a unit, from the registry's events."""

    uscc: str
    name: str
    jurisdiction: str
    unit_type: str
    sector: str
    sectors: tuple[str, ...]
    key_unit: bool = False
    closed: bool = False
    key_parts: frozenset[uuid.UUID] = frozenset()
    # The key parts' names as the registry last announced them (absent when not yet heard of).
    key_part_names: Mapping[uuid.UUID, str] = field(default_factory=dict, hash=False)

    def key_part_label(self, part: uuid.UUID) -> str:
        """A key part as a reader knows it: its name and short id, or its id when the name is unknown."""
        name = self.key_part_names.get(part)
        return f"{name} ({str(part)[:8]})" if name else str(part)


@dataclass(frozen=True, slots=True)
class Zone:
    """One zone (防区) of an intrusion alarm panel."""

    number: int
    name: str
    detector: ZoneDetector
    key_part: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ZoneDraft:
    """A zone as given (the detector by its REST spelling)."""

    number: int
    name: str
    detector: str = ""
    key_part: str = ""


@dataclass(frozen=True, slots=True)
class Device:
    """One technical protection device of a unit (and, optionally, one of its key parts)."""

    id: uuid.UUID
    uscc: str
    device_type: DeviceType
    name: str
    lifecycle: Lifecycle
    supervision_interval_seconds: int
    created_at: datetime
    updated_at: datetime
    key_part: uuid.UUID | None = None
    make: str = ""
    model: str = ""
    serial: str = ""
    install_date: date | None = None
    location: str = ""
    networked_to_police: bool = False
    network_id: str = ""
    retention_days: int | None = None
    resolution: str = ""
    version: int = 1
    status: DeviceStatus = DeviceStatus.UNKNOWN
    last_heartbeat_at: datetime | None = None
    status_changed_at: datetime | None = None
    jurisdiction: str = ""
    # Intrusion panels only, by number.
    zones: tuple[Zone, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceFields:
    """The editable fields of a device, as given (strings unparsed where the wire has strings)."""

    key_part: str = ""
    name: str = ""
    make: str = ""
    model: str = ""
    serial: str = ""
    install_date: str = ""
    location: str = ""
    networked_to_police: bool = False
    network_id: str = ""
    retention_days: int | None = None
    resolution: str = ""


@dataclass(frozen=True, slots=True)
class DeviceDraft:
    """A device to register, as given."""

    uscc: str
    device_type: str
    fields: DeviceFields
    lifecycle: str = ""
    zones: tuple[ZoneDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class DeviceChange:
    """A change of a device: only the fields present in `fields` (by REST name) change."""

    id: str
    version: int
    fields: Mapping[str, Any] = field(default_factory=dict)
    lifecycle: str = ""
    # None keeps the zones; a tuple (empty: none) replaces them.
    zones: tuple[ZoneDraft, ...] | None = None


def parse_uuid(value: str, name: str, violations: list[FieldViolation]) -> uuid.UUID | None:
    """A UUID, or a violation."""
    try:
        return uuid.UUID(value)
    except ValueError:
        violations.append(FieldViolation(name, "INVALID_FORMAT", f"{name} must be a UUID"))
        return None


def parse_device_type(value: str, violations: list[FieldViolation]) -> DeviceType | None:
    """A known device type, or a violation."""
    if not value:
        violations.append(FieldViolation("device_type", "REQUIRED", "device_type is required"))
        return None
    try:
        return DeviceType(value)
    except ValueError:
        known = ", ".join(t.value for t in DeviceType)
        violations.append(
            FieldViolation("device_type", "UNKNOWN_VALUE", f"device_type must be one of {known}")
        )
        return None


def parse_lifecycle(
    value: str, violations: list[FieldViolation], default: Lifecycle | None
) -> Lifecycle | None:
    """A lifecycle state (the default when empty), or a violation."""
    if not value:
        return default
    try:
        return Lifecycle(value)
    except ValueError:
        known = ", ".join(s.value for s in Lifecycle)
        violations.append(FieldViolation("lifecycle", "UNKNOWN_VALUE", f"lifecycle must be one of {known}"))
        return None


@dataclass(frozen=True, slots=True)
class CleanFields:
    """Validated device fields."""

    key_part: uuid.UUID | None
    name: str
    make: str
    model: str
    serial: str
    install_date: date | None
    location: str
    networked_to_police: bool
    network_id: str
    retention_days: int | None
    resolution: str


def _text(
    value: str, name: str, limit: int, violations: list[FieldViolation], *, required: bool = False
) -> str:
    text = value.strip()
    if required and not text:
        violations.append(FieldViolation(name, "REQUIRED", f"{name} is required"))
    elif len(text) > limit:
        violations.append(FieldViolation(name, "TOO_LONG", f"{name} must be at most {limit} characters"))
    return text


def clean_fields(
    given: DeviceFields, device_type: DeviceType | None, unit: UnitView | None, today: date
) -> tuple[CleanFields, list[FieldViolation]]:
    """The fields checked one by one (every violation found, not just the first)."""
    violations: list[FieldViolation] = []
    key_part = _key_part_of(given.key_part, "key_part", unit, violations)
    install_date: date | None = None
    if given.install_date:
        try:
            install_date = date.fromisoformat(given.install_date)
        except ValueError:
            violations.append(
                FieldViolation("install_date", "INVALID_FORMAT", "install_date must be YYYY-MM-DD")
            )
        else:
            if install_date > today:
                violations.append(
                    FieldViolation("install_date", "IN_FUTURE", "install_date is in the future")
                )
    retention = given.retention_days
    if retention is not None:
        if retention < 0 or retention > MAX_RETENTION_DAYS:
            violations.append(
                FieldViolation(
                    "retention_days", "OUT_OF_RANGE", f"retention_days must be 0 to {MAX_RETENTION_DAYS}"
                )
            )
        elif device_type is not None and not device_type.records_video:
            violations.append(
                FieldViolation(
                    "retention_days", "NOT_APPLICABLE", "retention_days applies to video cameras and NVRs"
                )
            )
    resolution = given.resolution.strip()
    if resolution and not _RESOLUTION.fullmatch(resolution):
        violations.append(
            FieldViolation("resolution", "INVALID_FORMAT", "resolution must look like 1920x1080")
        )
    clean = CleanFields(
        key_part=key_part,
        name=_text(given.name, "name", MAX_NAME, violations, required=True),
        make=_text(given.make, "make", MAX_NAME, violations),
        model=_text(given.model, "model", MAX_NAME, violations),
        serial=_text(given.serial, "serial", MAX_NAME, violations),
        install_date=install_date,
        location=_text(given.location, "location", MAX_TEXT, violations),
        networked_to_police=given.networked_to_police,
        network_id=_text(given.network_id, "network_id", MAX_NAME, violations),
        retention_days=retention,
        resolution=resolution,
    )
    return clean, violations


def _key_part_of(
    value: str, name: str, unit: UnitView | None, violations: list[FieldViolation]
) -> uuid.UUID | None:
    """A key part of the unit (None when not given), or a violation."""
    if not value:
        return None
    part = parse_uuid(value, name, violations)
    if part is not None and unit is not None and part not in unit.key_parts:
        violations.append(FieldViolation(name, "UNKNOWN_KEY_PART", f"{name} is not a key part of this unit"))
    return part


def clean_zones(
    given: tuple[ZoneDraft, ...], device_type: DeviceType | None, unit: UnitView | None
) -> tuple[tuple[Zone, ...], list[FieldViolation]]:
    """The zones of a panel checked one by one (by number); other device types have none."""
    violations: list[FieldViolation] = []
    if not given:
        return (), violations
    if device_type is not None and device_type is not DeviceType.INTRUSION_PANEL:
        violations.append(FieldViolation("zones", "NOT_APPLICABLE", "zones apply to intrusion panels only"))
        return (), violations
    if len(given) > MAX_ZONES:
        violations.append(FieldViolation("zones", "TOO_MANY", f"a panel has at most {MAX_ZONES} zones"))
        return (), violations
    zones: list[Zone] = []
    seen: set[int] = set()
    for index, draft in enumerate(given):
        at = f"zones[{index}]"
        if not 1 <= draft.number <= MAX_ZONE_NUMBER:
            violations.append(
                FieldViolation(f"{at}.number", "OUT_OF_RANGE", f"number must be 1 to {MAX_ZONE_NUMBER}")
            )
        elif draft.number in seen:
            violations.append(FieldViolation(f"{at}.number", "DUPLICATE", "each zone number once per panel"))
        seen.add(draft.number)
        name = _text(draft.name, f"{at}.name", MAX_ZONE_NAME, violations, required=True)
        key_part = _key_part_of(draft.key_part, f"{at}.key_part", unit, violations)
        detector: ZoneDetector | None = None
        if not draft.detector:
            violations.append(FieldViolation(f"{at}.detector", "REQUIRED", "detector is required"))
        else:
            try:
                detector = ZoneDetector(draft.detector)
            except ValueError:
                known = ", ".join(d.value for d in ZoneDetector)
                violations.append(
                    FieldViolation(f"{at}.detector", "UNKNOWN_VALUE", f"detector must be one of {known}")
                )
        if detector is not None:
            zones.append(Zone(number=draft.number, name=name, detector=detector, key_part=key_part))
    return tuple(sorted(zones, key=lambda z: z.number)), violations


def check_uscc(uscc: str) -> None:
    """ValidationFailed unless `uscc` is a valid USCC."""
    if not is_valid_uscc(uscc):
        raise ValidationFailed([FieldViolation("uscc", "INVALID_FORMAT", "uscc is not a valid USCC")])


def new_device(
    draft: DeviceDraft,
    unit: UnitView,
    intervals: Mapping[DeviceType, int],
    now: datetime,
) -> Device:
    """A device from a draft, or ValidationFailed listing every bad field."""
    violations: list[FieldViolation] = []
    device_type = parse_device_type(draft.device_type, violations)
    lifecycle = parse_lifecycle(draft.lifecycle, violations, Lifecycle.INSTALLED)
    clean, more = clean_fields(draft.fields, device_type, unit, now.date())
    violations += more
    zones, more = clean_zones(draft.zones, device_type, unit)
    violations += more
    if violations or device_type is None or lifecycle is None:
        raise ValidationFailed(violations)
    return Device(
        id=uuid.uuid4(),
        uscc=unit.uscc,
        device_type=device_type,
        lifecycle=lifecycle,
        supervision_interval_seconds=intervals[device_type],
        created_at=now,
        updated_at=now,
        jurisdiction=unit.jurisdiction,
        zones=zones,
        **_as_kwargs(clean),
    )


def _as_kwargs(clean: CleanFields) -> dict[str, Any]:
    return {name: getattr(clean, name) for name in CleanFields.__slots__}


def changed_device(
    device: Device, change: DeviceChange, unit: UnitView, now: datetime
) -> tuple[Device, tuple[str, ...]]:
    """The device after `change` and the names of the fields that changed; ValidationFailed if bad."""
    violations: list[FieldViolation] = []
    lifecycle = parse_lifecycle(change.lifecycle, violations, device.lifecycle)
    current = DeviceFields(
        key_part=str(device.key_part) if device.key_part else "",
        name=device.name,
        make=device.make,
        model=device.model,
        serial=device.serial,
        install_date=device.install_date.isoformat() if device.install_date else "",
        location=device.location,
        networked_to_police=device.networked_to_police,
        network_id=device.network_id,
        retention_days=device.retention_days,
        resolution=device.resolution,
    )
    unknown = sorted(set(change.fields) - set(DeviceFields.__slots__))
    violations += [FieldViolation(name, "UNKNOWN_FIELD", f"{name} cannot be changed") for name in unknown]
    merged = replace(current, **{k: v for k, v in change.fields.items() if k not in unknown})
    clean, more = clean_fields(merged, device.device_type, unit, now.date())
    violations += more
    zones = device.zones
    if change.zones is not None:
        zones, more = clean_zones(change.zones, device.device_type, unit)
        violations += more
    if violations or lifecycle is None:
        raise ValidationFailed(violations)
    updated = replace(device, lifecycle=lifecycle, zones=zones, **_as_kwargs(clean))
    names = [name for name in CleanFields.__slots__ if getattr(updated, name) != getattr(device, name)]
    if lifecycle != device.lifecycle:
        names.append("lifecycle")
    if zones != device.zones:
        names.append("zones")
    if not names:
        return device, ()
    return replace(updated, version=device.version + 1, updated_at=now), tuple(names)


@dataclass(frozen=True, slots=True)
class ProtectionItem:
    """How many of one kind a unit (or one of its key parts) holds."""

    uscc: str
    kind: ProtectionKind
    quantity: int
    key_part: uuid.UUID | None = None
    note: str = ""
    updated_at: datetime | None = None


MAX_QUANTITY = 1_000_000


def clean_protection(
    unit: UnitView, key_part: str, items: list[tuple[str, int, str]]
) -> tuple[uuid.UUID | None, list[ProtectionItem]]:
    """Validated protection quantities for the unit or one key part; ValidationFailed otherwise."""
    violations: list[FieldViolation] = []
    part: uuid.UUID | None = None
    if key_part:
        part = parse_uuid(key_part, "key_part", violations)
        if part is not None and part not in unit.key_parts:
            violations.append(
                FieldViolation("key_part", "UNKNOWN_KEY_PART", "key_part is not a key part of this unit")
            )
    if not items:
        violations.append(FieldViolation("items", "REQUIRED", "items must not be empty"))
    clean: list[ProtectionItem] = []
    seen: set[ProtectionKind] = set()
    for index, (kind_text, quantity, note) in enumerate(items):
        try:
            kind = ProtectionKind(kind_text)
        except ValueError:
            violations.append(
                FieldViolation(f"items[{index}].kind", "UNKNOWN_VALUE", "kind is not a known protection kind")
            )
            continue
        if kind in seen:
            violations.append(
                FieldViolation(f"items[{index}].kind", "DUPLICATE", "each kind once per request")
            )
        seen.add(kind)
        if quantity < 0 or quantity > MAX_QUANTITY:
            violations.append(
                FieldViolation(
                    f"items[{index}].quantity", "OUT_OF_RANGE", f"quantity must be 0 to {MAX_QUANTITY}"
                )
            )
        if len(note) > MAX_TEXT:
            violations.append(FieldViolation(f"items[{index}].note", "TOO_LONG", "note is too long"))
        clean.append(
            ProtectionItem(uscc=unit.uscc, kind=kind, quantity=quantity, key_part=part, note=note.strip())
        )
    if violations:
        raise ValidationFailed(violations)
    return part, clean
