"""The caller's scope over unit rows, as the one SQL clause every unit read applies."""

from __future__ import annotations

from typing import cast

from sqlalchemy import ColumnElement, and_, any_

from neibao_identity import Scope, scope_clause
from neibao_identity.principal import Role
from neibao_identity.sql import StringColumn
from unit_registry.adapters.db.tables import UnitRow


def unit_scope(scope: Scope) -> ColumnElement[bool]:
    """The caller's scope over units, via the shared helper (mirrors Scope.allows).

    A unit has several sectors: a regulator's grant is "its sector is one of them" (= ANY(sectors)).
    A sector system's grant (own organisation, own sector where a row records one) compares against the
    lead sector, since the helper also tests that column for NULL.
    """
    sector: StringColumn = (
        UnitRow.sector
        if Role.SECTOR_SYSTEM in scope.roles
        else cast(ColumnElement[str], any_(UnitRow.sectors))
    )
    clause = scope_clause(scope, jurisdiction=UnitRow.jurisdiction, sector=sector, unit=UnitRow.uscc)
    wider = {Role.PROVINCE_ADMIN, Role.POLICE, Role.UNIT_SECURITY, Role.SECTOR_SYSTEM}
    if Role.REGULATOR in scope.roles and scope.sector and scope.roles.isdisjoint(wider):
        # Implied by the clause; stated as array containment so the GIN index on sectors can serve it.
        clause = and_(UnitRow.sectors.contains([scope.sector]), clause)
    return clause
