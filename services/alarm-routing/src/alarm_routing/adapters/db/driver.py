"""The intake's statements on the session's own psycopg connection (the same transaction), compiled once from
the Core statements: an alarm's dozen statements skip SQLAlchemy's per-execution work, which was a third of
the intake's CPU under load."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from psycopg import AsyncConnection
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import ClauseElement, Executable

_DIALECT = psycopg_dialect.dialect()  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class Statement:
    """A Core statement compiled for psycopg: its SQL and the values of the literals bound in it."""

    sql: str
    literals: Mapping[str, Any]

    def params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters of one execution."""
        return {**self.literals, **values}


def compiled(statement: ClauseElement | Executable, columns: Iterable[str] | None = None) -> Statement:
    """The statement as psycopg runs it (`%(name)s` parameters); an INSERT with only `columns`."""
    kwargs: dict[str, Any] = {} if columns is None else {"column_keys": list(columns)}
    result = cast(ClauseElement, statement).compile(dialect=_DIALECT, **kwargs)
    literals = {name: value for name, value in result.params.items() if value is not None}
    return Statement(str(result), literals)


class AsyncConnectionGetter:
    """The psycopg connection under a session, looked up once per unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._connection: AsyncConnection[Any] | None = None

    async def __call__(self) -> AsyncConnection[Any]:
        """The session's connection (beginning its transaction, as SQLAlchemy would)."""
        if self._connection is None:
            connection = await self._session.connection()
            raw = await connection.get_raw_connection()
            self._connection = cast(AsyncConnection[Any], raw.driver_connection)
        return self._connection
