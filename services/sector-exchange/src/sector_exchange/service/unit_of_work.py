"""The unit of work and repositories the handlers need (implemented in adapters.db)."""

from __future__ import annotations

import abc
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import Self

from neibao_identity import Scope
from sector_exchange.domain.datasets import Dataset
from sector_exchange.domain.early_warnings import EarlyWarning, FuelSale
from sector_exchange.domain.figures import Counts, FigureRow, Grouping, TallyKey, WarningCount
from sector_exchange.domain.health import FeedActivity
from sector_exchange.domain.model import Batch, DomainEvent, KeptRecord, StoredRecord
from sector_exchange.domain.receipts import LogEntry
from sector_exchange.domain.validation import ValidRecord


class BatchRepository(abc.ABC):
    """Batches by (organisation, batch id)."""

    @abc.abstractmethod
    async def get(self, organisation: str, batch_id: str) -> Batch | None:
        """One organisation's batch."""

    @abc.abstractmethod
    async def find(self, batch_id: str, organisation: str | None) -> list[Batch]:
        """Batches with this id (of one organisation when given), newest first."""

    @abc.abstractmethod
    def add(self, batch: Batch) -> None:
        """Stage a new batch."""

    @abc.abstractmethod
    async def activity(
        self, organisations: Collection[str], *, recent_since: datetime, since: datetime
    ) -> dict[str, FeedActivity]:
        """What each organisation sent (batches, records, rejections) since `since`, and since
        `recent_since`; its last batch ever. Organisations that never sent anything are left out."""


class RecordRepository(abc.ABC):
    """Kept records; personal fields sealed on the way in, opened on the way out."""

    @abc.abstractmethod
    async def add_many(
        self,
        dataset: Dataset,
        organisation: str,
        batch_id: str,
        records: Sequence[ValidRecord],
        received_at: datetime,
    ) -> list[KeptRecord]:
        """Store the kept records of a batch; them as stored, in order."""

    @abc.abstractmethod
    async def fuel_sales(
        self,
        *,
        buyer_ids: Collection[str],
        since: datetime,
        until: datetime,
        certificates: Collection[str],
        batch: tuple[str, str],
    ) -> list[FuelSale]:
        """Stored fuel sales of these buyers (resident IDs, found by blind index) between two times, and
        every sale against these certificates; those of `batch` (organisation, batch id) marked new."""

    @abc.abstractmethod
    async def list(
        self,
        dataset: Dataset,
        scope: Scope,
        *,
        jurisdiction_prefix: str | None,
        limit: int,
        before: int | None,
        resident_id: str | None = None,
    ) -> list[StoredRecord]:
        """Records of a dataset inside `scope`, newest first, older than the `before` sequence (only those
        naming `resident_id`, found by its blind index, when given)."""


class EarlyWarningRepository(abc.ABC):
    """Early warnings by their stable id."""

    @abc.abstractmethod
    async def add_new(self, warnings: Sequence[EarlyWarning], raised_at: datetime) -> list[EarlyWarning]:
        """Store the warnings not stored before; those."""


class FigureRepository(abc.ABC):
    """Daily tallies of the compliance and quality figures."""

    @abc.abstractmethod
    async def add(self, tallies: Mapping[TallyKey, Counts]) -> None:
        """Add counts to their days' tallies."""

    @abc.abstractmethod
    async def summary(
        self,
        dataset: Dataset,
        scope: Scope,
        grouping: Grouping,
        *,
        since: date,
        until: date,
        jurisdiction_prefix: str | None,
    ) -> list[FigureRow]:
        """Summed tallies of a dataset between two days (inclusive) inside `scope`, by `grouping`."""

    @abc.abstractmethod
    async def warnings(
        self, dataset: Dataset, scope: Scope, *, since: date, until: date, jurisdiction_prefix: str | None
    ) -> list[WarningCount]:
        """Early warnings raised on a dataset's records inside `scope` between two receipt days, by rule."""

    @abc.abstractmethod
    async def late(
        self, organisations: Collection[str], *, since: date, until: date
    ) -> dict[str, tuple[int, int]]:
        """(kept, late) records of each organisation, every dataset, between two receipt days (inclusive)."""


class MessageLog(abc.ABC):
    """The hash-chained log of batches."""

    @abc.abstractmethod
    async def lock(self) -> None:
        """Serialise writers of the log until the transaction ends."""

    @abc.abstractmethod
    async def last(self) -> LogEntry | None:
        """The newest entry."""

    @abc.abstractmethod
    def add(self, entry: LogEntry) -> None:
        """Stage the next entry."""

    @abc.abstractmethod
    async def entries(self, after: int = 0, limit: int = 10_000) -> list[LogEntry]:
        """Entries in order, from sequence `after` + 1."""


class UnitOfWork(abc.ABC):
    """One transaction over the repositories; staged events go to the outbox at commit."""

    batches: BatchRepository
    records: RecordRepository
    warnings: EarlyWarningRepository
    figures: FigureRepository
    log: MessageLog

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.rollback()

    @abc.abstractmethod
    def publish(self, event: DomainEvent) -> None:
        """Stage an event for the outbox."""

    @abc.abstractmethod
    async def commit(self) -> None:
        """Commit everything staged."""

    @abc.abstractmethod
    async def rollback(self) -> None:
        """Discard what was not committed."""
