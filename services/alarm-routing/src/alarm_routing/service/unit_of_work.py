"""The ports handlers use: repositories and a unit of work (one transaction, events included)."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from alarm_routing.domain.context import UnitContext
from alarm_routing.domain.enums import AlarmKind, AlarmStatus
from alarm_routing.domain.events import DomainEvent
from alarm_routing.domain.figures import DayFigures
from alarm_routing.domain.model import Alarm, Report, UnitFacts
from alarm_routing.domain.silences import Silence
from neibao_identity import Scope


@dataclass(frozen=True, slots=True)
class AlarmFilter:
    """Validated list criteria; `before_seq`: the keyset position (newest first)."""

    status: AlarmStatus | None = None
    uscc: str = ""
    kind: AlarmKind | None = None
    before_seq: int | None = None


@dataclass(frozen=True, slots=True)
class IntakeFacts:
    """What intake reads of a unit before routing: its facts, the silences in force, its context (without
    contacts) and the key part the reporting device guards."""

    unit: UnitFacts | None
    silences: Sequence[Silence]
    context: UnitContext
    device_key_part: str


@dataclass(frozen=True, slots=True)
class Timer:
    """A due escalation timer."""

    id: int
    alarm_id: uuid.UUID
    route_id: uuid.UUID
    due_at: datetime


class AlarmRepository(abc.ABC):
    """Alarms with their routes and timelines; every read with a scope finds nothing outside it."""

    @abc.abstractmethod
    async def add(self, alarm: Alarm, timers: Sequence[tuple[uuid.UUID, datetime]] = ()) -> bool:
        """Insert a new alarm with its routes, timeline and the timers (route id, due time) of its deadlines;
        False (nothing written) if its source and source id were taken in already."""

    @abc.abstractmethod
    async def get(
        self, alarm_id: uuid.UUID, scope: Scope | None, *, for_update: bool = False
    ) -> Alarm | None:
        """The alarm if it exists inside `scope` (None: the platform itself); locked when `for_update`."""

    @abc.abstractmethod
    async def get_by_source(self, source: str, source_id: str) -> Alarm | None:
        """The alarm a sender gave this id (as its first report or as a repeat counted on it)."""

    @abc.abstractmethod
    async def list(self, criteria: AlarmFilter, scope: Scope, limit: int) -> Sequence[tuple[int, Alarm]]:
        """Up to `limit` alarms inside `scope` matching the criteria, newest first, with keyset positions."""

    @abc.abstractmethod
    async def lock_zone(self, uscc: str, zone: str, kind: AlarmKind) -> None:
        """Serialise intake for one zone and kind until the transaction ends (so repeats group, not race)."""

    @abc.abstractmethod
    async def open_for_zone(self, uscc: str, zone: str, kind: AlarmKind, since: datetime) -> Alarm | None:
        """The newest unfinished alarm of this kind from the zone reported since `since`, locked."""

    @abc.abstractmethod
    async def open_for_device(self, uscc: str, device_id: str, kind: AlarmKind) -> Sequence[Alarm]:
        """The unfinished alarms of this kind from one device of the unit, locked, oldest first."""

    @abc.abstractmethod
    async def add_report(self, alarm: Alarm, report: Report) -> None:
        """Record a repeat report counted on `alarm`."""

    @abc.abstractmethod
    async def figures(self, scope: Scope, since: datetime) -> tuple[Sequence[DayFigures], dict[int, int]]:
        """Per day (China time) since `since`, in scope, and the unresolved alarms per priority."""

    @abc.abstractmethod
    async def save(self, alarm: Alarm) -> None:
        """Write back the alarm's state, its routes and its new timeline entries."""


class SilenceRepository(abc.ABC):
    """Silences; reads with a scope find nothing outside it."""

    @abc.abstractmethod
    async def add(self, silence: Silence, unit: UnitFacts) -> None:
        """Insert a silence of `unit`."""

    @abc.abstractmethod
    async def get(self, silence_id: uuid.UUID, scope: Scope, *, for_update: bool = False) -> Silence | None:
        """The silence if it exists inside `scope`."""

    @abc.abstractmethod
    async def list(self, uscc: str, scope: Scope, limit: int) -> Sequence[Silence]:
        """Silences inside `scope` (of one unit when `uscc`), newest first."""

    @abc.abstractmethod
    async def save(self, silence: Silence) -> None:
        """Write back its state."""


class UnitRepository(abc.ABC):
    """The read model of units."""

    @abc.abstractmethod
    async def get(self, uscc: str) -> UnitFacts | None:
        """What is known of the unit."""


class UnitContextRepository(abc.ABC):
    """The read model of what responders need of a unit (its dossier's plans, key parts, people)."""

    @abc.abstractmethod
    async def get(self, uscc: str) -> UnitContext:
        """The unit's context, phones in clear (disclose before answering); empty when nothing is known."""

    @abc.abstractmethod
    async def device_key_part(self, uscc: str, device_id: str) -> str:
        """The id of the key part the unit's device guards ("" when unknown or the unit as a whole)."""


class TimerRepository(abc.ABC):
    """Durable escalation timers."""

    @abc.abstractmethod
    async def set(self, alarm_id: uuid.UUID, route_id: uuid.UUID, due_at: datetime) -> None:
        """Arm (or re-arm) the timer of a route."""

    @abc.abstractmethod
    async def due(self, now: datetime, limit: int) -> Sequence[Timer]:
        """Timers due at `now`, earliest first, locked; timers another escalator holds are skipped."""

    @abc.abstractmethod
    async def delete(self, timer_id: int) -> None:
        """Disarm a timer."""


class UnitOfWork(abc.ABC):
    """One transaction over the repositories; events published in it are written with the change."""

    alarms: AlarmRepository
    silences: SilenceRepository
    units: UnitRepository
    contexts: UnitContextRepository
    timers: TimerRepository

    @abc.abstractmethod
    async def intake_facts(self, uscc: str, device_id: str, at: datetime) -> IntakeFacts:
        """What intake needs of the unit at `at`, in one read."""

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
