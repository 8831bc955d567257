"""The facts and scores in PostgreSQL inside the consumer's transaction (sync session)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Text, delete, func, select, type_coerce, update
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import Grouping

from neibao_messaging import Outbox
from safe_unit_scoring.adapters.db.assessment_rows import assessment_of, reviews_query
from safe_unit_scoring.adapters.db.tables import (
    FactItemRow,
    GradeChangeRow,
    RescorePendingRow,
    ScoreRow,
    UnitRow,
)
from safe_unit_scoring.adapters.events import cloud_event
from safe_unit_scoring.adapters.explanation import explanation_json
from safe_unit_scoring.domain.assessments import SelfAssessment
from safe_unit_scoring.domain.events import DomainEvent, GradeChanged, UnitScope
from safe_unit_scoring.domain.facts import FactItem, ItemKind
from safe_unit_scoring.domain.grading import GradeDecision, PeriodGrade
from safe_unit_scoring.domain.indicators import Grade
from safe_unit_scoring.domain.periods import Period
from safe_unit_scoring.domain.scoring import Score
from safe_unit_scoring.service.rescoring import FactStore, ItemChange, StoredScore


def upsert_score(
    unit: UnitScope, period: Period, result: Score, decision: GradeDecision, at: datetime
) -> Insert:
    """The statement that inserts or replaces a period's score."""
    values: dict[str, Any] = {
        "model_version": result.model_version,
        "as_of": result.as_of,
        "total": result.total,
        "band": decision.band.value,
        "grade": decision.grade.value,
        "grade_reason": decision.reason,
        "explanation": explanation_json(result),
        "unit_name": unit.name,
        "jurisdiction": unit.jurisdiction,
        "sector": unit.sector,
        "sectors": list(unit.sectors),
        "computed_at": at,
    }
    statement = insert(ScoreRow).values(uscc=unit.uscc, period=str(period), **values)
    return statement.on_conflict_do_update(index_elements=[ScoreRow.uscc, ScoreRow.period], set_=values)


def grade_change_row(change: GradeChanged) -> GradeChangeRow:
    """The row recording a grade change."""
    return GradeChangeRow(
        uscc=change.unit.uscc,
        period=change.period,
        from_grade=change.from_grade.value if change.from_grade else None,
        to_grade=change.to_grade.value,
        reason=change.reason,
        total=change.total,
        cause_event_ids=list(change.cause_event_ids),
        changed_at=change.occurred_at,
    )


def mark_pending_statement(uscc: str, event_id: str) -> Insert:
    """The upsert of a unit's rescoring mark (keeping the latest MAX_EVENT_IDS causes)."""
    return (
        insert(RescorePendingRow)
        .values(uscc=uscc, cause_event_ids=[event_id])
        .on_conflict_do_update(
            index_elements=[RescorePendingRow.uscc],
            set_={"cause_event_ids": _latest(RescorePendingRow.cause_event_ids, event_id)},
        )
    )


# An item keeps the ids of its latest events as evidence (a device's status flaps often).
MAX_EVENT_IDS = 20


def _latest(column: Any, event_id: str) -> Any:
    """The array with the event id appended, keeping its last MAX_EVENT_IDS elements."""
    appended = func.array_append(column, event_id)
    start = func.greatest(func.cardinality(appended) - MAX_EVENT_IDS + 1, 1)
    return type_coerce(Grouping(appended), ARRAY(Text))[start : func.cardinality(appended)]


