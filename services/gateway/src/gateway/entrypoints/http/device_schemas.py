"""Bodies of the device inventory's routes, for validation and the OpenAPI document.

They describe, key for key, what `adapters.proto_json` makes of neibao.deviceinventory.v1 messages (field
names are the proto's; enums are the proto's values without their prefix, lower-cased; an empty or unset
value is null). tests/unit/test_device_schemas.py holds them to the proto.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field

from gateway.entrypoints.http.registry_schemas import DEMO_UNIT, MAX_CURSOR_LENGTH, Uscc

MAX_NAME_LENGTH: Final = 200
MAX_TEXT_LENGTH: Final = 500
MAX_RETENTION_DAYS: Final = 3650
MAX_HEARTBEATS: Final = 10_000
MAX_ZONES: Final = 256
MAX_ZONE_NUMBER: Final = 999
MAX_ZONE_NAME_LENGTH: Final = 100
DEMO_DEVICE: Final = "0b6c3f3e-8d7a-4f3c-9a51-2f0e4d6b7a10"
Uuid = str


class DeviceType(StrEnum):
    """What a device is (stable spellings: values are added, never renamed)."""

    VIDEO_CAMERA = "video_camera"
    NVR = "nvr"
    INTRUSION_PANEL = "intrusion_panel"
    PERIMETER_ALARM = "perimeter_alarm"
    ONE_BUTTON_ALARM = "one_button_alarm"
    ACCESS_CONTROL = "access_control"
    ID_VERIFICATION_TERMINAL = "id_verification_terminal"
    PLATE_RECOGNITION_CAMERA = "plate_recognition_camera"
    TRAJECTORY_TERMINAL = "trajectory_terminal"
    XRAY_SCREENING = "xray_screening"


class Lifecycle(StrEnum):
    """Where a device is in its life (retired: no longer supervised)."""

    INSTALLED = "installed"
    IN_SERVICE = "in_service"
    FAULTY = "faulty"
    RETIRED = "retired"


class DeviceStatus(StrEnum):
    """Whether a device is heard from (unknown: no heartbeat yet)."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    FAULT = "fault"


class HeartbeatStatus(StrEnum):
    """What a heartbeat reports."""

    OK = "ok"
    FAULT = "fault"


class ZoneDetector(StrEnum):
    """What detects an intrusion in a zone (防区) of an intrusion alarm panel."""

    DOOR_CONTACT = "door_contact"
    PASSIVE_INFRARED = "passive_infrared"
    GLASS_BREAK = "glass_break"
    VIBRATION = "vibration"
    PANIC_BUTTON = "panic_button"
    BEAM = "beam"
    OTHER = "other"


class ZoneIn(BaseModel):
    """A zone (防区) of an intrusion alarm panel."""

    model_config = ConfigDict(extra="forbid")

    number: int = Field(ge=1, le=MAX_ZONE_NUMBER, description="Unique on its panel.")
    name: str = Field(min_length=1, max_length=MAX_ZONE_NAME_LENGTH)
    key_part: Uuid | None = Field(default=None, description="The unit's key part the zone protects.")
    detector: ZoneDetector


class ZoneRead(BaseModel):
    """A zone (防区) of an intrusion alarm panel."""

    number: int
    name: str | None
    key_part: str | None
    detector: ZoneDetector | None


_DEVICE_EXAMPLE: Final[dict[str, Any]] = {
    "device_type": "one_button_alarm",
    "name": "收银台一键报警",
    "key_part": None,
    "make": "海康威视",
    "model": "DS-PEA1",
    "serial": "HK2024000123",
    "install_date": "2024-03-01",
    "location": "一楼收银台",
    "networked_to_police": True,
    "network_id": "LN-110-000123",
    "retention_days": None,
    "resolution": None,
}


