"""What each acknowledging party found, and when a party let its deadline pass.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("alarm_route", sa.Column("acknowledgement_outcome", sa.Text(), nullable=True))
    op.add_column("alarm_route", sa.Column("deadline_missed_at", sa.DateTime(timezone=True), nullable=True))
    # Acknowledgements before this revision were police taking the alarm.
    op.execute(
        "UPDATE alarm_route SET acknowledgement_outcome = 'accepted' WHERE acknowledged_at IS NOT NULL"
    )


def downgrade() -> None:
    # Loses only what this revision added: the outcomes and the missed-deadline times.
    op.drop_column("alarm_route", "deadline_missed_at")
    op.drop_column("alarm_route", "acknowledgement_outcome")
