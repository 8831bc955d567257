"""The dossier's gRPC servicers: read the caller, translate the request, call the handler, translate back."""

# The method names are the proto's RPC names.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import grpc

from neibao.unitregistry.v1 import (
    dossier_pb2,
    dossier_pb2_grpc,
    informant_pb2,
    informant_pb2_grpc,
    inspection_pb2,
    inspection_pb2_grpc,
    staff_pb2,
    staff_pb2_grpc,
)
from neibao_identity import current_principal
from unit_registry.domain.dossier import local_date
from unit_registry.domain.staff import StaffMember
from unit_registry.entrypoints import dossier_translate as tr
from unit_registry.entrypoints.errors import guarded
from unit_registry.service import dossier_handlers as dossier
from unit_registry.service import informant_handlers as informants
from unit_registry.service import inspection_handlers as inspections
from unit_registry.service import staff_handlers as staff
from unit_registry.service.dossier_commands import ItemDelete, PageQuery
from unit_registry.service.dossier_handlers import Disclosed
from unit_registry.service.handlers import Requester, utc_now
from unit_registry.service.unit_of_work import UnitOfWork

Context = grpc.aio.ServicerContext[Any, Any]
UnitOfWorkFactory = Callable[[], UnitOfWork]
M = TypeVar("M")


def _requester() -> Requester:
    return Requester.from_principal(current_principal())


def _today() -> Any:
    """Today in China, for the flags computed on read (certificates expired, hazards overdue)."""
    return local_date(utc_now())


def _member(response: Callable[..., M], shown: Disclosed[StaffMember]) -> M:
    return response(
        staff_member=tr.staff_to_proto(shown.value, _today()),
        disclosure=tr.disclosure_to_proto(shown.disclosure),
    )


