"""SQL repositories over one AsyncSession (the unit of work's)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from neibao_identity import Scope, scope_clause
from sector_exchange.adapters.db.personal_data import PersonalDataCipher
from sector_exchange.adapters.db.tables import BatchRow, MessageLogRow, RecordRow
from sector_exchange.domain.datasets import Dataset
from sector_exchange.domain.disclosure import split_personal
from sector_exchange.domain.model import Batch, StoredRecord
from sector_exchange.domain.receipts import LogEntry, Receipt
from sector_exchange.domain.validation import ValidRecord, rejections_from_json, rejections_to_json
from sector_exchange.service.unit_of_work import BatchRepository, MessageLog, RecordRepository

# pg_advisory_xact_lock key of the message log's single writer ("NBSXLOG" in ASCII).
LOG_LOCK_KEY: Final = 0x4E4253584C4F47
INSERT_CHUNK: Final = 1000


def _receipt(row: BatchRow | MessageLogRow) -> Receipt:
    return Receipt(
        hash=row.receipt_hash,
        signature=row.signature,
        algorithm=row.algorithm,
        key_id=row.key_id,
        signed_at=row.signed_at,
    )


def batch_from_row(row: BatchRow) -> Batch:
    """The domain batch of a row."""
    return Batch(
        batch_id=row.batch_id,
        organisation=row.organisation,
        client_id=row.client_id,
        sector=row.sector,
        dataset=row.dataset,
        schema_version=row.schema_version,
        accepted=row.accepted,
        rejected=rejections_from_json(row.rejected),
        receipt=_receipt(row),
        received_at=row.received_at,
        log_sequence=row.log_sequence,
    )


class SqlBatchRepository(BatchRepository):
    """Batches in table `batch`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, organisation: str, batch_id: str) -> Batch | None:
        """One organisation's batch."""
        row = await self._session.get(BatchRow, (organisation, batch_id))
        return batch_from_row(row) if row is not None else None

    async def find(self, batch_id: str, organisation: str | None) -> list[Batch]:
        """Batches with this id (of one organisation when given), newest first."""
        query = select(BatchRow).where(BatchRow.batch_id == batch_id)
        if organisation:
            query = query.where(BatchRow.organisation == organisation)
        rows = await self._session.scalars(query.order_by(BatchRow.received_at.desc()).limit(20))
        return [batch_from_row(row) for row in rows]

    def add(self, batch: Batch) -> None:
        """Stage a new batch."""
        self._session.add(
            BatchRow(
                organisation=batch.organisation,
                batch_id=batch.batch_id,
                client_id=batch.client_id,
                sector=batch.sector,
                dataset=batch.dataset,
                schema_version=batch.schema_version,
                accepted=batch.accepted,
                rejected=rejections_to_json(batch.rejected),
                receipt_hash=batch.receipt.hash,
                signature=batch.receipt.signature,
                algorithm=batch.receipt.algorithm,
                key_id=batch.receipt.key_id,
                signed_at=batch.receipt.signed_at,
                received_at=batch.received_at,
                log_sequence=batch.log_sequence,
            )
        )


class SqlRecordRepository(RecordRepository):
    """Records in table `record`, personal fields sealed."""

    def __init__(self, session: AsyncSession, personal_data: PersonalDataCipher) -> None:
        self._session = session
        self._personal_data = personal_data

    async def add_many(
        self, dataset: Dataset, batch: Batch, records: Sequence[ValidRecord], received_at: datetime
    ) -> None:
        """Store the kept records of a batch (multi-row INSERTs, no ORM bookkeeping)."""
        rows: list[dict[str, Any]] = []
        for record in records:
            row_id = uuid.uuid4()
            public, personal = split_personal(dataset, record.fields)
            rows.append(
                {
                    "id": row_id,
                    "sector": dataset.sector,
                    "dataset": dataset.name,
                    "schema_version": dataset.version,
                    "organisation": batch.organisation,
                    "batch_id": batch.batch_id,
                    "record_index": record.index,
                    "jurisdiction": record.jurisdiction,
                    "occurred_at": record.occurred_at,
                    "received_at": received_at,
                    "fields": public,
                    "personal": self._personal_data.seal(row_id, personal),
                    "person_index": self._personal_data.person_index(dataset, record.fields),
                }
            )
        for start in range(0, len(rows), INSERT_CHUNK):
            await self._session.execute(insert(RecordRow).values(rows[start : start + INSERT_CHUNK]))

    async def list(
        self,
        dataset: Dataset,
        scope: Scope,
        *,
        jurisdiction_prefix: str | None,
        limit: int,
        before: int | None,
    ) -> list[StoredRecord]:
        """Records of a dataset inside `scope`, newest first, older than the `before` sequence."""
        query = select(RecordRow).where(
            RecordRow.sector == dataset.sector,
            RecordRow.dataset == dataset.name,
            scope_clause(
                scope,
                jurisdiction=RecordRow.jurisdiction,
                sector=RecordRow.sector,
                unit=RecordRow.organisation,
            ),
        )
        if jurisdiction_prefix:
            query = query.where(RecordRow.jurisdiction.like(f"{jurisdiction_prefix}%"))
        if before is not None:
            query = query.where(RecordRow.sequence < before)
        rows = await self._session.scalars(query.order_by(RecordRow.sequence.desc()).limit(limit))
        return [
            StoredRecord(
                id=row.id,
                sequence=row.sequence,
                sector=row.sector,
                dataset=row.dataset,
                schema_version=row.schema_version,
                organisation=row.organisation,
                batch_id=row.batch_id,
                record_index=row.record_index,
                jurisdiction=row.jurisdiction,
                occurred_at=row.occurred_at,
                received_at=row.received_at,
                fields={**row.fields, **self._personal_data.open(row.id, row.personal)},
            )
            for row in rows
        ]


def _entry(row: MessageLogRow) -> LogEntry:
    return LogEntry(
        sequence=row.sequence,
        previous=row.previous,
        batch_id=row.batch_id,
        organisation=row.organisation,
        receipt=_receipt(row),
        entry_hash=row.entry_hash,
    )


class SqlMessageLog(MessageLog):
    """The message log in table `message_log`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock(self) -> None:
        """A transaction-scoped advisory lock: one writer of the log at a time."""
        await self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOG_LOCK_KEY})

    async def last(self) -> LogEntry | None:
        """The newest entry."""
        row = await self._session.scalar(
            select(MessageLogRow).order_by(MessageLogRow.sequence.desc()).limit(1)
        )
        return _entry(row) if row is not None else None

    def add(self, entry: LogEntry) -> None:
        """Stage the next entry."""
        self._session.add(
            MessageLogRow(
                sequence=entry.sequence,
                previous=entry.previous,
                batch_id=entry.batch_id,
                organisation=entry.organisation,
                receipt_hash=entry.receipt.hash,
                signature=entry.receipt.signature,
                algorithm=entry.receipt.algorithm,
                key_id=entry.receipt.key_id,
                signed_at=entry.receipt.signed_at,
                entry_hash=entry.entry_hash,
                logged_at=datetime.now(UTC),
            )
        )

    async def entries(self, after: int = 0, limit: int = 10_000) -> list[LogEntry]:
        """Entries in order, from sequence `after` + 1."""
        rows = await self._session.scalars(
            select(MessageLogRow)
            .where(MessageLogRow.sequence > after)
            .order_by(MessageLogRow.sequence)
            .limit(limit)
        )
        return [_entry(row) for row in rows]
