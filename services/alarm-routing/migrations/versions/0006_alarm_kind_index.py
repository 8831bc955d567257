"""Alarms listed by kind (the sector dashboard's early warnings) use an index of their own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alarm_kind_seq", "alarm", ["kind", "seq"])


def downgrade() -> None:
    op.drop_index("ix_alarm_kind_seq", table_name="alarm")
