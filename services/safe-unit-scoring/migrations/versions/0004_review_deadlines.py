"""Self-assessments' review deadlines and the reminders sent about them (each once).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Assessments submitted before deadlines existed get the default one.
DEFAULT_REVIEW_DAYS = 15


def upgrade() -> None:
    op.add_column("self_assessment", sa.Column("review_due_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.text(
            "UPDATE self_assessment SET review_due_at = submitted_at + make_interval(days => :days)"
        ).bindparams(days=DEFAULT_REVIEW_DAYS)
    )
    op.alter_column("self_assessment", "review_due_at", nullable=False)
    op.add_column(
        "self_assessment", sa.Column("due_soon_reminded_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "self_assessment", sa.Column("overdue_reminded_at", sa.DateTime(timezone=True), nullable=True)
    )
    # A unit's reviews of a period (every rescoring reads the adjusted ones).
    op.create_index("ix_self_assessment_uscc_period", "self_assessment", ["uscc", "period"])
    # The review queue, oldest due first (keyset on due time and id).
    op.create_index("ix_self_assessment_review_due_at", "self_assessment", ["review_due_at", "id"])
    # The sweep's look-up: reviews still awaited whose overdue reminder is not yet sent.
    op.create_index(
        "ix_self_assessment_awaiting",
        "self_assessment",
        ["review_due_at"],
        postgresql_where=sa.text("state = 'submitted' AND overdue_reminded_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_self_assessment_awaiting",
        table_name="self_assessment",
        postgresql_where=sa.text("state = 'submitted' AND overdue_reminded_at IS NULL"),
    )
    op.drop_index("ix_self_assessment_review_due_at", table_name="self_assessment")
    op.drop_index("ix_self_assessment_uscc_period", table_name="self_assessment")
    op.drop_column("self_assessment", "overdue_reminded_at")
    op.drop_column("self_assessment", "due_soon_reminded_at")
    op.drop_column("self_assessment", "review_due_at")
