"""Bodies of the unit dossier's routes (filing, people, staff, informants, parts, plans, drills, workstations,
inspections and hazards), for validation and the OpenAPI document.

Like registry_schemas, they describe key for key what `adapters.proto_json` makes of the
neibao.unitregistry.v1 dossier messages; tests/unit/test_dossier_schemas.py holds them to the proto.
Answers carrying people's data say in `disclosure` whether resident IDs and phones are clear or masked.
Field limits are the registry's (services/unit-registry domain/dossier.py, staff.py, fields.py): stated
here so that clients learn them; the registry still checks every rule (field violations, 400).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field

from gateway.entrypoints.http.registry_schemas import (
    DEMO_UNIT,
    MAX_CURSOR_LENGTH,
    ActorRead,
    PoliceStationCode,
    Sector,
)

MAX_TITLE_LENGTH: Final = 200
MAX_NAME_LENGTH: Final = 100
MAX_PERSON_NAME_LENGTH: Final = 50
MAX_NOTE_LENGTH: Final = 2000
MAX_CONTENT_LENGTH: Final = 20000
MAX_LIST_ITEMS: Final = 20
MAX_STAFF_COUNT: Final = 100_000
MAX_PHONE_LENGTH: Final = 20
MAX_RESIDENT_ID_LENGTH: Final = 18
MAX_ID_LENGTH: Final = 64
MAX_URI_LENGTH: Final = 1000
MAX_EVIDENCE_DESCRIPTION_LENGTH: Final = 500
MAX_REPORT_LENGTH: Final = 5000

_WRITE: Final = ConfigDict(extra="forbid")

Line = Annotated[str, Field(max_length=MAX_TITLE_LENGTH)]


# --- enumerations ----------------------------------------------------------------------------------


class Severity(StrEnum):
    """How serious a hazard or an informant's report is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class KeyPartDeviceType(StrEnum):
    """Technical protection a key part needs (the device inventory's kinds)."""

    VIDEO_CAMERA = "video_camera"
    INTRUSION_PANEL = "intrusion_panel"
    PERIMETER_ALARM = "perimeter_alarm"
    ONE_BUTTON_ALARM = "one_button_alarm"
    ACCESS_CONTROL = "access_control"
    ID_VERIFICATION = "id_verification"
    PLATE_RECOGNITION = "plate_recognition"
    TRAJECTORY_TERMINAL = "trajectory_terminal"


class FilingState(StrEnum):
    """Where a security organisation filing (备案) stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ResponsibleRole(StrEnum):
    """第一责任人 (the legal representative, one per unit) or 共同责任人 (§21)."""

    FIRST_RESPONSIBLE = "first_responsible"
    CO_RESPONSIBLE = "co_responsible"


class PlanState(StrEnum):
    """Whether an emergency plan version is the one in force."""

    CURRENT = "current"
    SUPERSEDED = "superseded"


class DisclosureLevel(StrEnum):
    """Whether an answer carried protected personal data, and in which form."""

    NONE = "none"
    MASKED = "masked"
    CLEAR = "clear"


class PersonalDataKind(StrEnum):
    """The kinds of personal data the registry protects."""

    RESIDENT_ID = "resident_id"
    PHONE = "phone"
    NAME = "name"


class Employment(StrEnum):
    """Full or part time."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"


class SkillGrade(StrEnum):
    """保安员 vocational skill grade (五级/初级 to 一级/高级技师)."""

    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"
    TECHNICIAN = "technician"
    SENIOR_TECHNICIAN = "senior_technician"


class StaffState(StrEnum):
    """Active, or departed (the record is kept)."""

    ACTIVE = "active"
    DEPARTED = "departed"


class TrainingResult(StrEnum):
    """The outcome of a training."""

    ATTENDED = "attended"
    PASSED = "passed"
    FAILED = "failed"


class AssessmentResult(StrEnum):
    """The outcome of an assessment."""

    PASSED = "passed"
    FAILED = "failed"


class InspectingParty(StrEnum):
    """Who inspected: the police or a sector regulator."""

    POLICE = "police"
    REGULATOR = "regulator"


class HazardState(StrEnum):
    """open → rectified (by the unit) → verified (by the inspecting party), or open again."""

    OPEN = "open"
    RECTIFIED = "rectified"
    VERIFIED = "verified"


