"""Informants (情报信息员, §2) and their reports: known to police only (domain.policy.informant_scope)."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Final

from unit_registry.domain.dossier import MAX_NAME_LENGTH, MAX_PERSON_NAME_LENGTH, DossierItem
from unit_registry.domain.enums import Severity
from unit_registry.domain.errors import FieldViolation, InvalidState, ValidationFailed
from unit_registry.domain.fields import (
    MAX_NOTE_LENGTH,
    clean_phone,
    clean_text,
    line_violations,
    not_after,
    required_date,
    text_violations,
)
from unit_registry.domain.model import Actor

MAX_REPORT_LENGTH: Final = 5000


@dataclass(frozen=True, slots=True)
class InformantDraft:
    """An informant as given."""

    name: str = ""
    phone: str = ""
    department: str = ""
    recruited_on: date | None = None
    note: str = ""
    active: bool = True


INFORMANT_FIELDS: Final = frozenset(f.name for f in dataclasses.fields(InformantDraft))


def validate_informant(draft: InformantDraft, today: date) -> InformantDraft:
    """The draft cleaned; ValidationFailed naming each bad field."""
    name, department, note = clean_text(draft.name), clean_text(draft.department), clean_text(draft.note)
    phone, violations = clean_phone("phone", draft.phone, required=False)
    violations += [
        *line_violations("name", name, required=True, max_length=MAX_PERSON_NAME_LENGTH),
        *line_violations("department", department, required=False, max_length=MAX_NAME_LENGTH),
        *not_after("recruited_on", draft.recruited_on, today),
        *text_violations("note", note, required=False, max_length=MAX_NOTE_LENGTH),
    ]
    if violations:
        raise ValidationFailed(violations)
    return dataclasses.replace(draft, name=name, phone=phone, department=department, note=note)


@dataclass(kw_only=True)
class Informant(DossierItem):
    """An informant at a unit; name and phone are personal data (encrypted at rest)."""

    collection: ClassVar[str] = "informants"

    name: str
    phone: str = ""
    department: str = ""
    recruited_on: date | None = None
    note: str = ""
    active: bool = True
    # How many reports they filed (read only, counted by the repository).
    reports: int = 0

    @classmethod
    def create(cls, uscc: str, draft: InformantDraft, now: datetime) -> Informant:
        """From a validated draft (always active)."""
        informant = cls(id=uuid.uuid4(), uscc=uscc, name=draft.name, created_at=now, updated_at=now)
        informant.apply(dataclasses.replace(draft, active=True), now)
        informant.version = 1
        return informant


@dataclass(frozen=True, slots=True)
class InformantReportDraft:
    """A report as given."""

    reported_on: date | None = None
    content: str = ""
    severity: Severity | None = None


@dataclass(frozen=True)
class InformantReport:
    """A report of 苗头性、预警性 information (a record: never changed)."""

    id: uuid.UUID
    informant_id: uuid.UUID
    uscc: str
    reported_on: date
    content: str
    severity: Severity
    received_by: Actor
    received_at: datetime

    @classmethod
    def file(
        cls, informant: Informant, draft: InformantReportDraft, actor: Actor, today: date, now: datetime
    ) -> InformantReport:
        """A report by an active informant; ValidationFailed naming each bad field."""
        content = clean_text(draft.content)
        violations = [
            *required_date("reported_on", draft.reported_on),
            *not_after("reported_on", draft.reported_on, today),
            *text_violations("content", content, required=True, max_length=MAX_REPORT_LENGTH),
        ]
        if draft.severity is None:
            violations.append(FieldViolation("severity", "REQUIRED", "severity is required"))
        if violations or draft.reported_on is None or draft.severity is None:
            raise ValidationFailed(violations)
        if not informant.active:
            raise InvalidState("the informant is no longer active")
        return cls(
            id=uuid.uuid4(),
            informant_id=informant.id,
            uscc=informant.uscc,
            reported_on=draft.reported_on,
            content=content,
            severity=draft.severity,
            received_by=actor,
            received_at=now,
        )
