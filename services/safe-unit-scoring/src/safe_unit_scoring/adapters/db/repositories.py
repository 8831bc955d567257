"""Score reads in PostgreSQL: every one filtered by the caller's scope in SQL (foreign rows never leave)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, any_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from neibao_identity import Role, Scope, scope_clause
from neibao_identity.sql import StringColumn
from safe_unit_scoring.adapters.db.tables import GradeChangeRow, ScoreRow, UnitRow
from safe_unit_scoring.domain.periods import Period
from safe_unit_scoring.service.queries import (
    GradeChangeView,
    MoverView,
    RankingFilter,
    RankingView,
    ScoreReader,
    ScoreView,
)


def in_scope(scope: Scope, row: type[ScoreRow] | type[UnitRow]) -> ColumnElement[bool]:
    """The caller's scope over a unit's rows (mirrors Scope.allows); a regulator's sector is any of the
    unit's sectors, a sector system's its lead sector."""
    sector: StringColumn = (
        row.sector if Role.SECTOR_SYSTEM in scope.roles else cast(ColumnElement[str], any_(row.sectors))
    )
    return scope_clause(scope, jurisdiction=row.jurisdiction, sector=sector, unit=row.uscc)


def _view(row: ScoreRow) -> ScoreView:
    return ScoreView(
        uscc=row.uscc,
        period=row.period,
        model_version=row.model_version,
        as_of=row.as_of,
        total=row.total,
        band=row.band,
        grade=row.grade,
        grade_reason=row.grade_reason,
        explanation=row.explanation,
        unit_name=row.unit_name,
        jurisdiction=row.jurisdiction,
        sector=row.sector,
        computed_at=row.computed_at,
    )


class SqlScoreReader(ScoreReader):
    """ScoreReader over one async session."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._session = sessions()

    async def close(self) -> None:
        """Release the session."""
        await self._session.close()

    async def get(self, uscc: str, period: str | None, scope: Scope) -> ScoreView | None:
        """The unit's period score (the latest when None), if in scope."""
        query = select(ScoreRow).where(ScoreRow.uscc == uscc, in_scope(scope, ScoreRow))
        query = query.where(ScoreRow.period == period) if period else query.order_by(ScoreRow.period.desc())
        row = (await self._session.execute(query.limit(1))).scalar_one_or_none()
        return _view(row) if row else None

    async def history(
        self, uscc: str, scope: Scope, limit: int
    ) -> tuple[Sequence[ScoreView], Sequence[GradeChangeView]] | None:
        """Periods newest first and grade changes, or None when the unit is not in scope."""
        visible = await self._session.scalar(
            select(UnitRow.uscc).where(UnitRow.uscc == uscc, in_scope(scope, UnitRow))
        )
        if visible is None:
            return None
        rows = await self._session.scalars(
            select(ScoreRow).where(ScoreRow.uscc == uscc).order_by(ScoreRow.period.desc()).limit(limit)
        )
        changes = await self._session.scalars(
            select(GradeChangeRow)
            .where(GradeChangeRow.uscc == uscc)
            .order_by(GradeChangeRow.id.desc())
            .limit(limit)
        )
        return [_view(r) for r in rows], [
            GradeChangeView(c.period, c.from_grade, c.to_grade, c.reason, c.changed_at) for c in changes
        ]

    async def movers(
        self, criteria: RankingFilter, scope: Scope, limit: int, up: bool
    ) -> Sequence[MoverView]:
        """Units scored in both months, in scope and filter, by the size of their move."""
        previous = aliased(ScoreRow)
        delta = ScoreRow.total - previous.total
        conditions: list[Any] = [
            ScoreRow.period == criteria.period,
            in_scope(scope, ScoreRow),
            UnitRow.closed.is_(False),
            delta > 0 if up else delta < 0,
        ]
        if criteria.jurisdiction_prefix:
            conditions.append(ScoreRow.jurisdiction.like(f"{criteria.jurisdiction_prefix}%"))
        if criteria.sector:
            conditions.append(ScoreRow.sectors.contains([criteria.sector]))
        rows = await self._session.execute(
            select(
                ScoreRow.uscc,
                ScoreRow.unit_name,
                ScoreRow.jurisdiction,
                ScoreRow.total,
                ScoreRow.grade,
                previous.total.label("previous_total"),
                previous.grade.label("previous_grade"),
            )
            .join(UnitRow, UnitRow.uscc == ScoreRow.uscc)
            .join(
                previous,
                and_(
                    previous.uscc == ScoreRow.uscc,
                    previous.period == str(Period.parse(criteria.period).previous()),
                ),
            )
            .where(*conditions)
            .order_by(delta.desc() if up else delta.asc(), ScoreRow.uscc)
            .limit(limit)
        )
        return [
            MoverView(
                r.uscc, r.unit_name, r.jurisdiction, r.total, r.previous_total, r.grade, r.previous_grade
            )
            for r in rows
        ]

    async def rankings(
        self, criteria: RankingFilter, scope: Scope, limit: int, after: tuple[Decimal, str] | None
    ) -> Sequence[RankingView]:
        """Ranked among the rows in scope and filter only: a rank never counts a foreign unit."""
        previous = aliased(ScoreRow)
        conditions: list[Any] = [
            ScoreRow.period == criteria.period,
            in_scope(scope, ScoreRow),
            UnitRow.closed.is_(False),
        ]
        if criteria.jurisdiction_prefix:
            conditions.append(ScoreRow.jurisdiction.like(f"{criteria.jurisdiction_prefix}%"))
        if criteria.sector:
            conditions.append(ScoreRow.sectors.contains([criteria.sector]))
        ranked = (
            select(
                func.rank().over(order_by=ScoreRow.total.desc()).label("rank"),
                ScoreRow.uscc,
                ScoreRow.unit_name,
                ScoreRow.jurisdiction,
                ScoreRow.sector,
                ScoreRow.total,
                ScoreRow.grade,
                previous.total.label("previous_total"),
            )
            .join(UnitRow, UnitRow.uscc == ScoreRow.uscc)
            .outerjoin(
                previous,
                and_(
                    previous.uscc == ScoreRow.uscc,
                    previous.period == str(Period.parse(criteria.period).previous()),
                ),
            )
            .where(*conditions)
            .subquery()
        )
        query = select(ranked)
        if after is not None:
            total, uscc = after
            query = query.where(
                or_(ranked.c.total < total, and_(ranked.c.total == total, ranked.c.uscc > uscc))
            )
        query = query.order_by(ranked.c.total.desc(), ranked.c.uscc).limit(limit)
        rows = (await self._session.execute(query)).all()
        return [
            RankingView(
                rank=r.rank,
                uscc=r.uscc,
                unit_name=r.unit_name,
                jurisdiction=r.jurisdiction,
                sector=r.sector,
                total=r.total,
                grade=r.grade,
                previous_total=r.previous_total,
            )
            for r in rows
        ]