# --- shared ----------------------------------------------------------------------------------------


class DisclosureRead(BaseModel):
    """What personal data the answer carries: `clear` for police and province-admin, else `masked`."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"level": "masked", "kinds": ["resident_id"], "subject_ids": []}]}
    )

    level: DisclosureLevel | None = Field(description="none, masked (110105********002X) or clear.")
    kinds: list[PersonalDataKind] = Field(description="The kinds of protected data present.")
    subject_ids: list[str] = Field(description="Whose data is shown in clear (empty when masked).")


class DossierFlagsRead(BaseModel):
    """The unit's overdue flags."""

    filing_overdue: bool = Field(description="A key unit without an accepted filing after the grace period.")
    drills_overdue: bool = Field(description="A key unit with fewer than 2 drills in the last 12 months.")
    hazards_overdue: bool = Field(description="An open hazard past its rectification deadline.")


# --- filings ---------------------------------------------------------------------------------------


class FilingStepRead(BaseModel):
    """One step of a filing's review history."""

    action: str | None = Field(description="saved, submitted, accepted or returned.")
    actor: ActorRead | None
    at: datetime | None
    note: str | None
    reasons: list[str]


class FilingRead(BaseModel):
    """A security organisation filing with the police (保卫机构和人员备案, §1)."""

    id: str
    uscc: str
    state: FilingState | None
    organisation_name: str | None = Field(description="保卫机构名称, e.g. 保卫部.")
    head_name: str | None = Field(description="保卫机构负责人.")
    full_time_staff: int
    part_time_staff: int
    established_on: date | None
    duties: str | None
    version: int = Field(description="The filing's version; its ETag is this number in quotes.")
    submitted_by: ActorRead | None
    submitted_at: datetime | None
    decided_by: ActorRead | None
    decided_at: datetime | None
    decision_note: str | None
    return_reasons: list[str] = Field(description="Why it was last returned.")
    history: list[FilingStepRead] = Field(description="Oldest first.")
    created_at: datetime | None
    updated_at: datetime | None
    in_force: bool = Field(description="The accepted filing in force.")


class FilingList(BaseModel):
    """A unit's filings, newest first."""

    items: list[FilingRead]


class FilingDraftUpdate(BaseModel):
    """The open filing's content: revises the draft (or a returned filing) or starts a new draft."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_name": "保卫部",
                    "head_name": "李保卫",
                    "full_time_staff": 6,
                    "part_time_staff": 2,
                    "established_on": "2020-03-01",
                    "duties": "负责单位内部治安保卫工作",
                }
            ]
        },
    )

    organisation_name: str = Field(default="", max_length=MAX_NAME_LENGTH)
    head_name: str = Field(default="", max_length=MAX_PERSON_NAME_LENGTH)
    full_time_staff: int = Field(default=0, ge=0, le=MAX_STAFF_COUNT)
    part_time_staff: int = Field(default=0, ge=0, le=MAX_STAFF_COUNT)
    established_on: date | None = None
    duties: str = Field(default="", max_length=MAX_NOTE_LENGTH)


class FilingAcceptance(BaseModel):
    """The police accept a submitted filing."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "材料齐全，予以备案"}]}
    )

    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)


class FilingReturn(BaseModel):
    """The police return a submitted filing with reasons."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reasons": ["专职保卫人员数量不足"]}]}
    )

    reasons: list[Annotated[str, Field(min_length=1, max_length=MAX_NOTE_LENGTH)]] = Field(
        min_length=1, max_length=MAX_LIST_ITEMS
    )


# --- responsible persons ---------------------------------------------------------------------------


class ResponsiblePersonRead(BaseModel):
    """A responsible person (§21); the phone is masked unless the caller may see it."""

    id: str
    uscc: str
    role: ResponsibleRole | None
    name: str | None
    position: str | None
    phone: str | None = Field(description="Clear or masked (138****5678), as `disclosure` says.")
    responsibilities: str | None
    appointed_on: date | None
    version: int
    created_at: datetime | None
    updated_at: datetime | None


class ResponsiblePersonDisclosedRead(ResponsiblePersonRead):
    """A responsible person, and whether its phone is shown clear or masked."""

    disclosure: DisclosureRead


class ResponsiblePersonList(BaseModel):
    """A unit's responsible persons, the first responsible person first."""

    items: list[ResponsiblePersonRead]
    disclosure: DisclosureRead