class DeviceCreate(BaseModel):
    """A device to register for a unit (its security staff, its police, the province admin)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_DEVICE_EXAMPLE]})

    device_type: DeviceType
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH)
    key_part: Uuid | None = Field(default=None, description="A key part (重要部位) of the unit's dossier.")
    make: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    model: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    serial: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    install_date: date | None = None
    location: str | None = Field(
        default=None, max_length=MAX_TEXT_LENGTH, description="Where it is in the unit."
    )
    networked_to_police: bool = Field(default=False, description="Networked to the police (§10, §11).")
    network_id: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    retention_days: int | None = Field(
        default=None, ge=0, le=MAX_RETENTION_DAYS, description="Days of video kept (cameras and NVRs only)."
    )
    resolution: str | None = Field(default=None, max_length=20, examples=["1920x1080"])
    lifecycle: Lifecycle | None = Field(default=None, description="installed when not given.")
    zones: list[ZoneIn] | None = Field(
        default=None, max_length=MAX_ZONES, description="Intrusion panels only: their zones (防区)."
    )


class DeviceRead(BaseModel):
    """A technical protection device and its online status."""

    id: str
    uscc: str
    key_part: str | None
    device_type: DeviceType | None
    name: str | None
    make: str | None
    model: str | None
    serial: str | None
    install_date: str | None
    location: str | None
    networked_to_police: bool
    network_id: str | None
    retention_days: int | None
    resolution: str | None
    lifecycle: Lifecycle | None
    status: DeviceStatus | None
    last_heartbeat_at: datetime | None
    supervision_interval_seconds: int = Field(description="Seconds it may stay silent before it is offline.")
    jurisdiction: str | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None
    status_changed_at: datetime | None
    zones: list[ZoneRead] = Field(description="An intrusion panel's zones, by number; [] for other types.")


class DevicePage(BaseModel):
    """One page of devices in the caller's scope."""

    items: list[DeviceRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class DeviceQuery(BaseModel):
    """Criteria of the device list; every criterion given must hold."""

    uscc: Uscc | None = None
    device_type: DeviceType | None = None
    status: DeviceStatus | None = None
    lifecycle: Lifecycle | None = None
    key_part: Uuid | None = Field(default=None, max_length=36)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)


class HeartbeatIn(BaseModel):
    """One heartbeat; checked on its own, so that one bad item never loses the others."""

    model_config = ConfigDict(extra="ignore")

    device_id: str | None = Field(default=None, max_length=100, examples=[DEMO_DEVICE])
    at: str | None = Field(default=None, max_length=64, description="RFC 3339 time with a zone.")
    status: str | None = Field(default=None, max_length=20, description="ok (default) or fault.")


_HEARTBEAT_EXAMPLE: Final[dict[str, Any]] = {
    "device_id": DEMO_DEVICE,
    "at": "2026-11-24T08:00:00Z",
    "status": "ok",
}


class HeartbeatBatchIn(BaseModel):
    """Heartbeats of devices in the caller's scope (or its organisation's, for a sector system)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"heartbeats": [_HEARTBEAT_EXAMPLE]}]},
    )

    heartbeats: list[HeartbeatIn] = Field(min_length=1, max_length=MAX_HEARTBEATS)


class ItemError(BaseModel):
    """Why an item was not kept."""

    pointer: str = Field(description="JSON pointer into the request, e.g. /heartbeats/3/at.")
    reason: str = Field(description="REQUIRED, INVALID_FORMAT, IN_FUTURE, UNKNOWN_VALUE, NOT_FOUND, RETIRED.")
    detail: str


class HeartbeatResultRead(BaseModel):
    """One item's outcome."""

    index: int
    device_id: str | None
    accepted: bool
    errors: list[ItemError]


class HeartbeatBatchRead(BaseModel):
    """Every item's outcome, in the request's order."""

    results: list[HeartbeatResultRead]
    accepted: int
    rejected: int


class RequirementRead(BaseModel):
    """One requirement of the unit's type, met or not, with its rule and evidence."""

    rule_id: str
    title: str | None
    rule: str | None
    measures: list[str]
    met: bool
    evidence: list[str]
    device_ids: list[str]


