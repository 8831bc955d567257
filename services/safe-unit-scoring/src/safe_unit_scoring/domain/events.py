"""What the scoring announces: a unit's score or grade changed; a self-assessment was submitted, reviewed,
or its review falls due soon or is overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from safe_unit_scoring.domain.indicators import Grade


@dataclass(frozen=True, slots=True)
class UnitScope:
    """A unit's identity and scope keys as the events carry them."""

    uscc: str
    jurisdiction: str
    sector: str = ""
    sectors: tuple[str, ...] = ()
    name: str = ""


@dataclass(frozen=True, slots=True)
class ScoreChanged:
    """A unit's score for a period changed (or was first computed)."""

    unit: UnitScope
    period: str
    model_version: str
    total: Decimal
    previous_total: Decimal | None
    grade: Grade
    cause_event_ids: tuple[str, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class GradeChanged:
    """A unit's grade changed, and why."""

    unit: UnitScope
    period: str
    from_grade: Grade | None
    to_grade: Grade
    reason: str
    total: Decimal
    cause_event_ids: tuple[str, ...]
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class SelfAssessmentSubmitted:
    """A unit submitted a self-assessment; its review is due at `review_due_at`."""

    unit: UnitScope
    assessment_id: str
    period: str
    claimed_total: Decimal
    review_due_at: datetime
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class SelfAssessmentReviewed:
    """Police or the sector's regulator reviewed a self-assessment (state agreed or adjusted)."""

    unit: UnitScope
    assessment_id: str
    period: str
    state: str
    claimed_total: Decimal
    reviewed_total: Decimal
    reviewed_by: str
    late: bool
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewReminder:
    """A review awaited falls due soon (`overdue` False) or is past due (True)."""

    unit: UnitScope
    assessment_id: str
    period: str
    overdue: bool
    submitted_at: datetime
    review_due_at: datetime
    occurred_at: datetime


DomainEvent = ScoreChanged | GradeChanged | SelfAssessmentSubmitted | SelfAssessmentReviewed | ReviewReminder
