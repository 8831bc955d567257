"""The OpenAPI models of the dossier's routes describe the proto exactly: every field and every enum value,
and what the translation makes of a message validates against them. No I/O."""

from __future__ import annotations

import json
from enum import StrEnum

import pytest
from google.protobuf.descriptor import Descriptor, EnumDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel

from gateway.adapters.proto_json import rest_enum_values, to_rest
from gateway.entrypoints.http import dossier_schemas as schemas
from gateway.entrypoints.http.routes.dossier_items import audit_disclosure, audit_kinds
from neibao.audit.v1 import audit_pb2
from neibao.common.v1 import common_pb2
from neibao.unitregistry.v1 import dossier_pb2, informant_pb2, inspection_pb2, staff_pb2

# Models of an item answer add the answer's `disclosure` to the item's fields.
DISCLOSED = {"disclosure"}

READ_MODELS: list[tuple[Descriptor, type[BaseModel], set[str]]] = [
    (dossier_pb2.Dossier.DESCRIPTOR, schemas.DossierRead, set()),
    (dossier_pb2.DossierFlags.DESCRIPTOR, schemas.DossierFlagsRead, set()),
    (dossier_pb2.Disclosure.DESCRIPTOR, schemas.DisclosureRead, set()),
    (dossier_pb2.Filing.DESCRIPTOR, schemas.FilingRead, set()),
    (dossier_pb2.FilingStep.DESCRIPTOR, schemas.FilingStepRead, set()),
    (dossier_pb2.ListFilingsResponse.DESCRIPTOR, schemas.FilingList, set()),
    (dossier_pb2.ResponsiblePerson.DESCRIPTOR, schemas.ResponsiblePersonRead, set()),
    (dossier_pb2.ResponsiblePerson.DESCRIPTOR, schemas.ResponsiblePersonDisclosedRead, DISCLOSED),
    (dossier_pb2.ListResponsiblePersonsResponse.DESCRIPTOR, schemas.ResponsiblePersonList, set()),
    (dossier_pb2.KeyPart.DESCRIPTOR, schemas.KeyPartRead, set()),
    (dossier_pb2.ListKeyPartsResponse.DESCRIPTOR, schemas.KeyPartList, set()),
    (dossier_pb2.EmergencyPlan.DESCRIPTOR, schemas.EmergencyPlanRead, set()),
    (dossier_pb2.ListEmergencyPlansResponse.DESCRIPTOR, schemas.EmergencyPlanList, set()),
    (dossier_pb2.Drill.DESCRIPTOR, schemas.DrillRead, set()),
    (dossier_pb2.ListDrillsResponse.DESCRIPTOR, schemas.DrillPage, set()),
    (dossier_pb2.Workstation.DESCRIPTOR, schemas.WorkstationRead, set()),
    (dossier_pb2.ListWorkstationsResponse.DESCRIPTOR, schemas.WorkstationList, set()),
    (staff_pb2.StaffMember.DESCRIPTOR, schemas.StaffMemberRead, set()),
    (staff_pb2.StaffMember.DESCRIPTOR, schemas.StaffMemberDisclosedRead, DISCLOSED),
    (staff_pb2.Training.DESCRIPTOR, schemas.TrainingRead, set()),
    (staff_pb2.Assessment.DESCRIPTOR, schemas.AssessmentRead, set()),
    (staff_pb2.Certificate.DESCRIPTOR, schemas.CertificateRead, set()),
    (staff_pb2.ListStaffResponse.DESCRIPTOR, schemas.StaffPage, set()),
    (staff_pb2.FindStaffByResidentIdResponse.DESCRIPTOR, schemas.StaffList, set()),
    (informant_pb2.Informant.DESCRIPTOR, schemas.InformantRead, set()),
    (informant_pb2.Informant.DESCRIPTOR, schemas.InformantDisclosedRead, DISCLOSED),
    (informant_pb2.ListInformantsResponse.DESCRIPTOR, schemas.InformantList, set()),
    (informant_pb2.InformantReport.DESCRIPTOR, schemas.InformantReportRead, set()),
    (informant_pb2.ListInformantReportsResponse.DESCRIPTOR, schemas.InformantReportPage, set()),
    (inspection_pb2.Inspection.DESCRIPTOR, schemas.InspectionRead, set()),
    (inspection_pb2.ListInspectionsResponse.DESCRIPTOR, schemas.InspectionPage, set()),
    (inspection_pb2.Hazard.DESCRIPTOR, schemas.HazardRead, set()),
    (inspection_pb2.ListHazardsResponse.DESCRIPTOR, schemas.HazardPage, set()),
    (inspection_pb2.Evidence.DESCRIPTOR, schemas.EvidenceRead, set()),
]
# Request bodies: the request's fields a client sends (the rest come from the path, the query and If-Match).
ITEM = {"uscc", "id", "version"}
PATCH = ITEM | {"update_mask"}
WRITE_MODELS: list[tuple[Descriptor, type[BaseModel], set[str]]] = [
    (dossier_pb2.SaveFilingDraftRequest.DESCRIPTOR, schemas.FilingDraftUpdate, {"uscc", "version"}),
    (dossier_pb2.AcceptFilingRequest.DESCRIPTOR, schemas.FilingAcceptance, ITEM),
    (dossier_pb2.ReturnFilingRequest.DESCRIPTOR, schemas.FilingReturn, ITEM),
    (dossier_pb2.CreateResponsiblePersonRequest.DESCRIPTOR, schemas.ResponsiblePersonCreate, {"uscc"}),
    (dossier_pb2.UpdateResponsiblePersonRequest.DESCRIPTOR, schemas.ResponsiblePersonUpdate, PATCH),
    (dossier_pb2.CreateKeyPartRequest.DESCRIPTOR, schemas.KeyPartCreate, {"uscc"}),
    (dossier_pb2.UpdateKeyPartRequest.DESCRIPTOR, schemas.KeyPartUpdate, PATCH),
    (dossier_pb2.PublishEmergencyPlanRequest.DESCRIPTOR, schemas.EmergencyPlanCreate, {"uscc"}),
    (dossier_pb2.RecordDrillRequest.DESCRIPTOR, schemas.DrillCreate, {"uscc"}),
    (dossier_pb2.CreateWorkstationRequest.DESCRIPTOR, schemas.WorkstationCreate, {"uscc"}),
    (dossier_pb2.UpdateWorkstationRequest.DESCRIPTOR, schemas.WorkstationUpdate, PATCH),
    (staff_pb2.CreateStaffMemberRequest.DESCRIPTOR, schemas.StaffMemberCreate, {"uscc"}),
    (staff_pb2.UpdateStaffMemberRequest.DESCRIPTOR, schemas.StaffMemberUpdate, PATCH),
    (staff_pb2.RemoveStaffMemberRequest.DESCRIPTOR, schemas.StaffMemberRemoval, ITEM),
    (staff_pb2.RecordTrainingRequest.DESCRIPTOR, schemas.TrainingCreate, {"uscc", "staff_id"}),
    (staff_pb2.RecordAssessmentRequest.DESCRIPTOR, schemas.AssessmentCreate, {"uscc", "staff_id"}),
    (staff_pb2.AddCertificateRequest.DESCRIPTOR, schemas.CertificateCreate, {"uscc", "staff_id"}),
    (staff_pb2.FindStaffByResidentIdRequest.DESCRIPTOR, schemas.StaffLookup, set()),
    (informant_pb2.CreateInformantRequest.DESCRIPTOR, schemas.InformantCreate, {"uscc"}),
    (informant_pb2.UpdateInformantRequest.DESCRIPTOR, schemas.InformantUpdate, PATCH),
    (
        informant_pb2.FileInformantReportRequest.DESCRIPTOR,
        schemas.InformantReportCreate,
        {"uscc", "informant_id"},
    ),
    (inspection_pb2.RecordInspectionRequest.DESCRIPTOR, schemas.InspectionCreate, {"uscc"}),
    (inspection_pb2.OpenHazardRequest.DESCRIPTOR, schemas.HazardCreate, {"uscc", "inspection_id"}),
    (inspection_pb2.RectifyHazardRequest.DESCRIPTOR, schemas.HazardRectification, ITEM),
    (inspection_pb2.VerifyHazardRequest.DESCRIPTOR, schemas.HazardVerification, ITEM),
    (inspection_pb2.Evidence.DESCRIPTOR, schemas.Evidence, set()),
    (inspection_pb2.ListHazardsRequest.DESCRIPTOR, schemas.HazardQuery, {"uscc", "limit"}),
]
ENUMS: list[tuple[EnumDescriptor, type[StrEnum]]] = [
    (dossier_pb2.Severity.DESCRIPTOR, schemas.Severity),
    (dossier_pb2.DeviceType.DESCRIPTOR, schemas.KeyPartDeviceType),
    (dossier_pb2.FilingState.DESCRIPTOR, schemas.FilingState),
    (dossier_pb2.ResponsibleRole.DESCRIPTOR, schemas.ResponsibleRole),
    (dossier_pb2.PlanState.DESCRIPTOR, schemas.PlanState),
    (dossier_pb2.DisclosureLevel.DESCRIPTOR, schemas.DisclosureLevel),
    (dossier_pb2.PersonalDataKind.DESCRIPTOR, schemas.PersonalDataKind),
    (staff_pb2.Employment.DESCRIPTOR, schemas.Employment),
    (staff_pb2.SkillGrade.DESCRIPTOR, schemas.SkillGrade),
    (staff_pb2.StaffState.DESCRIPTOR, schemas.StaffState),
    (staff_pb2.TrainingResult.DESCRIPTOR, schemas.TrainingResult),
    (staff_pb2.AssessmentResult.DESCRIPTOR, schemas.AssessmentResult),
    (inspection_pb2.PartyKind.DESCRIPTOR, schemas.InspectingParty),
    (inspection_pb2.HazardState.DESCRIPTOR, schemas.HazardState),
]


