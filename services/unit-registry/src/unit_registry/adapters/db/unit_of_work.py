"""The SQL unit of work: one AsyncSession, one transaction; staged events go to the outbox at commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from neibao_messaging import Outbox
from unit_registry.adapters.db.dossier_repositories import (
    SqlDossierRepository,
    SqlDrillRepository,
    SqlFilingRepository,
    SqlHazardRepository,
    SqlInformantRepository,
    SqlInspectionRepository,
    SqlKeyPartRepository,
    SqlPlanRepository,
    SqlResponsiblePersonRepository,
    SqlStaffRepository,
    SqlWorkstationRepository,
)
from unit_registry.adapters.db.personal_data import PersonalDataCipher
from unit_registry.adapters.db.repositories import (
    SqlDesignationRepository,
    SqlJurisdictionRepository,
    SqlUnitRepository,
)
from unit_registry.adapters.events import TOPIC, cloud_event
from unit_registry.domain.events import DomainEvent
from unit_registry.service.unit_of_work import UnitOfWork


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
        self._events: list[DomainEvent] = []

    async def __aenter__(self) -> SqlUnitOfWork:
        """Open the session (the transaction begins with the first statement)."""
        if self._session is not None:
            raise RuntimeError("a unit of work is entered once")
        self._session = self._sessions()
        self.units = SqlUnitRepository(self._session)
        self.designations = SqlDesignationRepository(self._session)
        self.jurisdictions = SqlJurisdictionRepository(self._session)
        session, pii = self._session, self._personal_data
        self.dossier = SqlDossierRepository(session)
        self.filings = SqlFilingRepository(session, pii)
        self.responsible_persons = SqlResponsiblePersonRepository(session, pii)
        self.staff = SqlStaffRepository(session, pii)
        self.informants = SqlInformantRepository(session, pii)
        self.key_parts = SqlKeyPartRepository(session, pii)
        self.plans = SqlPlanRepository(session)
        self.drills = SqlDrillRepository(session)
        self.workstations = SqlWorkstationRepository(session, pii)
        self.inspections = SqlInspectionRepository(session)
        self.hazards = SqlHazardRepository(session, pii)
        self._events = []
        return self

    def publish(self, event: DomainEvent) -> None:
        """Stage an event for the outbox."""
        self._events.append(event)

    async def commit(self) -> None:
        """Outbox rows for the staged events, then one commit for everything."""
        session = self._require_session()
        for event in self._events:
            # The outbox API takes a sync Session; adding a row does no I/O, the commit below flushes it.
            Outbox.add(session.sync_session, self._topic, cloud_event(event, self._personal_data))
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
