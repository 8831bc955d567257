"""The demo device platform's bookkeeping: whether it runs, the units it equipped, its silent devices.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "demo_platform",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_demo_platform"),
        sa.CheckConstraint("id = 1", name="ck_demo_platform_single_row"),
    )
    op.create_table(
        "demo_unit",
        sa.Column("uscc", sa.String(18, collation="C"), nullable=False),
        sa.PrimaryKeyConstraint("uscc", name="pk_demo_unit"),
    )
    op.create_table(
        "demo_device",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("silent", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name="pk_demo_device"),
    )


def downgrade() -> None:
    op.drop_table("demo_device")
    op.drop_table("demo_unit")
    op.drop_table("demo_platform")