class SqlFactStore(FactStore):
    """FactStore over one session; the caller (the idempotent consumer) commits.

    An event's unit and item upserts are staged and sent with its rescoring mark as one statement
    (data-modifying CTEs): one round trip per event instead of three, which is what bounds catching up.
    """

    def __init__(self, session: Session, topic: str) -> None:
        self._session = session
        self._topic = topic
        self._staged: list[Any] = []

    def _flush(self) -> None:
        """Send what is staged, if anything (reads see it)."""
        for statement in self._staged:
            self._session.execute(statement)
        self._staged.clear()

    def save_unit(self, unit: UnitScope, flags: Mapping[str, Any]) -> None:
        """Upsert the unit's scope keys (and name, key-unit and closed flags when given)."""
        values: dict[str, Any] = {"jurisdiction": unit.jurisdiction, "updated_at": func.now()}
        if unit.sector:
            values["sector"] = unit.sector
        if unit.sectors:  # only the registry's events list every sector
            values["sectors"] = list(unit.sectors)
        if unit.name:
            values["name"] = unit.name
        values.update(flags)
        first = {"sectors": list(unit.sectors) or ([unit.sector] if unit.sector else []), **values}
        statement = insert(UnitRow).values(uscc=unit.uscc, **first)
        self._staged.append(statement.on_conflict_do_update(index_elements=[UnitRow.uscc], set_=values))

    def unit(self, uscc: str) -> UnitScope:
        """The unit as known."""
        self._flush()
        row = self._session.execute(select(UnitRow).where(UnitRow.uscc == uscc)).scalar_one()
        return UnitScope(row.uscc, row.jurisdiction, row.sector, tuple(row.sectors), row.name)

    def mark_pending(self, uscc: str, event_id: str) -> None:
        """Mark the unit (keeping the latest MAX_EVENT_IDS causes), with the staged upserts."""
        statement = mark_pending_statement(uscc, event_id)
        staged, self._staged = self._staged, []
        if staged:
            statement = statement.add_cte(*(s.cte(f"staged_{n}") for n, s in enumerate(staged)))
        self._session.execute(statement)

    def pending(self, limit: int) -> Sequence[tuple[str, tuple[str, ...]]]:
        """The oldest marks, locked (another consumer replica skips them)."""
        self._flush()
        rows = self._session.execute(
            select(RescorePendingRow.uscc, RescorePendingRow.cause_event_ids)
            .order_by(RescorePendingRow.marked_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [(r.uscc, tuple(r.cause_event_ids)) for r in rows]

    def defer_first_pending(self) -> None:
        """Put the oldest mark at the back of the queue (its unit failed to rescore)."""
        oldest = (
            select(RescorePendingRow.uscc).order_by(RescorePendingRow.marked_at).limit(1).scalar_subquery()
        )
        self._session.execute(
            update(RescorePendingRow).where(RescorePendingRow.uscc == oldest).values(marked_at=func.now())
        )

    def clear_pending(self, uscc: str) -> None:
        """Remove the mark."""
        self._session.execute(delete(RescorePendingRow).where(RescorePendingRow.uscc == uscc))

    def merge_item(self, uscc: str, change: ItemChange, event_id: str) -> None:
        """Merge the attributes (JSONB ||) and append the event id, keeping the latest MAX_EVENT_IDS."""
        attributes = dict(change.attributes)
        statement = insert(FactItemRow).values(
            uscc=uscc,
            kind=change.kind.value,
            item_id=change.item_id,
            attributes=attributes,
            event_ids=[event_id],
        )
        self._staged.append(
            statement.on_conflict_do_update(
                index_elements=[FactItemRow.uscc, FactItemRow.kind, FactItemRow.item_id],
                set_={
                    "attributes": FactItemRow.attributes.op("||")(statement.excluded.attributes),
                    "event_ids": _latest(FactItemRow.event_ids, event_id),
                    "updated_at": func.now(),
                },
            )
        )

    def items(self, uscc: str) -> Sequence[FactItem]:
        """Every item of the unit, oldest change first."""
        self._flush()
        rows = self._session.execute(
            select(FactItemRow)
            .where(FactItemRow.uscc == uscc)
            .order_by(FactItemRow.updated_at, FactItemRow.item_id)
        ).scalars()
        return [FactItem(ItemKind(r.kind), r.item_id, r.attributes, tuple(r.event_ids)) for r in rows]

    def history(self, uscc: str) -> Sequence[PeriodGrade]:
        """The unit's stored periods, oldest first."""
        rows = self._session.execute(
            select(ScoreRow.period, ScoreRow.band, ScoreRow.grade)
            .where(ScoreRow.uscc == uscc)
            .order_by(ScoreRow.period)
        )
        return [PeriodGrade(Period.parse(r.period), Grade(r.band), Grade(r.grade)) for r in rows]

    def stored(self, uscc: str, period: Period) -> StoredScore | None:
        """The period's stored score (the unit's pending mark is locked: no one else rescores it now)."""
        row = self._session.execute(
            select(ScoreRow.total, ScoreRow.grade).where(
                ScoreRow.uscc == uscc, ScoreRow.period == str(period)
            )
        ).first()
        return StoredScore(row.total, Grade(row.grade)) if row else None

    def save_score(
        self, unit: UnitScope, period: Period, result: Score, decision: GradeDecision, at: datetime
    ) -> None:
        """Insert or replace the period's score."""
        self._session.execute(upsert_score(unit, period, result, decision, at))

    def reviews(self, uscc: str, period: Period) -> Sequence[SelfAssessment]:
        """The period's reviewed assessments, oldest review first."""
        rows = self._session.scalars(reviews_query(uscc, str(period)))
        return [assessment_of(row) for row in rows]

    def add_grade_change(self, change: GradeChanged) -> None:
        """Record a grade change."""
        self._session.add(grade_change_row(change))

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Stage the events in the outbox of this transaction."""
        for event in events:
            Outbox.add(self._session, self._topic, cloud_event(event))
