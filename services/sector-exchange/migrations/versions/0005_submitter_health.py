"""An index for submitter health: an organisation's batches by time of receipt.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_batch_organisation_received", "batch", ["organisation", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_batch_organisation_received", table_name="batch")
