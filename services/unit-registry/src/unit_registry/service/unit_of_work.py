"""The ports handlers use: repositories and a unit of work (one transaction, events included)."""

from __future__ import annotations

import abc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Generic, TypeVar

from neibao_identity import Scope
from unit_registry.domain.dossier import (
    DossierFacts,
    DossierItem,
    Drill,
    EmergencyPlan,
    KeyPart,
    ResponsiblePerson,
    SecurityFiling,
    Workstation,
)
from unit_registry.domain.enums import ChangeType, HazardState, Sector, UnitStatus, UnitType
from unit_registry.domain.events import DomainEvent
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.informants import Informant, InformantReport
from unit_registry.domain.inspections import Hazard, Inspection
from unit_registry.domain.jurisdiction import Division, PoliceStation
from unit_registry.domain.model import Actor, FieldChange, KeyUnitDesignation, Unit
from unit_registry.domain.staff import StaffMember

I = TypeVar("I", bound=DossierItem)  # noqa: E741 - the usual name of an item type
# A keyset position: the sort key of the last row of the previous page, as text.
After = tuple[str, ...] | None


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
    filing_overdue: bool | None = None
    drills_overdue: bool | None = None
    hazards_overdue: bool | None = None
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


class ItemRepository(abc.ABC, Generic[I]):
    """Editable dossier items of one kind, by unit; callers have checked the unit is in scope."""

    @abc.abstractmethod
    async def add(self, item: I) -> None:
        """Insert a new item (AlreadyExists where the kind has a unique key)."""

    @abc.abstractmethod
    async def get(self, uscc: str, item_id: uuid.UUID, *, for_update: bool = False) -> I | None:
        """The unit's item with this id (locked for the transaction when `for_update`)."""

    @abc.abstractmethod
    async def list_for(self, uscc: str) -> Sequence[I]:
        """Every item of the unit, in the kind's natural order."""

    @abc.abstractmethod
    async def update(self, item: I, previous_version: int) -> None:
        """Write back; VersionConflict if it changed since `previous_version`."""

    @abc.abstractmethod
    async def delete(self, item: I) -> None:
        """Remove the item."""


class FilingRepository(ItemRepository[SecurityFiling]):
    """Security organisation filings."""

    @abc.abstractmethod
    async def get_open(self, uscc: str, *, for_update: bool = False) -> SecurityFiling | None:
        """The unit's filing being written or reviewed."""

    @abc.abstractmethod
    async def get_in_force(self, uscc: str) -> SecurityFiling | None:
        """The unit's latest accepted filing."""


class StaffRepository(ItemRepository[StaffMember]):
    """Security staff; `update` also writes the trainings, assessments and certificates added."""

    @abc.abstractmethod
    async def list_page(
        self, uscc: str, include_departed: bool, after: After, limit: int
    ) -> Sequence[StaffMember]:
        """A page of the unit's staff by (name, id)."""

    @abc.abstractmethod
    async def find_by_resident_id(self, resident_id: str, scope: Scope) -> Sequence[StaffMember]:
        """Staff records with this resident ID (by its blind index) in units inside `scope`."""

    @abc.abstractmethod
    async def has_active(self, uscc: str, resident_id: str, other_than: uuid.UUID | None = None) -> bool:
        """Whether an active staff member of the unit holds this resident ID."""


class InformantRepository(ItemRepository[Informant]):
    """Informants and their reports."""

    @abc.abstractmethod
    async def add_report(self, report: InformantReport) -> None:
        """Insert a report."""

    @abc.abstractmethod
    async def list_reports(
        self, uscc: str, informant_id: uuid.UUID | None, after: After, limit: int
    ) -> Sequence[InformantReport]:
        """A page of the unit's reports, newest first."""


class PlanRepository(abc.ABC):
    """Emergency plan versions."""

    @abc.abstractmethod
    async def add(self, plan: EmergencyPlan) -> None:
        """Insert a version."""

    @abc.abstractmethod
    async def supersede(self, plan: EmergencyPlan) -> None:
        """Write back a version's state."""

    @abc.abstractmethod
    async def get_current(self, uscc: str, plan_id: uuid.UUID) -> EmergencyPlan | None:
        """The current version of a plan of the unit, locked."""

    @abc.abstractmethod
    async def list_for(self, uscc: str, include_superseded: bool) -> Sequence[EmergencyPlan]:
        """The unit's plans by title, newest version first."""