def _name(item: object) -> str:
    return str(getattr(item, "name", getattr(item, "__name__", "")))


@pytest.mark.parametrize(("message", "model", "added"), READ_MODELS, ids=_name)
def test_each_read_model_has_exactly_the_fields_of_its_message(
    message: Descriptor, model: type[BaseModel], added: set[str]
) -> None:
    assert set(model.model_fields) == {field.name for field in message.fields} | added


@pytest.mark.parametrize(("message", "model", "elsewhere"), WRITE_MODELS, ids=_name)
def test_each_body_has_the_fields_of_its_request_but_those_from_elsewhere(
    message: Descriptor, model: type[BaseModel], elsewhere: set[str]
) -> None:
    assert set(model.model_fields) == {field.name for field in message.fields} - elsewhere


@pytest.mark.parametrize(("enum", "model"), ENUMS, ids=_name)
def test_each_enum_has_exactly_the_values_of_the_proto(enum: EnumDescriptor, model: type[StrEnum]) -> None:
    assert tuple(member.value for member in model) == rest_enum_values(enum)


def valid(model: type[BaseModel], message: Message, **extra: object) -> BaseModel:
    """The model of a message's REST document (plus `extra` keys), validated strictly from its JSON."""
    return model.model_validate_json(json.dumps({**to_rest(message), **extra}), strict=True)


