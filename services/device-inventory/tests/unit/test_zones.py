"""The zones (防区) of an intrusion alarm panel: only panels have them, each number once, in key parts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from device_inventory.domain.enums import ZoneDetector
from device_inventory.domain.errors import ValidationFailed
from device_inventory.domain.model import (
    DEFAULT_SUPERVISION_SECONDS,
    MAX_ZONES,
    DeviceChange,
    DeviceDraft,
    DeviceFields,
    UnitView,
    Zone,
    ZoneDraft,
    changed_device,
    new_device,
)

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
PART = uuid.uuid4()
UNIT = UnitView(
    "91210102MA0LN001X3", "店", "210102", "enterprise", "commerce", ("commerce",), key_parts=frozenset({PART})
)


def panel(*zones: ZoneDraft, device_type: str = "intrusion_panel") -> DeviceDraft:
    return DeviceDraft(UNIT.uscc, device_type, DeviceFields(name="入侵报警主机"), zones=zones)


def violations(error: ValidationFailed) -> set[tuple[str, str]]:
    return {(v.field, v.reason) for v in error.violations}


def test_a_panels_zones_are_kept_by_number() -> None:
    device = new_device(
        panel(
            ZoneDraft(2, " 金库红外 ", "passive_infrared", str(PART)),
            ZoneDraft(1, "前门门磁", "door_contact"),
        ),
        UNIT,
        DEFAULT_SUPERVISION_SECONDS,
        NOW,
    )
    assert device.zones == (
        Zone(1, "前门门磁", ZoneDetector.DOOR_CONTACT),
        Zone(2, "金库红外", ZoneDetector.PASSIVE_INFRARED, PART),
    )


def test_only_an_intrusion_panel_has_zones() -> None:
    with pytest.raises(ValidationFailed) as caught:
        new_device(
            panel(ZoneDraft(1, "前门", "door_contact"), device_type="video_camera"),
            UNIT,
            DEFAULT_SUPERVISION_SECONDS,
            NOW,
        )
    assert violations(caught.value) == {("zones", "NOT_APPLICABLE")}


def test_every_bad_zone_is_reported_with_its_index() -> None:
    with pytest.raises(ValidationFailed) as caught:
        new_device(
            panel(
                ZoneDraft(1, "前门", "door_contact"),
                ZoneDraft(1, "后门", "door_contact"),
                ZoneDraft(1000, "", "laser"),
                ZoneDraft(3, "x" * 101, "", str(uuid.uuid4())),
                ZoneDraft(4, "窗", "glass_break", "not-a-uuid"),
            ),
            UNIT,
            DEFAULT_SUPERVISION_SECONDS,
            NOW,
        )
    assert violations(caught.value) == {
        ("zones[1].number", "DUPLICATE"),
        ("zones[2].number", "OUT_OF_RANGE"),
        ("zones[2].name", "REQUIRED"),
        ("zones[2].detector", "UNKNOWN_VALUE"),
        ("zones[3].name", "TOO_LONG"),
        ("zones[3].detector", "REQUIRED"),
        ("zones[3].key_part", "UNKNOWN_KEY_PART"),
        ("zones[4].key_part", "INVALID_FORMAT"),
    }


def test_a_panel_has_at_most_256_zones() -> None:
    zones = [ZoneDraft(n, f"防区{n}", "beam") for n in range(1, MAX_ZONES + 2)]
    with pytest.raises(ValidationFailed) as caught:
        new_device(panel(*zones), UNIT, DEFAULT_SUPERVISION_SECONDS, NOW)
    assert violations(caught.value) == {("zones", "TOO_MANY")}
    assert (
        len(new_device(panel(*zones[:MAX_ZONES]), UNIT, DEFAULT_SUPERVISION_SECONDS, NOW).zones) == MAX_ZONES
    )


def test_a_change_replaces_or_clears_the_zones_and_without_zones_keeps_them() -> None:
    device = new_device(panel(ZoneDraft(1, "前门", "door_contact")), UNIT, DEFAULT_SUPERVISION_SECONDS, NOW)
    kept, names = changed_device(device, DeviceChange(str(device.id), 1, {"location": "一楼"}), UNIT, NOW)
    assert kept.zones == device.zones
    assert names == ("location",)
    replaced, names = changed_device(
        device, DeviceChange(str(device.id), 1, zones=(ZoneDraft(7, "窗", "vibration"),)), UNIT, NOW
    )
    assert replaced.zones == (Zone(7, "窗", ZoneDetector.VIBRATION),)
    assert names == ("zones",)
    assert replaced.version == 2
    cleared, names = changed_device(device, DeviceChange(str(device.id), 1, zones=()), UNIT, NOW)
    assert cleared.zones == ()
    assert names == ("zones",)
    with pytest.raises(ValidationFailed) as caught:
        changed_device(device, DeviceChange(str(device.id), 1, zones=(ZoneDraft(0, "x", "beam"),)), UNIT, NOW)
    assert violations(caught.value) == {("zones[0].number", "OUT_OF_RANGE")}


def test_an_update_replaces_zones_only_with_replace_zones() -> None:
    from device_inventory.entrypoints.translate import device_change
    from neibao.deviceinventory.v1 import device_pb2

    zone = device_pb2.Zone(number=1, name="前门", detector=device_pb2.ZONE_DETECTOR_DOOR_CONTACT)
    assert device_change(device_pb2.UpdateDeviceRequest(id="d", location="x")).zones is None
    assert device_change(device_pb2.UpdateDeviceRequest(id="d", replace_zones=True)).zones == ()
    replaced = device_change(device_pb2.UpdateDeviceRequest(id="d", zones=[zone], replace_zones=True))
    assert replaced.zones == (ZoneDraft(1, "前门", "door_contact"),)
    with pytest.raises(ValidationFailed) as caught:
        device_change(device_pb2.UpdateDeviceRequest(id="d", zones=[zone]))
    assert violations(caught.value) == {("replace_zones", "REQUIRED")}
