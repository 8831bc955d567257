"""SQL repositories over one AsyncSession (the unit of work's)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any, Final

from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from neibao_identity import Scope, scope_clause
from sector_exchange.adapters.db.personal_data import PersonalDataCipher
from sector_exchange.adapters.db.tables import (
    BatchRow,
    DailyFigureRow,
    EarlyWarningRow,
    MessageLogRow,
    RecordRow,
)
from sector_exchange.domain.datasets import COMMERCE_FUEL_SALES, Dataset
from sector_exchange.domain.disclosure import split_personal
from sector_exchange.domain.early_warnings import EarlyWarning, FuelSale
from sector_exchange.domain.figures import (
    Counts,
    FigureRow,
    Grouping,
    TallyKey,
    WarningCount,
    receipt_days_span,
)
from sector_exchange.domain.health import FeedActivity
from sector_exchange.domain.model import Batch, KeptRecord, StoredRecord
from sector_exchange.domain.receipts import LogEntry, Receipt
from sector_exchange.domain.validation import ValidRecord, rejections_from_json, rejections_to_json
from sector_exchange.service.unit_of_work import (
    BatchRepository,
    EarlyWarningRepository,
    FigureRepository,
    MessageLog,
    RecordRepository,
)

# pg_advisory_xact_lock key of the message log's single writer ("NBSXLOG" in ASCII).
LOG_LOCK_KEY: Final = 0x4E4253584C4F47
FIELDS_JSON: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
COPY_RECORDS: Final = (
    "COPY record (id, sector, dataset, schema_version, organisation, batch_id, record_index, jurisdiction,"
    " occurred_at, received_at, fields, personal, person_index) FROM STDIN"
)


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

    async def activity(
        self, organisations: Collection[str], *, recent_since: datetime, since: datetime
    ) -> dict[str, FeedActivity]:
        """What each organisation sent since `since` and since `recent_since`; its last batch ever."""
        b = BatchRow
        found: dict[str, FeedActivity] = {}
        for organisation in organisations:
            # One index probe each (ix_batch_organisation_received); submitters are few.
            last = await self._session.scalar(
                select(func.max(b.received_at)).where(b.organisation == organisation)
            )
            if last is not None:
                found[organisation] = FeedActivity(last_batch_at=last)
        if not found:
            return found
        rejected = func.jsonb_array_length(b.rejected)
        recent = b.received_at >= recent_since
        rows = await self._session.execute(
            select(
                b.organisation,
                func.count().filter(recent).label("batches_24h"),
                func.coalesce(func.sum(b.accepted + rejected).filter(recent), 0).label("records_24h"),
                func.count().label("batches_7d"),
                func.coalesce(func.sum(b.accepted + rejected), 0).label("records_7d"),
                func.coalesce(func.sum(rejected), 0).label("rejected_7d"),
            )
            .where(
                b.organisation.in_(bindparam("organisations", list(found), expanding=True)),
                b.received_at >= since,
            )
            .group_by(b.organisation)
        )
        for row in rows:
            found[row.organisation] = replace(
                found[row.organisation],
                batches_24h=int(row.batches_24h),
                records_24h=int(row.records_24h),
                batches_7d=int(row.batches_7d),
                records_7d=int(row.records_7d),
                rejected_7d=int(row.rejected_7d),
            )
        return found

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
        self,
        dataset: Dataset,
        organisation: str,
        batch_id: str,
        records: Sequence[ValidRecord],
        received_at: datetime,
    ) -> list[KeptRecord]:
        """Store the kept records of a batch by COPY in the session's transaction; them, as stored."""
        kept: list[KeptRecord] = []
        seal = self._personal_data.seal
        person_index = self._personal_data.person_index
        for record in records:
            row_id = uuid.uuid4()
            public, personal = split_personal(dataset, record.fields)
            kept.append(
                KeptRecord(
                    id=row_id,
                    index=record.index,
                    jurisdiction=record.jurisdiction,
                    occurred_at=record.occurred_at,
                    fields=public,
                    fields_json=FIELDS_JSON(public),
                    personal_sealed=seal(row_id, personal),
                    person_index=person_index(dataset, record.fields),
                )
            )
        if not kept:
            return kept
        # COPY, not INSERT: a 500-record INSERT with 7,000 parameters costs more CPU to build than to run.
        connection = await self._session.connection()
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        # The rows in COPY's text format, made here: psycopg's per-value adaptation costs more than this.
        # The common columns are safe as they are (fixed names, a validated batch id and USCC).
        common = f"\t{dataset.sector}\t{dataset.name}\t{dataset.version}\t{organisation}\t{batch_id}\t"
        received = received_at.isoformat()
        when = dataset.time_field  # the record's own time, as validated (RFC 3339 UTC): PostgreSQL reads it
        lines = [
            f"{row.id}{common}{row.index}\t{row.jurisdiction}\t{row.fields[when]}\t{received}\t"
            f"{_copy_text(row.fields_json)}\t{_copy_bytea(row.personal_sealed)}\t"
            f"{_copy_bytea_array(row.person_index)}\n"
            for row in kept
        ]
        async with driver.cursor() as cursor, cursor.copy(COPY_RECORDS) as copy:
            await copy.write("".join(lines))
        return kept

    async def fuel_sales(
        self,
        *,
        buyer_ids: Collection[str],
        since: datetime,
        until: datetime,
        certificates: Collection[str],
        batch: tuple[str, str],
    ) -> list[FuelSale]:
        """Stored fuel sales of these buyers (by blind index) between two times, and every sale against
        these certificates; those of `batch` (organisation, batch id) marked new."""
        keys = {self._personal_data.resident_id_index(number) for number in buyer_ids}
        found: dict[uuid.UUID, FuelSale] = {}
        fuel = (RecordRow.sector == COMMERCE_FUEL_SALES.sector, RecordRow.dataset == COMMERCE_FUEL_SALES.name)
        if keys:
            rows = await self._session.execute(
                select(
                    RecordRow.id,
                    RecordRow.organisation,
                    RecordRow.batch_id,
                    RecordRow.fields,
                    RecordRow.person_index,
                ).where(
                    *fuel,
                    RecordRow.person_index.overlap(bindparam("keys", list(keys), type_=ARRAY(BYTEA))),
                    RecordRow.occurred_at.between(since, until),
                )
            )
            for row in rows:
                buyer = next((key for key in row.person_index if bytes(key) in keys), None)
                if buyer is not None:
                    found[row.id] = _fuel_sale(row, bytes(buyer), batch)
        if certificates:
            rows = await self._session.execute(
                select(
                    RecordRow.id,
                    RecordRow.organisation,
                    RecordRow.batch_id,
                    RecordRow.fields,
                    RecordRow.person_index,
                ).where(
                    *fuel,
                    RecordRow.fields["certificate_no"].astext.in_(
                        bindparam("numbers", list(certificates), expanding=True)
                    ),
                )
            )
            for row in rows:
                if row.id not in found:
                    found[row.id] = _fuel_sale(
                        row, bytes(row.person_index[0]) if row.person_index else b"", batch
                    )
        return list(found.values())

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
        if resident_id is not None:
            key = self._personal_data.resident_id_index(resident_id)
            # Array containment: answered by the GIN index on person_index.
            query = query.where(
                RecordRow.person_index.contains(bindparam("person", [key], type_=ARRAY(BYTEA)))
            )
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