_PERSON_EXAMPLE: Final[dict[str, Any]] = {
    "role": "co_responsible",
    "name": "王保卫",
    "position": "保卫部部长",
    "phone": "13800138000",
    "responsibilities": "分管内部治安保卫",
    "appointed_on": "2024-01-02",
}


class ResponsiblePersonCreate(BaseModel):
    """A responsible person to add (the unit's own security staff)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PERSON_EXAMPLE]})

    role: ResponsibleRole
    name: str = Field(max_length=MAX_PERSON_NAME_LENGTH)
    position: str = Field(default="", max_length=MAX_NAME_LENGTH)
    phone: str = Field(default="", max_length=MAX_PHONE_LENGTH)
    responsibilities: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    appointed_on: date | None = None


class ResponsiblePersonUpdate(BaseModel):
    """The fields to change (the keys sent); the rest kept."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"position": "副总经理"}]})

    role: ResponsibleRole | None = None
    name: str | None = Field(default=None, max_length=MAX_PERSON_NAME_LENGTH)
    position: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    phone: str | None = Field(default=None, max_length=MAX_PHONE_LENGTH)
    responsibilities: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    appointed_on: date | None = None


# --- key parts -------------------------------------------------------------------------------------


class KeyPartRead(BaseModel):
    """A key part (重要部位, §6) and the protection it needs."""

    id: str
    uscc: str
    name: str | None
    location: str | None = Field(description="Where it is inside the unit.")
    description: str | None
    protection_measures: list[str] = Field(description="Physical and human protection, in words.")
    required_device_types: list[KeyPartDeviceType | None] = Field(
        description="Technical protection it requires."
    )
    version: int
    created_at: datetime | None
    updated_at: datetime | None


class KeyPartList(BaseModel):
    """A unit's key parts."""

    items: list[KeyPartRead]


class KeyPartCreate(BaseModel):
    """A key part to add (the unit's own security staff)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "金库",
                    "location": "地下一层",
                    "description": "现金及贵重物品存放",
                    "protection_measures": ["防盗门", "24小时值守"],
                    "required_device_types": ["video_camera", "intrusion_panel"],
                }
            ]
        },
    )

    name: str = Field(max_length=MAX_NAME_LENGTH)
    location: str = Field(default="", max_length=MAX_TITLE_LENGTH)
    description: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    protection_measures: list[Line] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)
    required_device_types: list[KeyPartDeviceType] = Field(default_factory=list, max_length=MAX_LIST_ITEMS)


class KeyPartUpdate(BaseModel):
    """The fields to change (the keys sent); the rest kept."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"location": "地下二层"}]})

    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    location: str | None = Field(default=None, max_length=MAX_TITLE_LENGTH)
    description: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    protection_measures: list[Line] | None = Field(default=None, max_length=MAX_LIST_ITEMS)
    required_device_types: list[KeyPartDeviceType] | None = Field(default=None, max_length=MAX_LIST_ITEMS)


# --- emergency plans and drills --------------------------------------------------------------------


class EmergencyPlanRead(BaseModel):
    """One version of an emergency plan (应急预案)."""

    id: str = Field(description="This version's id.")
    plan_id: str = Field(description="The plan's id, shared by all its versions.")
    uscc: str
    version: int
    state: PlanState | None
    title: str | None
    scenario: str | None = Field(description="The emergency it answers, e.g. 火灾, 暴恐袭击.")
    content: str | None
    effective_on: date | None
    published_by: ActorRead | None
    published_at: datetime | None
    superseded_at: datetime | None


class EmergencyPlanList(BaseModel):
    """A unit's emergency plans."""

    items: list[EmergencyPlanRead]


