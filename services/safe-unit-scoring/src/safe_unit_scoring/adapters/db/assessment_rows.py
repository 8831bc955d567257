"""Self-assessment rows ↔ the domain's, shared by the async store and the consumer's fact store."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select

from safe_unit_scoring.adapters.db.tables import SelfAssessmentRow
from safe_unit_scoring.domain.assessments import AssessmentState, Claim, SelfAssessment


def claims_json(claims: tuple[Claim, ...]) -> list[dict[str, Any]]:
    """Claims as the JSONB column keeps them."""
    return [{"indicator": c.indicator, "points": str(c.points), "note": c.note} for c in claims]


def _claims(items: list[dict[str, Any]]) -> tuple[Claim, ...]:
    return tuple(Claim(i["indicator"], Decimal(i["points"]), i["note"]) for i in items)


def row_values(a: SelfAssessment) -> dict[str, Any]:
    """The row's columns (but its id) of an assessment."""
    return {
        "uscc": a.uscc,
        "period": a.period,
        "model_version": a.model_version,
        "items": claims_json(a.items),
        "claimed_total": a.claimed_total,
        "computed_total": a.computed_total,
        "note": a.note,
        "state": a.state.value,
        "submitted_by": a.submitted_by,
        "submitted_at": a.submitted_at,
        "review_due_at": a.review_due_at,
        "reviewed_by": a.reviewed_by,
        "reviewed_at": a.reviewed_at,
        "adjustments": claims_json(a.adjustments),
        "reviewed_total": a.reviewed_total,
        "review_note": a.review_note,
        "due_soon_reminded_at": a.due_soon_reminded_at,
        "overdue_reminded_at": a.overdue_reminded_at,
    }


def assessment_of(row: SelfAssessmentRow) -> SelfAssessment:
    """The domain's assessment of a row."""
    return SelfAssessment(
        id=row.id,
        uscc=row.uscc,
        period=row.period,
        model_version=row.model_version,
        items=_claims(row.items),
        claimed_total=row.claimed_total,
        computed_total=row.computed_total,
        note=row.note,
        state=AssessmentState(row.state),
        submitted_by=row.submitted_by,
        submitted_at=row.submitted_at,
        review_due_at=row.review_due_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        adjustments=_claims(row.adjustments),
        reviewed_total=row.reviewed_total,
        review_note=row.review_note,
        due_soon_reminded_at=row.due_soon_reminded_at,
        overdue_reminded_at=row.overdue_reminded_at,
    )


def reviews_query(uscc: str, period: str) -> Select[SelfAssessmentRow]:
    """A period's adjusted assessments, oldest review first (a later review's points win)."""
    return (
        select(SelfAssessmentRow)
        .where(
            SelfAssessmentRow.uscc == uscc,
            SelfAssessmentRow.period == period,
            SelfAssessmentRow.state == AssessmentState.ADJUSTED.value,
        )
        .order_by(SelfAssessmentRow.reviewed_at, SelfAssessmentRow.id)
    )
