"""The unit dossier (单位档案): overdue flags, the security organisation filing and its review, responsible
persons, key parts, emergency plans and drills, police workstations.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, ClassVar, Final, TypeVar

from unit_registry.domain.enums import DeviceType, FilingState, PlanState, ResponsibleRole
from unit_registry.domain.errors import FieldViolation, InvalidState, ValidationFailed, VersionConflict
from unit_registry.domain.fields import (
    MAX_NOTE_LENGTH,
    clean_phone,
    clean_text,
    count_violations,
    line_violations,
    not_after,
    required_date,
    text_list,
    text_violations,
)
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.model import Actor

# A newly designated key unit has this long to get its filing accepted (§1 sets no figure: ours).
FILING_GRACE_DAYS: Final = 30
# Key units drill at least twice a year (§4).
DRILLS_PER_YEAR: Final = 2
# A certificate expiring within this many days is flagged "expiring".
CERTIFICATE_WARNING_DAYS: Final = 60

MAX_TITLE_LENGTH: Final = 200
MAX_NAME_LENGTH: Final = 100
MAX_PERSON_NAME_LENGTH: Final = 50
MAX_CONTENT_LENGTH: Final = 20000
MAX_STAFF_COUNT: Final = 100_000


@dataclass(frozen=True, slots=True)
class DossierFacts:
    """What the flags of one unit depend on, as of a day."""

    active: bool
    key_unit: bool
    designated_on: date | None
    filing_accepted: bool
    drills_in_window: int
    earliest_open_deadline: date | None


# Dates in the dossier (deadlines, drills, "today") are dates in Liaoning: China Standard Time.
CHINA_TIME: Final = timezone(timedelta(hours=8), "CST")


def local_date(moment: datetime) -> date:
    """The date in China at `moment`."""
    return moment.astimezone(CHINA_TIME).date()


def one_year_before(day: date) -> date:
    """The same date a year earlier (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def drill_window_start(today: date) -> date:
    """The first day of "the last 12 months": drills on or after it count."""
    return one_year_before(today) + timedelta(days=1)


def filing_due_on(designated_on: date) -> date:
    """The last day a newly designated key unit may be without an accepted filing."""
    return designated_on + timedelta(days=FILING_GRACE_DAYS)


def compute_flags(facts: DossierFacts, today: date) -> DossierFlags:
    """The flags of a unit: closed units carry none; the filing and drill rules bind key units only."""
    if not facts.active:
        return DossierFlags()
    filing_overdue = (
        facts.key_unit
        and not facts.filing_accepted
        # A key unit without a designation date (legacy data) has had its grace period.
        and (facts.designated_on is None or today > filing_due_on(facts.designated_on))
    )
    drills_overdue = facts.key_unit and facts.drills_in_window < DRILLS_PER_YEAR
    hazards_overdue = facts.earliest_open_deadline is not None and facts.earliest_open_deadline < today
    return DossierFlags(filing_overdue, drills_overdue, hazards_overdue)


D = TypeVar("D")


@dataclass(kw_only=True)
class DossierItem:
    """An editable item of a unit's dossier: identity, optimistic version, timestamps."""

    id: uuid.UUID
    uscc: str
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    # The REST collection, for version conflicts ("key-parts/<id>").
    collection: ClassVar[str] = "items"

    def check_version(self, expected: int) -> None:
        """VersionConflict unless `expected` is the current version (0: not checked)."""
        if expected and expected != self.version:
            raise VersionConflict(str(self.id), expected, self.version, self.collection)

    def draft_as(self, draft_type: type[D]) -> D:
        """The item's editable fields as a draft of `draft_type` (to validate a patched version)."""
        names = [f.name for f in dataclasses.fields(draft_type)]  # type: ignore[arg-type]
        return draft_type(**{name: getattr(self, name) for name in names})

    def apply(self, draft: Any, now: datetime) -> tuple[str, ...]:
        """Take a validated draft's values; the names of the fields that changed (none: no new version)."""
        changed = []
        for item in dataclasses.fields(draft):
            new = getattr(draft, item.name)
            if getattr(self, item.name) != new:
                setattr(self, item.name, new)
                changed.append(item.name)
        if changed:
            self.touch(now)
        return tuple(changed)

    def touch(self, now: datetime) -> None:
        """A new version."""
        self.version += 1
        self.updated_at = now


# Security organisation filing (备案, §1) -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FilingDraft:
    """What a filing declares; a draft may be incomplete, a submission may not."""

    organisation_name: str = ""
    head_name: str = ""
    full_time_staff: int = 0
    part_time_staff: int = 0
    established_on: date | None = None
    duties: str = ""


def validate_filing_draft(draft: FilingDraft, today: date) -> FilingDraft:
    """The draft cleaned; ValidationFailed for malformed values (completeness is checked on submission)."""
    organisation_name = clean_text(draft.organisation_name)
    head_name = clean_text(draft.head_name)
    duties = clean_text(draft.duties)
    violations = [
        *line_violations("organisation_name", organisation_name, required=False, max_length=MAX_NAME_LENGTH),
        *line_violations("head_name", head_name, required=False, max_length=MAX_PERSON_NAME_LENGTH),
        *count_violations("full_time_staff", draft.full_time_staff, 0, MAX_STAFF_COUNT),
        *count_violations("part_time_staff", draft.part_time_staff, 0, MAX_STAFF_COUNT),
        *not_after("established_on", draft.established_on, today),
        *text_violations("duties", duties, required=False, max_length=MAX_NOTE_LENGTH),
    ]
    if violations:
        raise ValidationFailed(violations)
    return dataclasses.replace(draft, organisation_name=organisation_name, head_name=head_name, duties=duties)


def submission_violations(draft: FilingDraft, key_unit: bool) -> list[FieldViolation]:
    """What a filing needs before the police can review it; key units need full-time staff (§1)."""
    found = [
        *line_violations(
            "organisation_name", draft.organisation_name, required=True, max_length=MAX_NAME_LENGTH
        ),
        *line_violations("head_name", draft.head_name, required=True, max_length=MAX_PERSON_NAME_LENGTH),
        *required_date("established_on", draft.established_on),
    ]
    if draft.full_time_staff + draft.part_time_staff < 1:
        found.append(
            FieldViolation("full_time_staff", "REQUIRED", "a filing declares at least one staff member")
        )
    elif key_unit and draft.full_time_staff < 1:
        found.append(
            FieldViolation(
                "full_time_staff",
                "KEY_UNIT_NEEDS_FULL_TIME_STAFF",
                "a key unit's security organisation needs full-time staff (§1)",
            )
        )
    return found


class FilingAction:
    """The steps of a filing's history."""

    SAVED: Final = "saved"
    SUBMITTED: Final = "submitted"
    ACCEPTED: Final = "accepted"
    RETURNED: Final = "returned"


@dataclass(frozen=True, slots=True)
class FilingStep:
    """One step of a filing's history."""

    action: str
    actor: Actor
    at: datetime
    note: str = ""
    reasons: tuple[str, ...] = ()


OPEN_FILING_STATES: Final = frozenset({FilingState.DRAFT, FilingState.SUBMITTED, FilingState.RETURNED})


@dataclass(kw_only=True)
class SecurityFiling(DossierItem):
    """A filing of the unit's security organisation: draft -> submitted -> accepted | returned -> ..."""

    collection: ClassVar[str] = "filings"

    state: FilingState = FilingState.DRAFT
    organisation_name: str = ""
    head_name: str = ""
    full_time_staff: int = 0
    part_time_staff: int = 0
    established_on: date | None = None
    duties: str = ""
    submitted_by: Actor | None = None
    submitted_at: datetime | None = None
    decided_by: Actor | None = None
    decided_at: datetime | None = None
    decision_note: str = ""
    return_reasons: tuple[str, ...] = ()
    history: list[FilingStep] = field(default_factory=list)
    # The latest accepted filing of its unit (set by the repository, not stored).
    in_force: bool = False

    @classmethod
    def start(cls, uscc: str, draft: FilingDraft, actor: Actor, now: datetime) -> SecurityFiling:
        """A new draft (the unit's first filing, or an amendment of the one in force)."""
        filing = cls(id=uuid.uuid4(), uscc=uscc, created_at=now, updated_at=now)
        filing.apply(draft, now)
        filing.version = 1
        filing.history = [FilingStep(FilingAction.SAVED, actor, now)]
        return filing

    @property
    def open(self) -> bool:
        """Being written or reviewed (draft, submitted, returned)."""
        return self.state in OPEN_FILING_STATES

    def content(self) -> FilingDraft:
        """What it declares."""
        return self.draft_as(FilingDraft)

    def revise(self, draft: FilingDraft, actor: Actor, now: datetime) -> None:
        """Change a draft, or a returned filing (which becomes a draft again)."""
        if self.state not in (FilingState.DRAFT, FilingState.RETURNED):
            raise InvalidState(f"the filing is {self.state.value}: it cannot be changed now")
        version = self.version
        self.apply(draft, now)
        if self.version == version:
            self.touch(now)  # saved unchanged: still a step of its history
        self.state = FilingState.DRAFT
        self.history.append(FilingStep(FilingAction.SAVED, actor, now))

    def submit(self, actor: Actor, now: datetime, *, key_unit: bool) -> bool:
        """Send it to the police; whether it is a resubmission of a returned filing."""
        if self.state not in (FilingState.DRAFT, FilingState.RETURNED):
            raise InvalidState(
                f"the filing is {self.state.value}: only a draft or a returned filing is submitted"
            )
        violations = submission_violations(self.content(), key_unit)
        if violations:
            raise ValidationFailed(violations)
        resubmission = self.state is FilingState.RETURNED or any(
            step.action == FilingAction.RETURNED for step in self.history
        )
        self.state = FilingState.SUBMITTED
        self.submitted_by, self.submitted_at = actor, now
        self.history.append(FilingStep(FilingAction.SUBMITTED, actor, now))
        self.touch(now)
        return resubmission

    def accept(self, actor: Actor, now: datetime, note: str) -> None:
        """The police accept it: it is the filing in force."""
        note = _decision_note(note)
        self._require_submitted("accepted")
        self.state = FilingState.ACCEPTED
        self.decided_by, self.decided_at, self.decision_note = actor, now, note
        self.return_reasons = ()
        self.history.append(FilingStep(FilingAction.ACCEPTED, actor, now, note))
        self.touch(now)

    def send_back(self, actor: Actor, now: datetime, reasons: tuple[str, ...]) -> None:
        """The police return it with reasons (at least one)."""
        cleaned, violations = text_list("reasons", reasons, max_length=500)
        if not cleaned and not violations:
            violations = [FieldViolation("reasons", "REQUIRED", "give at least one reason for returning it")]
        if violations:
            raise ValidationFailed(violations)
        self._require_submitted("returned")
        self.state = FilingState.RETURNED
        self.decided_by, self.decided_at, self.decision_note = actor, now, ""
        self.return_reasons = cleaned
        self.history.append(FilingStep(FilingAction.RETURNED, actor, now, reasons=cleaned))
        self.touch(now)

    def _require_submitted(self, outcome: str) -> None:
        if self.state is not FilingState.SUBMITTED:
            raise InvalidState(f"the filing is {self.state.value}: only a submitted filing is {outcome}")


def _decision_note(note: str) -> str:
    note = clean_text(note)
    violations = text_violations("note", note, required=False, max_length=MAX_NOTE_LENGTH)
    if violations:
        raise ValidationFailed(violations)
    return note


# Responsible persons (§21) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponsiblePersonDraft:
    """A responsible person as given."""

    role: ResponsibleRole | None = None
    name: str = ""
    position: str = ""
    phone: str = ""
    responsibilities: str = ""
    appointed_on: date | None = None


RESPONSIBLE_PERSON_FIELDS: Final = frozenset(f.name for f in dataclasses.fields(ResponsiblePersonDraft))


def validate_responsible_person(draft: ResponsiblePersonDraft, today: date) -> ResponsiblePersonDraft:
    """The draft cleaned; ValidationFailed naming each bad field."""
    name, position = clean_text(draft.name), clean_text(draft.position)
    responsibilities = clean_text(draft.responsibilities)
    phone, violations = clean_phone("phone", draft.phone, required=False)
    if draft.role is None:
        violations.append(FieldViolation("role", "REQUIRED", "role is required"))
    violations += [
        *line_violations("name", name, required=True, max_length=MAX_PERSON_NAME_LENGTH),
        *line_violations("position", position, required=False, max_length=MAX_NAME_LENGTH),
        *text_violations("responsibilities", responsibilities, required=False, max_length=MAX_NOTE_LENGTH),
        *not_after("appointed_on", draft.appointed_on, today),
    ]
    if violations:
        raise ValidationFailed(violations)
    return dataclasses.replace(
        draft, name=name, position=position, phone=phone, responsibilities=responsibilities
    )


@dataclass(kw_only=True)
class ResponsiblePerson(DossierItem):
    """第一责任人 or 共同责任人 of a unit; the phone is personal data."""

    collection: ClassVar[str] = "responsible-persons"

    role: ResponsibleRole
    name: str
    position: str = ""
    phone: str = ""
    responsibilities: str = ""
    appointed_on: date | None = None

    @classmethod
    def create(cls, uscc: str, draft: ResponsiblePersonDraft, now: datetime) -> ResponsiblePerson:
        """From a validated draft."""
        if draft.role is None:
            raise ValueError("create from a validated draft")
        person = cls(
            id=uuid.uuid4(), uscc=uscc, role=draft.role, name=draft.name, created_at=now, updated_at=now
        )
        person.apply(draft, now)
        person.version = 1
        return person


# Key parts (重要部位, §6) -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyPartDraft:
    """A key part as given."""

    name: str = ""
    location: str = ""
    description: str = ""
    protection_measures: tuple[str, ...] = ()
    required_device_types: tuple[DeviceType, ...] = ()


KEY_PART_FIELDS: Final = frozenset(f.name for f in dataclasses.fields(KeyPartDraft))


def validate_key_part(draft: KeyPartDraft) -> KeyPartDraft:
    """The draft cleaned (lists de-duplicated in order); ValidationFailed naming each bad field."""
    name, location, description = (
        clean_text(draft.name),
        clean_text(draft.location),
        clean_text(draft.description),
    )
    measures, violations = text_list("protection_measures", draft.protection_measures, max_length=200)
    violations += [
        *line_violations("name", name, required=True, max_length=MAX_NAME_LENGTH),
        *line_violations("location", location, required=False, max_length=MAX_TITLE_LENGTH),
        *text_violations("description", description, required=False, max_length=MAX_NOTE_LENGTH),
    ]
    if violations:
        raise ValidationFailed(violations)
    return KeyPartDraft(
        name=name,
        location=location,
        description=description,
        protection_measures=measures,
        required_device_types=tuple(dict.fromkeys(draft.required_device_types)),
    )


@dataclass(kw_only=True)
class KeyPart(DossierItem):
    """A key part of a unit and the protection it needs."""

    collection: ClassVar[str] = "key-parts"

    name: str
    location: str = ""
    description: str = ""
    protection_measures: tuple[str, ...] = ()
    required_device_types: tuple[DeviceType, ...] = ()

    @classmethod
    def create(cls, uscc: str, draft: KeyPartDraft, now: datetime) -> KeyPart:
        """From a validated draft."""
        part = cls(id=uuid.uuid4(), uscc=uscc, name=draft.name, created_at=now, updated_at=now)
        part.apply(draft, now)
        part.version = 1
        return part


# Emergency plans and drills (§4) --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EmergencyPlanDraft:
    """A plan version as given."""

    title: str = ""
    scenario: str = ""
    content: str = ""
    effective_on: date | None = None


def validate_emergency_plan(draft: EmergencyPlanDraft) -> EmergencyPlanDraft:
    """The draft cleaned; ValidationFailed naming each bad field."""
    title, scenario, content = clean_text(draft.title), clean_text(draft.scenario), clean_text(draft.content)
    violations = [
        *line_violations("title", title, required=True, max_length=MAX_TITLE_LENGTH),
        *line_violations("scenario", scenario, required=True, max_length=MAX_NAME_LENGTH),
        *text_violations("content", content, required=False, max_length=MAX_CONTENT_LENGTH),
        *required_date("effective_on", draft.effective_on),
    ]
    if violations:
        raise ValidationFailed(violations)
    return EmergencyPlanDraft(title, scenario, content, draft.effective_on)


@dataclass
class EmergencyPlan:
    """One version of an emergency plan; `plan_id` is shared by all versions of the plan."""

    id: uuid.UUID
    plan_id: uuid.UUID
    uscc: str
    version: int
    title: str
    scenario: str
    content: str
    effective_on: date
    published_by: Actor
    published_at: datetime
    state: PlanState = PlanState.CURRENT
    superseded_at: datetime | None = None

    @classmethod
    def publish(
        cls,
        uscc: str,
        draft: EmergencyPlanDraft,
        actor: Actor,
        now: datetime,
        previous: EmergencyPlan | None = None,
    ) -> EmergencyPlan:
        """A new plan, or the next version of `previous` (its current version), which it supersedes."""
        if draft.effective_on is None:
            raise ValueError("publish a validated draft")
        if previous is not None:
            if previous.state is not PlanState.CURRENT:
                raise InvalidState("only the current version of a plan is superseded")
            previous.state, previous.superseded_at = PlanState.SUPERSEDED, now
        return cls(
            id=uuid.uuid4(),
            plan_id=previous.plan_id if previous else uuid.uuid4(),
            uscc=uscc,
            version=previous.version + 1 if previous else 1,
            title=draft.title,
            scenario=draft.scenario,
            content=draft.content,
            effective_on=draft.effective_on,
            published_by=actor,
            published_at=now,
        )


@dataclass(frozen=True, slots=True)
class DrillDraft:
    """A drill as given."""

    drilled_on: date | None = None
    scenario: str = ""
    participants: int = 0
    findings: str = ""
    plan_id: uuid.UUID | None = None
    joint_with_police: bool = False


def validate_drill(draft: DrillDraft, today: date) -> DrillDraft:
    """The draft cleaned; ValidationFailed naming each bad field."""
    scenario, findings = clean_text(draft.scenario), clean_text(draft.findings)
    violations = [
        *required_date("drilled_on", draft.drilled_on),
        *not_after("drilled_on", draft.drilled_on, today),
        *line_violations("scenario", scenario, required=True, max_length=MAX_TITLE_LENGTH),
        *count_violations("participants", draft.participants, 1, MAX_STAFF_COUNT),
        *text_violations("findings", findings, required=False, max_length=MAX_NOTE_LENGTH),
    ]
    if violations:
        raise ValidationFailed(violations)
    return dataclasses.replace(draft, scenario=scenario, findings=findings)


@dataclass(frozen=True)
class Drill:
    """A drill that took place (a record: never changed)."""

    id: uuid.UUID
    uscc: str
    drilled_on: date
    scenario: str
    participants: int
    recorded_by: Actor
    recorded_at: datetime
    findings: str = ""
    plan_id: uuid.UUID | None = None
    joint_with_police: bool = False

    @classmethod
    def record(cls, uscc: str, draft: DrillDraft, actor: Actor, now: datetime) -> Drill:
        """From a validated draft."""
        if draft.drilled_on is None:
            raise ValueError("record a validated draft")
        return cls(
            id=uuid.uuid4(),
            uscc=uscc,
            drilled_on=draft.drilled_on,
            scenario=draft.scenario,
            participants=draft.participants,
            findings=draft.findings,
            plan_id=draft.plan_id,
            joint_with_police=draft.joint_with_police,
            recorded_by=actor,
            recorded_at=now,
        )


# Police workstations (§16) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkstationDraft:
    """A workstation as given."""

    police_station: str = ""
    name: str = ""
    location: str = ""
    officers: int = 0
    duty_phone: str = ""
    opened_on: date | None = None
    closed_on: date | None = None


WORKSTATION_FIELDS: Final = frozenset(f.name for f in dataclasses.fields(WorkstationDraft))


def validate_workstation(draft: WorkstationDraft, today: date) -> WorkstationDraft:
    """The draft cleaned; ValidationFailed naming each bad field (the station is checked against the unit)."""
    name, location = clean_text(draft.name), clean_text(draft.location)
    station = draft.police_station.strip()
    duty_phone, violations = clean_phone("duty_phone", draft.duty_phone, required=False)
    if not station:
        violations.append(FieldViolation("police_station", "REQUIRED", "police_station is required"))
    violations += [
        *line_violations("name", name, required=True, max_length=MAX_NAME_LENGTH),
        *line_violations("location", location, required=False, max_length=MAX_TITLE_LENGTH),
        *count_violations("officers", draft.officers, 0, 1000),
        *required_date("opened_on", draft.opened_on),
        *not_after("opened_on", draft.opened_on, today),
        *not_after("closed_on", draft.closed_on, today),
    ]
    if draft.closed_on and draft.opened_on and draft.closed_on < draft.opened_on:
        violations.append(
            FieldViolation("closed_on", "BEFORE_OPENED", "closed_on must not precede opened_on")
        )
    if violations:
        raise ValidationFailed(violations)
    return dataclasses.replace(
        draft, police_station=station, name=name, location=location, duty_phone=duty_phone
    )


@dataclass(kw_only=True)
class Workstation(DossierItem):
    """A police workstation (警务室) in an enterprise, linked to its police station."""

    collection: ClassVar[str] = "workstations"

    police_station: str
    name: str
    location: str = ""
    officers: int = 0
    duty_phone: str = ""
    opened_on: date | None = None
    closed_on: date | None = None

    @classmethod
    def create(cls, uscc: str, draft: WorkstationDraft, now: datetime) -> Workstation:
        """From a validated draft."""
        station = cls(
            id=uuid.uuid4(),
            uscc=uscc,
            police_station=draft.police_station,
            name=draft.name,
            created_at=now,
            updated_at=now,
        )
        station.apply(draft, now)
        station.version = 1
        return station

    @property
    def is_open(self) -> bool:
        """Not closed."""
        return self.closed_on is None


@dataclass(frozen=True, slots=True)
class DossierSummary:
    """The dossier at a glance (counts as of today); `informants` is None for callers who may not know."""

    uscc: str
    key_unit: bool
    flags: DossierFlags
    filing_in_force: SecurityFiling | None
    open_filing: SecurityFiling | None
    responsible_persons: int
    has_first_responsible: bool
    staff_full_time: int
    staff_part_time: int
    certificates_expired: int
    certificates_expiring: int
    key_parts: int
    current_plans: int
    drills_last_12_months: int
    last_drill_on: date | None
    inspections_last_12_months: int
    hazards_open: int
    hazards_overdue: int
    hazards_awaiting_verification: int
    workstations_open: int
    informants: int | None
