"""The unit list as a read view: rows straight from the query to the answer, no unit of work, no entities.

Listing is the console's busiest search. Through the unit of work a page of 50 paid a session, BEGIN and
ROLLBACK, a domain Unit per row and its translation; a view answers with plain rows (`UnitSummary`) that
the gRPC layer translates directly. Criteria are validated by the same `unit_filter`, and scope is still
applied in the query, by the same clause as every other unit read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from neibao_identity import Scope
from unit_registry.service.commands import UnitQuery
from unit_registry.service.handlers import Page, Requester, page_size, unit_filter
from unit_registry.service.pagination import encode_cursor
from unit_registry.service.unit_of_work import UnitFilter
from unit_registry.service.views import UnitViews


class UnitSummary(NamedTuple):
    """A unit as a list shows it: the unit's stored columns (enum values as their snake_case text)."""

    uscc: str
    name: str
    former_names: list[str]
    unit_type: str
    sector: str
    sectors: list[str]
    jurisdiction: str
    police_station: str | None
    address: str
    latitude: float | None
    longitude: float | None
    coordinate_system: str | None
    legal_representative: str
    status: str
    key_unit: bool
    key_unit_category: str | None
    version: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    filing_overdue: bool
    drills_overdue: bool
    hazards_overdue: bool
    jurisdiction_name: str | None


class UnitListViews(Protocol):
    """Units matching criteria inside a scope, in USCC order."""

    async def list_units(self, criteria: UnitFilter, scope: Scope, limit: int) -> Sequence[UnitSummary]:
        """At most `limit` matching units the scope may see, after `criteria.after_uscc`, by USCC."""
        ...


class UnitReadViews(UnitViews, UnitListViews, Protocol):
    """Every read view of units (what the gRPC servicer is given)."""


async def list_units(query: UnitQuery, requester: Requester, views: UnitListViews) -> Page[UnitSummary]:
    """Units matching the query inside the caller's scope, one page at a time (keyset on USCC)."""
    criteria = unit_filter(query)
    size = page_size(query.limit)
    rows = await views.list_units(criteria, requester.scope, size + 1)
    items = rows[:size]
    next_cursor = encode_cursor("units", items[-1].uscc) if len(rows) > size else ""
    return Page(items, next_cursor)
