"""Self-assessments and their review (联合创建).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
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
        "self_assessment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", sa.String(length=18, collation="C"), nullable=False),
        sa.Column("period", sa.String(length=7, collation="C"), nullable=False),
        sa.Column("model_version", sa.Text(), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("claimed_total", sa.Numeric(5, 2), nullable=False),
        sa.Column("computed_total", sa.Numeric(5, 2), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("submitted_by", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.Text(), server_default="", nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "adjustments",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'"),
            nullable=False,
        ),
        sa.Column("reviewed_total", sa.Numeric(5, 2), nullable=True),
        sa.Column("review_note", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment")),
    )
    op.create_index(
        "uq_self_assessment_submitted",
        "self_assessment",
        ["uscc", "period"],
        unique=True,
        postgresql_where=sa.text("state = 'submitted'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_self_assessment_submitted",
        table_name="self_assessment",
        postgresql_where=sa.text("state = 'submitted'"),
    )
    op.drop_table("self_assessment")