class EmergencyPlanCreate(BaseModel):
    """A new plan, or (with plan_id) a new version superseding the plan's current one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "火灾事故应急预案",
                    "scenario": "火灾",
                    "content": "一、总则……",
                    "effective_on": "2024-03-01",
                }
            ]
        },
    )

    plan_id: str = Field(default="", max_length=MAX_ID_LENGTH, description="The plan to supersede, if any.")
    title: str = Field(max_length=MAX_TITLE_LENGTH)
    scenario: str = Field(max_length=MAX_NAME_LENGTH)
    content: str = Field(default="", max_length=MAX_CONTENT_LENGTH)
    effective_on: date


class DrillRead(BaseModel):
    """A drill (演练)."""

    id: str
    uscc: str
    drilled_on: date | None
    scenario: str | None
    participants: int
    findings: str | None
    plan_id: str | None = Field(description="The plan drilled, if any.")
    joint_with_police: bool = Field(description="A joint drill with the police (§18).")
    recorded_by: ActorRead | None
    recorded_at: datetime | None


class DrillPage(BaseModel):
    """One page of a unit's drills, newest first."""

    items: list[DrillRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class DrillCreate(BaseModel):
    """A drill to record (the unit's own security staff)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "drilled_on": "2024-05-10",
                    "scenario": "火灾疏散",
                    "participants": 40,
                    "findings": "疏散用时4分钟",
                    "joint_with_police": False,
                }
            ]
        },
    )

    drilled_on: date
    scenario: str = Field(max_length=MAX_TITLE_LENGTH)
    participants: int = Field(ge=1, le=MAX_STAFF_COUNT)
    findings: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    plan_id: str = Field(default="", max_length=MAX_ID_LENGTH, description="The plan drilled, if any.")
    joint_with_police: bool = False


# --- workstations ----------------------------------------------------------------------------------


class WorkstationRead(BaseModel):
    """A police workstation in an enterprise (警务室, §16)."""

    id: str
    uscc: str
    police_station: str | None = Field(description="The police station it belongs to.")
    name: str | None
    location: str | None
    officers: int
    duty_phone: str | None = Field(description="The workstation's duty line (not personal data).")
    opened_on: date | None
    closed_on: date | None = Field(description="Null while open.")
    version: int
    created_at: datetime | None
    updated_at: datetime | None


class WorkstationList(BaseModel):
    """A unit's police workstations."""

    items: list[WorkstationRead]


class WorkstationCreate(BaseModel):
    """A police workstation to open (police of the unit's jurisdiction)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "police_station": "210102001",
                    "name": "太原街商贸中心警务室",
                    "location": "一层东侧",
                    "officers": 2,
                    "duty_phone": "02423456789",
                    "opened_on": "2024-01-02",
                }
            ]
        },
    )

    police_station: PoliceStationCode
    name: str = Field(max_length=MAX_NAME_LENGTH)
    location: str = Field(default="", max_length=MAX_TITLE_LENGTH)
    officers: int = Field(default=0, ge=0, le=MAX_STAFF_COUNT)
    duty_phone: str = Field(default="", max_length=MAX_PHONE_LENGTH)
    opened_on: date


class WorkstationUpdate(BaseModel):
    """The fields to change (the keys sent); closed_on closes the workstation."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"officers": 3}]})

    police_station: PoliceStationCode | None = None
    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    location: str | None = Field(default=None, max_length=MAX_TITLE_LENGTH)
    officers: int | None = Field(default=None, ge=0, le=MAX_STAFF_COUNT)
    duty_phone: str | None = Field(default=None, max_length=MAX_PHONE_LENGTH)
    opened_on: date | None = None
    closed_on: date | None = None


# --- the summary -----------------------------------------------------------------------------------


class DossierRead(BaseModel):
    """The unit dossier (单位档案) at a glance."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "uscc": DEMO_UNIT,
                    "key_unit": True,
                    "flags": {"filing_overdue": False, "drills_overdue": True, "hazards_overdue": False},
                    "filing_in_force": None,
                    "open_filing": None,
                    "responsible_persons": 2,
                    "has_first_responsible": True,
                    "staff_full_time": 6,
                    "staff_part_time": 2,
                    "certificates_expired": 0,
                    "certificates_expiring": 1,
                    "key_parts": 3,
                    "current_plans": 2,
                    "drills_last_12_months": 1,
                    "last_drill_on": "2024-05-10",
                    "inspections_last_12_months": 2,
                    "hazards_open": 1,
                    "hazards_overdue": 0,
                    "hazards_awaiting_verification": 0,
                    "workstations_open": 1,
                    "informants": None,
                }
            ]
        }
    )

    uscc: str
    key_unit: bool
    flags: DossierFlagsRead | None
    filing_in_force: FilingRead | None = Field(description="The accepted filing in force, if any.")
    open_filing: FilingRead | None = Field(description="The filing being written or reviewed, if any.")
    responsible_persons: int
    has_first_responsible: bool
    staff_full_time: int
    staff_part_time: int
    certificates_expired: int
    certificates_expiring: int = Field(description="Certificates of active staff expiring within 60 days.")
    key_parts: int
    current_plans: int
    drills_last_12_months: int
    last_drill_on: date | None
    inspections_last_12_months: int
    hazards_open: int
    hazards_overdue: int
    hazards_awaiting_verification: int
    workstations_open: int
    informants: int | None = Field(description="Active informants: police only (null for others).")


# --- staff -----------------------------------------------------------------------------------------


class TrainingRead(BaseModel):
    """A training a staff member attended."""

    id: str
    trained_on: date | None
    course: str | None
    hours: float
    result: TrainingResult | None
    provider: str | None = Field(description="Who ran it, e.g. 和平分局内保大队.")


class AssessmentRead(BaseModel):
    """An assessment of a staff member."""

    id: str
    assessed_on: date | None
    subject: str | None
    score: int | None = Field(description="0-100 when scored.")
    result: AssessmentResult | None


class CertificateRead(BaseModel):
    """A certificate (保安员证, 消防设施操作员, ...)."""

    id: str
    name: str | None
    number: str | None
    issuer: str | None
    issued_on: date | None
    expires_on: date | None = Field(description="Null: does not expire.")
    expired: bool
    expiring: bool = Field(description="Expires within 60 days.")


class StaffMemberRead(BaseModel):
    """A security staff member (保卫人员); resident ID and phone clear or masked, as `disclosure` says."""

    id: str
    uscc: str
    name: str | None
    resident_id: str | None = Field(
        description="居民身份证号码: clear for police, masked (110105********002X) for others."
    )
    phone: str | None = Field(description="Clear for police, masked (138****5678) for others.")
    employment: Employment | None
    position: str | None
    skill_grade: SkillGrade | None
    hired_on: date | None
    state: StaffState | None
    departed_on: date | None
    trainings: list[TrainingRead] = Field(description="Newest first.")
    assessments: list[AssessmentRead]
    certificates: list[CertificateRead]
    certificate_expired: bool
    certificate_expiring: bool
    version: int = Field(description="The record's version; its ETag is this number in quotes.")
    created_at: datetime | None
    updated_at: datetime | None


class StaffMemberDisclosedRead(StaffMemberRead):
    """A staff member, and whether its personal data is shown clear or masked."""

    disclosure: DisclosureRead


class StaffPage(BaseModel):
    """One page of a unit's staff, by name."""

    items: list[StaffMemberRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")
    disclosure: DisclosureRead


class StaffList(BaseModel):
    """The staff records in the caller's scope with the resident ID asked for."""

    items: list[StaffMemberRead]
    disclosure: DisclosureRead


_STAFF_EXAMPLE: Final[dict[str, Any]] = {
    "name": "张保安",
    "resident_id": "210102199003071233",
    "phone": "13800138000",
    "employment": "full_time",
    "position": "保卫干事",
    "skill_grade": "junior",
    "hired_on": "2023-06-01",
}


class StaffMemberCreate(BaseModel):
    """A staff member to add (the unit's own security staff)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_STAFF_EXAMPLE]})

    name: str = Field(max_length=MAX_PERSON_NAME_LENGTH)
    resident_id: str = Field(max_length=MAX_RESIDENT_ID_LENGTH, description="居民身份证号码 (GB 11643).")
    phone: str = Field(default="", max_length=MAX_PHONE_LENGTH)
    employment: Employment
    position: str = Field(default="", max_length=MAX_NAME_LENGTH)
    skill_grade: SkillGrade | None = None
    hired_on: date | None = None


class StaffMemberUpdate(BaseModel):
    """The fields to change (the keys sent); the rest kept."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"skill_grade": "intermediate"}]}
    )

    name: str | None = Field(default=None, max_length=MAX_PERSON_NAME_LENGTH)
    resident_id: str | None = Field(default=None, max_length=MAX_RESIDENT_ID_LENGTH)
    phone: str | None = Field(default=None, max_length=MAX_PHONE_LENGTH)
    employment: Employment | None = None
    position: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    skill_grade: SkillGrade | None = None
    hired_on: date | None = None


class StaffMemberRemoval(BaseModel):
    """The staff member left the unit (the record is kept)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"departed_on": "2024-06-30"}]})

    departed_on: date | None = Field(default=None, description="Today when null.")


class TrainingCreate(BaseModel):
    """A training to record."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "trained_on": "2024-04-01",
                    "course": "保安员岗前培训",
                    "hours": 8,
                    "result": "passed",
                    "provider": "和平分局内保大队",
                }
            ]
        },
    )

    trained_on: date
    course: str = Field(max_length=MAX_TITLE_LENGTH)
    hours: float = Field(gt=0, le=1000)
    result: TrainingResult
    provider: str = Field(default="", max_length=MAX_TITLE_LENGTH)


