"""动态升降: a period's grade from its score band, the unit's history and veto items.

- A veto item demotes to the lowest grade at once, whatever the total.
- A total below the current grade's band demotes to the band it falls in, at once.
- A unit rises to a better grade only when this period and the `promotion_periods - 1` months right
  before it were all at that band or better; until then it keeps its grade.
- A unit's first period gives at best `initial_ceiling`.
Every decision carries its reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from safe_unit_scoring.domain.indicators import Grade, Grading
from safe_unit_scoring.domain.periods import Period


@dataclass(frozen=True, slots=True)
class PeriodGrade:
    """What an earlier period ended with: the band its total fell in and the grade the unit had."""

    period: Period
    band: Grade
    grade: Grade


@dataclass(frozen=True, slots=True)
class GradeDecision:
    """A period's grade, the band its total fell in, the grade before and why."""

    period: Period
    band: Grade
    grade: Grade
    previous: Grade | None
    reason: str

    @property
    def changed(self) -> bool:
        """Whether the grade differs from the one before (a first grade counts as a change)."""
        return self.grade is not self.previous


def _worse(a: Grade, b: Grade) -> Grade:
    return a if Grading.rank(a) >= Grading.rank(b) else b


def _streak(
    grading: Grading, target: Grade, band: Grade, period: Period, history: Sequence[PeriodGrade]
) -> int:
    """Consecutive months up to `period` whose band was `target` or better."""
    if Grading.rank(band) > Grading.rank(target):
        return 0
    count, expected = 1, period.previous()
    for earlier in reversed(history):
        if earlier.period != expected or Grading.rank(earlier.band) > Grading.rank(target):
            break
        count += 1
        expected = expected.previous()
        if count >= grading.promotion_periods:
            break
    return count


def decide(
    grading: Grading,
    period: Period,
    total: Decimal,
    vetoes: Sequence[str],
    history: Sequence[PeriodGrade],
) -> GradeDecision:
    """The grade of `period` given its total, the veto items that apply and earlier periods (oldest first)."""
    band = grading.band_of(total)
    earlier = [h for h in history if h.period < period]
    previous = earlier[-1].grade if earlier else None
    lowest = list(Grade)[-1]
    if vetoes:
        return GradeDecision(period, band, lowest, previous, f"veto: {', '.join(vetoes)}")
    if previous is None:
        grade = _worse(band, grading.initial_ceiling)
        capped = " (first period: at best " + grading.initial_ceiling.value + ")" if grade is not band else ""
        return GradeDecision(
            period, band, grade, None, f"first period: total {total} in the {band.value} band{capped}"
        )
    if Grading.rank(band) > Grading.rank(previous):
        return GradeDecision(
            period, band, band, previous, f"demoted: total {total} is below the {previous.value} band"
        )
    if band is previous:
        return GradeDecision(period, band, previous, previous, f"total {total} in the {band.value} band")
    # The band is better than the grade: rise to the best grade sustained long enough.
    for target in list(Grade)[: Grading.rank(previous)]:
        streak = _streak(grading, target, band, period, earlier)
        if streak >= grading.promotion_periods:
            return GradeDecision(
                period,
                band,
                target,
                previous,
                f"promoted: {streak} consecutive periods at {target.value} or better",
            )
    streak = _streak(grading, list(Grade)[Grading.rank(previous) - 1], band, period, earlier)
    return GradeDecision(
        period,
        band,
        previous,
        previous,
        f"held at {previous.value}: {streak} of {grading.promotion_periods} "
        "consecutive periods in a better band",
    )
