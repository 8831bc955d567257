"""Inspections by police or regulators and the hazards they find: open -> rectified -> verified (§14, §22-29).

A hazard is overdue while open past its deadline; the sweep announces that once per deadline.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar, Final

from unit_registry.domain.dossier import MAX_NAME_LENGTH, MAX_PERSON_NAME_LENGTH, DossierItem
from unit_registry.domain.enums import HazardState, PartyKind, Sector, Severity
from unit_registry.domain.errors import FieldViolation, InvalidState, ValidationFailed
from unit_registry.domain.fields import (
    MAX_NOTE_LENGTH,
    clean_text,
    line_violations,
    not_after,
    required_date,
    text_list,
    text_violations,
)
from unit_registry.domain.model import Actor

MAX_INSPECTORS: Final = 10
MAX_EVIDENCE: Final = 20
MAX_URI_LENGTH: Final = 1000
MAX_FINDINGS_LENGTH: Final = 5000


@dataclass(frozen=True, slots=True)
class Party:
    """Who inspects: the police, or the regulator of a sector."""

    kind: PartyKind
    sector: Sector | None = None


@dataclass(frozen=True, slots=True)
class InspectionDraft:
    """An inspection as given."""

    inspected_on: date | None = None
    organisation: str = ""
    inspectors: tuple[str, ...] = ()
    findings: str = ""


@dataclass(frozen=True)
class Inspection:
    """An inspection that took place (a record: never changed)."""

    id: uuid.UUID
    uscc: str
    inspected_on: date
    party: Party
    organisation: str
    inspectors: tuple[str, ...]
    findings: str
    recorded_by: Actor
    recorded_at: datetime

    @classmethod
    def record(
        cls, uscc: str, party: Party, draft: InspectionDraft, *, actor: Actor, today: date, now: datetime
    ) -> Inspection:
        """From a draft; ValidationFailed naming each bad field."""
        organisation, findings = clean_text(draft.organisation), clean_text(draft.findings)
        inspectors, violations = text_list(
            "inspectors", draft.inspectors, max_items=MAX_INSPECTORS, max_length=MAX_PERSON_NAME_LENGTH
        )
        if not inspectors and not violations:
            violations.append(FieldViolation("inspectors", "REQUIRED", "name at least one inspector"))
        violations += [
            *required_date("inspected_on", draft.inspected_on),
            *not_after("inspected_on", draft.inspected_on, today),
            *line_violations("organisation", organisation, required=True, max_length=MAX_NAME_LENGTH),
            *text_violations("findings", findings, required=False, max_length=MAX_FINDINGS_LENGTH),
        ]
        if violations or draft.inspected_on is None:
            raise ValidationFailed(violations)
        return cls(
            uuid.uuid4(), uscc, draft.inspected_on, party, organisation, inspectors, findings, actor, now
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """Proof of rectification: what it shows and where the document or photo is kept."""

    description: str
    uri: str = ""


def clean_evidence(items: tuple[Evidence, ...]) -> tuple[tuple[Evidence, ...], list[FieldViolation]]:
    """Evidence cleaned, and its violations (at least one item; bounded lengths)."""
    cleaned = tuple(Evidence(clean_text(e.description), e.uri.strip()) for e in items)
    if not cleaned:
        return (), [FieldViolation("evidence", "REQUIRED", "give at least one piece of evidence")]
    if len(cleaned) > MAX_EVIDENCE:
        return (), [FieldViolation("evidence", "TOO_MANY", f"at most {MAX_EVIDENCE} pieces of evidence")]
    for item in cleaned:
        found = line_violations("evidence.description", item.description, required=True, max_length=500)
        found += line_violations("evidence.uri", item.uri, required=False, max_length=MAX_URI_LENGTH)
        if found:
            return (), found
    return cleaned, []


@dataclass(frozen=True, slots=True)
class HazardDraft:
    """A hazard as given."""

    severity: Severity | None = None
    description: str = ""
    deadline: date | None = None


@dataclass(kw_only=True)
class Hazard(DossierItem):
    """A hazard (隐患) found in an inspection, with its rectification and verification."""

    collection: ClassVar[str] = "hazards"

    inspection_id: uuid.UUID
    party: Party
    severity: Severity
    description: str
    deadline: date
    opened_by: Actor
    opened_at: datetime
    state: HazardState = HazardState.OPEN
    rectification_note: str = ""
    evidence: tuple[Evidence, ...] = ()
    rectified_by: Actor | None = None
    rectified_at: datetime | None = None
    verification_note: str = ""
    verified_by: Actor | None = None
    verified_at: datetime | None = None
    # The deadline whose passing was announced (hazard.overdue), so the sweep announces it once.
    overdue_announced_for: date | None = None

    @classmethod
    def open(
        cls, inspection: Inspection, draft: HazardDraft, actor: Actor, today: date, now: datetime
    ) -> Hazard:
        """A hazard found in `inspection`; the deadline must not have passed already."""
        description = clean_text(draft.description)
        violations = [
            *text_violations("description", description, required=True, max_length=MAX_NOTE_LENGTH),
            *required_date("deadline", draft.deadline),
        ]
        if draft.severity is None:
            violations.append(FieldViolation("severity", "REQUIRED", "severity is required"))
        if draft.deadline is not None and draft.deadline < today:
            violations.append(FieldViolation("deadline", "IN_PAST", "deadline must not be in the past"))
        if violations or draft.severity is None or draft.deadline is None:
            raise ValidationFailed(violations)
        return cls(
            id=uuid.uuid4(),
            uscc=inspection.uscc,
            inspection_id=inspection.id,
            party=inspection.party,
            severity=draft.severity,
            description=description,
            deadline=draft.deadline,
            opened_by=actor,
            opened_at=now,
            created_at=now,
            updated_at=now,
        )

    def overdue(self, today: date) -> bool:
        """Open past its deadline."""
        return self.state is HazardState.OPEN and self.deadline < today

    def rectify(self, note: str, evidence: tuple[Evidence, ...], actor: Actor, now: datetime) -> None:
        """The unit reports it rectified, with evidence."""
        note = clean_text(note)
        cleaned, violations = clean_evidence(evidence)
        violations += text_violations("rectification_note", note, required=True, max_length=MAX_NOTE_LENGTH)
        if violations:
            raise ValidationFailed(violations)
        if self.state is not HazardState.OPEN:
            raise InvalidState(f"the hazard is {self.state.value}: only an open hazard is rectified")
        self.state = HazardState.RECTIFIED
        self.rectification_note, self.evidence = note, cleaned
        self.rectified_by, self.rectified_at = actor, now
        self.touch(now)

    def verify(
        self,
        accepted: bool,
        note: str,
        new_deadline: date | None,
        *,
        actor: Actor,
        today: date,
        now: datetime,
    ) -> None:
        """The inspecting party accepts the rectification (verified) or rejects it (open again)."""
        note = clean_text(note)
        violations = text_violations(
            "verification_note", note, required=not accepted, max_length=MAX_NOTE_LENGTH
        )
        if accepted and new_deadline is not None:
            violations.append(
                FieldViolation("new_deadline", "NOT_APPLICABLE", "a new deadline only goes with a rejection")
            )
        if new_deadline is not None and new_deadline < today:
            violations.append(
                FieldViolation("new_deadline", "IN_PAST", "new_deadline must not be in the past")
            )
        if violations:
            raise ValidationFailed(violations)
        if self.state is not HazardState.RECTIFIED:
            raise InvalidState(f"the hazard is {self.state.value}: only a rectified hazard is verified")
        self.verification_note, self.verified_by, self.verified_at = note, actor, now
        if accepted:
            self.state = HazardState.VERIFIED
        else:
            self.state = HazardState.OPEN
            if new_deadline is not None:
                self.deadline = new_deadline
        self.touch(now)

    def announce_overdue(self, today: date) -> bool:
        """Mark the passing of the current deadline announced; False if not overdue or announced already."""
        if not self.overdue(today) or self.overdue_announced_for == self.deadline:
            return False
        self.overdue_announced_for = self.deadline
        return True
