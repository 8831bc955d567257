"""The ports handlers use: repositories and a unit of work (one transaction, events included)."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType

from neibao_identity import Scope
from unit_registry.domain.enums import ChangeType, Sector, UnitStatus, UnitType
from unit_registry.domain.events import DomainEvent
from unit_registry.domain.jurisdiction import Division, PoliceStation
from unit_registry.domain.model import Actor, FieldChange, KeyUnitDesignation, Unit


@dataclass(frozen=True, slots=True)
class UnitFilter:
    """Validated search criteria, as the repository applies them."""

    tokens: tuple[str, ...] = ()
    fragment: str = ""
    uscc: str = ""
    jurisdiction_prefix: str = ""
    sector: Sector | None = None
    unit_type: UnitType | None = None
    key_unit: bool | None = None
    status: UnitStatus | None = None
    police_station: str = ""
    after_uscc: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One entry of a unit's change history."""

    id: int
    uscc: str
    version: int
    change_type: ChangeType
    changes: tuple[FieldChange, ...]
    actor: Actor
    changed_at: datetime


class UnitRepository(abc.ABC):
    """Units; every read takes the caller's scope and finds nothing outside it."""

    @abc.abstractmethod
    async def add(self, unit: Unit) -> None:
        """Insert a new unit; AlreadyExists if its USCC is taken."""

    @abc.abstractmethod
    async def get(self, uscc: str, scope: Scope, *, for_update: bool = False) -> Unit | None:
        """The unit if it exists inside `scope` (locked for the transaction when `for_update`)."""

    @abc.abstractmethod
    async def exists(self, uscc: str) -> bool:
        """Whether any unit has this USCC, whatever the scope (uniqueness is province-wide)."""

    @abc.abstractmethod
    async def update(self, unit: Unit, previous_version: int) -> None:
        """Write the unit back; VersionConflict if someone else changed it since `previous_version`."""

    @abc.abstractmethod
    async def list(self, criteria: UnitFilter, scope: Scope, limit: int) -> Sequence[Unit]:
        """Up to `limit` units matching the criteria inside `scope`, ordered by USCC."""

    @abc.abstractmethod
    async def add_change(
        self, unit: Unit, change_type: ChangeType, changes: Sequence[FieldChange], actor: Actor, at: datetime
    ) -> None:
        """Append an entry to the unit's change history."""

    @abc.abstractmethod
    async def list_changes(self, uscc: str, before_id: int | None, limit: int) -> Sequence[ChangeEntry]:
        """The unit's history, newest first, older than `before_id` when given."""


class DesignationRepository(abc.ABC):
    """Key-unit designations."""

    @abc.abstractmethod
    async def add(self, designation: KeyUnitDesignation) -> None:
        """Insert a new designation."""

    @abc.abstractmethod
    async def update(self, designation: KeyUnitDesignation) -> None:
        """Write a designation back."""

    @abc.abstractmethod
    async def get_active(self, uscc: str) -> KeyUnitDesignation | None:
        """The unit's proposed or confirmed designation, if any (locked for the transaction)."""

    @abc.abstractmethod
    async def list_for(self, uscc: str) -> Sequence[KeyUnitDesignation]:
        """Every designation of the unit, newest first."""


class JurisdictionRepository(abc.ABC):
    """Divisions (versioned) and police stations."""

    @abc.abstractmethod
    async def get_division(self, code: str, on: date) -> Division | None:
        """The division with this code in force on `on`."""

    @abc.abstractmethod
    async def divisions(self, prefix: str) -> Sequence[Division]:
        """Every version of every division whose code starts with `prefix`."""

    @abc.abstractmethod
    async def stations(self, prefix: str) -> Sequence[PoliceStation]:
        """The police stations of the divisions whose code starts with `prefix`."""

    @abc.abstractmethod
    async def get_station(self, code: str) -> PoliceStation | None:
        """One police station."""


class UnitOfWork(abc.ABC):
    """One transaction over the repositories; events published in it are written with the change."""

    units: UnitRepository
    designations: DesignationRepository
    jurisdictions: JurisdictionRepository

    @abc.abstractmethod
    def publish(self, event: DomainEvent) -> None:
        """Stage an event; it is written to the outbox in this transaction at commit."""

    @abc.abstractmethod
    async def commit(self) -> None:
        """Write the staged events and commit everything, or nothing."""

    @abc.abstractmethod
    async def rollback(self) -> None:
        """Discard everything done in this unit of work."""

    @abc.abstractmethod
    async def __aenter__(self) -> UnitOfWork:
        """Begin."""

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        await self.rollback()