class DossierServicer(dossier_pb2_grpc.DossierServiceServicer):
    """neibao.unitregistry.v1.DossierService: summary, filings, people, parts, plans, drills, workstations."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def GetDossier(
        self, request: dossier_pb2.GetDossierRequest, context: Context
    ) -> dossier_pb2.GetDossierResponse:
        """A unit's dossier at a glance."""

        async def run() -> dossier_pb2.GetDossierResponse:
            summary = await dossier.get_dossier(request.uscc, _requester(), self._uow())
            return dossier_pb2.GetDossierResponse(dossier=tr.dossier_to_proto(summary))

        return await guarded(context, run())

    async def ListFilings(
        self, request: dossier_pb2.ListFilingsRequest, context: Context
    ) -> dossier_pb2.ListFilingsResponse:
        """A unit's filings, newest first."""

        async def run() -> dossier_pb2.ListFilingsResponse:
            items = await dossier.list_filings(request.uscc, _requester(), self._uow())
            return dossier_pb2.ListFilingsResponse(items=tr.filings_to_proto(items))

        return await guarded(context, run())

    async def SaveFilingDraft(
        self, request: dossier_pb2.SaveFilingDraftRequest, context: Context
    ) -> dossier_pb2.SaveFilingDraftResponse:
        """Write the open filing."""

        async def run() -> dossier_pb2.SaveFilingDraftResponse:
            filing = await dossier.save_filing_draft(tr.filing_draft_save(request), _requester(), self._uow())
            return dossier_pb2.SaveFilingDraftResponse(filing=tr.filing_to_proto(filing))

        return await guarded(context, run())

    async def SubmitFiling(
        self, request: dossier_pb2.SubmitFilingRequest, context: Context
    ) -> dossier_pb2.SubmitFilingResponse:
        """Submit or resubmit a filing."""

        async def run() -> dossier_pb2.SubmitFilingResponse:
            filing = await dossier.submit_filing(tr.filing_submission(request), _requester(), self._uow())
            return dossier_pb2.SubmitFilingResponse(filing=tr.filing_to_proto(filing))

        return await guarded(context, run())

    async def AcceptFiling(
        self, request: dossier_pb2.AcceptFilingRequest, context: Context
    ) -> dossier_pb2.AcceptFilingResponse:
        """Accept a submitted filing."""

        async def run() -> dossier_pb2.AcceptFilingResponse:
            filing = await dossier.accept_filing(tr.filing_acceptance(request), _requester(), self._uow())
            return dossier_pb2.AcceptFilingResponse(filing=tr.filing_to_proto(filing))

        return await guarded(context, run())

    async def ReturnFiling(
        self, request: dossier_pb2.ReturnFilingRequest, context: Context
    ) -> dossier_pb2.ReturnFilingResponse:
        """Return a submitted filing."""

        async def run() -> dossier_pb2.ReturnFilingResponse:
            filing = await dossier.return_filing(tr.filing_return(request), _requester(), self._uow())
            return dossier_pb2.ReturnFilingResponse(filing=tr.filing_to_proto(filing))

        return await guarded(context, run())

    async def ListResponsiblePersons(
        self, request: dossier_pb2.ListResponsiblePersonsRequest, context: Context
    ) -> dossier_pb2.ListResponsiblePersonsResponse:
        """A unit's responsible persons."""

        async def run() -> dossier_pb2.ListResponsiblePersonsResponse:
            shown = await dossier.list_responsible_persons(request.uscc, _requester(), self._uow())
            return dossier_pb2.ListResponsiblePersonsResponse(
                items=[tr.responsible_person_to_proto(p) for p in shown.value],
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())

    async def CreateResponsiblePerson(
        self, request: dossier_pb2.CreateResponsiblePersonRequest, context: Context
    ) -> dossier_pb2.CreateResponsiblePersonResponse:
        """Add a responsible person."""

        async def run() -> dossier_pb2.CreateResponsiblePersonResponse:
            shown = await dossier.create_responsible_person(
                tr.responsible_person_create(request), _requester(), self._uow()
            )
            return dossier_pb2.CreateResponsiblePersonResponse(
                responsible_person=tr.responsible_person_to_proto(shown.value),
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())

    async def UpdateResponsiblePerson(
        self, request: dossier_pb2.UpdateResponsiblePersonRequest, context: Context
    ) -> dossier_pb2.UpdateResponsiblePersonResponse:
        """Change a responsible person."""

        async def run() -> dossier_pb2.UpdateResponsiblePersonResponse:
            shown = await dossier.update_responsible_person(
                tr.responsible_person_update(request), _requester(), self._uow()
            )
            return dossier_pb2.UpdateResponsiblePersonResponse(
                responsible_person=tr.responsible_person_to_proto(shown.value),
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())

    async def DeleteResponsiblePerson(
        self, request: dossier_pb2.DeleteResponsiblePersonRequest, context: Context
    ) -> dossier_pb2.DeleteResponsiblePersonResponse:
        """Remove a responsible person."""

        async def run() -> dossier_pb2.DeleteResponsiblePersonResponse:
            await dossier.delete_responsible_person(
                ItemDelete(request.uscc, request.id, request.version), _requester(), self._uow()
            )
            return dossier_pb2.DeleteResponsiblePersonResponse()

        return await guarded(context, run())

    async def ListKeyParts(
        self, request: dossier_pb2.ListKeyPartsRequest, context: Context
    ) -> dossier_pb2.ListKeyPartsResponse:
        """A unit's key parts."""

        async def run() -> dossier_pb2.ListKeyPartsResponse:
            items = await dossier.list_items(dossier.KEY_PARTS, request.uscc, _requester(), self._uow())
            return dossier_pb2.ListKeyPartsResponse(items=[tr.key_part_to_proto(p) for p in items])

        return await guarded(context, run())

    async def CreateKeyPart(
        self, request: dossier_pb2.CreateKeyPartRequest, context: Context
    ) -> dossier_pb2.CreateKeyPartResponse:
        """Add a key part."""

        async def run() -> dossier_pb2.CreateKeyPartResponse:
            part = await dossier.create_item(
                dossier.KEY_PARTS, tr.key_part_create(request), _requester(), self._uow()
            )
            return dossier_pb2.CreateKeyPartResponse(key_part=tr.key_part_to_proto(part))

        return await guarded(context, run())

    async def UpdateKeyPart(
        self, request: dossier_pb2.UpdateKeyPartRequest, context: Context
    ) -> dossier_pb2.UpdateKeyPartResponse:
        """Change a key part."""

        async def run() -> dossier_pb2.UpdateKeyPartResponse:
            part = await dossier.update_item(
                dossier.KEY_PARTS, tr.key_part_update(request), _requester(), self._uow()
            )
            return dossier_pb2.UpdateKeyPartResponse(key_part=tr.key_part_to_proto(part))

        return await guarded(context, run())

    async def DeleteKeyPart(
        self, request: dossier_pb2.DeleteKeyPartRequest, context: Context
    ) -> dossier_pb2.DeleteKeyPartResponse:
        """Remove a key part."""

        async def run() -> dossier_pb2.DeleteKeyPartResponse:
            await dossier.delete_item(
                dossier.KEY_PARTS,
                ItemDelete(request.uscc, request.id, request.version),
                _requester(),
                self._uow(),
            )
            return dossier_pb2.DeleteKeyPartResponse()

        return await guarded(context, run())

    async def ListEmergencyPlans(
        self, request: dossier_pb2.ListEmergencyPlansRequest, context: Context
    ) -> dossier_pb2.ListEmergencyPlansResponse:
        """A unit's emergency plans."""

        async def run() -> dossier_pb2.ListEmergencyPlansResponse:
            items = await dossier.list_emergency_plans(
                request.uscc, request.include_superseded, _requester(), self._uow()
            )
            return dossier_pb2.ListEmergencyPlansResponse(items=[tr.plan_to_proto(p) for p in items])

        return await guarded(context, run())

    async def PublishEmergencyPlan(
        self, request: dossier_pb2.PublishEmergencyPlanRequest, context: Context
    ) -> dossier_pb2.PublishEmergencyPlanResponse:
        """Publish a plan or a new version."""

        async def run() -> dossier_pb2.PublishEmergencyPlanResponse:
            plan = await dossier.publish_emergency_plan(
                tr.plan_publication(request), _requester(), self._uow()
            )
            return dossier_pb2.PublishEmergencyPlanResponse(emergency_plan=tr.plan_to_proto(plan))

        return await guarded(context, run())

    async def ListDrills(
        self, request: dossier_pb2.ListDrillsRequest, context: Context
    ) -> dossier_pb2.ListDrillsResponse:
        """A unit's drills."""

        async def run() -> dossier_pb2.ListDrillsResponse:
            page = await dossier.list_drills(
                PageQuery(request.uscc, request.limit, request.cursor), _requester(), self._uow()
            )
            return dossier_pb2.ListDrillsResponse(
                items=[tr.drill_to_proto(d) for d in page.items], next_cursor=page.next_cursor
            )

        return await guarded(context, run())

    async def RecordDrill(
        self, request: dossier_pb2.RecordDrillRequest, context: Context
    ) -> dossier_pb2.RecordDrillResponse:
        """Record a drill."""

        async def run() -> dossier_pb2.RecordDrillResponse:
            drill = await dossier.record_drill(tr.drill_record(request), _requester(), self._uow())
            return dossier_pb2.RecordDrillResponse(drill=tr.drill_to_proto(drill))

        return await guarded(context, run())

    async def ListWorkstations(
        self, request: dossier_pb2.ListWorkstationsRequest, context: Context
    ) -> dossier_pb2.ListWorkstationsResponse:
        """A unit's police workstations."""

        async def run() -> dossier_pb2.ListWorkstationsResponse:
            items = await dossier.list_items(dossier.WORKSTATIONS, request.uscc, _requester(), self._uow())
            return dossier_pb2.ListWorkstationsResponse(items=[tr.workstation_to_proto(w) for w in items])

        return await guarded(context, run())

    async def CreateWorkstation(
        self, request: dossier_pb2.CreateWorkstationRequest, context: Context
    ) -> dossier_pb2.CreateWorkstationResponse:
        """Add a police workstation."""

        async def run() -> dossier_pb2.CreateWorkstationResponse:
            station = await dossier.create_item(
                dossier.WORKSTATIONS, tr.workstation_create(request), _requester(), self._uow()
            )
            return dossier_pb2.CreateWorkstationResponse(workstation=tr.workstation_to_proto(station))

        return await guarded(context, run())

    async def UpdateWorkstation(
        self, request: dossier_pb2.UpdateWorkstationRequest, context: Context
    ) -> dossier_pb2.UpdateWorkstationResponse:
        """Change a police workstation."""

        async def run() -> dossier_pb2.UpdateWorkstationResponse:
            station = await dossier.update_item(
                dossier.WORKSTATIONS, tr.workstation_update(request), _requester(), self._uow()
            )
            return dossier_pb2.UpdateWorkstationResponse(workstation=tr.workstation_to_proto(station))

        return await guarded(context, run())


