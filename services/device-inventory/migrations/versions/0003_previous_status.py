"""device_liveness.previous_status: the status before the last change, set by the same UPDATE that
changes it (so a heartbeat batch learns every transition from one statement, under any concurrency).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("device_liveness", sa.Column("previous_status", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("device_liveness", "previous_status")
