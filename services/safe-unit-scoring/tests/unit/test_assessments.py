"""联合创建 rules: a self-assessment needs every indicator within its weight; a review agrees or adjusts
with reasons, once."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.assessments import AssessmentState, Claim, ReviewDecision, SelfAssessment
from safe_unit_scoring.domain.errors import Conflict, ValidationFailed
from safe_unit_scoring.domain.periods import Period

MODEL = load_model()
NOW = datetime(2026, 11, 25, 4, tzinfo=UTC)
FULL = [Claim(i.id, i.points) for f in MODEL.families for i in f.indicators]


def submit(items: list[Claim] = FULL, period: str = "2026-11") -> SelfAssessment:
    return SelfAssessment.submit(
        MODEL,
        uscc="91210102MA0TC0001D",
        period=period,
        items=items,
        note="自评",
        by="sub-1",
        at=NOW,
        current=Period(2026, 11),
        computed_total=Decimal("91.00"),
    )


def fields(error: pytest.ExceptionInfo[ValidationFailed]) -> list[str]:
    return [v.field for v in error.value.violations]


def test_a_full_sheet_is_submitted_with_its_total() -> None:
    assessment = submit()
    assert (assessment.state, assessment.claimed_total, assessment.model_version) == (
        AssessmentState.SUBMITTED,
        Decimal(100),
        "2026.1",
    )


def test_every_bad_field_is_named() -> None:
    items = [*FULL[1:], Claim("drills", Decimal(16)), Claim("moon", Decimal(1))]
    with pytest.raises(ValidationFailed) as caught:
        submit(items, period="2026-12")
    assert fields(caught) == [
        "items[8].indicator",
        "items[9].indicator",
        "period",
        "items",
    ]
    assert "filing_accepted" in str(caught.value)


def test_points_above_the_weight_are_refused() -> None:
    items = [Claim(c.indicator, c.points + 1) if c.indicator == "drills" else c for c in FULL]
    with pytest.raises(ValidationFailed) as caught:
        submit(items)
    assert fields(caught) == ["items[2].points"]


def test_an_agreement_keeps_the_claimed_total() -> None:
    reviewed = submit().review(MODEL, ReviewDecision.AGREE, [], "同意", by="police-1", at=NOW)
    assert (reviewed.state, reviewed.reviewed_total, reviewed.reviewed_by) == (
        AssessmentState.AGREED,
        Decimal(100),
        "police-1",
    )


def test_an_adjustment_changes_the_total_and_keeps_its_reason() -> None:
    adjustment = Claim("drills", Decimal("7.5"), "仅一次演练有记录")
    reviewed = submit().review(MODEL, ReviewDecision.ADJUST, [adjustment], "", by="police-1", at=NOW)
    assert reviewed.state is AssessmentState.ADJUSTED
    assert reviewed.reviewed_total == Decimal("92.50")
    assert reviewed.adjustments[0].note == "仅一次演练有记录"


@pytest.mark.parametrize(
    ("decision", "adjustments", "expected"),
    [
        (None, [], ["decision"]),
        (ReviewDecision.AGREE, [Claim("drills", Decimal(1), "x")], ["adjustments"]),
        (ReviewDecision.ADJUST, [], ["adjustments"]),
        (ReviewDecision.ADJUST, [Claim("drills", Decimal(1), " ")], ["adjustments[0].reason"]),
    ],
)
def test_bad_reviews_name_their_fields(
    decision: ReviewDecision | None, adjustments: list[Claim], expected: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        submit().review(MODEL, decision, adjustments, "", by="police-1", at=NOW)
    assert fields(caught) == expected


def test_a_review_happens_once() -> None:
    reviewed = submit().review(MODEL, ReviewDecision.AGREE, [], "", by="police-1", at=NOW)
    with pytest.raises(Conflict):
        reviewed.review(MODEL, ReviewDecision.AGREE, [], "", by="police-2", at=NOW)
