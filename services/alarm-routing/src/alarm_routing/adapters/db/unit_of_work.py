"""The SQL unit of work: one AsyncSession, one transaction; staged events go to the outbox at commit."""

from __future__ import annotations

from datetime import datetime

from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from alarm_routing.adapters.db.driver import AsyncConnectionGetter, compiled
from alarm_routing.adapters.db.personal_data import PersonalDataCipher
from alarm_routing.adapters.db.repositories import (
    SqlAlarmRepository,
    SqlSilenceRepository,
    SqlTimerRepository,
    SqlUnitContextRepository,
    SqlUnitRepository,
    read_intake_facts,
)
from alarm_routing.adapters.events import TOPIC, cloud_event
from alarm_routing.domain.events import DomainEvent
from alarm_routing.service.unit_of_work import IntakeFacts, UnitOfWork
from neibao_messaging import Event, Outbox

# The outbox INSERT of neibao_messaging, run on the session's psycopg connection like the intake's rows.
_INSERT_OUTBOX_SQL = compiled(
    Outbox.insert_rows("", [])[0], ["event_id", "topic", "key", "headers", "payload"]
)


class SqlUnitOfWork(UnitOfWork):
    """Repositories over one session; `commit` writes the outbox rows in the same transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        personal_data: PersonalDataCipher,
        topic: str = TOPIC,
    ) -> None:
        self._sessions = sessions
        self._personal_data = personal_data
        self._topic = topic
        self._session: AsyncSession | None = None
        self._events: list[Event] = []

    async def __aenter__(self) -> SqlUnitOfWork:
        """Open the session (the transaction begins with the first statement)."""
        if self._session is not None:
            raise RuntimeError("a unit of work is entered once")
        self._session = self._sessions()
        self._driver = AsyncConnectionGetter(self._session)
        self.alarms = SqlAlarmRepository(self._session, self._driver)
        self.silences = SqlSilenceRepository(self._session, self._driver)
        self.units = SqlUnitRepository(self._session, self._driver)
        self.contexts = SqlUnitContextRepository(self._session, self._personal_data, self._driver)
        self.timers = SqlTimerRepository(self._session, self._driver)
        self._events = []
        return self

    async def intake_facts(self, uscc: str, device_id: str, at: datetime) -> IntakeFacts:
        """What intake needs of the unit, in one round trip."""
        return await read_intake_facts(self._driver, uscc, device_id, at)

    def publish(self, event: DomainEvent) -> None:
        """Stage an event, its payload taken now (the alarm's state at this step)."""
        self._events.append(cloud_event(event))

    async def commit(self) -> None:
        """Outbox rows for the staged events, then one commit for everything."""
        session = self._require_session()
        if self._events:
            # The transaction's events (the statement also wakes the relay at the commit).
            _, rows = Outbox.insert_rows(self._topic, self._events)
            params = [_INSERT_OUTBOX_SQL.params({**row, "headers": Jsonb(row["headers"])}) for row in rows]
            connection = await self._driver()
            if len(params) == 1:  # the usual case: no pipeline for one row
                await connection.execute(_INSERT_OUTBOX_SQL.sql, params[0])
            else:
                async with connection.cursor() as cursor:
                    await cursor.executemany(_INSERT_OUTBOX_SQL.sql, params)
        self._events = []
        await session.commit()

    async def rollback(self) -> None:
        """Discard what was not committed and close the session."""
        self._events = []
        session, self._session = self._session, None
        if session is not None:
            await session.rollback()
            await session.close()

    def _require_session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work has not been entered")
        return self._session
