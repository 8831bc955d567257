"""Units, fact items, scores per period, grade changes, the outbox and processed events.

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


def _code(length: int) -> sa.String:
    return sa.String(length=length, collation="C")


def upgrade() -> None:
    op.create_table(
        "unit",
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("jurisdiction", _code(6), nullable=False),
        sa.Column("sector", sa.Text(), server_default="", nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("key_unit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("closed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("uscc", name=op.f("pk_unit")),
    )
    op.create_table(
        "fact_item",
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("item_id", sa.Text(), nullable=False),
        sa.Column("attributes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("event_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "kind", "item_id", name=op.f("pk_fact_item")),
    )
    op.create_table(
        "score",
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("period", _code(7), nullable=False),
        sa.Column("model_version", sa.Text(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("total", sa.Numeric(5, 2), nullable=False),
        sa.Column("band", sa.Text(), nullable=False),
        sa.Column("grade", sa.Text(), nullable=False),
        sa.Column("grade_reason", sa.Text(), nullable=False),
        sa.Column("explanation", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("unit_name", sa.Text(), server_default="", nullable=False),
        sa.Column("jurisdiction", _code(6), nullable=False),
        sa.Column("sector", sa.Text(), server_default="", nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("uscc", "period", name=op.f("pk_score")),
    )
    op.create_index("ix_score_period_total", "score", ["period", sa.text("total DESC"), "uscc"], unique=False)
    op.create_table(
        "grade_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("period", _code(7), nullable=False),
        sa.Column("from_grade", sa.Text(), nullable=True),
        sa.Column("to_grade", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("total", sa.Numeric(5, 2), nullable=False),
        sa.Column("cause_event_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grade_change")),
    )
    op.create_index("ix_grade_change_uscc", "grade_change", ["uscc", "id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    op.create_index(
        "ix_outbox_published_at",
        "outbox",
        ["published_at"],
        unique=False,
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "processed_event",
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column(
            "processed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("consumer_group", "event_id", name=op.f("pk_processed_event")),
    )
    op.create_index(
        op.f("ix_processed_event_processed_at"), "processed_event", ["processed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_processed_event_processed_at"), table_name="processed_event")
    op.drop_table("processed_event")
    op.drop_index(
        "ix_outbox_unpublished", table_name="outbox", postgresql_where=sa.text("published_at IS NULL")
    )
    op.drop_index(
        "ix_outbox_published_at", table_name="outbox", postgresql_where=sa.text("published_at IS NOT NULL")
    )
    op.drop_table("outbox")
    op.drop_index("ix_grade_change_uscc", table_name="grade_change")
    op.drop_table("grade_change")
    op.drop_index("ix_score_period_total", table_name="score")
    op.drop_table("score")
    op.drop_table("fact_item")
    op.drop_table("unit")
