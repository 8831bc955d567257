"""The SQL unit of work: one AsyncSession, one transaction; staged events go to the outbox at commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from neibao_messaging import Event, Outbox
from sector_exchange.adapters.db.personal_data import PersonalDataCipher
from sector_exchange.adapters.db.repositories import (
    SqlBatchRepository,
    SqlEarlyWarningRepository,
    SqlFigureRepository,
    SqlMessageLog,
    SqlRecordRepository,
)
from sector_exchange.adapters.events import RECORDS_TOPIC, TOPIC, cloud_event
from sector_exchange.domain.model import DomainEvent, RecordsAccepted
from sector_exchange.service.unit_of_work import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    """Repositories over one session; `commit` writes the outbox rows in the same transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        personal_data: PersonalDataCipher,
        topic: str = TOPIC,
        records_topic: str = RECORDS_TOPIC,
    ) -> None:
        self._sessions = sessions
        self._personal_data = personal_data
        self._topic = topic
        self._records_topic = records_topic
        self._session: AsyncSession | None = None
        self._events: list[DomainEvent] = []

    async def __aenter__(self) -> SqlUnitOfWork:
        """Open the session (the transaction begins with the first statement)."""
        if self._session is not None:
            raise RuntimeError("a unit of work is entered once")
        session = self._session = self._sessions()
        self.batches = SqlBatchRepository(session)
        self.records = SqlRecordRepository(session, self._personal_data)
        self.warnings = SqlEarlyWarningRepository(session)
        self.figures = SqlFigureRepository(session)
        self.log = SqlMessageLog(session)
        self._events = []
        return self

    def publish(self, event: DomainEvent) -> None:
        """Stage an event for the outbox."""
        self._events.append(event)

    async def commit(self) -> None:
        """Outbox rows for the staged events, then one commit for everything."""
        session = self._require_session()
        by_topic: dict[str, list[Event]] = {}
        for event in self._events:
            topic = self._records_topic if isinstance(event, RecordsAccepted) else self._topic
            by_topic.setdefault(topic, []).append(cloud_event(event))
        self._events = []
        for topic, events in by_topic.items():
            await session.execute(*Outbox.insert_statement(topic, events))  # one INSERT per topic
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
