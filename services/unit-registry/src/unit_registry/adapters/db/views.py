"""Read views on a plain psycopg pool: SQLAlchemy builds the statement, psycopg runs it.

Reading one unit is the platform's most frequent call (every console page, every alarm). Through the ORM
session it cost ~1.4 ms of CPU: session set-up, a greenlet hop per await, BEGIN and ROLLBACK round trips
and the statement's cache key. Here the statement is built from the very same scope clause as the
repository's, compiled once per scope (scopes repeat: one per principal), and executed in autocommit on
a pooled connection: ~0.2 ms.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

import psycopg
from psycopg.rows import args_row, namedtuple_row
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import bindparam, make_url, select
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect

from neibao_identity import Scope
from unit_registry.adapters.db.repositories import (
    UNIT_READ_COLUMNS,
    current_division_name,
    unit_from_row,
)
from unit_registry.adapters.db.scope import unit_scope
from unit_registry.adapters.db.tables import UnitRow
from unit_registry.adapters.db.unit_search import TERM_FREQUENCIES_SQL, list_statement, term_statistics
from unit_registry.domain.model import Unit
from unit_registry.service.list_views import UnitReadViews, UnitSummary
from unit_registry.service.unit_of_work import UnitFilter

_DIALECT = psycopg_dialect.dialect()  # type: ignore[no-untyped-call]


def conninfo(database_url: str) -> str:
    """The libpq connection string of a SQLAlchemy URL (`postgresql+psycopg://...`)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


@lru_cache(maxsize=4096)
def _unit_statement(scope: Scope) -> tuple[str, dict[str, Any]]:
    """SQL and bound values of "the unit with this USCC inside `scope`"; `uscc` is left to fill in."""
    query = select(*UNIT_READ_COLUMNS, current_division_name().label("jurisdiction_name")).where(
        unit_scope(scope), UnitRow.uscc == bindparam("uscc")
    )
    compiled = query.compile(dialect=_DIALECT)
    return compiled.string, dict(compiled.params)


class SqlUnitViews(UnitReadViews):
    """Views over the registry's database through a connection pool of their own."""

    def __init__(self, database_url: str, *, max_size: int = 10) -> None:
        self._pool = AsyncConnectionPool(
            conninfo(database_url),
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True},
            open=False,
            name="unit-registry-views",
        )

    async def open(self) -> None:
        """Open the pool (inside the running event loop); connections are made in the background."""
        await self._pool.open(wait=False)

    async def close(self) -> None:
        """Close the pool."""
        await self._pool.close()

    async def unit(self, uscc: str, scope: Scope) -> Unit | None:
        """The unit inside `scope`, or None; one retry on a connection the server closed meanwhile."""
        sql, values = _unit_statement(scope)
        params = {**values, "uscc": uscc}
        try:
            row = await self._fetch_one(sql, params)
        except psycopg.OperationalError:
            # The pool drops a broken connection when it comes back; the next one is fresh.
            row = await self._fetch_one(sql, params)
        if row is None:
            return None
        # The row carries the unit's columns under their own names, like the ORM row it replaces.
        return unit_from_row(cast(UnitRow, row), row.jurisdiction_name)

    async def list_units(self, criteria: UnitFilter, scope: Scope, limit: int) -> Sequence[UnitSummary]:
        """A page of matching units inside `scope` (see unit_search); one retry on a closed connection."""
        try:
            return await self._list_units(criteria, scope, limit)
        except psycopg.OperationalError:
            return await self._list_units(criteria, scope, limit)

    async def _list_units(self, criteria: UnitFilter, scope: Scope, limit: int) -> list[UnitSummary]:
        async with self._pool.connection() as conn:
            if term_statistics.stale:
                cursor = await conn.execute(TERM_FREQUENCIES_SQL)
                term_statistics.update(await cursor.fetchall())
            sql, params = list_statement(criteria, scope, limit, term_statistics.frequencies)
            rows = conn.cursor(row_factory=args_row(UnitSummary))
            # Never a prepared statement: its generic plan, blind to the term's frequency, sorts every
            # posting of a common term (seconds); a plan for the values at hand walks a page of them.
            await rows.execute(sql, params, prepare=False)
            return await rows.fetchall()

    async def _fetch_one(self, sql: str, params: dict[str, Any]) -> Any:
        async with self._pool.connection() as conn:
            cursor = conn.cursor(row_factory=namedtuple_row)
            await cursor.execute(sql, params)
            return await cursor.fetchone()
