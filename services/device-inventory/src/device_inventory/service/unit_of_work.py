"""The ports handlers use: repositories and a unit of work (one transaction, events included)."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from device_inventory.domain.compliance import UnitCompliance
from device_inventory.domain.enums import DeviceStatus, DeviceType, Lifecycle
from device_inventory.domain.events import DeviceStatusChanged, DomainEvent
from device_inventory.domain.figures import FigureGrouping, FigureRow
from device_inventory.domain.heartbeats import ValidHeartbeat
from device_inventory.domain.model import Device, ProtectionItem, UnitView
from neibao_identity import Scope


@dataclass(frozen=True, slots=True)
class DeviceFilter:
    """Validated listing criteria."""

    uscc: str = ""
    device_type: DeviceType | None = None
    status: DeviceStatus | None = None
    lifecycle: Lifecycle | None = None
    key_part: uuid.UUID | None = None
    after_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ComplianceSnapshot:
    """The last evaluation announced for a unit."""

    compliant: bool
    unmet: tuple[str, ...]
    rules_version: str


@dataclass(frozen=True, slots=True)
class HeartbeatOutcome:
    """What a batch of heartbeats did: which devices took them, which were refused, what changed."""

    accepted: frozenset[uuid.UUID]
    retired: frozenset[uuid.UUID]
    changes: Sequence[DeviceStatusChanged]


class UnitRepository(abc.ABC):
    """The unit read model; reads take the caller's scope and find nothing outside it."""

    @abc.abstractmethod
    async def get(self, uscc: str, scope: Scope | None) -> UnitView | None:
        """The unit (with its key parts) if known and inside `scope` (None: any scope)."""

    @abc.abstractmethod
    async def get_compliance(self, uscc: str) -> ComplianceSnapshot | None:
        """The unit's last announced compliance."""

    @abc.abstractmethod
    async def save_compliance(self, uscc: str, compliance: UnitCompliance) -> None:
        """Remember an evaluation as announced; the unit is no longer due for one."""

    @abc.abstractmethod
    async def due_for_compliance(self, limit: int) -> Sequence[str]:
        """USCCs whose compliance must be re-evaluated (locked; others skip them)."""

    @abc.abstractmethod
    async def forget_processed(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` dedupe records of unit events applied before `before`; how many."""


class DeviceRepository(abc.ABC):
    """Devices with their liveness."""

    @abc.abstractmethod
    async def add(self, device: Device) -> None:
        """Insert a device and its liveness."""

    @abc.abstractmethod
    async def get(self, device_id: uuid.UUID, scope: Scope, *, for_update: bool = False) -> Device | None:
        """The device if its unit lies inside `scope`."""

    @abc.abstractmethod
    async def list(self, criteria: DeviceFilter, scope: Scope, limit: int) -> Sequence[Device]:
        """Up to `limit` devices matching the criteria inside `scope`, by id."""

    @abc.abstractmethod
    async def for_unit(self, uscc: str) -> Sequence[Device]:
        """Every device of a unit (for its compliance)."""

    @abc.abstractmethod
    async def update(self, device: Device, previous_version: int) -> None:
        """Write a device back; VersionConflict if it changed since `previous_version`."""


class ProtectionRepository(abc.ABC):
    """Physical protection and guard equipment quantities."""

    @abc.abstractmethod
    async def set(
        self, uscc: str, key_part: uuid.UUID | None, items: Sequence[ProtectionItem], now: datetime
    ) -> None:
        """Set the quantities of the kinds given (0 removes a kind) for the unit or one key part."""

    @abc.abstractmethod
    async def for_unit(self, uscc: str) -> Sequence[ProtectionItem]:
        """Every quantity recorded for the unit and its key parts."""


class LivenessRepository(abc.ABC):
    """Heartbeats and online status, set-based: one statement per batch, never one per heartbeat."""

    @abc.abstractmethod
    async def record(
        self, heartbeats: Sequence[ValidHeartbeat], scope: Scope | None, now: datetime
    ) -> HeartbeatOutcome:
        """Apply the heartbeats of devices inside `scope` (None: any), keeping each device's latest."""

    @abc.abstractmethod
    async def mark_offline(self, now: datetime, limit: int) -> Sequence[DeviceStatusChanged]:
        """Devices silent past their interval (plus grace) become offline; the changes."""


class FiguresRepository(abc.ABC):
    """Dashboard counts."""

    @abc.abstractmethod
    async def figures(
        self, scope: Scope, prefix: str, sector: str, grouping: FigureGrouping, group_prefix: str
    ) -> list[FigureRow]:
        """One row per group of the units inside `scope`, under `prefix`, of `sector` (when given);
        by jurisdiction, the groups are the divisions one level under `group_prefix`."""


class UnitOfWork(abc.ABC):
    """One transaction over the repositories; `publish`ed events are written with it to the outbox."""

    units: UnitRepository
    devices: DeviceRepository
    protection: ProtectionRepository
    liveness: LivenessRepository
    figures: FiguresRepository

    async def __aenter__(self) -> UnitOfWork:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.rollback()

    @abc.abstractmethod
    def publish(self, event: DomainEvent) -> None:
        """Stage an event; it is written to the outbox at commit."""

    @abc.abstractmethod
    async def commit(self) -> None:
        """Commit the changes and the staged events together."""

    @abc.abstractmethod
    async def rollback(self) -> None:
        """Discard what was not committed."""
