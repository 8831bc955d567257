"""The scope as a SQLAlchemy WHERE clause, so foreign rows never leave the database."""

from __future__ import annotations

from typing import TypeAlias

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import QueryableAttribute

from neibao_identity.principal import Role
from neibao_identity.scope import Scope

StringColumn: TypeAlias = ColumnElement[str] | QueryableAttribute[str] | QueryableAttribute[str | None]


def scope_clause(
    scope: Scope,
    *,
    jurisdiction: StringColumn,
    sector: StringColumn | None = None,
    unit: StringColumn | None = None,
) -> ColumnElement[bool]:
    """A boolean clause keeping only rows the scope may see (mirrors `Scope.allows`).

    Pass the row's columns that exist; a grant that needs a column not passed grants nothing.
    """
    if scope.unrestricted:
        return true()
    grants: list[ColumnElement[bool]] = []
    # The prefix is digits only (validated), so it needs no LIKE escaping.
    within = jurisdiction.like(f"{scope.jurisdiction_prefix}%") if scope.jurisdiction_prefix else None
    if Role.POLICE in scope.roles and within is not None:
        grants.append(within)
    if Role.REGULATOR in scope.roles and within is not None and sector is not None and scope.sector:
        grants.append(and_(within, sector == scope.sector))
    if Role.UNIT_SECURITY in scope.roles and unit is not None and scope.unit:
        grants.append(unit == scope.unit)
    if Role.SECTOR_SYSTEM in scope.roles and unit is not None and scope.org:
        if sector is None:
            grants.append(unit == scope.org)
        elif scope.sector:
            # Its own organisation's rows; where a row records a sector, only its own sector.
            grants.append(and_(unit == scope.org, or_(sector.is_(None), sector == scope.sector)))
    if not grants:
        return false()
    return grants[0] if len(grants) == 1 else or_(*grants)
