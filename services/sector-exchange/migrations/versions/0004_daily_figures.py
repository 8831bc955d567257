"""Daily tallies for the compliance and quality figures.

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

COUNTS = (
    "received",
    "rejected",
    "late",
    "identity_rejected",
    "inspected",
    "xray_screened",
    "prohibited_found",
    "certificate_valid",
)


def upgrade() -> None:
    op.create_table(
        "daily_figure",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("organisation", sa.String(18, collation="C"), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("jurisdiction", sa.String(6, collation="C"), nullable=False),
        sa.Column("site", sa.Text(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTS),
        sa.PrimaryKeyConstraint(
            "day", "organisation", "sector", "dataset", "jurisdiction", "site", name="pk_daily_figure"
        ),
    )
    op.create_index("ix_daily_figure_dataset_day", "daily_figure", ["sector", "dataset", "day"])


def downgrade() -> None:
    op.drop_table("daily_figure")
