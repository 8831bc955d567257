"""Submitter health: is a sector system's feed arriving, and is what it sends accepted?

A feed is late when nothing was received within the submitter's expected interval, failing when more
than a threshold of its records were rejected over the last 7 days (failing says more, so it wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from sector_exchange.domain.submitters import Submitter

# More than a fifth of a week's records rejected: the submitter's system needs fixing.
FAILING_REJECTION_RATE: Final = 0.2
HEALTH_WINDOW: Final = timedelta(days=7)
RECENT_WINDOW: Final = timedelta(hours=24)


class FeedStatus(StrEnum):
    """How a submitter's feed is doing."""

    HEALTHY = "healthy"
    LATE = "late"
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class FeedActivity:
    """What one organisation sent: batches and records (kept and rejected) over the recent windows."""

    last_batch_at: datetime | None = None
    batches_24h: int = 0
    records_24h: int = 0
    batches_7d: int = 0
    records_7d: int = 0
    rejected_7d: int = 0
    # From the daily figures: kept records of the last 7 receipt days, and those received late.
    kept_7d: int = 0
    late_7d: int = 0


@dataclass(frozen=True, slots=True)
class SubmitterHealth:
    """A registered submitter, what it sent and the status that gives."""

    submitter: Submitter
    activity: FeedActivity
    rejection_rate: float | None
    late_rate: float | None
    status: FeedStatus


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def assess(
    submitter: Submitter,
    activity: FeedActivity,
    now: datetime,
    failing_rejection_rate: float = FAILING_REJECTION_RATE,
) -> SubmitterHealth:
    """The health of a submitter's feed at `now`."""
    rejection_rate = _rate(activity.rejected_7d, activity.records_7d)
    late_rate = _rate(activity.late_7d, activity.kept_7d)
    expected = timedelta(hours=submitter.expected_interval_hours)
    if rejection_rate is not None and rejection_rate > failing_rejection_rate:
        status = FeedStatus.FAILING
    elif activity.last_batch_at is None or now - activity.last_batch_at > expected:
        status = FeedStatus.LATE
    else:
        status = FeedStatus.HEALTHY
    return SubmitterHealth(submitter, activity, rejection_rate, late_rate, status)
