"""Dossier gRPC messages <-> commands and domain objects (field names are the REST names)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from neibao.unitregistry.v1 import dossier_pb2, informant_pb2, inspection_pb2, staff_pb2
from unit_registry.adapters.proto_mapping import (
    ASSESSMENT_RESULT,
    DEVICE_TYPE,
    DISCLOSURE_LEVEL,
    EMPLOYMENT,
    FILING_STATE,
    HAZARD_STATE,
    PARTY_KIND,
    PERSONAL_DATA_KIND,
    PLAN_STATE,
    RESPONSIBLE_ROLE,
    SECTOR,
    SEVERITY,
    SKILL_GRADE,
    STAFF_STATE,
    TRAINING_RESULT,
    actor_to_proto,
    flags_to_proto,
    iso,
    timestamp,
)
from unit_registry.domain.disclosure import Disclosure
from unit_registry.domain.dossier import (
    DossierSummary,
    Drill,
    DrillDraft,
    EmergencyPlan,
    EmergencyPlanDraft,
    FilingDraft,
    KeyPart,
    KeyPartDraft,
    ResponsiblePerson,
    ResponsiblePersonDraft,
    SecurityFiling,
    Workstation,
    WorkstationDraft,
)
from unit_registry.domain.enums import DeviceType
from unit_registry.domain.errors import FieldViolation, ValidationFailed
from unit_registry.domain.informants import Informant, InformantDraft, InformantReport, InformantReportDraft
from unit_registry.domain.inspections import Evidence, Hazard, HazardDraft, Inspection, InspectionDraft
from unit_registry.domain.staff import (
    Assessment,
    AssessmentDraft,
    Certificate,
    CertificateDraft,
    StaffDraft,
    StaffMember,
    Training,
    TrainingDraft,
)
from unit_registry.entrypoints.translate import parse_date
from unit_registry.service.dossier_commands import (
    FilingAcceptance,
    FilingDraftSave,
    FilingReturn,
    FilingSubmission,
    HazardOpening,
    HazardQuery,
    HazardRectification,
    HazardVerification,
    InformantReportFile,
    ItemCreate,
    ItemUpdate,
    PlanPublication,
    ReportQuery,
    StaffQuery,
    StaffRecordAdd,
    StaffRemoval,
)


def _mask(request: Any) -> frozenset[str]:
    return frozenset(request.update_mask.paths)


def _device_types(numbers: Iterable[int]) -> tuple[DeviceType, ...]:
    found = (DEVICE_TYPE.from_proto(n, "required_device_types") for n in numbers)
    return tuple(t for t in found if t is not None)


def _reference(value: str, field: str) -> uuid.UUID | None:
    """An id given in a body (a reference to another item): INVALID_FORMAT when it is no UUID."""
    if not value.strip():
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise ValidationFailed([FieldViolation(field, "INVALID_FORMAT", f"{field} must be an id")]) from None


def disclosure_to_proto(disclosure: Disclosure) -> dossier_pb2.Disclosure:
    """The API's Disclosure."""
    return dossier_pb2.Disclosure(
        level=DISCLOSURE_LEVEL.to_proto(disclosure.level),
        kinds=sorted(PERSONAL_DATA_KIND.to_proto(kind) for kind in disclosure.kinds),
        subject_ids=list(disclosure.subject_ids),
    )


# Filings ------------------------------------------------------------------------------------------------


def filing_draft_save(request: dossier_pb2.SaveFilingDraftRequest) -> FilingDraftSave:
    """SaveFilingDraft -> command."""
    return FilingDraftSave(
        uscc=request.uscc,
        version=request.version,
        draft=FilingDraft(
            organisation_name=request.organisation_name,
            head_name=request.head_name,
            full_time_staff=request.full_time_staff,
            part_time_staff=request.part_time_staff,
            established_on=parse_date(request.established_on, "established_on"),
            duties=request.duties,
        ),
    )


def filing_submission(request: dossier_pb2.SubmitFilingRequest) -> FilingSubmission:
    """SubmitFiling -> command."""
    return FilingSubmission(uscc=request.uscc, filing_id=request.id, version=request.version)


def filing_acceptance(request: dossier_pb2.AcceptFilingRequest) -> FilingAcceptance:
    """AcceptFiling -> command."""
    return FilingAcceptance(
        uscc=request.uscc, filing_id=request.id, version=request.version, note=request.note
    )


