"""The exchange's tables (SQLAlchemy 2 typed declarative); migrations/ creates them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from neibao_messaging.tables import NAMING_CONVENTION

# Codes compare byte-wise: a "C" collation lets LIKE 'prefix%' use a plain b-tree index.
CODE_COLLATION = "C"
TZ = DateTime(timezone=True)


def _code(length: int) -> String:
    return String(length, collation=CODE_COLLATION)


class Base(DeclarativeBase):
    """Declarative base of the exchange's tables (deterministic constraint names)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class BatchRow(Base):
    """A submitted batch, its outcome and its signed receipt; one per (organisation, batch id)."""

    __tablename__ = "batch"
    __table_args__ = (
        Index("ix_batch_batch_id", "batch_id"),
        # Submitter health: an organisation's last batch and its recent ones (migration 0005).
        Index("ix_batch_organisation_received", "organisation", "received_at"),
    )

    organisation: Mapped[str] = mapped_column(_code(18), primary_key=True)
    batch_id: Mapped[str] = mapped_column(_code(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(Text)
    sector: Mapped[str] = mapped_column(Text)
    dataset: Mapped[str] = mapped_column(Text)
    schema_version: Mapped[int] = mapped_column(Integer)
    accepted: Mapped[int] = mapped_column(Integer)
    # [{"index": 3, "errors": [{"pointer", "reason", "detail"}]}] (no values: no personal data)
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    receipt_hash: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)
    algorithm: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[str] = mapped_column(Text)  # exactly as signed (RFC 3339, whole seconds)
    received_at: Mapped[datetime] = mapped_column(TZ)
    log_sequence: Mapped[int] = mapped_column(BigInteger)


class RecordRow(Base):
    """A kept record: its other fields in clear, its personal fields sealed, their blind indexes.

    Partitioned by the month of its receipt (migration 0003; partitions record_yYYYYmMM and record_default,
    made and dropped by the retention job): unique keys include `received_at`, shared by a batch's records.
    """

    __tablename__ = "record"
    __table_args__ = (
        UniqueConstraint("sequence", "received_at", name="uq_record_sequence"),
        Index("ix_record_dataset_sequence", "sector", "dataset", "sequence"),
        Index("ix_record_dataset_jurisdiction", "sector", "dataset", "jurisdiction", "sequence"),
        Index(
            "uq_record_batch_index", "organisation", "batch_id", "record_index", "received_at", unique=True
        ),
        Index("ix_record_person_index", "person_index", postgresql_using="gin"),
        Index("ix_record_dataset_received", "sector", "dataset", "received_at"),
        {"postgresql_partition_by": "RANGE (received_at)"},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # PostgreSQL 15 has no identity on a partitioned table: a sequence of its own.
    sequence: Mapped[int] = mapped_column(BigInteger, server_default=text("nextval('record_sequence')"))
    sector: Mapped[str] = mapped_column(Text)
    dataset: Mapped[str] = mapped_column(Text)
    schema_version: Mapped[int] = mapped_column(Integer)
    organisation: Mapped[str] = mapped_column(_code(18))
    batch_id: Mapped[str] = mapped_column(_code(64))
    record_index: Mapped[int] = mapped_column(Integer)
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    occurred_at: Mapped[datetime] = mapped_column(TZ)
    received_at: Mapped[datetime] = mapped_column(TZ, primary_key=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # FieldCipher ciphertext of the JSON of the personal fields, bound to this row ("record.personal:<id>").
    personal: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Blind indexes (keyed HMAC) of the record's resident IDs, phones and plates: find a person's records.
    person_index: Mapped[list[bytes]] = mapped_column(ARRAY(LargeBinary))


class MessageLogRow(Base):
    """The hash-chained message log: one entry per batch, each covering the previous entry's hash."""

    __tablename__ = "message_log"

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    previous: Mapped[str] = mapped_column(Text)
    batch_id: Mapped[str] = mapped_column(_code(64))
    organisation: Mapped[str] = mapped_column(_code(18))
    receipt_hash: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)
    algorithm: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[str] = mapped_column(Text)
    entry_hash: Mapped[str] = mapped_column(Text, unique=True)
    logged_at: Mapped[datetime] = mapped_column(TZ)


class EarlyWarningRow(Base):
    """A rule's finding, kept once by its stable id (so evaluating records again raises nothing twice)."""

    __tablename__ = "early_warning"
    __table_args__ = (Index("ix_early_warning_jurisdiction", "jurisdiction", "raised_at"),)

    warning_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    rule_id: Mapped[str] = mapped_column(Text)
    rules_version: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(Integer)
    uscc: Mapped[str] = mapped_column(_code(18))
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    sector: Mapped[str] = mapped_column(Text)
    dataset: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    batch_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    record_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    occurred_at: Mapped[datetime] = mapped_column(TZ)
    raised_at: Mapped[datetime] = mapped_column(TZ)


class DailyFigureRow(Base):
    """Counts of one receipt day, submitter, dataset, division and site (figures are sums of these)."""

    __tablename__ = "daily_figure"
    __table_args__ = (Index("ix_daily_figure_dataset_day", "sector", "dataset", "day"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    organisation: Mapped[str] = mapped_column(_code(18), primary_key=True)
    sector: Mapped[str] = mapped_column(Text, primary_key=True)
    dataset: Mapped[str] = mapped_column(Text, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(_code(6), primary_key=True)
    site: Mapped[str] = mapped_column(Text, primary_key=True)
    received: Mapped[int] = mapped_column(BigInteger)
    rejected: Mapped[int] = mapped_column(BigInteger)
    late: Mapped[int] = mapped_column(BigInteger)
    identity_rejected: Mapped[int] = mapped_column(BigInteger)
    inspected: Mapped[int] = mapped_column(BigInteger)
    xray_screened: Mapped[int] = mapped_column(BigInteger)
    prohibited_found: Mapped[int] = mapped_column(BigInteger)
    certificate_valid: Mapped[int] = mapped_column(BigInteger)
