"""Device registration and change rules; who may write; enum spellings match the proto."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from device_inventory.adapters.proto_mapping import (
    DEVICE_STATUS,
    DEVICE_TYPE,
    HEARTBEAT_STATUS,
    LIFECYCLE,
    PROTECTION_CATEGORY,
    PROTECTION_KIND,
    ZONE_DETECTOR,
    EnumCodec,
)
from device_inventory.domain.enums import (
    DeviceType,
    Lifecycle,
    ProtectionCategory,
    ProtectionKind,
    ZoneDetector,
)
from device_inventory.domain.errors import ValidationFailed
from device_inventory.domain.model import (
    DEFAULT_SUPERVISION_SECONDS,
    DeviceChange,
    DeviceDraft,
    DeviceFields,
    UnitView,
    changed_device,
    clean_protection,
    new_device,
)
from device_inventory.domain.policy import may_report_heartbeats, may_write
from neibao_identity import Scope

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
PART = uuid.uuid4()
UNIT = UnitView(
    "91210102MA0LN001X3", "店", "210102", "enterprise", "commerce", ("commerce",), key_parts=frozenset({PART})
)


def violations(error: ValidationFailed) -> set[tuple[str, str]]:
    return {(v.field, v.reason) for v in error.violations}


def test_a_valid_draft_becomes_an_installed_device_with_its_types_interval() -> None:
    draft = DeviceDraft(
        UNIT.uscc,
        "one_button_alarm",
        DeviceFields(name="前台一键报警", networked_to_police=True, key_part=str(PART)),
    )
    device = new_device(draft, UNIT, DEFAULT_SUPERVISION_SECONDS, NOW)
    assert device.lifecycle is Lifecycle.INSTALLED
    assert device.supervision_interval_seconds == 30
    assert device.key_part == PART
    assert device.jurisdiction == "210102"


def test_every_bad_field_is_reported_at_once() -> None:
    draft = DeviceDraft(
        UNIT.uscc,
        "laser_shark",
        DeviceFields(
            name=" ",
            key_part=str(uuid.uuid4()),
            install_date="2999-01-01",
            resolution="big",
            retention_days=-1,
        ),
        lifecycle="exploded",
    )
    with pytest.raises(ValidationFailed) as caught:
        new_device(draft, UNIT, DEFAULT_SUPERVISION_SECONDS, NOW)
    assert violations(caught.value) == {
        ("device_type", "UNKNOWN_VALUE"),
        ("lifecycle", "UNKNOWN_VALUE"),
        ("name", "REQUIRED"),
        ("key_part", "UNKNOWN_KEY_PART"),
        ("install_date", "IN_FUTURE"),
        ("resolution", "INVALID_FORMAT"),
        ("retention_days", "OUT_OF_RANGE"),
    }


def test_retention_days_only_for_video() -> None:
    draft = DeviceDraft(UNIT.uscc, "access_control", DeviceFields(name="门禁", retention_days=30))
    with pytest.raises(ValidationFailed) as caught:
        new_device(draft, UNIT, DEFAULT_SUPERVISION_SECONDS, NOW)
    assert violations(caught.value) == {("retention_days", "NOT_APPLICABLE")}


def test_a_change_names_what_changed_and_bumps_the_version() -> None:
    device = new_device(
        DeviceDraft(UNIT.uscc, "nvr", DeviceFields(name="录像机", retention_days=30)),
        UNIT,
        DEFAULT_SUPERVISION_SECONDS,
        NOW,
    )
    changed, names = changed_device(
        device, DeviceChange(str(device.id), 1, {"retention_days": 90}, "in_service"), UNIT, NOW
    )
    assert names == ("retention_days", "lifecycle")
    assert changed.version == 2
    assert changed.retention_days == 90
    same, none = changed_device(device, DeviceChange(str(device.id), 1, {"name": "录像机"}), UNIT, NOW)
    assert none == ()
    assert same is device


def test_protection_quantities_are_checked_per_item() -> None:
    with pytest.raises(ValidationFailed) as caught:
        clean_protection(
            UNIT, "", [("baton", -1, ""), ("unicorn", 1, ""), ("shield", 2, ""), ("shield", 1, "")]
        )
    assert violations(caught.value) == {
        ("items[0].quantity", "OUT_OF_RANGE"),
        ("items[1].kind", "UNKNOWN_VALUE"),
        ("items[3].kind", "DUPLICATE"),
    }
    part, items = clean_protection(UNIT, str(PART), [("steel_fork", 2, "值班室")])
    assert part == PART
    assert items[0].kind is ProtectionKind.STEEL_FORK
    assert ProtectionKind.STEEL_FORK.category is ProtectionCategory.GUARD_EQUIPMENT
    assert ProtectionKind.FENCE.category is ProtectionCategory.PHYSICAL


def scope(roles: set[str], **claims: str) -> Scope:
    from neibao_identity import Principal

    return Scope.for_principal(Principal(subject="s", username="u", roles=frozenset(roles), **claims))


def test_who_may_write() -> None:
    assert may_write(scope({"province-admin"}, jurisdiction="210000"), UNIT)
    assert may_write(scope({"police"}, jurisdiction="210100"), UNIT)
    assert not may_write(scope({"police"}, jurisdiction="210200"), UNIT)
    assert may_write(scope({"unit-security"}, jurisdiction="210102", unit=UNIT.uscc), UNIT)
    assert not may_write(scope({"unit-security"}, jurisdiction="210102", unit="91210200MA0YP3D80R"), UNIT)
    assert not may_write(scope({"regulator"}, jurisdiction="210000", sector="commerce"), UNIT)
    assert may_report_heartbeats(scope({"sector-system"}, org=UNIT.uscc, sector="commerce"), UNIT)


@pytest.mark.parametrize(
    ("codec", "domain"),
    [
        (DEVICE_TYPE, DeviceType),
        (LIFECYCLE, Lifecycle),
        (DEVICE_STATUS, None),
        (HEARTBEAT_STATUS, None),
        (PROTECTION_KIND, ProtectionKind),
        (PROTECTION_CATEGORY, ProtectionCategory),
        (ZONE_DETECTOR, ZoneDetector),
    ],
)
def test_every_proto_enum_value_has_its_domain_spelling(codec: EnumCodec, domain: object) -> None:  # type: ignore[type-arg]
    for value in codec.wrapper.DESCRIPTOR.values[1:]:
        member = codec.from_proto(value.number, "f")
        assert member is not None
        assert codec.to_proto(member) == value.number
    assert len(codec.domain) == len(codec.wrapper.DESCRIPTOR.values) - 1


def test_the_issue_device_types_are_stable() -> None:
    assert {t.value for t in DeviceType} == {
        "video_camera",
        "nvr",
        "intrusion_panel",
        "perimeter_alarm",
        "one_button_alarm",
        "access_control",
        "id_verification_terminal",
        "plate_recognition_camera",
        "trajectory_terminal",
        "xray_screening",
    }