def filing_return(request: dossier_pb2.ReturnFilingRequest) -> FilingReturn:
    """ReturnFiling -> command."""
    return FilingReturn(
        uscc=request.uscc, filing_id=request.id, version=request.version, reasons=tuple(request.reasons)
    )


def filing_to_proto(filing: SecurityFiling | None) -> dossier_pb2.Filing | None:
    """The API's Filing."""
    if filing is None:
        return None
    return dossier_pb2.Filing(
        id=str(filing.id),
        uscc=filing.uscc,
        state=FILING_STATE.to_proto(filing.state),
        organisation_name=filing.organisation_name,
        head_name=filing.head_name,
        full_time_staff=filing.full_time_staff,
        part_time_staff=filing.part_time_staff,
        established_on=iso(filing.established_on),
        duties=filing.duties,
        version=filing.version,
        submitted_by=actor_to_proto(filing.submitted_by),
        submitted_at=timestamp(filing.submitted_at),
        decided_by=actor_to_proto(filing.decided_by),
        decided_at=timestamp(filing.decided_at),
        decision_note=filing.decision_note,
        return_reasons=list(filing.return_reasons),
        history=[
            dossier_pb2.FilingStep(
                action=step.action,
                actor=actor_to_proto(step.actor),
                at=timestamp(step.at),
                note=step.note,
                reasons=list(step.reasons),
            )
            for step in filing.history
        ],
        created_at=timestamp(filing.created_at),
        updated_at=timestamp(filing.updated_at),
        in_force=filing.in_force,
    )


def filings_to_proto(filings: Sequence[SecurityFiling]) -> list[dossier_pb2.Filing]:
    """Several filings."""
    return [found for found in (filing_to_proto(f) for f in filings) if found is not None]


# Responsible persons, key parts, workstations, plans, drills --------------------------------------------


def _person_draft(request: Any) -> ResponsiblePersonDraft:
    return ResponsiblePersonDraft(
        role=RESPONSIBLE_ROLE.from_proto(request.role, "role"),
        name=request.name,
        position=request.position,
        phone=request.phone,
        responsibilities=request.responsibilities,
        appointed_on=parse_date(request.appointed_on, "appointed_on"),
    )


def responsible_person_create(
    request: dossier_pb2.CreateResponsiblePersonRequest,
) -> ItemCreate[ResponsiblePersonDraft]:
    """CreateResponsiblePerson -> command."""
    return ItemCreate(request.uscc, _person_draft(request))


def responsible_person_update(
    request: dossier_pb2.UpdateResponsiblePersonRequest,
) -> ItemUpdate[ResponsiblePersonDraft]:
    """UpdateResponsiblePerson -> command."""
    return ItemUpdate(request.uscc, request.id, request.version, _mask(request), _person_draft(request))


def responsible_person_to_proto(person: ResponsiblePerson) -> dossier_pb2.ResponsiblePerson:
    """The API's ResponsiblePerson (phone as disclosed)."""
    return dossier_pb2.ResponsiblePerson(
        id=str(person.id),
        uscc=person.uscc,
        role=RESPONSIBLE_ROLE.to_proto(person.role),
        name=person.name,
        position=person.position,
        phone=person.phone,
        responsibilities=person.responsibilities,
        appointed_on=iso(person.appointed_on),
        version=person.version,
        created_at=timestamp(person.created_at),
        updated_at=timestamp(person.updated_at),
    )


def _key_part_draft(request: Any) -> KeyPartDraft:
    return KeyPartDraft(
        name=request.name,
        location=request.location,
        description=request.description,
        protection_measures=tuple(request.protection_measures),
        required_device_types=_device_types(request.required_device_types),
    )


def key_part_create(request: dossier_pb2.CreateKeyPartRequest) -> ItemCreate[KeyPartDraft]:
    """CreateKeyPart -> command."""
    return ItemCreate(request.uscc, _key_part_draft(request))


def key_part_update(request: dossier_pb2.UpdateKeyPartRequest) -> ItemUpdate[KeyPartDraft]:
    """UpdateKeyPart -> command."""
    return ItemUpdate(request.uscc, request.id, request.version, _mask(request), _key_part_draft(request))


