"""联合创建: a unit's self-assessment of a period, indicator by indicator, and its review by police or the
sector's regulator (agree, or adjust indicators with reasons)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from safe_unit_scoring.domain.errors import Conflict, FieldViolation, ValidationFailed
from safe_unit_scoring.domain.indicators import IndicatorModel
from safe_unit_scoring.domain.periods import Period

MAX_NOTE = 2000
CENT = Decimal("0.01")


class AssessmentState(enum.StrEnum):
    """submitted → agreed | adjusted."""

    SUBMITTED = "submitted"
    AGREED = "agreed"
    ADJUSTED = "adjusted"


class Reminder(enum.StrEnum):
    """What the sweep announces about a review awaited: due soon, then overdue (each once)."""

    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class ReviewDeadline:
    """A review is due `review_days` after submission; a reminder goes out `remind_days` before."""

    review_days: int = 15
    remind_days: int = 3

    def due_at(self, submitted_at: datetime) -> datetime:
        """When a review of an assessment submitted at `submitted_at` is due."""
        return submitted_at + timedelta(days=self.review_days)

    def remind_from(self, due_at: datetime) -> datetime:
        """When the due-soon reminder goes out."""
        return due_at - timedelta(days=self.remind_days)

    def due_soon_until(self, now: datetime) -> datetime:
        """Reviews due up to this moment are due soon at `now`."""
        return now + timedelta(days=self.remind_days)


class ReviewDecision(enum.StrEnum):
    """What the reviewer decided."""

    AGREE = "agree"
    ADJUST = "adjust"


@dataclass(frozen=True, slots=True)
class Claim:
    """Points for one indicator: claimed by the unit, or set by a reviewer (the note is then the reason)."""

    indicator: str
    points: Decimal
    note: str = ""


@dataclass(frozen=True, slots=True)
class SelfAssessment:
    """A submitted self-assessment and, once reviewed, its review."""

    id: uuid.UUID
    uscc: str
    period: str
    model_version: str
    items: tuple[Claim, ...]
    claimed_total: Decimal
    computed_total: Decimal | None
    note: str
    state: AssessmentState
    submitted_by: str
    submitted_at: datetime
    review_due_at: datetime
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    adjustments: tuple[Claim, ...] = ()
    reviewed_total: Decimal | None = None
    review_note: str = ""
    # When the sweep announced the review due soon and overdue (None: not yet).
    due_soon_reminded_at: datetime | None = None
    overdue_reminded_at: datetime | None = None

    def overdue(self, now: datetime) -> bool:
        """Whether it still awaits review after its due time."""
        return self.state is AssessmentState.SUBMITTED and now > self.review_due_at

    def reminder(self, deadline: ReviewDeadline, now: datetime) -> Reminder | None:
        """The reminder due now, if any: overdue once past due, else due soon once within the notice."""
        if self.state is not AssessmentState.SUBMITTED:
            return None
        if self.overdue(now):
            return None if self.overdue_reminded_at else Reminder.OVERDUE
        if self.due_soon_reminded_at is None and now >= deadline.remind_from(self.review_due_at):
            return Reminder.DUE_SOON
        return None

    def reminded(self, reminder: Reminder, at: datetime) -> SelfAssessment:
        """The assessment with the reminder marked sent (overdue also stands for the due-soon one)."""
        if reminder is Reminder.OVERDUE:
            return replace(self, overdue_reminded_at=at, due_soon_reminded_at=self.due_soon_reminded_at or at)
        return replace(self, due_soon_reminded_at=at)

    def reviewed_points(self) -> dict[str, Claim]:
        """The points a reviewer set (the period's points for those indicators), by indicator."""
        if self.state is not AssessmentState.ADJUSTED:
            return {}
        return {a.indicator: a for a in self.adjustments}

    @classmethod
    def submit(
        cls,
        model: IndicatorModel,
        *,
        uscc: str,
        period: str,
        items: Sequence[Claim],
        note: str,
        by: str,
        at: datetime,
        current: Period,
        computed_total: Decimal | None,
        deadline: ReviewDeadline | None = None,
    ) -> SelfAssessment:
        """A new self-assessment; ValidationFailed naming every bad field."""
        violations = _claims("items", model, items, need_reason=False)
        try:
            if Period.parse(period) > current:
                violations.append(FieldViolation("period", "must not be in the future"))
        except ValueError:
            violations.append(FieldViolation("period", "a period is YYYY-MM"))
        given = {c.indicator for c in items}
        missing = sorted(i.id for f in model.families for i in f.indicators if i.id not in given)
        if missing:
            violations.append(
                FieldViolation("items", f"every indicator needs points; missing: {', '.join(missing)}")
            )
        if len(note) > MAX_NOTE:
            violations.append(FieldViolation("note", f"at most {MAX_NOTE} characters"))
        if violations:
            raise ValidationFailed(violations)
        claims = tuple(replace(c, points=c.points.quantize(CENT)) for c in items)
        return cls(
            id=uuid.uuid4(),
            uscc=uscc,
            period=period,
            model_version=model.version,
            items=claims,
            claimed_total=sum((c.points for c in claims), Decimal(0)),
            computed_total=computed_total,
            note=note,
            state=AssessmentState.SUBMITTED,
            submitted_by=by,
            submitted_at=at,
            review_due_at=(deadline or ReviewDeadline()).due_at(at),
        )

    def review(
        self,
        model: IndicatorModel,
        decision: ReviewDecision | None,
        adjustments: Sequence[Claim],
        note: str,
        *,
        by: str,
        at: datetime,
    ) -> SelfAssessment:
        """The reviewed assessment; Conflict if it was reviewed already, ValidationFailed on bad input."""
        violations: list[FieldViolation] = []
        if decision is None:
            violations.append(FieldViolation("decision", "agree or adjust"))
        elif decision is ReviewDecision.AGREE and adjustments:
            violations.append(FieldViolation("adjustments", "only with the decision to adjust"))
        elif decision is ReviewDecision.ADJUST and not adjustments:
            violations.append(FieldViolation("adjustments", "at least one adjustment, with its reason"))
        violations += _claims("adjustments", model, adjustments, need_reason=True)
        if len(note) > MAX_NOTE:
            violations.append(FieldViolation("note", f"at most {MAX_NOTE} characters"))
        if violations:
            raise ValidationFailed(violations)
        if self.state is not AssessmentState.SUBMITTED:
            raise Conflict(f"self-assessment {self.id} was reviewed already ({self.state.value})")
        changed = {a.indicator: a.points.quantize(CENT) for a in adjustments}
        total = sum((changed.get(c.indicator, c.points) for c in self.items), Decimal(0))
        return replace(
            self,
            state=AssessmentState.AGREED if decision is ReviewDecision.AGREE else AssessmentState.ADJUSTED,
            reviewed_by=by,
            reviewed_at=at,
            adjustments=tuple(replace(a, points=a.points.quantize(CENT)) for a in adjustments),
            reviewed_total=total,
            review_note=note,
        )


def _claims(
    field: str, model: IndicatorModel, claims: Sequence[Claim], *, need_reason: bool
) -> list[FieldViolation]:
    weights = {i.id: i.points for f in model.families for i in f.indicators}
    violations = []
    seen: set[str] = set()
    for index, claim in enumerate(claims):
        where = f"{field}[{index}]"
        weight = weights.get(claim.indicator)
        if weight is None:
            violations.append(
                FieldViolation(f"{where}.indicator", f"not an indicator of model {model.version}")
            )
        elif claim.indicator in seen:
            violations.append(FieldViolation(f"{where}.indicator", "given twice"))
        else:
            try:
                if not Decimal(0) <= claim.points <= weight:
                    violations.append(FieldViolation(f"{where}.points", f"between 0 and {weight}"))
            except InvalidOperation:
                violations.append(FieldViolation(f"{where}.points", "a number"))
        seen.add(claim.indicator)
        if need_reason and not claim.note.strip():
            violations.append(FieldViolation(f"{where}.reason", "an adjustment needs its reason"))
        if len(claim.note) > MAX_NOTE:
            violations.append(FieldViolation(f"{where}.note", f"at most {MAX_NOTE} characters"))
    return violations


@dataclass(frozen=True, slots=True)
class ReviewedPoints:
    """A reviewer's points for one indicator of a period, and the review they came from."""

    indicator: str
    points: Decimal
    reason: str
    assessment_id: uuid.UUID
    reviewed_by: str


def reviewed_points(reviews: Sequence[SelfAssessment]) -> dict[str, ReviewedPoints]:
    """The period's reviewed points by indicator from its reviews (oldest first: a later review wins)."""
    found: dict[str, ReviewedPoints] = {}
    for review in reviews:
        for indicator, claim in review.reviewed_points().items():
            found[indicator] = ReviewedPoints(
                indicator, claim.points, claim.note, review.id, review.reviewed_by
            )
    return found
