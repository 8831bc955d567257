"""Silences and maintenance windows; the silence that suppressed an alarm.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "silence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", sa.String(length=18, collation="C"), nullable=False),
        sa.Column("device_id", sa.Text(), server_default="", nullable=False),
        sa.Column("jurisdiction", sa.String(length=6, collation="C"), nullable=False),
        sa.Column("sector", sa.Text(), server_default="", nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("includes_life_safety", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("created_by", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending_approval', 'active', 'cancelled')", name=op.f("ck_silence_state")
        ),
        sa.CheckConstraint("starts_at < ends_at", name=op.f("ck_silence_span")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_silence")),
    )
    op.create_index("ix_silence_uscc_ends_at", "silence", ["uscc", "ends_at"], unique=False)
    op.add_column("alarm", sa.Column("silence_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(op.f("fk_alarm_silence_id_silence"), "alarm", "silence", ["silence_id"], ["id"])


def downgrade() -> None:
    op.drop_constraint(op.f("fk_alarm_silence_id_silence"), "alarm", type_="foreignkey")
    op.drop_column("alarm", "silence_id")
    op.drop_index("ix_silence_uscc_ends_at", table_name="silence")
    op.drop_table("silence")