def key_part_to_proto(part: KeyPart) -> dossier_pb2.KeyPart:
    """The API's KeyPart."""
    return dossier_pb2.KeyPart(
        id=str(part.id),
        uscc=part.uscc,
        name=part.name,
        location=part.location,
        description=part.description,
        protection_measures=list(part.protection_measures),
        required_device_types=[DEVICE_TYPE.to_proto(t) for t in part.required_device_types],
        version=part.version,
        created_at=timestamp(part.created_at),
        updated_at=timestamp(part.updated_at),
    )


def _workstation_draft(request: Any, *, closed_on: str = "") -> WorkstationDraft:
    return WorkstationDraft(
        police_station=request.police_station,
        name=request.name,
        location=request.location,
        officers=request.officers,
        duty_phone=request.duty_phone,
        opened_on=parse_date(request.opened_on, "opened_on"),
        closed_on=parse_date(closed_on, "closed_on"),
    )


def workstation_create(request: dossier_pb2.CreateWorkstationRequest) -> ItemCreate[WorkstationDraft]:
    """CreateWorkstation -> command."""
    return ItemCreate(request.uscc, _workstation_draft(request))


def workstation_update(request: dossier_pb2.UpdateWorkstationRequest) -> ItemUpdate[WorkstationDraft]:
    """UpdateWorkstation -> command."""
    draft = _workstation_draft(request, closed_on=request.closed_on)
    return ItemUpdate(request.uscc, request.id, request.version, _mask(request), draft)


def workstation_to_proto(station: Workstation) -> dossier_pb2.Workstation:
    """The API's Workstation."""
    return dossier_pb2.Workstation(
        id=str(station.id),
        uscc=station.uscc,
        police_station=station.police_station,
        name=station.name,
        location=station.location,
        officers=station.officers,
        duty_phone=station.duty_phone,
        opened_on=iso(station.opened_on),
        closed_on=iso(station.closed_on),
        version=station.version,
        created_at=timestamp(station.created_at),
        updated_at=timestamp(station.updated_at),
    )


def plan_publication(request: dossier_pb2.PublishEmergencyPlanRequest) -> PlanPublication[EmergencyPlanDraft]:
    """PublishEmergencyPlan -> command."""
    return PlanPublication(
        uscc=request.uscc,
        plan_id=request.plan_id,
        draft=EmergencyPlanDraft(
            title=request.title,
            scenario=request.scenario,
            content=request.content,
            effective_on=parse_date(request.effective_on, "effective_on"),
        ),
    )


def plan_to_proto(plan: EmergencyPlan) -> dossier_pb2.EmergencyPlan:
    """The API's EmergencyPlan."""
    return dossier_pb2.EmergencyPlan(
        id=str(plan.id),
        plan_id=str(plan.plan_id),
        uscc=plan.uscc,
        version=plan.version,
        state=PLAN_STATE.to_proto(plan.state),
        title=plan.title,
        scenario=plan.scenario,
        content=plan.content,
        effective_on=iso(plan.effective_on),
        published_by=actor_to_proto(plan.published_by),
        published_at=timestamp(plan.published_at),
        superseded_at=timestamp(plan.superseded_at),
    )


def drill_record(request: dossier_pb2.RecordDrillRequest) -> ItemCreate[DrillDraft]:
    """RecordDrill -> command."""
    return ItemCreate(
        request.uscc,
        DrillDraft(
            drilled_on=parse_date(request.drilled_on, "drilled_on"),
            scenario=request.scenario,
            participants=request.participants,
            findings=request.findings,
            plan_id=_reference(request.plan_id, "plan_id"),
            joint_with_police=request.joint_with_police,
        ),
    )


def drill_to_proto(drill: Drill) -> dossier_pb2.Drill:
    """The API's Drill."""
    return dossier_pb2.Drill(
        id=str(drill.id),
        uscc=drill.uscc,
        drilled_on=iso(drill.drilled_on),
        scenario=drill.scenario,
        participants=drill.participants,
        findings=drill.findings,
        plan_id=str(drill.plan_id) if drill.plan_id else "",
        joint_with_police=drill.joint_with_police,
        recorded_by=actor_to_proto(drill.recorded_by),
        recorded_at=timestamp(drill.recorded_at),
    )


