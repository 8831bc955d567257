"""What happened to a unit and its dossier: collected by handlers, written to the outbox with the change.

Dossier events carry the unit's flags after the change. Only DossierUpdated carries personal data: the
responsible person it announces (name, phone), so alarm routing can show the unit's contacts beside alarms.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from unit_registry.domain.dossier import Drill, EmergencyPlan, KeyPart, ResponsiblePerson, SecurityFiling
from unit_registry.domain.enums import ChangeKind, DossierSection
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.informants import InformantReport
from unit_registry.domain.inspections import Hazard, Inspection
from unit_registry.domain.model import Actor, KeyUnitDesignation, Unit
from unit_registry.domain.staff import Training


@dataclass(frozen=True, slots=True)
class UnitRegistered:
    """A unit was registered."""

    unit: Unit
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class UnitUpdated:
    """A unit's fields changed; `changed_fields` by their REST names."""

    unit: Unit
    changed_fields: tuple[str, ...]
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class UnitClosed:
    """A unit was closed."""

    unit: Unit
    reason: str
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class KeyUnitProposed:
    """Police proposed a unit as a key unit."""

    unit: Unit
    designation: KeyUnitDesignation
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class KeyUnitDesignated:
    """A unit became a key unit."""

    unit: Unit
    designation: KeyUnitDesignation
    actor: Actor
    occurred_at: datetime
    flags: DossierFlags = field(default_factory=DossierFlags)


@dataclass(frozen=True, slots=True)
class KeyUnitWithdrawn:
    """A key-unit designation, or a pending proposal, was withdrawn."""

    unit: Unit
    designation: KeyUnitDesignation
    was_designated: bool
    actor: Actor
    occurred_at: datetime
    flags: DossierFlags = field(default_factory=DossierFlags)


@dataclass(frozen=True, slots=True)
class FilingSubmitted:
    """A filing went to the police."""

    unit: Unit
    filing: SecurityFiling
    resubmission: bool
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class FilingAccepted:
    """The police accepted a filing."""

    unit: Unit
    filing: SecurityFiling
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class FilingReturned:
    """The police returned a filing with reasons."""

    unit: Unit
    filing: SecurityFiling
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class DrillRecorded:
    """A drill was recorded."""

    unit: Unit
    drill: Drill
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class TrainingRecorded:
    """A staff member's training was recorded."""

    unit: Unit
    staff_id: uuid.UUID
    training: Training
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class InspectionRecorded:
    """An inspection was recorded."""

    unit: Unit
    inspection: Inspection
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class HazardOpened:
    """A hazard was opened."""

    unit: Unit
    hazard: Hazard
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class HazardRectified:
    """The unit reported a hazard rectified."""

    unit: Unit
    hazard: Hazard
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class HazardVerified:
    """The inspecting party verified a rectification."""

    unit: Unit
    hazard: Hazard
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class HazardReopened:
    """The inspecting party rejected a rectification."""

    unit: Unit
    hazard: Hazard
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class HazardOverdue:
    """An open hazard passed its deadline (announced once per deadline by the sweep)."""

    unit: Unit
    hazard: Hazard
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class InformantReportFiled:
    """An informant filed a report."""

    unit: Unit
    report: InformantReport
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime


# The items a DossierUpdated carries whole (what a responder needs beside an alarm).
AnnouncedItem = ResponsiblePerson | KeyPart | EmergencyPlan


@dataclass(frozen=True, slots=True)
class DossierUpdated:
    """Any other dossier change: which section, which item, added, updated or removed.

    `item`: the responsible person, key part or plan version after the change (as it was, when removed).
    """

    unit: Unit
    section: DossierSection
    item_id: uuid.UUID
    change: ChangeKind
    flags: DossierFlags
    actor: Actor
    occurred_at: datetime
    item: AnnouncedItem | None = None


@dataclass(frozen=True, slots=True)
class DossierFlagsChanged:
    """The sweep found a unit's flags changed with time."""

    unit: Unit
    flags: DossierFlags
    previous: DossierFlags
    actor: Actor
    occurred_at: datetime


DomainEvent = (
    UnitRegistered
    | UnitUpdated
    | UnitClosed
    | KeyUnitProposed
    | KeyUnitDesignated
    | KeyUnitWithdrawn
    | FilingSubmitted
    | FilingAccepted
    | FilingReturned
    | DrillRecorded
    | TrainingRecorded
    | InspectionRecorded
    | HazardOpened
    | HazardRectified
    | HazardVerified
    | HazardReopened
    | HazardOverdue
    | InformantReportFiled
    | DossierUpdated
    | DossierFlagsChanged
)