class StaffServicer(staff_pb2_grpc.StaffServiceServicer):
    """neibao.unitregistry.v1.StaffService: security staff and their records; personal data as disclosed."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def ListStaff(
        self, request: staff_pb2.ListStaffRequest, context: Context
    ) -> staff_pb2.ListStaffResponse:
        """A unit's staff."""

        async def run() -> staff_pb2.ListStaffResponse:
            shown = await staff.list_staff(tr.staff_query(request), _requester(), self._uow())
            return staff_pb2.ListStaffResponse(
                items=tr.staff_list_to_proto(shown.value.items, _today()),
                next_cursor=shown.value.next_cursor,
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())

    async def GetStaffMember(
        self, request: staff_pb2.GetStaffMemberRequest, context: Context
    ) -> staff_pb2.GetStaffMemberResponse:
        """One staff member."""

        async def run() -> staff_pb2.GetStaffMemberResponse:
            shown = await staff.get_staff_member(request.uscc, request.id, _requester(), self._uow())
            return _member(staff_pb2.GetStaffMemberResponse, shown)

        return await guarded(context, run())

    async def CreateStaffMember(
        self, request: staff_pb2.CreateStaffMemberRequest, context: Context
    ) -> staff_pb2.CreateStaffMemberResponse:
        """Add a staff member."""

        async def run() -> staff_pb2.CreateStaffMemberResponse:
            shown = await staff.create_staff_member(tr.staff_create(request), _requester(), self._uow())
            return _member(staff_pb2.CreateStaffMemberResponse, shown)

        return await guarded(context, run())

    async def UpdateStaffMember(
        self, request: staff_pb2.UpdateStaffMemberRequest, context: Context
    ) -> staff_pb2.UpdateStaffMemberResponse:
        """Change a staff member."""

        async def run() -> staff_pb2.UpdateStaffMemberResponse:
            shown = await staff.update_staff_member(tr.staff_update(request), _requester(), self._uow())
            return _member(staff_pb2.UpdateStaffMemberResponse, shown)

        return await guarded(context, run())

    async def RemoveStaffMember(
        self, request: staff_pb2.RemoveStaffMemberRequest, context: Context
    ) -> staff_pb2.RemoveStaffMemberResponse:
        """A staff member left."""

        async def run() -> staff_pb2.RemoveStaffMemberResponse:
            shown = await staff.remove_staff_member(tr.staff_removal(request), _requester(), self._uow())
            return _member(staff_pb2.RemoveStaffMemberResponse, shown)

        return await guarded(context, run())

    async def RecordTraining(
        self, request: staff_pb2.RecordTrainingRequest, context: Context
    ) -> staff_pb2.RecordTrainingResponse:
        """Record a training."""

        async def run() -> staff_pb2.RecordTrainingResponse:
            shown = await staff.add_staff_record(tr.training_add(request), _requester(), self._uow())
            return _member(staff_pb2.RecordTrainingResponse, shown)

        return await guarded(context, run())

    async def RecordAssessment(
        self, request: staff_pb2.RecordAssessmentRequest, context: Context
    ) -> staff_pb2.RecordAssessmentResponse:
        """Record an assessment."""

        async def run() -> staff_pb2.RecordAssessmentResponse:
            shown = await staff.add_staff_record(tr.assessment_add(request), _requester(), self._uow())
            return _member(staff_pb2.RecordAssessmentResponse, shown)

        return await guarded(context, run())

    async def AddCertificate(
        self, request: staff_pb2.AddCertificateRequest, context: Context
    ) -> staff_pb2.AddCertificateResponse:
        """Add a certificate."""

        async def run() -> staff_pb2.AddCertificateResponse:
            shown = await staff.add_staff_record(tr.certificate_add(request), _requester(), self._uow())
            return _member(staff_pb2.AddCertificateResponse, shown)

        return await guarded(context, run())

    async def FindStaffByResidentId(
        self, request: staff_pb2.FindStaffByResidentIdRequest, context: Context
    ) -> staff_pb2.FindStaffByResidentIdResponse:
        """Police: staff by resident ID."""

        async def run() -> staff_pb2.FindStaffByResidentIdResponse:
            shown = await staff.find_staff_by_resident_id(request.resident_id, _requester(), self._uow())
            return staff_pb2.FindStaffByResidentIdResponse(
                items=tr.staff_list_to_proto(shown.value, _today()),
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())


