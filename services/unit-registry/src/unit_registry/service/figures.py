"""Dashboard figures of the unit dossiers in the caller's scope (police, regulators, province admins)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from neibao_identity import Scope
from neibao_identity.principal import Role
from unit_registry.domain import policy
from unit_registry.domain.dossier import local_date
from unit_registry.domain.enums import Sector
from unit_registry.domain.errors import FieldViolation, Forbidden, ValidationFailed
from unit_registry.domain.figures import PROVINCE_PREFIX, FigureGrouping, UnitFigureRow, total_of
from unit_registry.service.handlers import Clock, Requester, utc_now

# Figures summarise many units: for those who supervise them, not for one unit's staff or a machine.
FIGURE_READERS = frozenset({Role.PROVINCE_ADMIN, Role.POLICE, Role.REGULATOR})


@dataclass(frozen=True, slots=True)
class FigureCriteria:
    """Validated criteria: the units counted (prefix, sector) and how rows group them."""

    prefix: str
    sector: str
    grouping: FigureGrouping
    group_prefix: str
    today: date


class UnitFigureViews(Protocol):
    """Counts over the units inside a scope."""

    async def figures(self, criteria: FigureCriteria, scope: Scope) -> Sequence[UnitFigureRow]:
        """One row per group that has an active unit, ordered by key."""
        ...


async def get_figures(
    jurisdiction: str,
    sector: str,
    grouping: FigureGrouping,
    requester: Requester,
    views: UnitFigureViews,
    *,
    clock: Clock = utc_now,
) -> tuple[UnitFigureRow, list[UnitFigureRow]]:
    """The total and the rows of the dossier figures in the caller's scope."""
    if requester.scope.roles.isdisjoint(FIGURE_READERS):
        raise Forbidden("figures are for police, regulators and province admins")
    violations: list[FieldViolation] = []
    prefix = ""
    if jurisdiction:
        found = policy.jurisdiction_prefix(jurisdiction)
        if found is None:
            violations.append(
                FieldViolation(
                    "jurisdiction", "INVALID_FORMAT", "jurisdiction must be a 6-digit GB/T 2260 code"
                )
            )
        else:
            prefix = found
    if sector and sector not in Sector._value2member_map_:
        violations.append(FieldViolation("sector", "UNKNOWN", f"unknown sector {sector[:40]!r}"))
    if violations:
        raise ValidationFailed(violations)
    # Without a jurisdiction, rows are one level under the caller's own (the province's cities for the admin).
    group_prefix = prefix or requester.scope.jurisdiction_prefix or PROVINCE_PREFIX
    criteria = FigureCriteria(prefix, sector, grouping, group_prefix, local_date(clock()))
    rows = list(await views.figures(criteria, requester.scope))
    return total_of(rows), rows
