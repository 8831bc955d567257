"""The dossier figures' SQL: three grouped counts over the units in scope, from the dossier records.

Computed from the records themselves rather than the units' swept overdue flags, so a drill leaving the
12-month window or a deadline passing shows at once. Each count reads only the rows it needs: every
active unit for the unit counts (an index-only walk per city), the key units for their filing and drills
(probes of the filing and drill indexes), the open hazards past their deadline (their partial index).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from sqlalchemy import ColumnElement, exists, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from neibao_identity import Scope
from unit_registry.adapters.db.scope import unit_scope
from unit_registry.adapters.db.tables import DrillRow, HazardRow, SecurityFilingRow, UnitRow
from unit_registry.domain.dossier import DRILLS_PER_YEAR, drill_window_start
from unit_registry.domain.enums import FilingState, HazardState, UnitStatus
from unit_registry.domain.figures import FigureGrouping, UnitFigureRow, grouping_length
from unit_registry.service.figures import FigureCriteria, UnitFigureViews

_READ_ONLY_SNAPSHOT: Final = text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def _group_key(criteria: FigureCriteria) -> ColumnElement[str]:
    if criteria.grouping is FigureGrouping.SECTOR:
        return UnitRow.sector.expression
    length = grouping_length(criteria.group_prefix)
    return func.rpad(func.substr(UnitRow.jurisdiction, 1, length), 6, "0")


def _unit_conditions(criteria: FigureCriteria, scope: Scope) -> list[ColumnElement[bool]]:
    """Scope (the same clause as every unit read), active units, and the criteria."""
    where = [unit_scope(scope), UnitRow.status == UnitStatus.ACTIVE.value]
    if criteria.prefix:
        where.append(UnitRow.jurisdiction.startswith(criteria.prefix))
    if criteria.sector:
        where.append(UnitRow.sectors.contains([criteria.sector]))
    return where


class SqlUnitFigures(UnitFigureViews):
    """Dossier figures in one read-only transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def figures(self, criteria: FigureCriteria, scope: Scope) -> Sequence[UnitFigureRow]:
        """One row per group that has an active unit, ordered by key."""
        key = _group_key(criteria).label("key")
        where = _unit_conditions(criteria, scope)
        filed = exists().where(
            SecurityFilingRow.uscc == UnitRow.uscc, SecurityFilingRow.state == FilingState.ACCEPTED.value
        )
        drills = (
            select(func.count())
            .where(DrillRow.uscc == UnitRow.uscc, DrillRow.drilled_on >= drill_window_start(criteria.today))
            .scalar_subquery()
        )
        units_query = (
            select(key, func.count(), func.count().filter(UnitRow.key_unit)).where(*where).group_by(key)
        )
        key_units_query = (
            select(
                key,
                func.count().filter(filed),
                func.count().filter(drills < DRILLS_PER_YEAR),
            )
            .where(*where, UnitRow.key_unit)
            .group_by(key)
        )
        hazards_query = (
            select(key, func.count(), func.count(UnitRow.uscc.distinct()))
            .select_from(HazardRow)
            .join(UnitRow, UnitRow.uscc == HazardRow.uscc)
            .where(
                *where,
                HazardRow.state == HazardState.OPEN.value,
                HazardRow.deadline < criteria.today,
            )
            .group_by(key)
        )
        rows: dict[str, UnitFigureRow] = {}
        async with self._sessions() as session, session.begin():
            # One snapshot for the three counts: the rows add up whatever is written meanwhile.
            await session.execute(_READ_ONLY_SNAPSHOT)
            for group, units, key_units in await session.execute(units_query):
                rows[group] = UnitFigureRow(group, units=units, key_units=key_units)
            for group, key_units_filed, drills_overdue in await session.execute(key_units_query):
                rows[group] = replace(
                    _row(rows, group), key_units_filed=key_units_filed, drills_overdue=drills_overdue
                )
            for group, hazards, units_with_hazards in await session.execute(hazards_query):
                rows[group] = replace(
                    _row(rows, group), hazards_overdue=hazards, units_hazards_overdue=units_with_hazards
                )
        return [rows[group] for group in sorted(rows)]


def _row(rows: dict[str, UnitFigureRow], group: str) -> UnitFigureRow:
    return rows.get(group) or UnitFigureRow(group)
