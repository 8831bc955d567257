"""What callers ask for: one command (or query) per use case, already translated from the wire."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from unit_registry.domain.enums import KeyUnitCategory, Sector, UnitStatus, UnitType
from unit_registry.domain.model import UnitDraft, UnitPatch

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class UnitCreate:
    """Register a unit."""

    draft: UnitDraft


@dataclass(frozen=True, slots=True)
class UnitUpdate:
    """Change the fields named in the patch, based on `version`."""

    uscc: str
    version: int
    patch: UnitPatch


@dataclass(frozen=True, slots=True)
class UnitClose:
    """Close a unit."""

    uscc: str
    version: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class UnitQuery:
    """Search units; every criterion given narrows the result."""

    q: str = ""
    uscc: str = ""
    jurisdiction: str = ""
    sector: Sector | None = None
    unit_type: UnitType | None = None
    key_unit: bool | None = None
    status: UnitStatus | None = None
    police_station: str = ""
    filing_overdue: bool | None = None
    drills_overdue: bool | None = None
    hazards_overdue: bool | None = None
    limit: int = 0
    cursor: str = ""


@dataclass(frozen=True, slots=True)
class KeyUnitProposal:
    """Propose a unit as a key unit."""

    uscc: str
    category: KeyUnitCategory | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class KeyUnitConfirmation:
    """Confirm the pending proposal, effective `designated_on` (None: today)."""

    uscc: str
    version: int = 0
    designated_on: date | None = None


@dataclass(frozen=True, slots=True)
class KeyUnitWithdrawal:
    """Withdraw the designation or drop the proposal."""

    uscc: str
    reason: str
    version: int = 0