def _copy_text(value: str) -> str:
    """A text value in COPY's text format (JSON has no raw tab or newline: only backslashes to double)."""
    return value.replace("\\", "\\\\")


def _copy_bytea(value: bytes | None) -> str:
    """A bytea in COPY's text format (\\N for NULL)."""
    return "\\N" if value is None else "\\\\x" + value.hex()


def _copy_bytea_array(values: Sequence[bytes]) -> str:
    """A bytea[] in COPY's text format: each element '"\\x.."' in the array, its backslash doubled again."""
    return "{" + ",".join('"\\\\\\\\x' + value.hex() + '"' for value in values) + "}"


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None


def _fuel_sale(row: Any, buyer: bytes, batch: tuple[str, str]) -> FuelSale:
    fields = row.fields
    sold_at = datetime.fromisoformat(fields["sold_at"].replace("Z", "+00:00"))
    limit = fields.get("certificate_litres")
    return FuelSale(
        record_id=str(row.id),
        batch_id=row.batch_id,
        station_uscc=fields["station_uscc"],
        jurisdiction=fields["station_region_code"],
        sold_at=sold_at,
        buyer=buyer,
        litres=float(fields["litres"]),
        certificate_no=fields["certificate_no"],
        certificate_litres=float(limit) if limit is not None else None,
        certificate_issued_at=_moment(fields.get("certificate_issued_at")),
        new=(row.organisation, row.batch_id) == batch,
    )


