"""动态升降 over a controllable sequence of periods: promotion after N periods, demotion, veto."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import pytest

from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.grading import GradeDecision, PeriodGrade, decide
from safe_unit_scoring.domain.indicators import Grade
from safe_unit_scoring.domain.periods import Period

GRADING = load_model().grading  # bands 90 / 80 / 0, promotion after 3 periods, first period at best standard
START = Period(2026, 1)


def run(totals: Sequence[int | tuple[int, str]], start: Period = START) -> list[GradeDecision]:
    """Grade a sequence of consecutive months; an entry (total, veto) carries a veto item."""
    history: list[PeriodGrade] = []
    decisions: list[GradeDecision] = []
    period = start
    for entry in totals:
        total, vetoes = (entry, ()) if isinstance(entry, int) else (entry[0], (entry[1],))
        decision = decide(GRADING, period, Decimal(total), vetoes, history)
        decisions.append(decision)
        history.append(PeriodGrade(period, decision.band, decision.grade))
        period = period.next()
    return decisions


def grades(decisions: Sequence[GradeDecision]) -> list[str]:
    return [d.grade.value for d in decisions]


def test_a_first_period_is_capped_at_standard() -> None:
    (first,) = run([95])
    assert (first.band, first.grade, first.previous) == (Grade.EXEMPLARY, Grade.STANDARD, None)
    assert first.changed


def test_promotion_only_after_three_consecutive_periods_in_the_band() -> None:
    decisions = run([85, 92, 93, 94, 95])
    assert grades(decisions) == ["standard", "standard", "standard", "exemplary", "exemplary"]
    assert decisions[2].reason == "held at standard: 2 of 3 consecutive periods in a better band"
    assert decisions[3].reason == "promoted: 3 consecutive periods at exemplary or better"
    assert [d.changed for d in decisions] == [True, False, False, True, False]


def test_a_dip_restarts_the_count() -> None:
    assert grades(run([85, 92, 93, 89, 92, 93, 94])) == [
        "standard",
        "standard",
        "standard",
        "standard",
        "standard",
        "standard",
        "exemplary",
    ]


def test_a_missing_month_breaks_the_streak() -> None:
    history = [
        PeriodGrade(Period(2026, 1), Grade.EXEMPLARY, Grade.STANDARD),
        PeriodGrade(Period(2026, 2), Grade.EXEMPLARY, Grade.STANDARD),
    ]
    decision = decide(GRADING, Period(2026, 4), Decimal(95), (), history)
    assert decision.grade is Grade.STANDARD


def test_a_total_below_the_band_demotes_at_once() -> None:
    decisions = run([85, 92, 93, 94, 79])
    assert grades(decisions)[-2:] == ["exemplary", "rectification"]
    assert decisions[-1].reason == "demoted: total 79 is below the exemplary band"


def test_rising_from_rectification_needs_three_periods_at_standard() -> None:
    assert grades(run([70, 85, 86, 87])) == ["rectification", "rectification", "rectification", "standard"]


def test_two_bands_up_goes_as_far_as_the_streak_allows() -> None:
    # Three months at 90+ after a rectification grade reach exemplary directly.
    assert grades(run([70, 95, 95, 95])) == ["rectification", "rectification", "rectification", "exemplary"]


def test_a_veto_demotes_at_once_whatever_the_total() -> None:
    decisions = run([85, 92, 93, 94, (99, "major_incident")])
    last = decisions[-1]
    assert (last.band, last.grade, last.previous) == (Grade.EXEMPLARY, Grade.RECTIFICATION, Grade.EXEMPLARY)
    assert last.reason == "veto: major_incident"


def test_the_same_period_recomputed_compares_with_the_period_before() -> None:
    history = [PeriodGrade(Period(2026, 1), Grade.STANDARD, Grade.STANDARD)]
    again = [*history, PeriodGrade(Period(2026, 2), Grade.STANDARD, Grade.STANDARD)]
    # Re-deciding February with February already stored ignores the stored February.
    decision = decide(GRADING, Period(2026, 2), Decimal(70), (), again)
    assert (decision.previous, decision.grade) == (Grade.STANDARD, Grade.RECTIFICATION)


@pytest.mark.parametrize(("text", "period"), [("2026-01", Period(2026, 1)), ("1999-12", Period(1999, 12))])
def test_periods_parse(text: str, period: Period) -> None:
    assert Period.parse(text) == period
    assert str(period) == text


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-01", "2026-00", ""])
def test_malformed_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a period"):
        Period.parse(text)


def test_year_boundaries() -> None:
    assert Period(2026, 1).previous() == Period(2025, 12)
    assert Period(2025, 12).next() == Period(2026, 1)
