"""Self-assessments in PostgreSQL (async), scoped by the unit's rows."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from neibao_identity import Scope
from safe_unit_scoring.adapters.db.repositories import in_scope
from safe_unit_scoring.adapters.db.tables import ScoreRow, SelfAssessmentRow, UnitRow
from safe_unit_scoring.domain.assessments import AssessmentState, Claim, SelfAssessment
from safe_unit_scoring.domain.errors import AlreadyExists
from safe_unit_scoring.service.assessments import AssessmentStore


def _claims(claims: tuple[Claim, ...]) -> list[dict[str, Any]]:
    return [{"indicator": c.indicator, "points": str(c.points), "note": c.note} for c in claims]


def _from_json(items: list[dict[str, Any]]) -> tuple[Claim, ...]:
    return tuple(Claim(i["indicator"], Decimal(i["points"]), i["note"]) for i in items)


def _values(a: SelfAssessment) -> dict[str, Any]:
    return {
        "uscc": a.uscc,
        "period": a.period,
        "model_version": a.model_version,
        "items": _claims(a.items),
        "claimed_total": a.claimed_total,
        "computed_total": a.computed_total,
        "note": a.note,
        "state": a.state.value,
        "submitted_by": a.submitted_by,
        "submitted_at": a.submitted_at,
        "reviewed_by": a.reviewed_by,
        "reviewed_at": a.reviewed_at,
        "adjustments": _claims(a.adjustments),
        "reviewed_total": a.reviewed_total,
        "review_note": a.review_note,
    }


class SqlAssessmentStore(AssessmentStore):
    """AssessmentStore over one async session."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._session = sessions()

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
        self._session.add(SelfAssessmentRow(id=assessment.id, **_values(assessment)))
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
        if row is None:
            return None
        return SelfAssessment(
            id=row.id,
            uscc=row.uscc,
            period=row.period,
            model_version=row.model_version,
            items=_from_json(row.items),
            claimed_total=row.claimed_total,
            computed_total=row.computed_total,
            note=row.note,
            state=AssessmentState(row.state),
            submitted_by=row.submitted_by,
            submitted_at=row.submitted_at,
            reviewed_by=row.reviewed_by,
            reviewed_at=row.reviewed_at,
            adjustments=_from_json(row.adjustments),
            reviewed_total=row.reviewed_total,
            review_note=row.review_note,
        )

    async def save(self, assessment: SelfAssessment) -> None:
        """Update the row."""
        row = await self._session.get(SelfAssessmentRow, assessment.id)
        if row is None:  # pragma: no cover - read under lock in this transaction
            raise LookupError(assessment.id)
        for name, value in _values(assessment).items():
            setattr(row, name, value)
        await self._session.flush()