class SqlEarlyWarningRepository(EarlyWarningRepository):
    """Early warnings in table `early_warning`, one row per warning id."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_new(self, warnings: Sequence[EarlyWarning], raised_at: datetime) -> list[EarlyWarning]:
        """Store the warnings not stored before; those (the ones to announce)."""
        if not warnings:
            return []
        unique = {w.warning_id: w for w in warnings}
        inserted = await self._session.scalars(
            insert(EarlyWarningRow)
            .values(
                [
                    {
                        "warning_id": w.warning_id,
                        "rule_id": w.rule_id,
                        "rules_version": w.rules_version,
                        "priority": w.priority,
                        "uscc": w.uscc,
                        "jurisdiction": w.jurisdiction,
                        "sector": w.sector,
                        "dataset": w.dataset,
                        "summary": w.summary,
                        "batch_ids": list(w.batch_ids),
                        "record_ids": list(w.record_ids),
                        "occurred_at": w.occurred_at,
                        "raised_at": raised_at,
                    }
                    for w in unique.values()
                ]
            )
            .on_conflict_do_nothing(index_elements=["warning_id"])
            .returning(EarlyWarningRow.warning_id)
        )
        new = set(inserted)
        return [w for w in unique.values() if w.warning_id in new]


COUNT_NAMES: Final = tuple(Counts().as_dict())
FIGURES_LIMIT: Final = 2000


_INSERT_FIGURES = insert(DailyFigureRow)
_FIGURES = DailyFigureRow.__table__
# One statement for any number of tallies (executemany: compiled once, cached).
UPSERT_FIGURES: Final = _INSERT_FIGURES.on_conflict_do_update(
    constraint="pk_daily_figure",
    set_={name: _FIGURES.c[name] + _INSERT_FIGURES.excluded[name] for name in COUNT_NAMES},
)


class SqlFigureRepository(FigureRepository):
    """Daily tallies in table `daily_figure`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, tallies: Mapping[TallyKey, Counts]) -> None:
        """Add counts to their days' tallies (one upsert)."""
        if not tallies:
            return
        await self._session.execute(
            UPSERT_FIGURES,
            [
                {
                    "day": key.day,
                    "organisation": key.organisation,
                    "sector": key.sector,
                    "dataset": key.dataset,
                    "jurisdiction": key.jurisdiction,
                    "site": key.site,
                    **counts.as_dict(),
                }
                for key, counts in sorted(tallies.items())
            ],
        )

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
        t = DailyFigureRow
        by: dict[Grouping, list[InstrumentedAttribute[Any]]] = {
            Grouping.SUBMITTER: [t.organisation],
            Grouping.SITE: [t.organisation, t.site, t.jurisdiction],
            Grouping.SECTOR: [],
            Grouping.DAY: [t.day],
        }
        keys = by[grouping]
        query = (
            select(*keys, *(func.sum(getattr(t, name)).label(name) for name in COUNT_NAMES))
            .where(
                t.sector == dataset.sector,
                t.dataset == dataset.name,
                t.day.between(since, until),
                scope_clause(scope, jurisdiction=t.jurisdiction, sector=t.sector, unit=t.organisation),
            )
            .group_by(*keys)
            .order_by(*keys)
            .limit(FIGURES_LIMIT)
        )
        if jurisdiction_prefix:
            query = query.where(t.jurisdiction.like(f"{jurisdiction_prefix}%"))
        rows = (await self._session.execute(query)).mappings().all()
        return [
            FigureRow(
                organisation=row.get("organisation", ""),
                site=row.get("site", ""),
                jurisdiction=row.get("jurisdiction", ""),
                sector=dataset.sector,
                dataset=dataset.name,
                counts=Counts(**{name: int(row[name] or 0) for name in COUNT_NAMES}),
                day=row.get("day"),
            )
            for row in rows
            if row["received"] or row["rejected"]
        ]

    async def warnings(
        self, dataset: Dataset, scope: Scope, *, since: date, until: date, jurisdiction_prefix: str | None
    ) -> list[WarningCount]:
        """Early warnings raised on a dataset's records inside `scope` between two receipt days, by rule."""
        w = EarlyWarningRow
        start, end = receipt_days_span(since, until)
        query = (
            select(w.rule_id, func.count(), func.max(w.raised_at))
            .where(
                w.sector == dataset.sector,
                w.dataset == dataset.name,
                w.raised_at >= start,
                w.raised_at < end,
                scope_clause(scope, jurisdiction=w.jurisdiction, sector=w.sector, unit=w.uscc),
            )
            .group_by(w.rule_id)
            .order_by(w.rule_id)
        )
        if jurisdiction_prefix:
            query = query.where(w.jurisdiction.like(f"{jurisdiction_prefix}%"))
        rows = await self._session.execute(query)
        return [WarningCount(rule_id, int(count), last) for rule_id, count, last in rows]

    async def late(
        self, organisations: Collection[str], *, since: date, until: date
    ) -> dict[str, tuple[int, int]]:
        """(kept, late) records of each organisation, every dataset, between two receipt days (inclusive)."""
        if not organisations:
            return {}
        t = DailyFigureRow
        rows = await self._session.execute(
            select(t.organisation, func.sum(t.received), func.sum(t.late))
            .where(
                t.organisation.in_(bindparam("organisations", list(organisations), expanding=True)),
                t.day.between(since, until),
            )
            .group_by(t.organisation)
        )
        return {organisation: (int(kept or 0), int(late or 0)) for organisation, kept, late in rows}


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