class AssessmentCreate(BaseModel):
    """An assessment to record."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"assessed_on": "2024-04-15", "subject": "治安保卫业务考核", "score": 86, "result": "passed"}
            ]
        },
    )

    assessed_on: date
    subject: str = Field(max_length=MAX_TITLE_LENGTH)
    score: int | None = Field(default=None, ge=0, le=100)
    result: AssessmentResult


class CertificateCreate(BaseModel):
    """A certificate to add."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "保安员证",
                    "number": "辽210102000123",
                    "issuer": "沈阳市公安局",
                    "issued_on": "2023-06-01",
                    "expires_on": "2026-06-01",
                }
            ]
        },
    )

    name: str = Field(max_length=MAX_NAME_LENGTH)
    number: str = Field(default="", max_length=MAX_PERSON_NAME_LENGTH)
    issuer: str = Field(default="", max_length=MAX_NAME_LENGTH)
    issued_on: date | None = None
    expires_on: date | None = Field(default=None, description="Null: does not expire.")


class StaffLookup(BaseModel):
    """The resident ID to look staff up by (in the body: an ID number never goes into a URL)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"resident_id": "210102199003071233"}]}
    )

    resident_id: str = Field(min_length=1, max_length=MAX_RESIDENT_ID_LENGTH)


# --- informants ------------------------------------------------------------------------------------


class InformantRead(BaseModel):
    """An informant (情报信息员, §2): known to police only."""

    id: str
    uscc: str
    name: str | None
    phone: str | None
    department: str | None
    recruited_on: date | None
    active: bool
    note: str | None
    reports: int = Field(description="How many reports they filed.")
    version: int
    created_at: datetime | None
    updated_at: datetime | None


class InformantDisclosedRead(InformantRead):
    """An informant, and whether its personal data is shown clear."""

    disclosure: DisclosureRead


class InformantList(BaseModel):
    """A unit's informants."""

    items: list[InformantRead]
    disclosure: DisclosureRead


