"""What callers ask of a unit's dossier: one command (or query) per use case, translated from the wire.

Ids arrive as the text the caller sent; the handlers parse them (an id that is no UUID names nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from unit_registry.domain.dossier import FilingDraft
from unit_registry.domain.enums import HazardState
from unit_registry.domain.inspections import Evidence
from unit_registry.domain.staff import AssessmentDraft, CertificateDraft, TrainingDraft

D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class ItemCreate(Generic[D]):
    """Add an item to a unit's dossier."""

    uscc: str
    draft: D


@dataclass(frozen=True, slots=True)
class ItemUpdate(Generic[D]):
    """Change the fields of an item named in `fields` (REST names), based on `version` (0: unchecked)."""

    uscc: str
    item_id: str
    version: int
    fields: frozenset[str]
    draft: D


@dataclass(frozen=True, slots=True)
class ItemDelete:
    """Remove an item, based on `version` (0: unchecked)."""

    uscc: str
    item_id: str
    version: int = 0


@dataclass(frozen=True, slots=True)
class ItemRef:
    """One item of a unit's dossier."""

    uscc: str
    item_id: str


@dataclass(frozen=True, slots=True)
class PageQuery:
    """A page of a unit's records."""

    uscc: str
    limit: int = 0
    cursor: str = ""


@dataclass(frozen=True, slots=True)
class FilingDraftSave:
    """Write the unit's open filing (or start one)."""

    uscc: str
    draft: FilingDraft
    version: int = 0


@dataclass(frozen=True, slots=True)
class FilingSubmission:
    """Submit (or resubmit) a filing."""

    uscc: str
    filing_id: str
    version: int = 0


@dataclass(frozen=True, slots=True)
class FilingAcceptance:
    """Accept a submitted filing."""

    uscc: str
    filing_id: str
    version: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class FilingReturn:
    """Return a submitted filing with reasons."""

    uscc: str
    filing_id: str
    reasons: tuple[str, ...]
    version: int = 0


@dataclass(frozen=True, slots=True)
class PlanPublication(Generic[D]):
    """Publish a new plan, or a new version of `plan_id`."""

    uscc: str
    draft: D
    plan_id: str = ""


@dataclass(frozen=True, slots=True)
class StaffQuery:
    """A page of a unit's staff."""

    uscc: str
    include_departed: bool = False
    limit: int = 0
    cursor: str = ""


@dataclass(frozen=True, slots=True)
class StaffRemoval:
    """A staff member left on `departed_on` (None: today)."""

    uscc: str
    staff_id: str
    version: int = 0
    departed_on: date | None = None


@dataclass(frozen=True, slots=True)
class StaffRecordAdd:
    """Add a training, an assessment or a certificate to a staff member."""

    uscc: str
    staff_id: str
    draft: TrainingDraft | AssessmentDraft | CertificateDraft


@dataclass(frozen=True, slots=True)
class InformantReportFile(Generic[D]):
    """File an informant's report."""

    uscc: str
    informant_id: str
    draft: D


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """A page of a unit's informant reports (of one informant when given)."""

    uscc: str
    informant_id: str = ""
    limit: int = 0
    cursor: str = ""


@dataclass(frozen=True, slots=True)
class HazardOpening(Generic[D]):
    """Open a hazard found in an inspection."""

    uscc: str
    inspection_id: str
    draft: D


@dataclass(frozen=True, slots=True)
class HazardQuery:
    """A page of a unit's hazards."""

    uscc: str
    state: HazardState | None = None
    overdue: bool | None = None
    limit: int = 0
    cursor: str = ""


@dataclass(frozen=True, slots=True)
class HazardRectification:
    """The unit reports a hazard rectified."""

    uscc: str
    hazard_id: str
    note: str
    evidence: tuple[Evidence, ...]
    version: int = 0


@dataclass(frozen=True, slots=True)
class HazardVerification:
    """The inspecting party verifies a rectification."""

    uscc: str
    hazard_id: str
    accepted: bool
    note: str = ""
    new_deadline: date | None = None
    version: int = 0
