"""Early warnings raised by the rules, one row per finding.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _code(length: int) -> sa.String:
    return sa.String(length, collation="C")


def upgrade() -> None:
    op.create_table(
        "early_warning",
        sa.Column("warning_id", sa.Uuid(), nullable=False),
        sa.Column("rule_id", sa.Text(), nullable=False),
        sa.Column("rules_version", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("jurisdiction", _code(6), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("batch_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("record_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("raised_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("warning_id", name="pk_early_warning"),
    )
    op.create_index("ix_early_warning_jurisdiction", "early_warning", ["jurisdiction", "raised_at"])


def downgrade() -> None:
    op.drop_table("early_warning")
