"""Unit rules: validation with field names, patches, versions, closing, key-unit designation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from unit_registry.domain.enums import (
    CoordinateSystem,
    DesignationState,
    KeyUnitCategory,
    Sector,
    UnitStatus,
    UnitType,
)
from unit_registry.domain.errors import InvalidState, ValidationFailed, VersionConflict
from unit_registry.domain.model import (
    Actor,
    KeyUnitDesignation,
    Location,
    Unit,
    UnitDraft,
    UnitPatch,
    registration_changes,
    validate_draft,
)

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
POLICE = Actor(subject="s1", name="police-heping", roles=frozenset({"police"}), jurisdiction="210102")


def draft(**changes: object) -> UnitDraft:
    base = UnitDraft(
        uscc="91210102MA0LN001X3",
        name="沈阳太原街商贸中心有限公司",
        unit_type=UnitType.RESERVE_OR_TRADE_CENTRE,
        sector=Sector.COMMERCE,
        jurisdiction="210102",
        address="辽宁省沈阳市和平区太原北街86号",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def violations(bad: UnitDraft) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        validate_draft(bad)
    return {v.field: v.reason for v in caught.value.violations}


def test_a_valid_draft_is_normalised() -> None:
    clean = validate_draft(
        draft(uscc=" 91210102ma0ln001x3 ", name=" 名称 ", sectors=(Sector.HOUSING, Sector.COMMERCE))
    )
    assert clean.uscc == "91210102MA0LN001X3"
    assert clean.name == "名称"
    assert clean.sectors == (Sector.COMMERCE, Sector.HOUSING)


def test_every_bad_field_is_named_with_its_rest_name() -> None:
    found = violations(
        draft(
            uscc="91210102MA0LN001X4",
            name="",
            unit_type=None,
            sector=None,
            jurisdiction="210100",
            address="x" * 301,
            location=Location(91.0, 123.0, CoordinateSystem.GCJ02),
        )
    )
    assert found == {
        "uscc": "INVALID_USCC",
        "name": "REQUIRED",
        "unit_type": "REQUIRED",
        "sector": "REQUIRED",
        "jurisdiction": "NOT_COUNTY_LEVEL",
        "address": "TOO_LONG",
        "location.latitude": "OUT_OF_RANGE",
    }


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "REQUIRED"),
        ("2101", "INVALID_FORMAT"),
        ("110101", "OUTSIDE_PROVINCE"),
        ("210000", "NOT_COUNTY_LEVEL"),
    ],
)
def test_jurisdiction_must_be_a_liaoning_county(code: str, reason: str) -> None:
    assert violations(draft(jurisdiction=code)) == {"jurisdiction": reason}


def test_control_characters_are_refused() -> None:
    assert violations(draft(name="bad\x00name")) == {"name": "INVALID_CHARACTERS"}


def registered() -> Unit:
    return Unit.register(validate_draft(draft()), NOW)


def test_registration_starts_active_at_version_1() -> None:
    unit = registered()
    assert (unit.status, unit.version, unit.etag, unit.key_unit) == (UnitStatus.ACTIVE, 1, '"1"', False)
    assert {c.field for c in registration_changes(unit)} >= {"name", "uscc"} - {"uscc"}


def test_rename_keeps_the_old_name_as_former_name() -> None:
    unit = registered()
    changes = unit.apply(unit.patched(UnitPatch(frozenset({"name"}), name="新名称有限公司")), NOW)
    assert unit.name == "新名称有限公司"
    assert unit.former_names == ("沈阳太原街商贸中心有限公司",)
    assert {c.field for c in changes} == {"name", "former_names"}
    assert unit.version == 2


def test_a_patch_that_changes_nothing_makes_no_version() -> None:
    unit = registered()
    assert unit.apply(unit.patched(UnitPatch(frozenset({"address"}), address=unit.address)), NOW) == []
    assert unit.version == 1


def test_a_patch_is_validated_as_a_whole() -> None:
    unit = registered()
    with pytest.raises(ValidationFailed) as caught:
        unit.patched(UnitPatch(frozenset({"jurisdiction", "colour"}), jurisdiction="210102"))
    assert [v.field for v in caught.value.violations] == ["update_mask"]
    with pytest.raises(ValidationFailed) as caught:
        unit.patched(UnitPatch(frozenset({"name"}), name=""))
    assert [v.field for v in caught.value.violations] == ["name"]


def test_stale_version_conflicts() -> None:
    unit = registered()
    unit.check_version(1)
    with pytest.raises(VersionConflict) as caught:
        unit.check_version(3)
    assert (caught.value.expected, caught.value.actual) == (3, 1)


def test_closed_units_cannot_change_or_close_again() -> None:
    unit = registered()
    unit.close(NOW)
    assert unit.status is UnitStatus.CLOSED
    assert unit.closed_at == NOW
    assert unit.version == 2
    with pytest.raises(InvalidState):
        unit.close(NOW)
    with pytest.raises(InvalidState):
        unit.apply(unit.draft(), NOW)


def test_key_unit_designation_lifecycle() -> None:
    unit = registered()
    designation = KeyUnitDesignation.propose(
        unit, KeyUnitCategory.RESERVE_OR_TRADE_CENTRE, "大型商贸中心", actor=POLICE, now=NOW, pending=None
    )
    assert designation.state is DesignationState.PROPOSED
    with pytest.raises(InvalidState):
        KeyUnitDesignation.propose(
            unit, KeyUnitCategory.KEY_PROJECT, "", actor=POLICE, now=NOW, pending=designation
        )
    designation.confirm(POLICE, date(2025, 3, 2), NOW)
    unit.designate(designation.category, NOW)
    assert unit.key_unit
    assert unit.key_unit_category is KeyUnitCategory.RESERVE_OR_TRADE_CENTRE
    with pytest.raises(InvalidState):
        designation.confirm(POLICE, date(2025, 3, 2), NOW)
    with pytest.raises(ValidationFailed):
        designation.withdraw(POLICE, " ", NOW)
    assert designation.withdraw(POLICE, "不再符合条件", NOW) is True
    unit.withdraw_designation(NOW)
    assert not unit.key_unit
    assert unit.key_unit_category is None
    with pytest.raises(InvalidState):
        designation.withdraw(POLICE, "again", NOW)


def test_a_proposal_needs_a_category() -> None:
    with pytest.raises(ValidationFailed) as caught:
        KeyUnitDesignation.propose(registered(), None, "", actor=POLICE, now=NOW, pending=None)
    assert [v.field for v in caught.value.violations] == ["category"]