class ComplianceRead(BaseModel):
    """A unit's compliance with what its type requires (rules version named)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"uscc": DEMO_UNIT}]})

    uscc: str
    rules_version: str | None
    compliant: bool
    requirements: list[RequirementRead]
    evaluated_at: datetime | None


class FigureGrouping(StrEnum):
    """What the rows of the figures are."""

    JURISDICTION = "jurisdiction"
    SECTOR = "sector"


class FigureQuery(BaseModel):
    """Which units the figures count (always within the caller's scope)."""

    jurisdiction: str | None = Field(default=None, pattern=r"^[0-9]{6}$", examples=["210100"])
    sector: str | None = Field(default=None, max_length=40, examples=["postal"])
    group_by: FigureGrouping | None = Field(default=None, description="jurisdiction (default) or sector.")


class FigureRowRead(BaseModel):
    """The counts and rates of one group (key null: the total)."""

    key: str | None = Field(description="A division code one level under the one asked, or a sector.")
    devices: int
    online: int
    offline: int
    fault: int
    unknown: int = Field(description="Never heard from.")
    online_rate: float = Field(description="online / devices heard from.")
    offline_critical: int = Field(
        description="Alarm devices (one-button, intrusion, perimeter) offline or faulty."
    )
    units: int
    units_evaluated: int
    units_compliant: int
    compliance_rate: float = Field(description="units_compliant / units_evaluated.")


class FiguresRead(BaseModel):
    """Dashboard figures of devices and compliance."""

    total: FigureRowRead
    rows: list[FigureRowRead]


class DeviceUpdate(BaseModel):
    """The fields to change (the keys sent; the rest kept). If-Match names the version it is based on."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"lifecycle": "in_service"}]})

    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME_LENGTH)
    key_part: Uuid | None = None
    make: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    model: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    serial: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    install_date: date | None = None
    location: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)
    networked_to_police: bool | None = None
    network_id: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    retention_days: int | None = Field(default=None, ge=0, le=MAX_RETENTION_DAYS)
    resolution: str | None = Field(default=None, max_length=20)
    lifecycle: Lifecycle | None = None
    zones: list[ZoneIn] | None = Field(
        default=None,
        max_length=MAX_ZONES,
        description="A panel's zones: replace all of them; [] or null clears them; absent keeps them.",
    )


class ProtectionKind(StrEnum):
    """Physical protection (§6–7) and guard equipment (§8)."""

    WALL = "wall"
    FENCE = "fence"
    BARBED_WIRE = "barbed_wire"
    ANTI_THEFT_DOOR = "anti_theft_door"
    GUARDRAIL = "guardrail"
    LOCK = "lock"
    SAFE = "safe"
    VEHICLE_BARRIER = "vehicle_barrier"
    BATON = "baton"
    SHIELD = "shield"
    HELMET = "helmet"
    STEEL_FORK = "steel_fork"
    ANTI_CUT_GLOVES = "anti_cut_gloves"
    FLASHLIGHT = "flashlight"
    RADIO = "radio"
    STAB_VEST = "stab_vest"


class ProtectionCategory(StrEnum):
    """Physical protection (物防) or guard equipment (护卫器械)."""

    PHYSICAL = "physical"
    GUARD_EQUIPMENT = "guard_equipment"


class ProtectionItemRead(BaseModel):
    """How many of one kind a unit (key_part null) or one of its key parts holds."""

    uscc: str
    key_part: str | None
    kind: ProtectionKind | None
    category: ProtectionCategory | None
    quantity: int
    note: str | None
    updated_at: datetime | None


class ProtectionList(BaseModel):
    """A unit's protection stock."""

    items: list[ProtectionItemRead]


class ProtectionItemIn(BaseModel):
    """A quantity to set (0 removes the kind)."""

    model_config = ConfigDict(extra="forbid")

    kind: ProtectionKind
    quantity: int = Field(ge=0, le=1_000_000)
    note: str | None = Field(default=None, max_length=MAX_TEXT_LENGTH)


class ProtectionSet(BaseModel):
    """Quantities of some kinds for the unit (key_part null) or one of its key parts."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"items": [{"kind": "steel_fork", "quantity": 4, "note": "门卫室"}]}]
        },
    )

    key_part: Uuid | None = None
    items: list[ProtectionItemIn] = Field(min_length=1, max_length=50)