class InformantCreate(BaseModel):
    """An informant to recruit (police of the unit's jurisdiction)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "刘信息",
                    "phone": "13900139000",
                    "department": "物业部",
                    "recruited_on": "2024-02-01",
                }
            ]
        },
    )

    name: str = Field(max_length=MAX_PERSON_NAME_LENGTH)
    phone: str = Field(default="", max_length=MAX_PHONE_LENGTH)
    department: str = Field(default="", max_length=MAX_NAME_LENGTH)
    recruited_on: date | None = None
    note: str = Field(default="", max_length=MAX_NOTE_LENGTH)


class InformantUpdate(BaseModel):
    """The fields to change (the keys sent); `active: false` retires the informant."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"active": False}]})

    name: str | None = Field(default=None, max_length=MAX_PERSON_NAME_LENGTH)
    phone: str | None = Field(default=None, max_length=MAX_PHONE_LENGTH)
    department: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    recruited_on: date | None = None
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    active: bool | None = None


class InformantReportRead(BaseModel):
    """A report of 苗头性、预警性 information."""

    id: str
    informant_id: str
    uscc: str
    reported_on: date | None
    content: str | None
    severity: Severity | None
    received_by: ActorRead | None
    received_at: datetime | None


class InformantReportPage(BaseModel):
    """One page of reports, newest first."""

    items: list[InformantReportRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class InformantReportCreate(BaseModel):
    """A report to file."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reported_on": "2024-05-20", "content": "有人多次在金库附近徘徊", "severity": "medium"}
            ]
        },
    )

    reported_on: date
    content: str = Field(min_length=1, max_length=MAX_REPORT_LENGTH)
    severity: Severity


# --- inspections and hazards -----------------------------------------------------------------------


class EvidenceRead(BaseModel):
    """Proof of rectification."""

    description: str | None
    uri: str | None = Field(description="Where the document or photo is stored.")


class Evidence(BaseModel):
    """Proof of rectification: a description and a reference to the stored document or photo."""

    model_config = _WRITE

    description: str = Field(min_length=1, max_length=MAX_EVIDENCE_DESCRIPTION_LENGTH)
    uri: str = Field(default="", max_length=MAX_URI_LENGTH)


class HazardRead(BaseModel):
    """A hazard (隐患) found in an inspection, and its rectification."""

    id: str
    uscc: str
    inspection_id: str
    party: InspectingParty | None
    party_sector: Sector | None
    severity: Severity | None
    description: str | None
    deadline: date | None = Field(description="The rectification deadline.")
    state: HazardState | None
    overdue: bool = Field(description="Open and past its deadline.")
    opened_by: ActorRead | None
    opened_at: datetime | None
    rectification_note: str | None
    evidence: list[EvidenceRead]
    rectified_by: ActorRead | None
    rectified_at: datetime | None
    verification_note: str | None
    verified_by: ActorRead | None
    verified_at: datetime | None
    version: int = Field(description="The hazard's version; its ETag is this number in quotes.")


class HazardPage(BaseModel):
    """One page of hazards, earliest deadline first."""

    items: list[HazardRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class InspectionRead(BaseModel):
    """An inspection by the police or a regulator (§14, §22-29)."""

    id: str
    uscc: str
    inspected_on: date | None
    party: InspectingParty | None
    party_sector: Sector | None = Field(description="The regulator's sector (regulator inspections).")
    organisation: str | None = Field(description="The inspecting body, e.g. 和平分局内保大队.")
    inspectors: list[str]
    findings: str | None
    recorded_by: ActorRead | None
    recorded_at: datetime | None
    hazards: list[HazardRead] = Field(description="Its hazards (when one inspection is read).")


class InspectionPage(BaseModel):
    """One page of inspections, newest first."""

    items: list[InspectionRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class InspectionCreate(BaseModel):
    """An inspection to record (police of the unit's jurisdiction or a regulator of its sector)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "inspected_on": "2024-05-08",
                    "organisation": "和平分局内保大队",
                    "inspectors": ["李警官", "王警官"],
                    "findings": "监控存储不足30天",
                }
            ]
        },
    )

    inspected_on: date
    organisation: str = Field(max_length=MAX_TITLE_LENGTH)
    inspectors: list[Annotated[str, Field(max_length=MAX_PERSON_NAME_LENGTH)]] = Field(
        default_factory=list, max_length=MAX_LIST_ITEMS
    )
    findings: str = Field(default="", max_length=MAX_NOTE_LENGTH)