def dossier_to_proto(summary: DossierSummary) -> dossier_pb2.Dossier:
    """The API's Dossier."""
    return dossier_pb2.Dossier(
        uscc=summary.uscc,
        key_unit=summary.key_unit,
        flags=flags_to_proto(summary.flags),
        filing_in_force=filing_to_proto(summary.filing_in_force),
        open_filing=filing_to_proto(summary.open_filing),
        responsible_persons=summary.responsible_persons,
        has_first_responsible=summary.has_first_responsible,
        staff_full_time=summary.staff_full_time,
        staff_part_time=summary.staff_part_time,
        certificates_expired=summary.certificates_expired,
        certificates_expiring=summary.certificates_expiring,
        key_parts=summary.key_parts,
        current_plans=summary.current_plans,
        drills_last_12_months=summary.drills_last_12_months,
        last_drill_on=iso(summary.last_drill_on),
        inspections_last_12_months=summary.inspections_last_12_months,
        hazards_open=summary.hazards_open,
        hazards_overdue=summary.hazards_overdue,
        hazards_awaiting_verification=summary.hazards_awaiting_verification,
        workstations_open=summary.workstations_open,
        informants=summary.informants,
    )


# Staff ----------------------------------------------------------------------------------------------------


def _staff_draft(request: Any) -> StaffDraft:
    return StaffDraft(
        name=request.name,
        resident_id=request.resident_id,
        phone=request.phone,
        employment=EMPLOYMENT.from_proto(request.employment, "employment"),
        position=request.position,
        skill_grade=SKILL_GRADE.from_proto(request.skill_grade, "skill_grade"),
        hired_on=parse_date(request.hired_on, "hired_on"),
    )


def staff_create(request: staff_pb2.CreateStaffMemberRequest) -> ItemCreate[StaffDraft]:
    """CreateStaffMember -> command."""
    return ItemCreate(request.uscc, _staff_draft(request))


def staff_update(request: staff_pb2.UpdateStaffMemberRequest) -> ItemUpdate[StaffDraft]:
    """UpdateStaffMember -> command."""
    return ItemUpdate(request.uscc, request.id, request.version, _mask(request), _staff_draft(request))


def staff_removal(request: staff_pb2.RemoveStaffMemberRequest) -> StaffRemoval:
    """RemoveStaffMember -> command."""
    return StaffRemoval(
        uscc=request.uscc,
        staff_id=request.id,
        version=request.version,
        departed_on=parse_date(request.departed_on, "departed_on"),
    )


def staff_query(request: staff_pb2.ListStaffRequest) -> StaffQuery:
    """ListStaff -> query."""
    return StaffQuery(request.uscc, request.include_departed, request.limit, request.cursor)


def training_add(request: staff_pb2.RecordTrainingRequest) -> StaffRecordAdd:
    """RecordTraining -> command."""
    return StaffRecordAdd(
        request.uscc,
        request.staff_id,
        TrainingDraft(
            trained_on=parse_date(request.trained_on, "trained_on"),
            course=request.course,
            hours=request.hours,
            result=TRAINING_RESULT.from_proto(request.result, "result"),
            provider=request.provider,
        ),
    )


def assessment_add(request: staff_pb2.RecordAssessmentRequest) -> StaffRecordAdd:
    """RecordAssessment -> command."""
    return StaffRecordAdd(
        request.uscc,
        request.staff_id,
        AssessmentDraft(
            assessed_on=parse_date(request.assessed_on, "assessed_on"),
            subject=request.subject,
            score=request.score if request.HasField("score") else None,
            result=ASSESSMENT_RESULT.from_proto(request.result, "result"),
        ),
    )


def certificate_add(request: staff_pb2.AddCertificateRequest) -> StaffRecordAdd:
    """AddCertificate -> command."""
    return StaffRecordAdd(
        request.uscc,
        request.staff_id,
        CertificateDraft(
            name=request.name,
            number=request.number,
            issuer=request.issuer,
            issued_on=parse_date(request.issued_on, "issued_on"),
            expires_on=parse_date(request.expires_on, "expires_on"),
        ),
    )


def _training_to_proto(training: Training) -> staff_pb2.Training:
    return staff_pb2.Training(
        id=str(training.id),
        trained_on=iso(training.trained_on),
        course=training.course,
        hours=training.hours,
        result=TRAINING_RESULT.to_proto(training.result),
        provider=training.provider,
    )


