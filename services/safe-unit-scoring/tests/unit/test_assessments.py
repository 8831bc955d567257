"""联合创建 rules: a self-assessment needs every indicator within its weight; a review agrees or adjusts
with reasons, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.assessments import (
    AssessmentState,
    Claim,
    Reminder,
    ReviewDeadline,
    ReviewDecision,
    SelfAssessment,
    reviewed_points,
)
from safe_unit_scoring.domain.errors import Conflict, ValidationFailed
from safe_unit_scoring.domain.grading import decide
from safe_unit_scoring.domain.indicators import Grade
from safe_unit_scoring.domain.periods import Period
from safe_unit_scoring.domain.scoring import IndicatorScore, Score, review_reason

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


# --- deadlines and reminders ----------------------------------------------------------------------------

DEADLINE = ReviewDeadline(review_days=15, remind_days=3)


def test_a_review_is_due_the_set_number_of_days_after_submission() -> None:
    assert submit().review_due_at == NOW + timedelta(days=15)
    other = SelfAssessment.submit(
        MODEL,
        uscc="91210102MA0TC0001D",
        period="2026-11",
        items=FULL,
        note="",
        by="sub-1",
        at=NOW,
        current=Period(2026, 11),
        computed_total=None,
        deadline=ReviewDeadline(review_days=5),
    )
    assert other.review_due_at == NOW + timedelta(days=5)


def test_reminders_go_out_once_each_due_soon_then_overdue() -> None:
    assessment = submit()
    due = assessment.review_due_at
    assert assessment.reminder(DEADLINE, due - timedelta(days=3, seconds=1)) is None
    assert assessment.reminder(DEADLINE, due - timedelta(days=3)) is Reminder.DUE_SOON
    reminded = assessment.reminded(Reminder.DUE_SOON, due - timedelta(days=2))
    assert reminded.reminder(DEADLINE, due - timedelta(days=1)) is None
    assert reminded.reminder(DEADLINE, due) is None  # due, not yet past due
    assert not reminded.overdue(due)
    late = due + timedelta(seconds=1)
    assert reminded.overdue(late)
    assert reminded.reminder(DEADLINE, late) is Reminder.OVERDUE
    done = reminded.reminded(Reminder.OVERDUE, late)
    assert done.reminder(DEADLINE, late + timedelta(days=30)) is None


def test_a_sweep_that_wakes_past_due_sends_only_the_overdue_reminder() -> None:
    assessment = submit()
    late = assessment.review_due_at + timedelta(days=2)
    assert assessment.reminder(DEADLINE, late) is Reminder.OVERDUE
    done = assessment.reminded(Reminder.OVERDUE, late)
    assert (done.due_soon_reminded_at, done.overdue_reminded_at) == (late, late)
    assert done.reminder(DEADLINE, late) is None


def test_a_reviewed_assessment_is_neither_reminded_nor_overdue() -> None:
    reviewed = submit().review(MODEL, ReviewDecision.AGREE, [], "", by="police-1", at=NOW)
    late = reviewed.review_due_at + timedelta(days=1)
    assert reviewed.reminder(DEADLINE, late) is None
    assert not reviewed.overdue(late)


# --- a review's points in the period's score and grade ----------------------------------------------------


def _score(points: dict[str, Decimal]) -> Score:
    indicators = tuple(
        IndicatorScore(f.id, i.id, i.name, i.points, points.get(i.id, i.points), "presence", {}, "computed")
        for f in MODEL.families
        for i in f.indicators
    )
    return Score(
        MODEL.version, date(2026, 11, 25), sum((x.points for x in indicators), Decimal(0)), indicators, ()
    )


def _adjusted(*adjustments: Claim) -> SelfAssessment:
    return submit().review(MODEL, ReviewDecision.ADJUST, list(adjustments), "", by="police-1", at=NOW)


def test_only_an_adjusting_review_sets_points() -> None:
    agreed = submit().review(MODEL, ReviewDecision.AGREE, [], "", by="police-1", at=NOW)
    assert reviewed_points([agreed]) == {}
    first = _adjusted(Claim("drills", Decimal(5), "演练不足"), Claim("trainings", Decimal(4), "培训不足"))
    second = _adjusted(Claim("drills", Decimal(10), "补充演练记录"))
    points = reviewed_points([first, second])
    assert {k: (v.points, v.assessment_id) for k, v in points.items()} == {
        "drills": (Decimal(10), second.id),  # the later review wins
        "trainings": (Decimal(4), first.id),
    }


def test_reviewed_points_replace_the_computed_ones_and_the_total() -> None:
    review = _adjusted(Claim("drills", Decimal(0), "演练记录不实"))
    computed = _score({})
    result = computed.reviewed(reviewed_points([review]))
    drills = result.indicator("drills")
    assert (drills.points, drills.computed) == (Decimal("0.00"), (Decimal(15), "computed"))
    assert str(review.id) in drills.explanation
    assert "演练记录不实" in drills.explanation
    assert result.total == computed.total - 15
    assert result.review_sources(reviewed_points([review])) == (str(review.id),)
    # Reviewed again (a stored score): the computation stays the facts' one.
    again = result.reviewed(reviewed_points([_adjusted(Claim("drills", Decimal(12), "已补"))]))
    assert again.indicator("drills").computed == (Decimal(15), "computed")
    assert again.total == computed.total - 3


def test_a_review_that_lowers_the_total_below_the_band_demotes_at_once_naming_it() -> None:
    review = _adjusted(Claim("drills", Decimal(0), "无演练"), Claim("devices_online", Decimal(0), "设备离线"))
    result = _score({}).reviewed(reviewed_points([review]))
    decision = decide(MODEL.grading, Period(2026, 11), result.total, [], [])
    assert decision.grade is Grade.RECTIFICATION  # 100 − 15 − 15 = 70
    named = review_reason(decision, result.review_sources(reviewed_points([review])))
    assert named.grade is decision.grade
    assert str(review.id) in named.reason
    assert named.reason.startswith(decision.reason)
    assert review_reason(decision, ()) is decision