class HazardCreate(BaseModel):
    """A hazard found in the inspection (by the party that inspected)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"severity": "high", "description": "监控录像保存不足30天", "deadline": "2030-06-30"}
            ]
        },
    )

    severity: Severity
    description: str = Field(max_length=MAX_NOTE_LENGTH)
    deadline: date


class HazardRectification(BaseModel):
    """The unit reports the hazard rectified, with evidence (at least one item)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rectification_note": "已扩容存储至90天",
                    "evidence": [{"description": "存储扩容验收单", "uri": "https://files.example/e/1.pdf"}],
                }
            ]
        },
    )

    rectification_note: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)
    evidence: list[Evidence] = Field(min_length=1, max_length=MAX_LIST_ITEMS)


class HazardVerification(BaseModel):
    """The inspecting party verifies: accepted closes the hazard, otherwise it is open again."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"accepted": True, "verification_note": "复查合格"}]},
    )

    accepted: bool
    verification_note: str = Field(default="", max_length=MAX_NOTE_LENGTH)
    new_deadline: date | None = Field(default=None, description="When not accepted: the new deadline.")


class HazardQuery(BaseModel):
    """Filters of the hazard list."""

    state: HazardState | None = None
    overdue: bool | None = Field(default=None, description="Only overdue (true) or only not overdue (false).")
    cursor: str | None = Field(
        default=None, max_length=MAX_CURSOR_LENGTH, description="The next_cursor of the previous page."
    )
