"""Dossier rules: overdue flags, the filing state machine, plan versions, drafts, masks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from unit_registry.domain.dossier import (
    FILING_GRACE_DAYS,
    DossierFacts,
    DossierFlags,
    EmergencyPlan,
    EmergencyPlanDraft,
    FilingDraft,
    KeyPart,
    KeyPartDraft,
    ResponsiblePersonDraft,
    SecurityFiling,
    WorkstationDraft,
    compute_flags,
    drill_window_start,
    local_date,
    validate_filing_draft,
    validate_key_part,
    validate_responsible_person,
    validate_workstation,
)
from unit_registry.domain.enums import DeviceType, FilingState, PlanState, ResponsibleRole
from unit_registry.domain.errors import InvalidState, ValidationFailed, VersionConflict
from unit_registry.domain.fields import apply_mask
from unit_registry.domain.model import Actor

TODAY = date(2025, 6, 15)
NOW = datetime(2025, 6, 15, 2, 0, tzinfo=UTC)
UNIT = Actor(
    subject="s", name="security-chief-demo", roles=frozenset({"unit-security"}), unit="91210102MA0LN001X3"
)
POLICE = Actor(subject="p", name="police-heping", roles=frozenset({"police"}), jurisdiction="210102")


def facts(**changes: object) -> DossierFacts:
    base: dict[str, object] = {
        "active": True,
        "key_unit": True,
        "designated_on": date(2024, 1, 1),
        "filing_accepted": True,
        "drills_in_window": 2,
        "earliest_open_deadline": None,
    }
    return DossierFacts(**{**base, **changes})  # type: ignore[arg-type]


def violations(error: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {v.field: v.reason for v in error.value.violations}


# Flags -------------------------------------------------------------------------------------------------


def test_a_key_unit_in_order_has_no_flags() -> None:
    assert compute_flags(facts(), TODAY) == DossierFlags()


def test_the_filing_is_overdue_after_the_grace_period_only() -> None:
    designated = TODAY - timedelta(days=FILING_GRACE_DAYS)
    assert not compute_flags(facts(filing_accepted=False, designated_on=designated), TODAY).filing_overdue
    late = designated - timedelta(days=1)
    assert compute_flags(facts(filing_accepted=False, designated_on=late), TODAY).filing_overdue
    # A key unit whose designation date is unknown has had its grace period.
    assert compute_flags(facts(filing_accepted=False, designated_on=None), TODAY).filing_overdue


def test_fewer_than_two_drills_in_twelve_months_is_overdue() -> None:
    assert compute_flags(facts(drills_in_window=1), TODAY).drills_overdue
    assert not compute_flags(facts(drills_in_window=2), TODAY).drills_overdue


def test_the_drill_window_is_the_last_twelve_months() -> None:
    assert drill_window_start(TODAY) == date(2024, 6, 16)
    assert drill_window_start(date(2024, 2, 29)) == date(2023, 3, 1)


def test_hazards_are_overdue_the_day_after_their_deadline() -> None:
    assert not compute_flags(facts(earliest_open_deadline=TODAY), TODAY).hazards_overdue
    assert compute_flags(facts(earliest_open_deadline=TODAY - timedelta(days=1)), TODAY).hazards_overdue


def test_only_key_units_need_filings_and_drills_closed_units_nothing() -> None:
    ordinary = facts(key_unit=False, filing_accepted=False, drills_in_window=0, designated_on=None)
    assert compute_flags(ordinary, TODAY) == DossierFlags()
    overdue_hazard = facts(key_unit=False, earliest_open_deadline=date(2020, 1, 1))
    assert compute_flags(overdue_hazard, TODAY).hazards_overdue
    closed = facts(
        active=False, filing_accepted=False, drills_in_window=0, earliest_open_deadline=date(2020, 1, 1)
    )
    assert compute_flags(closed, TODAY) == DossierFlags()


def test_dates_are_china_dates() -> None:
    assert local_date(datetime(2025, 6, 14, 17, 0, tzinfo=UTC)) == date(2025, 6, 15)


# Filing ---------------------------------------------------------------------------------------------------


def complete() -> FilingDraft:
    return FilingDraft("保卫部", "钱明", 3, 1, date(2020, 1, 1), "")


def test_filing_draft_submitted_returned_resubmitted_accepted() -> None:
    filing = SecurityFiling.start("91210102MA0LN001X3", FilingDraft("保卫部"), UNIT, NOW)
    assert (filing.state, filing.version, filing.open) == (FilingState.DRAFT, 1, True)
    with pytest.raises(ValidationFailed) as caught:
        filing.submit(UNIT, NOW, key_unit=True)
    assert violations(caught) == {
        "head_name": "REQUIRED",
        "established_on": "REQUIRED",
        "full_time_staff": "REQUIRED",
    }
    filing.revise(complete(), UNIT, NOW)
    assert filing.submit(UNIT, NOW, key_unit=True) is False
    with pytest.raises(InvalidState):
        filing.revise(complete(), UNIT, NOW)
    with pytest.raises(ValidationFailed) as caught:
        filing.send_back(POLICE, NOW, ("", " "))
    assert violations(caught) == {"reasons": "REQUIRED"}
    filing.send_back(POLICE, NOW, ("制度不全", "制度不全"))
    assert (filing.state, filing.return_reasons) == (FilingState.RETURNED, ("制度不全",))
    with pytest.raises(InvalidState):
        filing.accept(POLICE, NOW, "")
    assert filing.submit(UNIT, NOW, key_unit=True) is True
    filing.accept(POLICE, NOW, "予以备案")
    assert (filing.state, filing.open, filing.return_reasons) == (FilingState.ACCEPTED, False, ())
    assert [s.action for s in filing.history] == [
        "saved",
        "saved",
        "submitted",
        "returned",
        "submitted",
        "accepted",
    ]
    with pytest.raises(InvalidState):
        filing.submit(UNIT, NOW, key_unit=True)
    with pytest.raises(VersionConflict):
        filing.check_version(1)


def test_a_key_unit_filing_needs_full_time_staff() -> None:
    filing = SecurityFiling.start(
        "91210102MA0LN001X3", FilingDraft("保卫部", "钱明", 0, 3, date(2020, 1, 1)), UNIT, NOW
    )
    with pytest.raises(ValidationFailed) as caught:
        filing.submit(UNIT, NOW, key_unit=True)
    assert violations(caught) == {"full_time_staff": "KEY_UNIT_NEEDS_FULL_TIME_STAFF"}
    assert filing.submit(UNIT, NOW, key_unit=False) is False


def test_a_filing_draft_is_checked_for_form_not_completeness() -> None:
    assert validate_filing_draft(FilingDraft(" 保卫部 "), TODAY).organisation_name == "保卫部"
    with pytest.raises(ValidationFailed) as caught:
        validate_filing_draft(
            FilingDraft("x" * 101, full_time_staff=-1, established_on=date(2099, 1, 1)), TODAY
        )
    assert violations(caught) == {
        "organisation_name": "TOO_LONG",
        "full_time_staff": "OUT_OF_RANGE",
        "established_on": "IN_FUTURE",
    }


# Plans, people, parts, workstations, masks -----------------------------------------------------------------


def test_a_new_plan_version_supersedes_the_current_one() -> None:
    draft = EmergencyPlanDraft("火灾事故应急预案", "火灾", "", TODAY)
    first = EmergencyPlan.publish("91210102MA0LN001X3", draft, UNIT, NOW)
    second = EmergencyPlan.publish("91210102MA0LN001X3", draft, UNIT, NOW, first)
    assert (second.plan_id, second.version, second.state) == (first.plan_id, 2, PlanState.CURRENT)
    assert (first.state, first.superseded_at) == (PlanState.SUPERSEDED, NOW)
    with pytest.raises(InvalidState):
        EmergencyPlan.publish("91210102MA0LN001X3", draft, UNIT, NOW, first)


def test_responsible_person_rules() -> None:
    person = validate_responsible_person(
        ResponsiblePersonDraft(ResponsibleRole.FIRST_RESPONSIBLE, " 赵建国 ", phone="+86 138-1234-5678"),
        TODAY,
    )
    assert (person.name, person.phone) == ("赵建国", "13812345678")
    with pytest.raises(ValidationFailed) as caught:
        validate_responsible_person(ResponsiblePersonDraft(name="a\nb", phone="12345"), TODAY)
    assert violations(caught) == {"role": "REQUIRED", "name": "INVALID_CHARACTERS", "phone": "INVALID_PHONE"}


def test_key_part_lists_are_cleaned_and_bounded() -> None:
    devices = (DeviceType.VIDEO_CAMERA, DeviceType.VIDEO_CAMERA, DeviceType.INTRUSION_PANEL)
    part = validate_key_part(
        KeyPartDraft(
            "金库", protection_measures=("双人双锁", " 双人双锁 ", ""), required_device_types=devices
        )
    )
    assert part.protection_measures == ("双人双锁",)
    assert part.required_device_types == (DeviceType.VIDEO_CAMERA, DeviceType.INTRUSION_PANEL)
    with pytest.raises(ValidationFailed) as caught:
        validate_key_part(KeyPartDraft("", protection_measures=tuple(str(i) for i in range(21))))
    assert violations(caught) == {"name": "REQUIRED", "protection_measures": "TOO_MANY"}


def test_a_workstation_closes_after_it_opens() -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_workstation(
            WorkstationDraft("", "警务室", opened_on=date(2025, 1, 2), closed_on=date(2025, 1, 1)), TODAY
        )
    assert violations(caught) == {"police_station": "REQUIRED", "closed_on": "BEFORE_OPENED"}


def test_an_update_mask_takes_only_named_editable_fields() -> None:
    part = KeyPart.create("91210102MA0LN001X3", KeyPartDraft("金库", "地下"), NOW)
    current = part.draft_as(KeyPartDraft)
    patched = apply_mask(
        current,
        KeyPartDraft(name="新名称", location="ignored"),
        frozenset({"name"}),
        frozenset({"name", "location"}),
    )
    assert (patched.name, patched.location) == ("新名称", "地下")
    with pytest.raises(ValidationFailed) as caught:
        apply_mask(current, current, frozenset({"uscc"}), frozenset({"name"}))
    assert violations(caught) == {"update_mask": "UNKNOWN_FIELD"}
    with pytest.raises(ValidationFailed):
        apply_mask(current, current, frozenset(), frozenset({"name"}))
    assert part.apply(patched, NOW) == ("name",)
    assert (part.version, part.apply(patched, NOW)) == (2, ())


def test_items_have_their_own_ids() -> None:
    first = KeyPart.create("91210102MA0LN001X3", KeyPartDraft("金库"), NOW)
    second = KeyPart.create("91210102MA0LN001X3", KeyPartDraft("金库"), NOW)
    assert first.id != second.id
    assert isinstance(first.id, uuid.UUID)
