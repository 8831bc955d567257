"""Security staff (保卫人员, §3, §5, §19): identity, employment, grade, trainings, assessments, certificates.

The resident ID and the phone are personal data: held here in clear, encrypted by the repository, and
masked for callers who may not see them (domain.disclosure).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar, Final

from neibao_codes import InvalidIdentifier, validate_resident_id
from unit_registry.domain.dossier import (
    CERTIFICATE_WARNING_DAYS,
    MAX_NAME_LENGTH,
    MAX_PERSON_NAME_LENGTH,
    MAX_TITLE_LENGTH,
    DossierItem,
)
from unit_registry.domain.enums import AssessmentResult, Employment, SkillGrade, StaffState, TrainingResult
from unit_registry.domain.errors import FieldViolation, InvalidState, ValidationFailed
from unit_registry.domain.fields import (
    clean_phone,
    clean_text,
    count_violations,
    line_violations,
    not_after,
    required_date,
)

MAX_TRAINING_HOURS: Final = 1000.0


def resident_id_violations(field_name: str, value: str) -> tuple[str, list[FieldViolation]]:
    """The normalised resident ID (GB 11643, check character included), and its violations."""
    if not value.strip():
        return "", [FieldViolation(field_name, "REQUIRED", f"{field_name} is required")]
    try:
        return validate_resident_id(value.strip().upper()), []
    except InvalidIdentifier as exc:
        # The reason never repeats the number (personal data ends up in logs).
        return "", [
            FieldViolation(
                field_name, "INVALID_RESIDENT_ID", f"{field_name} is not a valid 居民身份证号码: {exc.reason}"
            )
        ]


@dataclass(frozen=True, slots=True)
class StaffDraft:
    """A staff member as given."""

    name: str = ""
    resident_id: str = ""
    phone: str = ""
    employment: Employment | None = None
    position: str = ""
    skill_grade: SkillGrade | None = None
    hired_on: date | None = None


STAFF_FIELDS: Final = frozenset(f.name for f in dataclasses.fields(StaffDraft))


def validate_staff(draft: StaffDraft, today: date) -> StaffDraft:
    """The draft cleaned (resident ID normalised, phone as digits); ValidationFailed naming each bad field."""
    name, position = clean_text(draft.name), clean_text(draft.position)
    resident_id, violations = resident_id_violations("resident_id", draft.resident_id)
    phone, phone_violations = clean_phone("phone", draft.phone, required=False)
    violations += phone_violations
    violations += line_violations("name", name, required=True, max_length=MAX_PERSON_NAME_LENGTH)
    violations += line_violations("position", position, required=False, max_length=MAX_NAME_LENGTH)
    if draft.employment is None:
        violations.append(
            FieldViolation("employment", "REQUIRED", "employment is required (full_time or part_time)")
        )
    violations += not_after("hired_on", draft.hired_on, today)
    if violations:
        raise ValidationFailed(violations)
    return dataclasses.replace(draft, name=name, resident_id=resident_id, phone=phone, position=position)


@dataclass(frozen=True, slots=True)
class Training:
    """A training a staff member took (§19)."""

    id: uuid.UUID
    trained_on: date
    course: str
    hours: float
    result: TrainingResult
    provider: str = ""


@dataclass(frozen=True, slots=True)
class Assessment:
    """An assessment of a staff member (§3, §5)."""

    id: uuid.UUID
    assessed_on: date
    subject: str
    result: AssessmentResult
    score: int | None = None


@dataclass(frozen=True, slots=True)
class Certificate:
    """A certificate a staff member holds (保安员证 and the like), with its expiry."""

    id: uuid.UUID
    name: str
    number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    expires_on: date | None = None

    def expired(self, today: date) -> bool:
        """Past its expiry date."""
        return self.expires_on is not None and self.expires_on < today

    def expiring(self, today: date) -> bool:
        """Still valid, but expires within CERTIFICATE_WARNING_DAYS."""
        return (
            self.expires_on is not None
            and not self.expired(today)
            and self.expires_on <= today + timedelta(days=CERTIFICATE_WARNING_DAYS)
        )


@dataclass(frozen=True, slots=True)
class TrainingDraft:
    """A training as given."""

    trained_on: date | None = None
    course: str = ""
    hours: float = 0.0
    result: TrainingResult | None = None
    provider: str = ""


def new_training(draft: TrainingDraft, today: date) -> Training:
    """A training record from a draft; ValidationFailed naming each bad field."""
    course, provider = clean_text(draft.course), clean_text(draft.provider)
    violations = [
        *required_date("trained_on", draft.trained_on),
        *not_after("trained_on", draft.trained_on, today),
        *line_violations("course", course, required=True, max_length=MAX_TITLE_LENGTH),
        *line_violations("provider", provider, required=False, max_length=MAX_TITLE_LENGTH),
    ]
    if not 0 < draft.hours <= MAX_TRAINING_HOURS:
        violations.append(
            FieldViolation(
                "hours", "OUT_OF_RANGE", f"hours must be more than 0 and at most {MAX_TRAINING_HOURS:g}"
            )
        )
    if draft.result is None:
        violations.append(FieldViolation("result", "REQUIRED", "result is required"))
    if violations or draft.trained_on is None or draft.result is None:
        raise ValidationFailed(violations)
    return Training(uuid.uuid4(), draft.trained_on, course, round(draft.hours, 1), draft.result, provider)


@dataclass(frozen=True, slots=True)
class AssessmentDraft:
    """An assessment as given."""

    assessed_on: date | None = None
    subject: str = ""
    score: int | None = None
    result: AssessmentResult | None = None


def new_assessment(draft: AssessmentDraft, today: date) -> Assessment:
    """An assessment record from a draft; ValidationFailed naming each bad field."""
    subject = clean_text(draft.subject)
    violations = [
        *required_date("assessed_on", draft.assessed_on),
        *not_after("assessed_on", draft.assessed_on, today),
        *line_violations("subject", subject, required=True, max_length=MAX_TITLE_LENGTH),
    ]
    if draft.score is not None:
        violations += count_violations("score", draft.score, 0, 100)
    if draft.result is None:
        violations.append(FieldViolation("result", "REQUIRED", "result is required"))
    if violations or draft.assessed_on is None or draft.result is None:
        raise ValidationFailed(violations)
    return Assessment(uuid.uuid4(), draft.assessed_on, subject, draft.result, draft.score)


@dataclass(frozen=True, slots=True)
class CertificateDraft:
    """A certificate as given."""

    name: str = ""
    number: str = ""
    issuer: str = ""
    issued_on: date | None = None
    expires_on: date | None = None


def new_certificate(draft: CertificateDraft, today: date) -> Certificate:
    """A certificate from a draft; ValidationFailed naming each bad field."""
    name, number, issuer = clean_text(draft.name), clean_text(draft.number), clean_text(draft.issuer)
    violations = [
        *line_violations("name", name, required=True, max_length=MAX_NAME_LENGTH),
        *line_violations("number", number, required=False, max_length=MAX_PERSON_NAME_LENGTH),
        *line_violations("issuer", issuer, required=False, max_length=MAX_NAME_LENGTH),
        *not_after("issued_on", draft.issued_on, today),
    ]
    if draft.issued_on and draft.expires_on and draft.expires_on < draft.issued_on:
        violations.append(
            FieldViolation("expires_on", "BEFORE_ISSUED", "expires_on must not precede issued_on")
        )
    if violations:
        raise ValidationFailed(violations)
    return Certificate(uuid.uuid4(), name, number, issuer, draft.issued_on, draft.expires_on)


@dataclass(kw_only=True)
class StaffMember(DossierItem):
    """A member of a unit's security staff, with their trainings, assessments and certificates."""

    collection: ClassVar[str] = "staff"

    name: str
    resident_id: str
    employment: Employment
    phone: str = ""
    position: str = ""
    skill_grade: SkillGrade | None = None
    hired_on: date | None = None
    state: StaffState = StaffState.ACTIVE
    departed_on: date | None = None
    trainings: tuple[Training, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    # Extra records added in this unit of work (written by the repository).
    added: list[Training | Assessment | Certificate] = field(default_factory=list, compare=False, repr=False)

    @classmethod
    def create(cls, uscc: str, draft: StaffDraft, now: datetime) -> StaffMember:
        """From a validated draft."""
        if draft.employment is None:
            raise ValueError("create from a validated draft")
        member = cls(
            id=uuid.uuid4(),
            uscc=uscc,
            name=draft.name,
            resident_id=draft.resident_id,
            employment=draft.employment,
            created_at=now,
            updated_at=now,
        )
        member.apply(draft, now)
        member.version = 1
        return member

    @property
    def active(self) -> bool:
        """Still with the unit."""
        return self.state is StaffState.ACTIVE

    def certificate_expired(self, today: date) -> bool:
        """Any certificate expired."""
        return any(c.expired(today) for c in self.certificates)

    def certificate_expiring(self, today: date) -> bool:
        """Any certificate expiring soon."""
        return any(c.expiring(today) for c in self.certificates)

    def depart(self, departed_on: date, today: date, now: datetime) -> None:
        """The staff member left the unit (the record stays)."""
        if not self.active:
            raise InvalidState("the staff member has already left the unit")
        violations = not_after("departed_on", departed_on, today)
        if self.hired_on and departed_on < self.hired_on:
            violations.append(
                FieldViolation("departed_on", "BEFORE_HIRED", "departed_on must not precede hired_on")
            )
        if violations:
            raise ValidationFailed(violations)
        self.state, self.departed_on = StaffState.DEPARTED, departed_on
        self.touch(now)

    def add_record(self, record: Training | Assessment | Certificate, now: datetime) -> None:
        """Add a training, an assessment or a certificate (only to active staff)."""
        if not self.active:
            raise InvalidState("the staff member has left the unit: no new records")
        match record:
            case Training():
                self.trainings = (record, *self.trainings)
            case Assessment():
                self.assessments = (record, *self.assessments)
            case Certificate():
                self.certificates = (*self.certificates, record)
        self.added.append(record)
        self.touch(now)
