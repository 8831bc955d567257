"""Dashboard figures: counts per group and the rates derived from them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from device_inventory.domain.enums import DeviceType

# Alarm devices: one offline is a gap in what reaches the police.
CRITICAL_TYPES = frozenset(
    {DeviceType.ONE_BUTTON_ALARM, DeviceType.INTRUSION_PANEL, DeviceType.PERIMETER_ALARM}
)


class FigureGrouping(StrEnum):
    """What the rows of the figures are."""

    JURISDICTION = "jurisdiction"
    SECTOR = "sector"


@dataclass(frozen=True, slots=True)
class FigureRow:
    """The counts of one group (key "" for the total)."""

    key: str
    devices: int = 0
    online: int = 0
    offline: int = 0
    fault: int = 0
    unknown: int = 0
    offline_critical: int = 0
    units: int = 0
    units_evaluated: int = 0
    units_compliant: int = 0

    @property
    def online_rate(self) -> float:
        """Online among the devices heard from."""
        heard = self.devices - self.unknown
        return self.online / heard if heard else 0.0

    @property
    def compliance_rate(self) -> float:
        """Compliant among the units evaluated."""
        return self.units_compliant / self.units_evaluated if self.units_evaluated else 0.0

    def plus(self, other: FigureRow) -> FigureRow:
        """The sum of two groups (under this one's key)."""
        return FigureRow(
            self.key,
            *(getattr(self, name) + getattr(other, name) for name in FigureRow.__slots__ if name != "key"),
        )


def grouping_length(prefix: str) -> int:
    """How many leading digits of a division code name a group one level under `prefix`."""
    return min(len(prefix) + 2, 6)
