"""Use cases: submit a batch, read its receipt, list records, publish the signing keys."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final, Protocol

from neibao_codes import validate_resident_id
from neibao_identity import Principal, Role, Scope, jurisdiction_prefix
from sector_exchange.domain.datasets import COMMERCE_FUEL_SALES, POSTAL_SHIPMENTS, Dataset, dataset_of
from sector_exchange.domain.disclosure import masked
from sector_exchange.domain.early_warnings import (
    Check,
    EarlyWarning,
    RuleBook,
    Shipment,
    fuel_sale_warnings,
    shipment_warnings,
)
from sector_exchange.domain.errors import BatchConflict, FieldViolation, Forbidden, NotFound, ValidationFailed
from sector_exchange.domain.figures import FigureRow, Grouping, WarningCount, receipt_day, tally_batch
from sector_exchange.domain.health import (
    FAILING_REJECTION_RATE,
    HEALTH_WINDOW,
    RECENT_WINDOW,
    FeedActivity,
    SubmitterHealth,
    assess,
)
from sector_exchange.domain.model import Batch, BatchAccepted, RecordsAccepted, StoredRecord
from sector_exchange.domain.receipts import (
    GENESIS,
    SHA256,
    LogEntry,
    Receipt,
    Statement,
    batch_hash,
    log_entry_hash,
    signing_time,
)
from sector_exchange.domain.submitters import Caller, SubmitterRegistry
from sector_exchange.domain.validation import ValidRecord, validate_batch
from sector_exchange.service.unit_of_work import UnitOfWork

BATCH_ID: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
MAX_RECORDS: Final = 10_000
DEFAULT_PAGE: Final = 50
MAX_PAGE: Final = 500
READERS: Final = frozenset({Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN})
# Finding a person's records is an investigative act: police only (and the province admin).
PERSON_SEARCHERS: Final = frozenset({Role.POLICE, Role.PROVINCE_ADMIN})
NO_RULES: Final = RuleBook(version="none", rules=())
# Figures cover at most a year at a time, the last week by default.
MAX_FIGURE_DAYS: Final = 366
DEFAULT_FIGURE_DAYS: Final = 7
# Accepted records go to Kafka in messages of this many (a 500-record batch: 5 outbox rows, not 500).
RECORDS_PER_EVENT: Final = 100


class Signer(Protocol):
    """Signs receipt statements with the active key."""

    @property
    def key_id(self) -> str: ...

    @property
    def algorithm(self) -> str: ...

    def sign(self, message: bytes) -> str:
        """The base64 signature of `message`."""
        ...


@dataclass(frozen=True, slots=True)
class PublicKey:
    """A receipt-signing public key."""

    key_id: str
    algorithm: str
    public_key: str  # base64 of the raw key
    active: bool


@dataclass
class Exchange:
    """The handlers' dependencies."""

    unit_of_work: Callable[[], UnitOfWork]
    submitters: SubmitterRegistry
    signer: Signer
    public_keys: Sequence[PublicKey] = ()
    rules: RuleBook = NO_RULES
    # "sha256" or "sm3": new batch and log-entry hashes (each names its algorithm; old ones still verify).
    hash_algorithm: str = SHA256
    failing_rejection_rate: float = FAILING_REJECTION_RATE
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SubmitBatch:
    """A batch as the API received it."""

    sector: str
    dataset: str
    batch_id: str
    records_json: bytes


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """The answer to a submission."""

    batch: Batch
    replayed: bool


@dataclass(frozen=True, slots=True)
class RecordPage:
    """Records with personal fields masked, and the cursor of the next page."""

    items: tuple[StoredRecord, ...]
    next_cursor: str
    personal_kinds: tuple[str, ...]


def caller_of(principal: Principal) -> Caller:
    """The exchange's view of a verified principal."""
    return Caller(
        subject=principal.subject,
        roles=principal.roles,
        client_id=principal.client_id,
        org=principal.org,
        sector=principal.sector,
        jurisdiction=principal.jurisdiction,
        machine=principal.is_machine,
    )


def _dataset(sector: str, name: str) -> Dataset:
    dataset = dataset_of(sector, name)
    if dataset is None:
        raise NotFound(f"there is no dataset {sector}/{name}")
    return dataset


def _records(records_json: bytes) -> list[Any]:
    try:
        records = json.loads(records_json)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed([FieldViolation("records", "must be a JSON array of objects")]) from None
    if not isinstance(records, list):
        raise ValidationFailed([FieldViolation("records", "must be a JSON array of objects")])
    if not 1 <= len(records) <= MAX_RECORDS:
        raise ValidationFailed(
            [FieldViolation("records", f"must hold 1 to {MAX_RECORDS} records", "OUT_OF_RANGE")]
        )
    return records