def _assessment_to_proto(assessment: Assessment) -> staff_pb2.Assessment:
    return staff_pb2.Assessment(
        id=str(assessment.id),
        assessed_on=iso(assessment.assessed_on),
        subject=assessment.subject,
        score=assessment.score,
        result=ASSESSMENT_RESULT.to_proto(assessment.result),
    )


def _certificate_to_proto(certificate: Certificate, today: date) -> staff_pb2.Certificate:
    return staff_pb2.Certificate(
        id=str(certificate.id),
        name=certificate.name,
        number=certificate.number,
        issuer=certificate.issuer,
        issued_on=iso(certificate.issued_on),
        expires_on=iso(certificate.expires_on),
        expired=certificate.expired(today),
        expiring=certificate.expiring(today),
    )


def staff_to_proto(member: StaffMember, today: date) -> staff_pb2.StaffMember:
    """The API's StaffMember (personal fields as disclosed); certificate flags as of `today`."""
    return staff_pb2.StaffMember(
        id=str(member.id),
        uscc=member.uscc,
        name=member.name,
        resident_id=member.resident_id,
        phone=member.phone,
        employment=EMPLOYMENT.to_proto(member.employment),
        position=member.position,
        skill_grade=SKILL_GRADE.to_proto(member.skill_grade),
        hired_on=iso(member.hired_on),
        state=STAFF_STATE.to_proto(member.state),
        departed_on=iso(member.departed_on),
        trainings=[_training_to_proto(t) for t in member.trainings],
        assessments=[_assessment_to_proto(a) for a in member.assessments],
        certificates=[_certificate_to_proto(c, today) for c in member.certificates],
        certificate_expired=member.certificate_expired(today),
        certificate_expiring=member.certificate_expiring(today),
        version=member.version,
        created_at=timestamp(member.created_at),
        updated_at=timestamp(member.updated_at),
    )


def staff_list_to_proto(members: Sequence[StaffMember], today: date) -> list[staff_pb2.StaffMember]:
    """Several staff members."""
    return [staff_to_proto(m, today) for m in members]


# Informants -----------------------------------------------------------------------------------------------


def _informant_draft(request: Any, *, active: bool = True) -> InformantDraft:
    return InformantDraft(
        name=request.name,
        phone=request.phone,
        department=request.department,
        recruited_on=parse_date(request.recruited_on, "recruited_on"),
        note=request.note,
        active=active,
    )


def informant_create(request: informant_pb2.CreateInformantRequest) -> ItemCreate[InformantDraft]:
    """CreateInformant -> command."""
    return ItemCreate(request.uscc, _informant_draft(request))


def informant_update(request: informant_pb2.UpdateInformantRequest) -> ItemUpdate[InformantDraft]:
    """UpdateInformant -> command."""
    draft = _informant_draft(request, active=request.active)
    return ItemUpdate(request.uscc, request.id, request.version, _mask(request), draft)


def report_file(
    request: informant_pb2.FileInformantReportRequest,
) -> InformantReportFile[InformantReportDraft]:
    """FileInformantReport -> command."""
    return InformantReportFile(
        request.uscc,
        request.informant_id,
        InformantReportDraft(
            reported_on=parse_date(request.reported_on, "reported_on"),
            content=request.content,
            severity=SEVERITY.from_proto(request.severity, "severity"),
        ),
    )


def report_query(request: informant_pb2.ListInformantReportsRequest) -> ReportQuery:
    """ListInformantReports -> query."""
    return ReportQuery(request.uscc, request.informant_id, request.limit, request.cursor)


def informant_to_proto(informant: Informant) -> informant_pb2.Informant:
    """The API's Informant."""
    return informant_pb2.Informant(
        id=str(informant.id),
        uscc=informant.uscc,
        name=informant.name,
        phone=informant.phone,
        department=informant.department,
        recruited_on=iso(informant.recruited_on),
        active=informant.active,
        note=informant.note,
        reports=informant.reports,
        version=informant.version,
        created_at=timestamp(informant.created_at),
        updated_at=timestamp(informant.updated_at),
    )


def report_to_proto(report: InformantReport) -> informant_pb2.InformantReport:
    """The API's InformantReport."""
    return informant_pb2.InformantReport(
        id=str(report.id),
        informant_id=str(report.informant_id),
        uscc=report.uscc,
        reported_on=iso(report.reported_on),
        content=report.content,
        severity=SEVERITY.to_proto(report.severity),
        received_by=actor_to_proto(report.received_by),
        received_at=timestamp(report.received_at),
    )


