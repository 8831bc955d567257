"""Dashboard figures of the unit dossiers: counts per group and the filing rate derived from them."""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Final

# A dashboard without a jurisdiction asked for, and a caller without one (the admin), sees the province.
PROVINCE_PREFIX: Final = "21"


class FigureGrouping(StrEnum):
    """What the rows of the figures are."""

    JURISDICTION = "jurisdiction"
    SECTOR = "sector"


@dataclass(frozen=True, slots=True)
class UnitFigureRow:
    """The counts of one group (key "" for the total)."""

    key: str
    units: int = 0
    key_units: int = 0
    key_units_filed: int = 0
    drills_overdue: int = 0
    hazards_overdue: int = 0
    units_hazards_overdue: int = 0

    @property
    def filing_rate(self) -> float:
        """Key units with an accepted filing among the key units (0 without key units)."""
        return self.key_units_filed / self.key_units if self.key_units else 0.0

    def plus(self, other: UnitFigureRow) -> UnitFigureRow:
        """The sum of two groups (under this one's key)."""
        counts = (getattr(self, f.name) + getattr(other, f.name) for f in fields(self) if f.name != "key")
        return UnitFigureRow(self.key, *counts)


def grouping_length(prefix: str) -> int:
    """How many leading digits of a division code name a group one level under `prefix`."""
    return min(len(prefix) + 2, 6)


def total_of(rows: list[UnitFigureRow]) -> UnitFigureRow:
    """The sum of the rows (key "")."""
    total = UnitFigureRow("")
    for row in rows:
        total = total.plus(row)
    return total