async def submit_batch(command: SubmitBatch, caller: Caller, exchange: Exchange) -> BatchOutcome:
    """Validate each record, keep the valid ones, sign a receipt and log it; a replay answers the first."""
    dataset = _dataset(command.sector, command.dataset)
    if not BATCH_ID.fullmatch(command.batch_id):
        raise ValidationFailed([FieldViolation("batch_id", "1-64 characters of A-Z a-z 0-9 . _ -")])
    submitter = exchange.submitters.authorise(caller, dataset.key)
    records = _records(command.records_json)
    digest = batch_hash(
        batch_id=command.batch_id,
        dataset=dataset.key,
        organisation=submitter.organisation,
        records=records,
        algorithm=exchange.hash_algorithm,
    )
    async with exchange.unit_of_work() as uow:
        existing = await uow.batches.get(submitter.organisation, command.batch_id)
    if existing is not None:
        return _replayed(existing, digest, dataset)
    # Checked and signed before the log's lock is taken: concurrent batches only queue for the append.
    now = exchange.clock()
    validated = validate_batch(dataset, records, now)
    signed_at = signing_time(now)
    statement = Statement(
        batch_id=command.batch_id,
        dataset=dataset.key,
        organisation=submitter.organisation,
        hash=digest,
        accepted=len(validated.valid),
        rejected=tuple(r.index for r in validated.rejected),
        signed_at=signed_at,
        key_id=exchange.signer.key_id,
        algorithm=exchange.signer.algorithm,
    )
    receipt = Receipt(
        hash=digest,
        signature=exchange.signer.sign(statement.to_bytes()),
        algorithm=statement.algorithm,
        key_id=statement.key_id,
        signed_at=signed_at,
    )
    async with exchange.unit_of_work() as uow:
        # The records go in before the log's lock is taken (sealing and copying them is most of the work);
        # a concurrent submission of the same batch that wins the lock makes this one roll them back.
        kept = await uow.records.add_many(
            dataset, submitter.organisation, command.batch_id, validated.valid, now
        )
        # One writer of the log at a time; a concurrent submission of the same batch finds it stored.
        await uow.log.lock()
        existing = await uow.batches.get(submitter.organisation, command.batch_id)
        if existing is not None:
            return _replayed(existing, digest, dataset)
        last = await uow.log.last()
        sequence = (last.sequence if last else 0) + 1
        previous = last.entry_hash if last else GENESIS
        batch = Batch(
            batch_id=command.batch_id,
            organisation=submitter.organisation,
            client_id=submitter.client_id,
            sector=dataset.sector,
            dataset=dataset.name,
            schema_version=dataset.version,
            accepted=len(validated.valid),
            rejected=validated.rejected,
            receipt=receipt,
            received_at=now,
            log_sequence=sequence,
        )
        uow.batches.add(batch)
        for start in range(0, len(kept), RECORDS_PER_EVENT):
            uow.publish(RecordsAccepted(batch, tuple(kept[start : start + RECORDS_PER_EVENT])))
        # Rules run in the acceptance's transaction: the log lock serialises batches, so each sees every
        # earlier record, and a warning reaches the outbox together with its records or not at all.
        findings = await _early_warnings(
            exchange.rules, dataset, batch, validated.valid, [k.id for k in kept], uow
        )
        for warning in await uow.warnings.add_new(findings, now):
            uow.publish(warning)
        await uow.figures.add(
            tally_batch(
                dataset,
                batch.organisation,
                valid=validated.valid,
                rejected=validated.rejected,
                raw_records=records,
                received_at=now,
            )
        )
        uow.log.add(
            LogEntry(
                sequence=sequence,
                previous=previous,
                batch_id=batch.batch_id,
                organisation=batch.organisation,
                receipt=receipt,
                entry_hash=log_entry_hash(
                    sequence=sequence,
                    previous=previous,
                    batch_id=batch.batch_id,
                    organisation=batch.organisation,
                    receipt=receipt,
                    algorithm=exchange.hash_algorithm,
                ),
            )
        )
        jurisdictions = tuple(sorted({r.jurisdiction for r in validated.valid}))
        uow.publish(BatchAccepted(batch, jurisdictions))
        await uow.commit()
    return BatchOutcome(batch, replayed=False)


