"""Facts in, score out.

An event's facts are applied in the consumer's transaction together with a durable mark that the unit
needs rescoring; after each batch the consumer rescores the marked units (their score, grade change and
events committed with the mark's removal). A batch of events about one unit costs one rescoring, and a
crash between the two transactions leaves the mark, so the rescoring happens at the next start.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from safe_unit_scoring.domain.assessments import ReviewedPoints, SelfAssessment, reviewed_points
from safe_unit_scoring.domain.events import DomainEvent, GradeChanged, ScoreChanged, UnitScope
from safe_unit_scoring.domain.facts import FactItem, ItemKind
from safe_unit_scoring.domain.grading import GradeDecision, PeriodGrade, decide
from safe_unit_scoring.domain.indicators import Grade, IndicatorModel
from safe_unit_scoring.domain.periods import Period, china_day
from safe_unit_scoring.domain.scoring import Score, review_reason, score


@dataclass(frozen=True, slots=True)
class ItemChange:
    """New attributes of one item (merged over what was known of it)."""

    kind: ItemKind
    item_id: str
    attributes: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What one event says about a unit: its scope keys, flags, and changed items."""

    event_id: str
    unit: UnitScope
    items: tuple[ItemChange, ...] = ()
    # key_unit / closed / name when the event states them.
    flags: Mapping[str, Any] = field(default_factory=dict)
    # False when the event changes nothing a score reads (a false or test alarm): nothing is written.
    relevant: bool = True


@dataclass(frozen=True, slots=True)
class StoredScore:
    """A period's stored total and grade."""

    total: Decimal
    grade: Grade


class FactStore(abc.ABC):
    """The unit's facts and scores inside one transaction (the consumer's)."""

    @abc.abstractmethod
    def save_unit(self, unit: UnitScope, flags: Mapping[str, Any]) -> None:
        """Record the unit's scope keys and flags (its name and sectors kept when not given)."""

    @abc.abstractmethod
    def unit(self, uscc: str) -> UnitScope:
        """The unit as known."""

    @abc.abstractmethod
    def mark_pending(self, uscc: str, event_id: str) -> None:
        """Mark the unit for rescoring because of the event."""

    @abc.abstractmethod
    def pending(self, limit: int) -> Sequence[tuple[str, tuple[str, ...]]]:
        """Up to `limit` marked units and the events that marked them, locked for this transaction."""

    @abc.abstractmethod
    def clear_pending(self, uscc: str) -> None:
        """Remove the unit's mark."""

    @abc.abstractmethod
    def merge_item(self, uscc: str, change: ItemChange, event_id: str) -> None:
        """Merge an item's new attributes and add the event to its evidence."""

    @abc.abstractmethod
    def items(self, uscc: str) -> Sequence[FactItem]:
        """Every item known of the unit."""

    @abc.abstractmethod
    def history(self, uscc: str) -> Sequence[PeriodGrade]:
        """The unit's stored periods, oldest first."""

    @abc.abstractmethod
    def stored(self, uscc: str, period: Period) -> StoredScore | None:
        """The period's stored score, if any."""

    @abc.abstractmethod
    def save_score(
        self, unit: UnitScope, period: Period, result: Score, decision: GradeDecision, at: datetime
    ) -> None:
        """Store (or replace) the period's score."""

    @abc.abstractmethod
    def reviews(self, uscc: str, period: Period) -> Sequence[SelfAssessment]:
        """The period's reviewed (adjusted) self-assessments, oldest review first."""

    @abc.abstractmethod
    def add_grade_change(self, change: GradeChanged) -> None:
        """Record a grade change."""

    @abc.abstractmethod
    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Write events to the outbox."""


def score_period(  # noqa: PLR0917 - what a period's score depends on, in one place
    model: IndicatorModel,
    items: Sequence[FactItem],
    reviewed: Mapping[str, ReviewedPoints],
    history: Sequence[PeriodGrade],
    period: Period,
    as_of: date,
) -> tuple[Score, GradeDecision]:
    """A period's score from the unit's items as of a day, a reviewer's points standing for the indicators
    they adjusted, and its grade decided against the earlier periods (the rescoring's and the recompute's
    one rule)."""
    result = score(model, items, as_of).reviewed(reviewed)
    decision = decide(model.grading, period, result.total, [v.veto for v in result.vetoes], history)
    return result, review_reason(decision, result.review_sources(reviewed))


@dataclass(frozen=True, slots=True)
class Rescored:
    """A rescoring's result."""

    period: Period
    score: Score
    decision: GradeDecision
    events: tuple[DomainEvent, ...]


class Rescoring:
    """The handler the consumer calls for every event with facts."""

    def __init__(
        self, model: IndicatorModel, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.model = model
        self._clock = clock

    def apply(self, store: FactStore, facts: UnitFacts) -> None:
        """Apply an event's facts and mark the unit for rescoring."""
        if not facts.relevant:
            return
        store.save_unit(facts.unit, facts.flags)
        for change in facts.items:
            store.merge_item(facts.unit.uscc, change, facts.event_id)
        store.mark_pending(facts.unit.uscc, facts.event_id)

    def rescore_pending(self, store: FactStore, limit: int) -> list[Rescored]:
        """Rescore up to `limit` marked units and clear their marks."""
        done = []
        for uscc, causes in store.pending(limit):
            done.append(self.rescore(store, store.unit(uscc), causes))
            store.clear_pending(uscc)
        return done

    def rescore(self, store: FactStore, unit: UnitScope, causes: tuple[str, ...]) -> Rescored:
        """Score the unit's current period from its items (a reviewer's points standing for the indicators
        they adjusted); store it; announce what changed."""
        now = self._clock()
        as_of = china_day(now)
        period = Period.of(as_of)
        result, decision = score_period(
            self.model,
            store.items(unit.uscc),
            reviewed_points(store.reviews(unit.uscc, period)),
            store.history(unit.uscc),
            period,
            as_of,
        )
        before = store.stored(unit.uscc, period)
        store.save_score(unit, period, result, decision, now)
        events: list[DomainEvent] = []
        if before is None or before.total != result.total or before.grade is not decision.grade:
            events.append(
                ScoreChanged(
                    unit,
                    str(period),
                    result.model_version,
                    result.total,
                    before.total if before else None,
                    decision.grade,
                    causes,
                    now,
                )
            )
        grade_before = before.grade if before else decision.previous
        if decision.grade is not grade_before:
            change = GradeChanged(
                unit, str(period), grade_before, decision.grade, decision.reason, result.total, causes, now
            )
            store.add_grade_change(change)
            events.append(change)
        if events:
            store.publish(events)
        return Rescored(period, result, decision, tuple(events))
