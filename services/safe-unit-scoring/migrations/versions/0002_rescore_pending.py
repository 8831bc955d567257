"""Rescoring marks: units whose facts changed since their last rescoring (rescored after each batch).

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


def upgrade() -> None:
    op.create_table(
        "rescore_pending",
        sa.Column("uscc", sa.String(length=18, collation="C"), nullable=False),
        sa.Column("cause_event_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("uscc", name=op.f("pk_rescore_pending")),
    )
    op.create_index("ix_rescore_pending_marked_at", "rescore_pending", ["marked_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_rescore_pending_marked_at", table_name="rescore_pending")
    op.drop_table("rescore_pending")
