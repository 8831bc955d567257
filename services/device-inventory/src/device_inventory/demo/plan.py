"""What the demo device platform installs in a unit: deterministic per USCC, mostly what the unit's type
requires, with a realistic share of gaps (a missing alarm, short retention, no steel forks) and of devices
that fall silent. Pure: no I/O."""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass

from device_inventory.domain.enums import DeviceType, ProtectionKind
from device_inventory.domain.model import UnitView

# The demo accounts' units get devices whatever the draw.
DEMO_UNITS = frozenset({"91210102MA0LN001X3", "91210200MA0YP3D80R"})
ONE_BUTTON_TYPES = frozenset({"financial_outlet", "jewellery_store", "fuel_station", "school", "hospital"})
PERIMETER_TYPES = frozenset(
    {
        "energy_utility",
        "defence_industry",
        "research_institute",
        "news_media",
        "museum_heritage",
        "urban_rail",
        "postal_express",
    }
)
LONG_RETENTION_TYPES = frozenset({"fuel_station", "transport_hub"})
VEHICLE_TYPES = frozenset({"transport_hub", "logistics", "public_transport"})
MAKES = (("海康威视", "DS-2CD3T46"), ("大华", "DH-IPC-HFW"), ("宇视", "IPC-B314"), ("天地伟业", "TC-C34"))
RULED_TYPES = ONE_BUTTON_TYPES | PERIMETER_TYPES | LONG_RETENTION_TYPES
GAPS = ("alarm", "retention", "guard_equipment", "coverage", "xray")
SILENT_SHARE = 0.06
GAP_SHARE = 0.3
ORDINARY_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class DemoDevice:
    """A device the demo platform installs."""

    device_type: DeviceType
    name: str
    key_part: uuid.UUID | None = None
    networked_to_police: bool = False
    retention_days: int | None = None
    resolution: str = ""
    make: str = ""
    model: str = ""
    silent: bool = False


@dataclass(frozen=True, slots=True)
class DemoEquipment:
    """Everything a unit gets."""

    devices: tuple[DemoDevice, ...] = ()
    protection: tuple[tuple[ProtectionKind, int], ...] = ()
    gap: str | None = None


def _rng(uscc: str) -> random.Random:
    seed = int.from_bytes(hashlib.sha256(uscc.encode()).digest()[:8], "big")
    return random.Random(seed)  # noqa: S311 - demo data, not security


def equipped(unit: UnitView, rng: random.Random) -> bool:
    """Whether the demo platform equips this unit at all (ordinary units: one in four)."""
    if unit.closed:
        return False
    if unit.uscc in DEMO_UNITS or unit.key_unit or unit.unit_type in RULED_TYPES:
        return True
    return rng.random() < ORDINARY_SHARE


def plan(unit: UnitView) -> DemoEquipment:
    """The unit's demo devices and protection (empty when the draw leaves it out)."""
    rng = _rng(unit.uscc)
    if not equipped(unit, rng):
        return DemoEquipment()
    gap = rng.choice(GAPS) if rng.random() < GAP_SHARE and unit.uscc not in DEMO_UNITS else None
    make, model = rng.choice(MAKES)
    devices: list[DemoDevice] = []

    def add(device_type: DeviceType, name: str, **fields: object) -> None:
        silent = rng.random() < SILENT_SHARE
        devices.append(DemoDevice(device_type, name, make=make, model=model, silent=silent, **fields))  # type: ignore[arg-type]

    days = 90 if unit.unit_type in LONG_RETENTION_TYPES else 30
    add(
        DeviceType.NVR,
        "监控中心硬盘录像机",
        retention_days=15 if gap == "retention" else days + rng.choice((0, 0, 30)),
        networked_to_police=unit.key_unit,
    )
    parts = sorted(unit.key_parts)
    for index, part in enumerate(parts):
        if gap == "coverage" and index == 0:
            continue
        add(DeviceType.VIDEO_CAMERA, f"重要部位摄像机{index + 1}", key_part=part, resolution="2560x1440")
    for index in range(rng.randint(1, 3)):
        add(DeviceType.VIDEO_CAMERA, f"出入口摄像机{index + 1}", resolution="1920x1080")
    if unit.unit_type in ONE_BUTTON_TYPES:
        add(DeviceType.ONE_BUTTON_ALARM, "值班室一键报警", networked_to_police=gap != "alarm")
    if unit.unit_type in PERIMETER_TYPES and gap != "alarm":
        add(rng.choice((DeviceType.PERIMETER_ALARM, DeviceType.INTRUSION_PANEL)), "周界报警主机")
    if unit.unit_type == "postal_express" and gap != "xray":
        add(DeviceType.XRAY_SCREENING, "收寄安检机")
    if unit.unit_type in VEHICLE_TYPES:
        add(DeviceType.PLATE_RECOGNITION_CAMERA, "车辆出入口识别")
    if unit.key_unit or rng.random() < 0.4:
        add(DeviceType.ACCESS_CONTROL, "门禁控制器")
    protection: list[tuple[ProtectionKind, int]] = [
        (ProtectionKind.ANTI_THEFT_DOOR, rng.randint(1, 4)),
        (ProtectionKind.LOCK, rng.randint(2, 10)),
    ]
    if unit.key_unit:
        guard = [
            ProtectionKind.BATON,
            ProtectionKind.SHIELD,
            ProtectionKind.HELMET,
            ProtectionKind.STEEL_FORK,
        ]
        if gap == "guard_equipment":
            guard.remove(ProtectionKind.STEEL_FORK)
        protection += [(kind, rng.randint(2, 8)) for kind in guard]
        protection += [(ProtectionKind.FENCE, 1), (ProtectionKind.RADIO, rng.randint(2, 6))]
    return DemoEquipment(tuple(devices), tuple(protection), gap)