# Inspections and hazards ----------------------------------------------------------------------------------


def inspection_record(request: inspection_pb2.RecordInspectionRequest) -> ItemCreate[InspectionDraft]:
    """RecordInspection -> command."""
    return ItemCreate(
        request.uscc,
        InspectionDraft(
            inspected_on=parse_date(request.inspected_on, "inspected_on"),
            organisation=request.organisation,
            inspectors=tuple(request.inspectors),
            findings=request.findings,
        ),
    )


def hazard_opening(request: inspection_pb2.OpenHazardRequest) -> HazardOpening[HazardDraft]:
    """OpenHazard -> command."""
    return HazardOpening(
        request.uscc,
        request.inspection_id,
        HazardDraft(
            severity=SEVERITY.from_proto(request.severity, "severity"),
            description=request.description,
            deadline=parse_date(request.deadline, "deadline"),
        ),
    )


def hazard_rectification(request: inspection_pb2.RectifyHazardRequest) -> HazardRectification:
    """RectifyHazard -> command."""
    return HazardRectification(
        uscc=request.uscc,
        hazard_id=request.id,
        version=request.version,
        note=request.rectification_note,
        evidence=tuple(Evidence(e.description, e.uri) for e in request.evidence),
    )


def hazard_verification(request: inspection_pb2.VerifyHazardRequest) -> HazardVerification:
    """VerifyHazard -> command."""
    return HazardVerification(
        uscc=request.uscc,
        hazard_id=request.id,
        version=request.version,
        accepted=request.accepted,
        note=request.verification_note,
        new_deadline=parse_date(request.new_deadline, "new_deadline"),
    )


def hazard_query(request: inspection_pb2.ListHazardsRequest) -> HazardQuery:
    """ListHazards -> query."""
    return HazardQuery(
        uscc=request.uscc,
        state=HAZARD_STATE.from_proto(request.state, "state"),
        overdue=request.overdue if request.HasField("overdue") else None,
        limit=request.limit,
        cursor=request.cursor,
    )


def hazard_to_proto(hazard: Hazard, today: date) -> inspection_pb2.Hazard:
    """The API's Hazard; overdue as of `today`."""
    return inspection_pb2.Hazard(
        id=str(hazard.id),
        uscc=hazard.uscc,
        inspection_id=str(hazard.inspection_id),
        party=PARTY_KIND.to_proto(hazard.party.kind),
        party_sector=SECTOR.to_proto(hazard.party.sector),
        severity=SEVERITY.to_proto(hazard.severity),
        description=hazard.description,
        deadline=iso(hazard.deadline),
        state=HAZARD_STATE.to_proto(hazard.state),
        overdue=hazard.overdue(today),
        opened_by=actor_to_proto(hazard.opened_by),
        opened_at=timestamp(hazard.opened_at),
        rectification_note=hazard.rectification_note,
        evidence=[inspection_pb2.Evidence(description=e.description, uri=e.uri) for e in hazard.evidence],
        rectified_by=actor_to_proto(hazard.rectified_by),
        rectified_at=timestamp(hazard.rectified_at),
        verification_note=hazard.verification_note,
        verified_by=actor_to_proto(hazard.verified_by),
        verified_at=timestamp(hazard.verified_at),
        version=hazard.version,
    )


def inspection_to_proto(
    inspection: Inspection, hazards: Sequence[Hazard] = (), today: date | None = None
) -> inspection_pb2.Inspection:
    """The API's Inspection (with its hazards in GetInspection)."""
    return inspection_pb2.Inspection(
        id=str(inspection.id),
        uscc=inspection.uscc,
        inspected_on=iso(inspection.inspected_on),
        party=PARTY_KIND.to_proto(inspection.party.kind),
        party_sector=SECTOR.to_proto(inspection.party.sector),
        organisation=inspection.organisation,
        inspectors=list(inspection.inspectors),
        findings=inspection.findings,
        recorded_by=actor_to_proto(inspection.recorded_by),
        recorded_at=timestamp(inspection.recorded_at),
        hazards=[hazard_to_proto(h, today or inspection.inspected_on) for h in hazards],
    )
