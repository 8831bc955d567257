"""The retention job: months made ahead, months past every period dropped, expired rows deleted."""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime

from sector_exchange.domain.retention import Month, RetentionPolicy, droppable, months_ahead

MONTHS_AHEAD = 2


class PartitionStore(abc.ABC):
    """Where records live, month by month."""

    @abc.abstractmethod
    def months(self) -> list[Month]:
        """The monthly partitions there are."""

    @abc.abstractmethod
    def create_month(self, month: Month) -> None:
        """Make a month's partition."""

    @abc.abstractmethod
    def drop_month(self, month: Month) -> int:
        """Drop a month's partition; how many rows it held."""

    @abc.abstractmethod
    def delete_expired(self, dataset: str, before: datetime) -> int:
        """Delete a dataset's rows received before `before`; how many."""


@dataclass
class RetentionReport:
    """What one run did."""

    created: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)


def enforce_retention(policy: RetentionPolicy, store: PartitionStore, now: datetime) -> RetentionReport:
    """Make the coming months, drop the months wholly expired, delete each dataset's expired rows."""
    report = RetentionReport()
    existing = set(store.months())
    for month in months_ahead(now, MONTHS_AHEAD):
        if month not in existing:
            store.create_month(month)
            report.created.append(month.name)
    for month in droppable(sorted(existing), policy, now):
        report.dropped[month.name] = store.drop_month(month)
    for dataset in sorted(policy.days):
        report.deleted[dataset] = store.delete_expired(dataset, policy.cutoff(dataset, now))
    return report
