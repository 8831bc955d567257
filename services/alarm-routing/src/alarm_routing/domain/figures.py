"""Alarm figures for dashboards: per day of a period (China time) and the open alarms now."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_DAYS = 30
MAX_DAYS = 90


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One day's alarms, by the day they were received."""

    day: date
    raised: int = 0
    by_priority: Mapping[int, int] = field(default_factory=dict)
    real: int = 0
    false_alarms: int = 0
    deadlines_missed: int = 0
    # From receipt to the first police acknowledgement (None: police acknowledged none that day).
    median_acknowledge_seconds: float | None = None
    p90_acknowledge_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class AlarmFigures:
    """Every day of the period, oldest first, and the unresolved alarms per priority."""

    days: tuple[DayFigures, ...]
    open_by_priority: Mapping[int, int]


def period(now: datetime, days: int) -> tuple[date, date, datetime]:
    """The first and last day (China time) of the `days` ending today, and the instant the first begins."""
    last = now.astimezone(CHINA).date()
    first = last - timedelta(days=days - 1)
    return first, last, datetime(first.year, first.month, first.day, tzinfo=CHINA)


def every_day(found: Iterable[DayFigures], first: date, last: date) -> tuple[DayFigures, ...]:
    """The figures of each day from `first` to `last`, zeros where nothing was found."""
    by_day = {figures.day: figures for figures in found}
    count = (last - first).days + 1
    return tuple(
        by_day.get(day, DayFigures(day)) for day in (first + timedelta(days=n) for n in range(count))
    )