class InformantServicer(informant_pb2_grpc.InformantServiceServicer):
    """neibao.unitregistry.v1.InformantService: informants and reports, police only."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def ListInformants(
        self, request: informant_pb2.ListInformantsRequest, context: Context
    ) -> informant_pb2.ListInformantsResponse:
        """A unit's informants (police only)."""

        async def run() -> informant_pb2.ListInformantsResponse:
            shown = await informants.list_informants(
                request.uscc, request.include_inactive, _requester(), self._uow()
            )
            return informant_pb2.ListInformantsResponse(
                items=[tr.informant_to_proto(i) for i in shown.value],
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())

    async def GetInformant(
        self, request: informant_pb2.GetInformantRequest, context: Context
    ) -> informant_pb2.GetInformantResponse:
        """One informant."""

        async def run() -> informant_pb2.GetInformantResponse:
            shown = await informants.get_informant(request.uscc, request.id, _requester(), self._uow())
            return informant_pb2.GetInformantResponse(
                informant=tr.informant_to_proto(shown.value),
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())

    async def CreateInformant(
        self, request: informant_pb2.CreateInformantRequest, context: Context
    ) -> informant_pb2.CreateInformantResponse:
        """Add an informant."""

        async def run() -> informant_pb2.CreateInformantResponse:
            shown = await informants.create_informant(tr.informant_create(request), _requester(), self._uow())
            return informant_pb2.CreateInformantResponse(
                informant=tr.informant_to_proto(shown.value),
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())

    async def UpdateInformant(
        self, request: informant_pb2.UpdateInformantRequest, context: Context
    ) -> informant_pb2.UpdateInformantResponse:
        """Change an informant."""

        async def run() -> informant_pb2.UpdateInformantResponse:
            shown = await informants.update_informant(tr.informant_update(request), _requester(), self._uow())
            return informant_pb2.UpdateInformantResponse(
                informant=tr.informant_to_proto(shown.value),
                disclosure=tr.disclosure_to_proto(shown.disclosure),
            )

        return await guarded(context, run())

    async def FileInformantReport(
        self, request: informant_pb2.FileInformantReportRequest, context: Context
    ) -> informant_pb2.FileInformantReportResponse:
        """File a report."""

        async def run() -> informant_pb2.FileInformantReportResponse:
            report = await informants.file_informant_report(
                tr.report_file(request), _requester(), self._uow()
            )
            return informant_pb2.FileInformantReportResponse(report=tr.report_to_proto(report))

        return await guarded(context, run())

    async def ListInformantReports(
        self, request: informant_pb2.ListInformantReportsRequest, context: Context
    ) -> informant_pb2.ListInformantReportsResponse:
        """A unit's informant reports."""

        async def run() -> informant_pb2.ListInformantReportsResponse:
            page = await informants.list_informant_reports(
                tr.report_query(request), _requester(), self._uow()
            )
            return informant_pb2.ListInformantReportsResponse(
                items=[tr.report_to_proto(r) for r in page.items], next_cursor=page.next_cursor
            )

        return await guarded(context, run())


