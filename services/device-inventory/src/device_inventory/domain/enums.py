"""The inventory's enumerations; values are the stable REST spellings (snake_case): add, never rename."""

from __future__ import annotations

from enum import StrEnum


class DeviceType(StrEnum):
    """What a device is (§9–13)."""

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

    @property
    def records_video(self) -> bool:
        """Whether the device keeps video (its retention days mean something)."""
        return self in (DeviceType.VIDEO_CAMERA, DeviceType.NVR)


class Lifecycle(StrEnum):
    """Where a device is in its life."""

    INSTALLED = "installed"
    IN_SERVICE = "in_service"
    FAULTY = "faulty"
    RETIRED = "retired"

    @property
    def counts(self) -> bool:
        """Whether the device counts as protection (compliance) and is supervised (heartbeats)."""
        return self in (Lifecycle.INSTALLED, Lifecycle.IN_SERVICE)


class DeviceStatus(StrEnum):
    """Whether a device is heard from."""

    UNKNOWN = "unknown"
    ONLINE = "online"
    OFFLINE = "offline"
    FAULT = "fault"


class HeartbeatStatus(StrEnum):
    """What a heartbeat reports."""

    OK = "ok"
    FAULT = "fault"


class ProtectionCategory(StrEnum):
    """Physical protection (物防, §6–7) or guard equipment (护卫器械, §8)."""

    PHYSICAL = "physical"
    GUARD_EQUIPMENT = "guard_equipment"


class ProtectionKind(StrEnum):
    """Kinds of physical protection and guard equipment counted per unit and key part."""

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

    @property
    def category(self) -> ProtectionCategory:
        """Its family."""
        return ProtectionCategory.PHYSICAL if self in _PHYSICAL else ProtectionCategory.GUARD_EQUIPMENT


_PHYSICAL = frozenset(
    {
        ProtectionKind.WALL,
        ProtectionKind.FENCE,
        ProtectionKind.BARBED_WIRE,
        ProtectionKind.ANTI_THEFT_DOOR,
        ProtectionKind.GUARDRAIL,
        ProtectionKind.LOCK,
        ProtectionKind.SAFE,
        ProtectionKind.VEHICLE_BARRIER,
    }
)


class ZoneDetector(StrEnum):
    """What detects an intrusion in a zone (防区) of an intrusion alarm panel."""

    DOOR_CONTACT = "door_contact"
    PASSIVE_INFRARED = "passive_infrared"
    GLASS_BREAK = "glass_break"
    VIBRATION = "vibration"
    PANIC_BUTTON = "panic_button"
    BEAM = "beam"
    OTHER = "other"