async def _early_warnings(  # noqa: PLR0917 - one private step of submit_batch
    book: RuleBook,
    dataset: Dataset,
    batch: Batch,
    records: Sequence[ValidRecord],
    record_ids: Sequence[uuid.UUID],
    uow: UnitOfWork,
) -> list[EarlyWarning]:
    """What the rules find in a batch's kept records (and the earlier records they relate to)."""
    if not records or not book.for_dataset(dataset.key):
        return []
    if dataset.key == POSTAL_SHIPMENTS.key:
        shipments = [
            Shipment(
                record_id=str(record_id),
                batch_id=batch.batch_id,
                organisation=batch.organisation,
                waybill_no=record.fields["waybill_no"],
                site_name=record.fields["site_name"],
                jurisdiction=record.jurisdiction,
                accepted_at=record.occurred_at,
                xray_screened=record.fields["xray_screened"],
                prohibited_item_found=bool(record.fields.get("prohibited_item_found")),
            )
            for record, record_id in zip(records, record_ids, strict=True)
        ]
        return shipment_warnings(book, shipments)
    if dataset.key == COMMERCE_FUEL_SALES.key:
        window = timedelta(hours=book.parameter(Check.BUYER_AT_MANY_STATIONS, "window_hours"))
        times = [record.occurred_at for record in records]
        sales = await uow.records.fuel_sales(
            buyer_ids={record.fields["buyer_id_number"] for record in records},
            since=min(times) - window,
            until=max(times) + window,
            certificates={record.fields["certificate_no"] for record in records},
            batch=(batch.organisation, batch.batch_id),
        )
        return fuel_sale_warnings(book, sales)
    return []


def _replayed(existing: Batch, digest: str, dataset: Dataset) -> BatchOutcome:
    """The first outcome of a batch sent again; BatchConflict if it is not the same batch."""
    if existing.receipt.hash != digest or existing.dataset_key != dataset.key:
        raise BatchConflict(f"batch {existing.batch_id} was submitted before with other content")
    return BatchOutcome(existing, replayed=True)


def _may_read_batch(caller: Caller, batch: Batch) -> bool:
    if Role.PROVINCE_ADMIN in caller.roles:
        return True
    if Role.SECTOR_SYSTEM in caller.roles and caller.org == batch.organisation:
        return True
    return Role.REGULATOR in caller.roles and caller.sector == batch.sector


async def get_receipt(batch_id: str, organisation: str, caller: Caller, exchange: Exchange) -> Batch:
    """A batch's outcome and receipt: the submitter's own (or its sector regulator's, the admin's)."""
    wanted = organisation or (caller.org if Role.SECTOR_SYSTEM in caller.roles else None) or None
    async with exchange.unit_of_work() as uow:
        found = await uow.batches.find(batch_id, wanted)
    for batch in found:
        if _may_read_batch(caller, batch):
            return batch
    raise NotFound(f"there is no batch {batch_id}")


async def list_records(
    sector: str,
    dataset_name: str,
    principal: Principal,
    exchange: Exchange,
    *,
    jurisdiction: str = "",
    limit: int = 0,
    cursor: str = "",
    id_number: str = "",
) -> RecordPage:
    """A page of a dataset's records in the caller's scope, newest first, personal fields masked; only
    those naming a resident ID number when one is given (police and the province admin only)."""
    dataset = _dataset(sector, dataset_name)
    if not principal.any_role(*READERS):
        raise Forbidden("only police, regulators and the province admin read sector records")
    if id_number and not principal.any_role(*PERSON_SEARCHERS):
        raise Forbidden("only police and the province admin search records by a person's ID number")
    violations: list[FieldViolation] = []
    resident_id = None
    if id_number:
        try:
            resident_id = validate_resident_id(id_number)
        except ValueError:
            violations.append(
                FieldViolation("id_number", "must be a resident ID number", "INVALID_CHECK_CHARACTER")
            )
    prefix = None
    if jurisdiction:
        prefix = jurisdiction_prefix(jurisdiction)
        if prefix is None:
            violations.append(FieldViolation("jurisdiction", "must be a six-digit GB/T 2260 code"))
    if limit < 0 or limit > MAX_PAGE:
        violations.append(FieldViolation("limit", f"0 to {MAX_PAGE}", "OUT_OF_RANGE"))
    if cursor and not cursor.isdigit():
        violations.append(FieldViolation("cursor", "not a cursor this list gave"))
    if violations:
        raise ValidationFailed(violations)
    size = limit or DEFAULT_PAGE
    async with exchange.unit_of_work() as uow:
        rows = await uow.records.list(
            dataset,
            Scope.for_principal(principal),
            jurisdiction_prefix=prefix,
            limit=size + 1,
            before=int(cursor) if cursor else None,
            resident_id=resident_id,
        )
    page = rows[:size]
    shown = tuple(_masked(dataset, record) for record in page)
    next_cursor = str(page[-1].sequence) if len(rows) > size and page else ""
    return RecordPage(shown, next_cursor, tuple(kind.value for kind in dataset.personal_kinds))


