"""Self-assessments in PostgreSQL (async), scoped by the unit's rows; a review's effect on the period's
score and the events, in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from neibao_identity import Scope
from neibao_messaging import Outbox
from safe_unit_scoring.adapters.db.assessment_rows import assessment_of, reviews_query, row_values
from safe_unit_scoring.adapters.db.fact_store import grade_change_row, mark_pending_statement, upsert_score
from safe_unit_scoring.adapters.db.repositories import in_scope
from safe_unit_scoring.adapters.db.tables import ScoreRow, SelfAssessmentRow, UnitRow
from safe_unit_scoring.adapters.events import cloud_event
from safe_unit_scoring.adapters.explanation import score_from_json
from safe_unit_scoring.domain.assessments import AssessmentState, ReviewDeadline, SelfAssessment
from safe_unit_scoring.domain.errors import AlreadyExists
from safe_unit_scoring.domain.events import DomainEvent, GradeChanged, UnitScope
from safe_unit_scoring.domain.grading import GradeDecision, PeriodGrade
from safe_unit_scoring.domain.indicators import Grade
from safe_unit_scoring.domain.periods import Period
from safe_unit_scoring.domain.scoring import Score
from safe_unit_scoring.service.assessments import AssessmentStore, AssessmentView, QueueFilter, StoredPeriod


class SqlAssessmentStore(AssessmentStore):
    """AssessmentStore over one async session; events go to `topic` through the outbox."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], topic: str) -> None:
        self._session = sessions()
        self._topic = topic

    async def commit(self) -> None:
        """Commit."""
        await self._session.commit()

    async def close(self) -> None:
        """Release the session."""
        await self._session.close()

    async def unit_visible(self, uscc: str, scope: Scope) -> bool:
        """Whether the unit is known and in scope."""
        found = await self._session.scalar(
            select(UnitRow.uscc).where(UnitRow.uscc == uscc, in_scope(scope, UnitRow))
        )
        return found is not None

    async def computed_total(self, uscc: str, period: str) -> Decimal | None:
        """The stored total of the period."""
        return await self._session.scalar(
            select(ScoreRow.total).where(ScoreRow.uscc == uscc, ScoreRow.period == period)
        )

    async def add(self, assessment: SelfAssessment) -> None:
        """Insert; AlreadyExists while one of the unit's period awaits review."""
        self._session.add(SelfAssessmentRow(id=assessment.id, **row_values(assessment)))
        try:
            await self._session.flush()
        except IntegrityError:
            raise AlreadyExists(
                f"a self-assessment of {assessment.uscc} for {assessment.period} awaits review"
            ) from None

    async def get(self, assessment_id: uuid.UUID, scope: Scope) -> SelfAssessment | None:
        """The assessment, if its unit is in scope, locked."""
        row = await self._session.scalar(
            select(SelfAssessmentRow)
            .join(UnitRow, UnitRow.uscc == SelfAssessmentRow.uscc)
            .where(SelfAssessmentRow.id == assessment_id, in_scope(scope, UnitRow))
            .with_for_update(of=SelfAssessmentRow)
        )
        return assessment_of(row) if row is not None else None

    async def save(self, assessment: SelfAssessment) -> None:
        """Update the row."""
        row = await self._session.get(SelfAssessmentRow, assessment.id)
        if row is None:  # pragma: no cover - read under lock in this transaction
            raise LookupError(assessment.id)
        for name, value in row_values(assessment).items():
            setattr(row, name, value)
        await self._session.flush()

    async def unit(self, uscc: str) -> UnitScope:
        """The unit's scope keys."""
        row = (await self._session.execute(select(UnitRow).where(UnitRow.uscc == uscc))).scalar_one()
        return UnitScope(row.uscc, row.jurisdiction, row.sector, tuple(row.sectors), row.name)

    async def queue(
        self, criteria: QueueFilter, scope: Scope, limit: int, after: tuple[datetime, uuid.UUID] | None
    ) -> Sequence[AssessmentView]:
        """Oldest due first, keyset on (due time, id); foreign units' rows never leave."""
        conditions: list[Any] = [in_scope(scope, UnitRow)]
        if criteria.state is not None:
            conditions.append(SelfAssessmentRow.state == criteria.state.value)
        if criteria.overdue_at is not None:
            conditions += [
                SelfAssessmentRow.state == AssessmentState.SUBMITTED.value,
                SelfAssessmentRow.review_due_at < criteria.overdue_at,
            ]
        if criteria.uscc:
            conditions.append(SelfAssessmentRow.uscc == criteria.uscc)
        if after is not None:
            due_at, key = after
            conditions.append(
                or_(
                    SelfAssessmentRow.review_due_at > due_at,
                    and_(SelfAssessmentRow.review_due_at == due_at, SelfAssessmentRow.id > key),
                )
            )
        rows = await self._session.execute(
            select(SelfAssessmentRow, UnitRow.name, UnitRow.jurisdiction)
            .join(UnitRow, UnitRow.uscc == SelfAssessmentRow.uscc)
            .where(*conditions)
            .order_by(SelfAssessmentRow.review_due_at, SelfAssessmentRow.id)
            .limit(limit)
        )
        return [AssessmentView(assessment_of(row), name, jurisdiction) for row, name, jurisdiction in rows]

    async def awaiting_reminder(
        self, now: datetime, deadline: ReviewDeadline, limit: int
    ) -> Sequence[SelfAssessment]:
        """Awaiting review, overdue unannounced or due-soon unannounced within the notice; locked, skipping
        those another sweep holds."""
        notice = deadline.due_soon_until(now)
        rows = await self._session.scalars(
            select(SelfAssessmentRow)
            .where(
                SelfAssessmentRow.state == AssessmentState.SUBMITTED.value,
                SelfAssessmentRow.overdue_reminded_at.is_(None),
                or_(
                    SelfAssessmentRow.review_due_at < now,
                    and_(
                        SelfAssessmentRow.due_soon_reminded_at.is_(None),
                        SelfAssessmentRow.review_due_at <= notice,
                    ),
                ),
            )
            .order_by(SelfAssessmentRow.review_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [assessment_of(row) for row in rows]

    async def reviews(self, uscc: str, period: str) -> Sequence[SelfAssessment]:
        """The period's adjusted assessments, oldest review first."""
        await self._session.flush()
        return [assessment_of(row) for row in await self._session.scalars(reviews_query(uscc, period))]

    async def stored_period(self, uscc: str, period: str) -> StoredPeriod | None:
        """The period's score, locked (the consumer's rescoring of it waits)."""
        row = await self._session.scalar(
            select(ScoreRow).where(ScoreRow.uscc == uscc, ScoreRow.period == period).with_for_update()
        )
        if row is None:
            return None
        score = score_from_json(row.model_version, row.as_of, row.total, row.explanation)
        return StoredPeriod(score, Grade(row.grade))

    async def history(self, uscc: str) -> Sequence[PeriodGrade]:
        """The unit's stored periods, oldest first."""
        rows = await self._session.execute(
            select(ScoreRow.period, ScoreRow.band, ScoreRow.grade)
            .where(ScoreRow.uscc == uscc)
            .order_by(ScoreRow.period)
        )
        return [PeriodGrade(Period.parse(r.period), Grade(r.band), Grade(r.grade)) for r in rows]

    async def save_score(
        self, unit: UnitScope, period: Period, result: Score, decision: GradeDecision, at: datetime
    ) -> None:
        """Replace the period's score."""
        await self._session.execute(upsert_score(unit, period, result, decision, at))

    async def add_grade_change(self, change: GradeChanged) -> None:
        """Record a grade change."""
        self._session.add(grade_change_row(change))

    async def mark_pending(self, uscc: str, cause: str) -> None:
        """Mark the unit for the consumer's rescoring."""
        await self._session.execute(mark_pending_statement(uscc, cause))

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        """Stage the events in this transaction's outbox."""
        if events:
            await self._session.execute(
                *Outbox.insert_statement(self._topic, [cloud_event(e) for e in events])
            )
