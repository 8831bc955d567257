"""Scoring periods: calendar months in China Standard Time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """One month, e.g. 2026-11."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """A period from "YYYY-MM"; ValueError otherwise."""
        match = _PERIOD.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is not a period (YYYY-MM)")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, day: date) -> Period:
        """The period a day falls in."""
        return cls(day.year, day.month)

    def previous(self) -> Period:
        """The month before."""
        return Period(self.year - 1, 12) if self.month == 1 else Period(self.year, self.month - 1)

    def next(self) -> Period:
        """The month after."""
        return Period(self.year + 1, 1) if self.month == 12 else Period(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def china_day(moment: datetime) -> date:
    """The day in Liaoning at a moment (an aware datetime)."""
    return moment.astimezone(CHINA).date()
