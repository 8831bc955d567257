"""Staff rules (resident IDs, certificates, records) and the hazard state machine with its overdue rule."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from unit_registry.domain.enums import (
    Employment,
    HazardState,
    PartyKind,
    Severity,
    StaffState,
    TrainingResult,
)
from unit_registry.domain.errors import InvalidState, ValidationFailed
from unit_registry.domain.informants import Informant, InformantDraft, InformantReport, InformantReportDraft
from unit_registry.domain.inspections import Evidence, Hazard, HazardDraft, Inspection, InspectionDraft, Party
from unit_registry.domain.model import Actor
from unit_registry.domain.staff import (
    Certificate,
    StaffDraft,
    StaffMember,
    TrainingDraft,
    new_training,
    validate_staff,
)

TODAY = date(2025, 6, 15)
NOW = datetime(2025, 6, 15, 2, 0, tzinfo=UTC)
ACTOR = Actor(subject="s", name="x")
VALID_ID = "210102199003071233"


def violations(error: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {v.field: v.reason for v in error.value.violations}


def test_resident_ids_are_validated_and_normalised() -> None:
    staff = validate_staff(
        StaffDraft("王芳", " 11010519491231002x ", "13812345678", Employment.FULL_TIME), TODAY
    )
    assert staff.resident_id == "11010519491231002X"
    with pytest.raises(ValidationFailed) as caught:
        validate_staff(StaffDraft("王芳", "210102199003071234", employment=Employment.FULL_TIME), TODAY)
    assert violations(caught) == {"resident_id": "INVALID_RESIDENT_ID"}
    # The message says why, never what the number was.
    assert "210102199003071234" not in str(caught.value)
    with pytest.raises(ValidationFailed) as caught:
        validate_staff(StaffDraft(), TODAY)
    assert violations(caught) == {"resident_id": "REQUIRED", "name": "REQUIRED", "employment": "REQUIRED"}


def test_certificates_expire_and_warn_sixty_days_ahead() -> None:
    def cert(expires: date | None) -> Certificate:
        return Certificate(uuid.uuid4(), "保安员证", expires_on=expires)

    assert cert(TODAY - timedelta(days=1)).expired(TODAY)
    assert not cert(TODAY).expired(TODAY)
    assert cert(TODAY).expiring(TODAY)
    assert cert(TODAY + timedelta(days=60)).expiring(TODAY)
    assert not cert(TODAY + timedelta(days=61)).expiring(TODAY)
    assert not cert(None).expired(TODAY)
    assert not cert(None).expiring(TODAY)


def test_records_go_to_active_staff_only() -> None:
    member = StaffMember.create(
        "91210102MA0LN001X3",
        validate_staff(StaffDraft("王芳", VALID_ID, employment=Employment.PART_TIME), TODAY),
        NOW,
    )
    training = new_training(TrainingDraft(TODAY, "消防安全培训", 4.04, TrainingResult.PASSED), TODAY)
    assert training.hours == 4.0
    member.add_record(training, NOW)
    assert (member.trainings, member.version) == ((training,), 2)
    with pytest.raises(ValidationFailed) as caught:
        member.depart(TODAY + timedelta(days=1), TODAY, NOW)
    assert violations(caught) == {"departed_on": "IN_FUTURE"}
    member.depart(TODAY, TODAY, NOW)
    assert member.state is StaffState.DEPARTED
    with pytest.raises(InvalidState):
        member.add_record(training, NOW)
    with pytest.raises(InvalidState):
        member.depart(TODAY, TODAY, NOW)


def test_training_needs_hours_result_and_a_past_date() -> None:
    with pytest.raises(ValidationFailed) as caught:
        new_training(TrainingDraft(TODAY + timedelta(days=1), "", 0, None), TODAY)
    assert violations(caught) == {
        "trained_on": "IN_FUTURE",
        "course": "REQUIRED",
        "hours": "OUT_OF_RANGE",
        "result": "REQUIRED",
    }


def inspection() -> Inspection:
    return Inspection.record(
        "91210102MA0LN001X3",
        Party(PartyKind.POLICE),
        InspectionDraft(TODAY, "太原街派出所", ("张伟",)),
        actor=ACTOR,
        today=TODAY,
        now=NOW,
    )


def test_an_inspection_names_its_inspectors_and_date() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Inspection.record(
            "x", Party(PartyKind.POLICE), InspectionDraft(None, "", ()), actor=ACTOR, today=TODAY, now=NOW
        )
    assert violations(caught) == {
        "inspectors": "REQUIRED",
        "inspected_on": "REQUIRED",
        "organisation": "REQUIRED",
    }


def test_hazard_open_rectified_rejected_rectified_verified() -> None:
    with pytest.raises(ValidationFailed) as caught:
        Hazard.open(inspection(), HazardDraft(None, "", TODAY - timedelta(days=1)), ACTOR, TODAY, NOW)
    assert violations(caught) == {"description": "REQUIRED", "severity": "REQUIRED", "deadline": "IN_PAST"}
    hazard = Hazard.open(
        inspection(),
        HazardDraft(Severity.HIGH, "周界报警失效", TODAY + timedelta(days=10)),
        ACTOR,
        TODAY,
        NOW,
    )
    assert (hazard.state, hazard.party.kind) == (HazardState.OPEN, PartyKind.POLICE)
    with pytest.raises(InvalidState):
        hazard.verify(True, "", None, actor=ACTOR, today=TODAY, now=NOW)
    with pytest.raises(ValidationFailed) as caught:
        hazard.rectify("", (), ACTOR, NOW)
    assert violations(caught) == {"evidence": "REQUIRED", "rectification_note": "REQUIRED"}
    hazard.rectify("已修复", (Evidence("照片", "https://files.example/1.jpg"),), ACTOR, NOW)
    with pytest.raises(InvalidState):
        hazard.rectify("again", (Evidence("照片"),), ACTOR, NOW)
    with pytest.raises(ValidationFailed) as caught:
        hazard.verify(False, "", None, actor=ACTOR, today=TODAY, now=NOW)
    assert violations(caught) == {"verification_note": "REQUIRED"}
    later = TODAY + timedelta(days=30)
    hazard.verify(False, "未修复完", later, actor=ACTOR, today=TODAY, now=NOW)
    assert (hazard.state, hazard.deadline) == (HazardState.OPEN, later)
    hazard.rectify("彻底修复", (Evidence("照片"),), ACTOR, NOW)
    hazard.verify(True, "", None, actor=ACTOR, today=TODAY, now=NOW)
    assert hazard.state is HazardState.VERIFIED
    assert not hazard.overdue(later + timedelta(days=1))


def test_an_overdue_hazard_is_announced_once_per_deadline() -> None:
    deadline = TODAY + timedelta(days=5)
    hazard = Hazard.open(inspection(), HazardDraft(Severity.LOW, "值班记录不全", deadline), ACTOR, TODAY, NOW)
    assert not hazard.overdue(deadline)
    assert not hazard.announce_overdue(deadline)
    after = deadline + timedelta(days=1)
    assert hazard.overdue(after)
    assert hazard.announce_overdue(after)
    assert not hazard.announce_overdue(after + timedelta(days=3))
    # A new deadline after a rejected rectification is a new promise: its passing is announced again.
    hazard.rectify("整改", (Evidence("照片"),), ACTOR, NOW)
    hazard.verify(False, "不合格", after + timedelta(days=10), actor=ACTOR, today=after, now=NOW)
    assert not hazard.announce_overdue(after + timedelta(days=10))
    assert hazard.announce_overdue(after + timedelta(days=11))


def test_reports_come_from_active_informants() -> None:
    informant = Informant.create("91210102MA0LN001X3", InformantDraft("李强", active=False), NOW)
    assert informant.active  # new informants are active whatever was asked
    draft = InformantReportDraft(TODAY, "可疑人员", Severity.HIGH)
    report = InformantReport.file(informant, draft, ACTOR, TODAY, NOW)
    assert (report.informant_id, report.severity) == (informant.id, Severity.HIGH)
    informant.active = False
    with pytest.raises(InvalidState):
        InformantReport.file(informant, draft, ACTOR, TODAY, NOW)
    with pytest.raises(ValidationFailed) as caught:
        InformantReport.file(informant, InformantReportDraft(), ACTOR, TODAY, NOW)
    assert violations(caught) == {"reported_on": "REQUIRED", "content": "REQUIRED", "severity": "REQUIRED"}
