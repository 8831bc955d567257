"""What the exchange keeps: batches with their outcome and receipt, records, the message log."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sector_exchange.domain.early_warnings import EarlyWarning
from sector_exchange.domain.receipts import Receipt
from sector_exchange.domain.validation import Rejection


@dataclass(frozen=True, slots=True)
class Batch:
    """A submitted batch: who, which dataset, its outcome, its receipt and its place in the log."""

    batch_id: str
    organisation: str
    client_id: str
    sector: str
    dataset: str
    schema_version: int
    accepted: int
    rejected: tuple[Rejection, ...]
    receipt: Receipt
    received_at: datetime
    log_sequence: int

    @property
    def dataset_key(self) -> str:
        """ "sector/name"."""
        return f"{self.sector}/{self.dataset}"


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A kept record as read back: its personal fields decrypted (mask before showing)."""

    id: uuid.UUID
    sequence: int
    sector: str
    dataset: str
    schema_version: int
    organisation: str
    batch_id: str
    record_index: int
    jurisdiction: str
    occurred_at: datetime
    received_at: datetime
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class KeptRecord:
    """A record as stored: its fields without personal data, its personal fields sealed (opaque bytes)."""

    id: uuid.UUID
    index: int
    jurisdiction: str
    occurred_at: datetime
    fields: dict[str, Any]
    fields_json: str  # `fields` as JSON, made once (for the row and the records stream)
    personal_sealed: bytes | None
    person_index: list[bytes]


@dataclass(frozen=True, slots=True)
class RecordsAccepted:
    """Event: some of a batch's records were stored (a batch is announced in chunks of these)."""

    batch: Batch
    records: tuple[KeptRecord, ...]


@dataclass(frozen=True, slots=True)
class BatchAccepted:
    """Event: a batch was stored (wholly or in part)."""

    batch: Batch
    jurisdictions: tuple[str, ...]


DomainEvent = BatchAccepted | RecordsAccepted | EarlyWarning
"""What the exchange announces on its streams."""