class InspectionServicer(inspection_pb2_grpc.InspectionServiceServicer):
    """neibao.unitregistry.v1.InspectionService: inspections and hazards."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def ListInspections(
        self, request: inspection_pb2.ListInspectionsRequest, context: Context
    ) -> inspection_pb2.ListInspectionsResponse:
        """A unit's inspections."""

        async def run() -> inspection_pb2.ListInspectionsResponse:
            page = await inspections.list_inspections(
                PageQuery(request.uscc, request.limit, request.cursor), _requester(), self._uow()
            )
            return inspection_pb2.ListInspectionsResponse(
                items=[tr.inspection_to_proto(i) for i in page.items], next_cursor=page.next_cursor
            )

        return await guarded(context, run())

    async def GetInspection(
        self, request: inspection_pb2.GetInspectionRequest, context: Context
    ) -> inspection_pb2.GetInspectionResponse:
        """One inspection with its hazards."""

        async def run() -> inspection_pb2.GetInspectionResponse:
            inspection, hazards = await inspections.get_inspection(
                request.uscc, request.id, _requester(), self._uow()
            )
            return inspection_pb2.GetInspectionResponse(
                inspection=tr.inspection_to_proto(inspection, hazards, _today())
            )

        return await guarded(context, run())

    async def RecordInspection(
        self, request: inspection_pb2.RecordInspectionRequest, context: Context
    ) -> inspection_pb2.RecordInspectionResponse:
        """Record an inspection."""

        async def run() -> inspection_pb2.RecordInspectionResponse:
            inspection = await inspections.record_inspection(
                tr.inspection_record(request), _requester(), self._uow()
            )
            return inspection_pb2.RecordInspectionResponse(inspection=tr.inspection_to_proto(inspection))

        return await guarded(context, run())

    async def ListHazards(
        self, request: inspection_pb2.ListHazardsRequest, context: Context
    ) -> inspection_pb2.ListHazardsResponse:
        """A unit's hazards."""

        async def run() -> inspection_pb2.ListHazardsResponse:
            page = await inspections.list_hazards(tr.hazard_query(request), _requester(), self._uow())
            return inspection_pb2.ListHazardsResponse(
                items=[tr.hazard_to_proto(h, _today()) for h in page.items], next_cursor=page.next_cursor
            )

        return await guarded(context, run())

    async def GetHazard(
        self, request: inspection_pb2.GetHazardRequest, context: Context
    ) -> inspection_pb2.GetHazardResponse:
        """One hazard."""

        async def run() -> inspection_pb2.GetHazardResponse:
            hazard = await inspections.get_hazard(request.uscc, request.id, _requester(), self._uow())
            return inspection_pb2.GetHazardResponse(hazard=tr.hazard_to_proto(hazard, _today()))

        return await guarded(context, run())

    async def OpenHazard(
        self, request: inspection_pb2.OpenHazardRequest, context: Context
    ) -> inspection_pb2.OpenHazardResponse:
        """Open a hazard."""

        async def run() -> inspection_pb2.OpenHazardResponse:
            hazard = await inspections.open_hazard(tr.hazard_opening(request), _requester(), self._uow())
            return inspection_pb2.OpenHazardResponse(hazard=tr.hazard_to_proto(hazard, _today()))

        return await guarded(context, run())

    async def RectifyHazard(
        self, request: inspection_pb2.RectifyHazardRequest, context: Context
    ) -> inspection_pb2.RectifyHazardResponse:
        """Report a hazard rectified."""

        async def run() -> inspection_pb2.RectifyHazardResponse:
            hazard = await inspections.rectify_hazard(
                tr.hazard_rectification(request), _requester(), self._uow()
            )
            return inspection_pb2.RectifyHazardResponse(hazard=tr.hazard_to_proto(hazard, _today()))

        return await guarded(context, run())

    async def VerifyHazard(
        self, request: inspection_pb2.VerifyHazardRequest, context: Context
    ) -> inspection_pb2.VerifyHazardResponse:
        """Verify a rectification."""

        async def run() -> inspection_pb2.VerifyHazardResponse:
            hazard = await inspections.verify_hazard(
                tr.hazard_verification(request), _requester(), self._uow()
            )
            return inspection_pb2.VerifyHazardResponse(hazard=tr.hazard_to_proto(hazard, _today()))

        return await guarded(context, run())


def add_dossier_services(server: grpc.aio.Server, uow: UnitOfWorkFactory) -> list[str]:
    """Add the dossier's four services to a server; their full names."""
    dossier_pb2_grpc.add_DossierServiceServicer_to_server(DossierServicer(uow), server)
    staff_pb2_grpc.add_StaffServiceServicer_to_server(StaffServicer(uow), server)
    informant_pb2_grpc.add_InformantServiceServicer_to_server(InformantServicer(uow), server)
    inspection_pb2_grpc.add_InspectionServiceServicer_to_server(InspectionServicer(uow), server)
    return [
        dossier_pb2.DESCRIPTOR.services_by_name["DossierService"].full_name,
        staff_pb2.DESCRIPTOR.services_by_name["StaffService"].full_name,
        informant_pb2.DESCRIPTOR.services_by_name["InformantService"].full_name,
        inspection_pb2.DESCRIPTOR.services_by_name["InspectionService"].full_name,
    ]
