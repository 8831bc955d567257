"""Compliance rules are data: the packaged rule set loads, and each check decides and explains itself."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from device_inventory.adapters.rules import load_rules
from device_inventory.domain.compliance import RuleSetError, evaluate
from device_inventory.domain.enums import DeviceType, Lifecycle, ProtectionKind
from device_inventory.domain.model import Device, ProtectionItem, UnitView

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
RULES = load_rules()
PART = uuid.UUID("00000000-0000-4000-8000-000000000001")


def unit(unit_type: str, *, key_unit: bool = False, parts: frozenset[uuid.UUID] = frozenset()) -> UnitView:
    return UnitView(
        "91210102MA0LN001X3", "单位", "210102", unit_type, "commerce", ("commerce",), key_unit, False, parts
    )


def device(device_type: DeviceType, **fields: object) -> Device:
    base = Device(
        id=uuid.uuid4(),
        uscc="91210102MA0LN001X3",
        device_type=device_type,
        name=f"{device_type.value} 1",
        lifecycle=Lifecycle.IN_SERVICE,
        supervision_interval_seconds=60,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def requirement(result_unit: UnitView, devices: list[Device], protection: list[ProtectionItem] | None = None):  # type: ignore[no-untyped-def]
    result = evaluate(RULES, result_unit, devices, protection or [], NOW)
    return {r.rule_id: r for r in result.requirements}, result


def test_the_packaged_rule_set_is_versioned_and_names_only_known_unit_types() -> None:
    assert RULES.version
    ids = {rule.id for rule in RULES.rules}
    assert {
        "one_button_alarm_networked",
        "perimeter_or_intrusion_alarm",
        "video_retention_30_days",
        "video_retention_90_days",
        "key_part_video_coverage",
        "guard_equipment",
    } <= ids


def test_a_rule_set_naming_an_unknown_unit_type_is_refused() -> None:
    text = """
version: "x"
rules:
  - id: r
    title: t
    rule: r
    applies_to: {unit_types: [spaceport]}
    check: {kind: devices_present, device_types: [nvr]}
"""
    with pytest.raises(RuleSetError, match="spaceport"):
        load_rules(text)


def test_a_rule_set_with_an_unknown_check_is_refused() -> None:
    text = """
version: "x"
rules:
  - id: r
    title: t
    rule: r
    applies_to: {unit_types: [school]}
    check: {kind: vibes}
