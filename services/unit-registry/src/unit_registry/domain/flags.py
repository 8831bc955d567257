"""The overdue flags of a unit's dossier (their rules: domain.dossier.compute_flags)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DossierFlags:
    """The overdue flags of a unit, materialised on the unit and carried by every dossier event."""

    filing_overdue: bool = False
    drills_overdue: bool = False
    hazards_overdue: bool = False
