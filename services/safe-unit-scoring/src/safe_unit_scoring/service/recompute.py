"""The full recompute: every open unit's score for one period under one model version.

Run for the month's rollover (every unit gets the new period's score, the 12-month windows move on) and,
when asked, to re-score past periods under a new model version (oldest period first, so each period's
grade sees the re-scored periods before it). The rules are the event-driven rescoring's, unit by unit;
what differs is the plumbing: units come in chunks, are scored by worker processes and written in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from safe_unit_scoring.domain.assessments import ReviewedPoints
from safe_unit_scoring.domain.events import GradeChanged, UnitScope
from safe_unit_scoring.domain.facts import FactItem
from safe_unit_scoring.domain.grading import GradeDecision, PeriodGrade
from safe_unit_scoring.domain.indicators import IndicatorModel
from safe_unit_scoring.domain.periods import Period
from safe_unit_scoring.domain.scoring import Score
from safe_unit_scoring.service.rescoring import StoredScore, score_period

# The cause a bulk recompute's grade changes name (there is no single event behind them).
RECOMPUTE_CAUSE = "recompute"


@dataclass(frozen=True, slots=True)
class UnitSnapshot:
    """What scoring one unit for a period reads: its items, earlier periods and the period's stored score."""

    unit: UnitScope
    items: tuple[FactItem, ...]
    history: tuple[PeriodGrade, ...]  # periods before the one recomputed, oldest first
    stored: StoredScore | None
    reviewed: Mapping[str, ReviewedPoints]  # a reviewer's points for the period, by indicator


@dataclass(frozen=True, slots=True)
class Recomputed:
    """One unit's new score for the period, its grade decision and the grade change it makes, if any."""

    unit: UnitScope
    score: Score
    decision: GradeDecision
    grade_change: GradeChanged | None


def as_of_for(period: Period, today: date) -> date:
    """The day a period is scored as of: today for the running month, the last day of a past one."""
    if Period.of(today) <= period:
        return today
    return date(period.next().year, period.next().month, 1) - timedelta(days=1)


def recompute_unit(
    model: IndicatorModel, snapshot: UnitSnapshot, period: Period, as_of: date, now: datetime
) -> Recomputed:
    """The unit's score for `period` as of `as_of`, graded against its history (as the rescoring does)."""
    result, decision = score_period(model, snapshot.items, snapshot.reviewed, snapshot.history, period, as_of)
    before = snapshot.stored.grade if snapshot.stored else decision.previous
    change = None
    if decision.grade is not before:
        change = GradeChanged(
            snapshot.unit,
            str(period),
            before,
            decision.grade,
            decision.reason,
            result.total,
            (RECOMPUTE_CAUSE,),
            now,
        )
    return Recomputed(snapshot.unit, result, decision, change)


@dataclass(frozen=True, slots=True)
class RecomputeReport:
    """What a recompute of one period did."""

    period: Period
    model_version: str
    as_of: date
    units: int
    written: int  # rows stored (a unit rescored by an event during the run keeps the newer score)
    grade_changes: int
    seconds: float
    merge_seconds: float  # of which storing the staged scores, grade changes and events
