"""Batches with their receipts, records (personal fields sealed, blind-indexed), message log, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _code(length: int) -> sa.String:
    return sa.String(length, collation="C")


def upgrade() -> None:
    op.create_table(
        "batch",
        sa.Column("organisation", _code(18), nullable=False),
        sa.Column("batch_id", _code(64), nullable=False),
        sa.Column("client_id", sa.Text(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("receipt_hash", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("algorithm", sa.Text(), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.Text(), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("log_sequence", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("organisation", "batch_id", name="pk_batch"),
    )
    op.create_index("ix_batch_batch_id", "batch", ["batch_id"])

    op.create_table(
        "record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("organisation", _code(18), nullable=False),
        sa.Column("batch_id", _code(64), nullable=False),
        sa.Column("record_index", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", _code(6), nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("personal", sa.LargeBinary(), nullable=True),
        sa.Column("person_index", postgresql.ARRAY(sa.LargeBinary()), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_record"),
        sa.UniqueConstraint("sequence", name="uq_record_sequence"),
    )
    op.create_index("ix_record_dataset_sequence", "record", ["sector", "dataset", "sequence"])
    op.create_index(
        "ix_record_dataset_jurisdiction", "record", ["sector", "dataset", "jurisdiction", "sequence"]
    )
    op.create_index(
        "uq_record_batch_index", "record", ["organisation", "batch_id", "record_index"], unique=True
    )
    op.create_index("ix_record_person_index", "record", ["person_index"], postgresql_using="gin")

    op.create_table(
        "message_log",
        sa.Column("sequence", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("previous", sa.Text(), nullable=False),
        sa.Column("batch_id", _code(64), nullable=False),
        sa.Column("organisation", _code(18), nullable=False),
        sa.Column("receipt_hash", sa.Text(), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("algorithm", sa.Text(), nullable=False),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.Text(), nullable=False),
        sa.Column("entry_hash", sa.Text(), nullable=False),
        sa.Column("logged_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("sequence", name="pk_message_log"),
        sa.UniqueConstraint("entry_hash", name="uq_message_log_entry_hash"),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_index(
        "ix_outbox_published_at",
        "outbox",
        ["published_at"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("message_log")
    op.drop_table("record")
    op.drop_table("batch")