def test_translated_messages_validate_against_their_models() -> None:
    actor = common_pb2.Actor(kind=common_pb2.ACTOR_KIND_USER, subject="s", name="police-heping")
    at = Timestamp(seconds=1_700_000_000)
    filing = dossier_pb2.Filing(
        id="f",
        uscc="u",
        state=dossier_pb2.FILING_STATE_RETURNED,
        established_on="2020-03-01",
        return_reasons=["r"],
        history=[dossier_pb2.FilingStep(action="returned", actor=actor, at=at, reasons=["r"])],
    )
    dossier = dossier_pb2.Dossier(
        uscc="u", flags=dossier_pb2.DossierFlags(), open_filing=filing, informants=2
    )
    assert valid(schemas.DossierRead, dossier).model_dump()["informants"] == 2
    assert valid(schemas.DossierRead, dossier_pb2.Dossier(uscc="u")).model_dump()["informants"] is None
    disclosure = dossier_pb2.Disclosure(
        level=dossier_pb2.DISCLOSURE_LEVEL_MASKED, kinds=[dossier_pb2.PERSONAL_DATA_KIND_RESIDENT_ID]
    )
    member = staff_pb2.StaffMember(
        id="m",
        uscc="u",
        name="张三",
        resident_id="210102********1233",
        employment=staff_pb2.EMPLOYMENT_FULL_TIME,
        trainings=[staff_pb2.Training(id="t", trained_on="2024-01-01", hours=8, result=2)],
        assessments=[staff_pb2.Assessment(id="a", assessed_on="2024-01-02", result=1)],
        certificates=[staff_pb2.Certificate(id="c", name="保安员证", issued_on="2024-01-03")],
    )
    valid(schemas.StaffPage, staff_pb2.ListStaffResponse(items=[member], disclosure=disclosure))
    valid(schemas.StaffMemberDisclosedRead, member, disclosure=to_rest(disclosure))
    hazard = inspection_pb2.Hazard(
        id="h",
        uscc="u",
        inspection_id="i",
        party=inspection_pb2.PARTY_KIND_REGULATOR,
        severity=dossier_pb2.SEVERITY_HIGH,
        deadline="2024-06-30",
        evidence=[inspection_pb2.Evidence(description="照片")],
    )
    inspection = inspection_pb2.Inspection(id="i", uscc="u", inspected_on="2024-05-01", hazards=[hazard])
    valid(schemas.InspectionPage, inspection_pb2.ListInspectionsResponse(items=[inspection], next_cursor="c"))
    part = dossier_pb2.KeyPart(id="k", uscc="u", required_device_types=[dossier_pb2.DEVICE_TYPE_VIDEO_CAMERA])
    valid(schemas.KeyPartList, dossier_pb2.ListKeyPartsResponse(items=[part]))
    valid(schemas.InformantReportPage, informant_pb2.ListInformantReportsResponse())


def test_the_audit_records_what_the_registry_disclosed() -> None:
    clear = dossier_pb2.Disclosure(
        level=dossier_pb2.DISCLOSURE_LEVEL_CLEAR,
        kinds=[dossier_pb2.PERSONAL_DATA_KIND_PHONE, dossier_pb2.PERSONAL_DATA_KIND_RESIDENT_ID],
    )
    # The two protos number their kinds differently: the names decide.
    assert audit_kinds(clear, names=True) == [
        audit_pb2.PERSONAL_DATA_KIND_RESIDENT_ID,
        audit_pb2.PERSONAL_DATA_KIND_NAME,
        audit_pb2.PERSONAL_DATA_KIND_PHONE,
    ]
    assert audit_disclosure(clear) == audit_pb2.DISCLOSURE_CLEAR
    nothing = dossier_pb2.Disclosure(level=dossier_pb2.DISCLOSURE_LEVEL_NONE)
    assert audit_kinds(nothing, names=False) == []
    assert audit_disclosure(nothing) == audit_pb2.DISCLOSURE_MASKED