def _masked(dataset: Dataset, record: StoredRecord) -> StoredRecord:
    return StoredRecord(
        id=record.id,
        sequence=record.sequence,
        sector=record.sector,
        dataset=record.dataset,
        schema_version=record.schema_version,
        organisation=record.organisation,
        batch_id=record.batch_id,
        record_index=record.record_index,
        jurisdiction=record.jurisdiction,
        occurred_at=record.occurred_at,
        received_at=record.received_at,
        fields=masked(dataset, record.fields),
    )


@dataclass(frozen=True, slots=True)
class FigureQuery:
    """Which figures: a grouping, a period of receipt days (inclusive), a division."""

    grouping: str = ""
    since: str = ""
    until: str = ""
    jurisdiction: str = ""


@dataclass(frozen=True, slots=True)
class FigurePage:
    """Figures of a dataset by group, and the period they cover."""

    items: tuple[FigureRow, ...]
    grouping: Grouping
    since: date
    until: date
    warnings: tuple[WarningCount, ...] = ()


def _day(name: str, value: str, violations: list[FieldViolation]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        violations.append(FieldViolation(name, "must be a day, YYYY-MM-DD"))
        return None


async def get_figures(
    sector: str, dataset_name: str, query: FigureQuery, principal: Principal, exchange: Exchange
) -> FigurePage:
    """Compliance and quality figures of a dataset in the caller's scope, by submitter, site or sector."""
    dataset = _dataset(sector, dataset_name)
    if not principal.any_role(*READERS):
        raise Forbidden("only police, regulators and the province admin read sector figures")
    violations: list[FieldViolation] = []
    try:
        grouping = Grouping(query.grouping or Grouping.SUBMITTER)
    except ValueError:
        violations.append(FieldViolation("group_by", "one of submitter, site, sector, day", "UNKNOWN_VALUE"))
        grouping = Grouping.SUBMITTER
    today = receipt_day(exchange.clock())
    until = _day("until", query.until, violations) if query.until else today
    since = (
        _day("since", query.since, violations)
        if query.since
        else (until or today) - timedelta(days=DEFAULT_FIGURE_DAYS - 1)
    )
    if since and until and not 0 <= (until - since).days < MAX_FIGURE_DAYS:
        violations.append(
            FieldViolation("since", f"1 to {MAX_FIGURE_DAYS} days up to `until`", "OUT_OF_RANGE")
        )
    prefix = None
    if query.jurisdiction:
        prefix = jurisdiction_prefix(query.jurisdiction)
        if prefix is None:
            violations.append(FieldViolation("jurisdiction", "must be a six-digit GB/T 2260 code"))
    if violations or since is None or until is None:
        raise ValidationFailed(violations)
    async with exchange.unit_of_work() as uow:
        rows = await uow.figures.summary(
            dataset,
            Scope.for_principal(principal),
            grouping,
            since=since,
            until=until,
            jurisdiction_prefix=prefix,
        )
        warnings = await uow.figures.warnings(
            dataset, Scope.for_principal(principal), since=since, until=until, jurisdiction_prefix=prefix
        )
    return FigurePage(tuple(rows), grouping, since, until, tuple(warnings))


async def list_submitters(sector: str, principal: Principal, exchange: Exchange) -> list[SubmitterHealth]:
    """The registered submitters in the caller's scope (by sector, and by the division each is registered
    in) and the health of their feeds."""
    if not principal.any_role(*READERS):
        raise Forbidden("only police, regulators and the province admin read submitter health")
    scope = Scope.for_principal(principal)
    shown = [
        submitter
        for submitter in exchange.submitters.all()
        if (not sector or submitter.sector == sector)
        and scope.allows(
            jurisdiction=submitter.division, sector=submitter.sector, unit=submitter.organisation
        )
    ]
    now = exchange.clock()
    organisations = {submitter.organisation for submitter in shown}
    today = receipt_day(now)
    async with exchange.unit_of_work() as uow:
        activity = await uow.batches.activity(
            organisations, recent_since=now - RECENT_WINDOW, since=now - HEALTH_WINDOW
        )
        late = await uow.figures.late(
            organisations, since=today - (HEALTH_WINDOW - timedelta(days=1)), until=today
        )
    found = []
    for submitter in shown:
        sent = activity.get(submitter.organisation, FeedActivity())
        kept, late_kept = late.get(submitter.organisation, (0, 0))
        found.append(
            assess(
                submitter,
                replace(sent, kept_7d=kept, late_7d=late_kept),
                now,
                exchange.failing_rejection_rate,
            )
        )
    return found