"""
    with pytest.raises(RuleSetError, match="vibes"):
        load_rules(text)


@pytest.mark.parametrize(
    "unit_type", ["financial_outlet", "jewellery_store", "fuel_station", "school", "hospital"]
)
def test_one_button_alarm_must_be_networked_to_police(unit_type: str) -> None:
    school = unit(unit_type)
    found, result = requirement(school, [device(DeviceType.ONE_BUTTON_ALARM, networked_to_police=False)])
    rule = found["one_button_alarm_networked"]
    assert not rule.met
    assert not result.compliant
    assert any("not networked" in line for line in rule.evidence)
    networked = device(DeviceType.ONE_BUTTON_ALARM, networked_to_police=True)
    found, _ = requirement(school, [networked])
    assert found["one_button_alarm_networked"].met
    assert found["one_button_alarm_networked"].device_ids == (networked.id,)
    assert "§11" in found["one_button_alarm_networked"].measures


def test_an_ordinary_enterprise_has_no_alarm_requirement() -> None:
    found, result = requirement(unit("enterprise"), [])
    assert "one_button_alarm_networked" not in found
    assert "perimeter_or_intrusion_alarm" not in found
    assert result.compliant


@pytest.mark.parametrize(
    "unit_type",
    [
        "energy_utility",
        "defence_industry",
        "research_institute",
        "news_media",
        "museum_heritage",
        "urban_rail",
        "postal_express",
    ],
)
def test_perimeter_or_intrusion_alarm_for_the_listed_types(unit_type: str) -> None:
    found, _ = requirement(unit(unit_type), [])
    assert not found["perimeter_or_intrusion_alarm"].met
    found, _ = requirement(unit(unit_type), [device(DeviceType.INTRUSION_PANEL)])
    assert found["perimeter_or_intrusion_alarm"].met


def test_retired_and_faulty_devices_do_not_count() -> None:
    devices = [
        device(DeviceType.ONE_BUTTON_ALARM, networked_to_police=True, lifecycle=Lifecycle.RETIRED),
        device(DeviceType.ONE_BUTTON_ALARM, networked_to_police=True, lifecycle=Lifecycle.FAULTY),
    ]
    found, _ = requirement(unit("financial_outlet"), devices)
    assert not found["one_button_alarm_networked"].met


def test_video_retention_30_days_in_general_and_90_for_fuel_stations() -> None:
    short = device(DeviceType.NVR, retention_days=29)
    found, _ = requirement(unit("enterprise"), [short])
    assert not found["video_retention_30_days"].met
    assert any("29 days" in line for line in found["video_retention_30_days"].evidence)
    found, _ = requirement(unit("enterprise"), [device(DeviceType.NVR, retention_days=30)])
    assert found["video_retention_30_days"].met
    found, _ = requirement(unit("fuel_station"), [device(DeviceType.NVR, retention_days=60)])
    assert "video_retention_30_days" not in found
    assert not found["video_retention_90_days"].met
    found, _ = requirement(unit("fuel_station"), [device(DeviceType.NVR, retention_days=90)])
    assert found["video_retention_90_days"].met


def test_a_unit_without_video_has_no_retention_requirement_unless_its_type_needs_90_days() -> None:
    found, _ = requirement(unit("enterprise"), [])
    assert "video_retention_30_days" not in found
    found, _ = requirement(unit("transport_hub"), [])
    assert not found["video_retention_90_days"].met


def test_every_key_part_of_a_key_unit_needs_a_camera() -> None:
    other = uuid.uuid4()
    key_unit = unit("hospital", key_unit=True, parts=frozenset({PART, other}))
    found, _ = requirement(key_unit, [device(DeviceType.VIDEO_CAMERA, key_part=PART)])
    coverage = found["key_part_video_coverage"]
    assert not coverage.met
    assert f"key part {other}: not covered" in coverage.evidence
    found, _ = requirement(
        key_unit,
        [device(DeviceType.VIDEO_CAMERA, key_part=PART), device(DeviceType.VIDEO_CAMERA, key_part=other)],
    )
    assert found["key_part_video_coverage"].met


def test_key_part_evidence_names_the_key_part_and_falls_back_to_its_id() -> None:
    other = uuid.uuid4()
    camera = device(DeviceType.VIDEO_CAMERA, key_part=PART)
    key_unit = replace(
        unit("hospital", key_unit=True, parts=frozenset({PART, other})), key_part_names={PART: "金库"}
    )
    found, _ = requirement(key_unit, [camera])
    coverage = found["key_part_video_coverage"]
    assert "key part 金库 (00000000): 1 camera(s)" in coverage.evidence
    assert f"key part {other}: not covered" in coverage.evidence  # the registry has not named it yet
    assert not coverage.met
    assert coverage.device_ids == (camera.id,)


def test_key_unit_rules_do_not_apply_to_other_units() -> None:
    found, _ = requirement(unit("hospital", key_unit=False, parts=frozenset({PART})), [])
    assert "key_part_video_coverage" not in found
    assert "guard_equipment" not in found


def test_guard_equipment_for_key_units_counts_quantities_across_key_parts() -> None:
    key_unit = unit("museum_heritage", key_unit=True)
    stock = [
        ProtectionItem("91210102MA0LN001X3", ProtectionKind.BATON, 4),
        ProtectionItem("91210102MA0LN001X3", ProtectionKind.SHIELD, 2, key_part=PART),
        ProtectionItem("91210102MA0LN001X3", ProtectionKind.HELMET, 2),
    ]
    found, _ = requirement(key_unit, [], stock)
    guard = found["guard_equipment"]
    assert not guard.met
    assert "missing (fewer than 1): steel_fork" in guard.evidence
    found, _ = requirement(
        key_unit, [], [*stock, ProtectionItem("91210102MA0LN001X3", ProtectionKind.STEEL_FORK, 1)]
    )
    assert found["guard_equipment"].met


def test_unmet_lists_the_rule_ids_in_order() -> None:
    _, result = requirement(unit("postal_express"), [])
    assert result.unmet == ("perimeter_or_intrusion_alarm", "xray_screening")
    assert result.rules_version == RULES.version
