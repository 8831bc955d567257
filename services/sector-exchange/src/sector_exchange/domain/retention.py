"""Retention of records: per-dataset periods (data, not code) and the monthly partitions records live in.

Records are partitioned by the month of their receipt (UTC): every insert goes to the current month, and a
month whose every record is past every dataset's period is dropped whole instead of deleted row by row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

from sector_exchange.domain.datasets import DATASETS, PersonalKind

# Identity data is kept at least a year (DOMAIN.md); a leap year has 366 days.
MIN_IDENTITY_DAYS: Final = 366
PARTITION_PREFIX: Final = "record_y"
# Rows of a month without its partition land here (the job makes months ahead, so it stays empty).
DEFAULT_PARTITION: Final = "record_default"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """Days each dataset's records are kept after their receipt."""

    days: Mapping[str, int]

    def __post_init__(self) -> None:
        missing = DATASETS.keys() - self.days.keys()
        if missing:
            raise ValueError(f"no retention period for {sorted(missing)}")
        unknown = self.days.keys() - DATASETS.keys()
        if unknown:
            raise ValueError(f"retention periods for unknown datasets {sorted(unknown)}")
        for key, days in self.days.items():
            if days < 1:
                raise ValueError(f"{key}: a retention period is at least one day")
            if PersonalKind.RESIDENT_ID in DATASETS[key].personal_kinds and days < MIN_IDENTITY_DAYS:
                raise ValueError(f"{key} carries identity data: keep it at least {MIN_IDENTITY_DAYS} days")

    def cutoff(self, dataset: str, now: datetime) -> datetime:
        """Records of `dataset` received before this are expired."""
        return now - timedelta(days=self.days[dataset])

    def oldest_cutoff(self, now: datetime) -> datetime:
        """Records received before this are expired in every dataset."""
        return now - timedelta(days=max(self.days.values()))


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A monthly partition of the records: [start, end) in UTC."""

    year: int
    month: int

    @classmethod
    def of(cls, moment: datetime) -> Month:
        """The month `moment` (any zone) falls in, in UTC."""
        utc = moment.astimezone(UTC)
        return cls(utc.year, utc.month)

    @classmethod
    def from_name(cls, name: str) -> Month | None:
        """The month of a partition's table name (record_y2026m11), or None for another name."""
        if not name.startswith(PARTITION_PREFIX) or len(name) != len("record_y2026m11"):
            return None
        try:
            return cls(int(name[8:12]), int(name[13:15]))
        except ValueError:
            return None

    @property
    def name(self) -> str:
        """Its table's name."""
        return f"{PARTITION_PREFIX}{self.year:04d}m{self.month:02d}"

    @property
    def start(self) -> datetime:
        """Its first instant."""
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant of the next month."""
        return self.next().start

    def next(self) -> Month:
        """The month after."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def first_day(self) -> date:
        """Its first day."""
        return self.start.date()


def months_ahead(now: datetime, count: int) -> list[Month]:
    """The current month and the `count` after it (partitions made before rows arrive)."""
    months = [Month.of(now)]
    for _ in range(count):
        months.append(months[-1].next())
    return months


def droppable(months: list[Month], policy: RetentionPolicy, now: datetime) -> list[Month]:
    """The months whose every record is expired in every dataset."""
    cutoff = policy.oldest_cutoff(now)
    return [month for month in sorted(months) if month.end <= cutoff]
