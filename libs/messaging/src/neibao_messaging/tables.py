"""The messaging tables: `outbox` and `processed_event`, on their own MetaData.

A service includes them in its Alembic migrations by adding `neibao_messaging.metadata` to
`target_metadata` (Alembic accepts a list), or by copying them onto its own MetaData with
`Table.to_metadata`. `create_messaging_tables` is for tests. The DDL is in libs/messaging/README.md.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Engine, Identity, Index, MetaData, Table, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names, so that migrations can name what they alter or drop.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class MessagingBase(DeclarativeBase):
    """Declarative base of the messaging tables; its MetaData is `metadata`."""

    metadata = metadata


class OutboxMessage(MessagingBase):
    """An event written in a business transaction, waiting for the relay to publish it."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    topic: Mapped[str] = mapped_column(Text)
    key: Mapped[bytes]
    headers: Mapped[dict[str, str]] = mapped_column(JSONB)
    payload: Mapped[bytes]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        # The relay's scan: unpublished rows in id order stay a small index however large the table grows.
        Index("ix_outbox_unpublished", "id", postgresql_where=text("published_at IS NULL")),
        Index("ix_outbox_published_at", "published_at", postgresql_where=text("published_at IS NOT NULL")),
    )


class ProcessedEvent(MessagingBase):
    """An event a consumer group has applied: the dedupe record, written with the handler's changes."""

    __tablename__ = "processed_event"

    consumer_group: Mapped[str] = mapped_column(Text, primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )


outbox_table: Table = metadata.tables["outbox"]
processed_event_table: Table = metadata.tables["processed_event"]


def create_messaging_tables(engine: Engine) -> None:
    """Create the messaging tables if they are missing (tests; services use their migrations)."""
    metadata.create_all(engine)