class DrillRepository(abc.ABC):
    """Drill records."""

    @abc.abstractmethod
    async def add(self, drill: Drill) -> None:
        """Insert."""

    @abc.abstractmethod
    async def list_page(self, uscc: str, after: After, limit: int) -> Sequence[Drill]:
        """A page of the unit's drills, newest first."""


class InspectionRepository(abc.ABC):
    """Inspection records."""

    @abc.abstractmethod
    async def add(self, inspection: Inspection) -> None:
        """Insert."""

    @abc.abstractmethod
    async def get(self, uscc: str, inspection_id: uuid.UUID) -> Inspection | None:
        """One inspection of the unit."""

    @abc.abstractmethod
    async def list_page(self, uscc: str, after: After, limit: int) -> Sequence[Inspection]:
        """A page of the unit's inspections, newest first."""


class HazardRepository(ItemRepository[Hazard]):
    """Hazards."""

    @abc.abstractmethod
    async def list_page(
        self,
        uscc: str,
        state: HazardState | None,
        overdue: bool | None,
        today: date,
        *,
        after: After,
        limit: int,
    ) -> Sequence[Hazard]:
        """A page of the unit's hazards by (deadline, id); `overdue`: only those (not) overdue `today`."""

    @abc.abstractmethod
    async def list_for_inspection(self, uscc: str, inspection_id: uuid.UUID) -> Sequence[Hazard]:
        """The hazards found in one inspection."""

    @abc.abstractmethod
    async def unannounced_overdue(self, today: date, limit: int) -> Sequence[Hazard]:
        """Open hazards past their deadline whose passing was not announced yet, locked (others skip them)."""


@dataclass(frozen=True, slots=True)
class DossierCounts:
    """The counts of a dossier summary."""

    responsible_persons: int = 0
    has_first_responsible: bool = False
    staff_full_time: int = 0
    staff_part_time: int = 0
    certificates_expired: int = 0
    certificates_expiring: int = 0
    key_parts: int = 0
    current_plans: int = 0
    drills_last_12_months: int = 0
    last_drill_on: date | None = None
    inspections_last_12_months: int = 0
    hazards_open: int = 0
    hazards_overdue: int = 0
    hazards_awaiting_verification: int = 0
    workstations_open: int = 0
    informants: int = 0


class DossierRepository(abc.ABC):
    """What spans the dossier: the facts behind the flags, the flags on the unit, the summary's counts."""

    @abc.abstractmethod
    async def facts(self, uscc: str, today: date) -> DossierFacts:
        """What the unit's flags depend on, as of `today`."""

    @abc.abstractmethod
    async def save_flags(self, uscc: str, flags: DossierFlags) -> None:
        """Materialise the unit's flags."""

    @abc.abstractmethod
    async def flag_candidates(
        self, after_uscc: str | None, limit: int, today: date
    ) -> Sequence[tuple[Unit, DossierFacts]]:
        """Units whose flags may be set or need clearing (key units, flagged units, units with open
        hazards), after `after_uscc` by USCC, with their facts."""

    @abc.abstractmethod
    async def replace_flags(self, uscc: str, expected: DossierFlags, flags: DossierFlags) -> bool:
        """Set the unit's flags if they are still `expected` (compare and set); whether they were."""

    @abc.abstractmethod
    async def counts(self, uscc: str, today: date) -> DossierCounts:
        """The counts of the unit's dossier summary as of `today`."""


class UnitOfWork(abc.ABC):
    """One transaction over the repositories; events published in it are written with the change."""

    units: UnitRepository
    designations: DesignationRepository
    jurisdictions: JurisdictionRepository
    dossier: DossierRepository
    filings: FilingRepository
    responsible_persons: ItemRepository[ResponsiblePerson]
    staff: StaffRepository
    informants: InformantRepository
    key_parts: ItemRepository[KeyPart]
    plans: PlanRepository
    drills: DrillRepository
    workstations: ItemRepository[Workstation]
    inspections: InspectionRepository
    hazards: HazardRepository

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
