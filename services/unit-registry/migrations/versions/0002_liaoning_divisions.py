"""Load Liaoning's GB/T 2260 divisions with their validity dates (reference data, from python-stdnum).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unit_registry.adapters.db.reference import liaoning_divisions

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

division = sa.table(
    "division",
    sa.column("code", sa.String),
    sa.column("name", sa.Text),
    sa.column("valid_from", sa.Date),
    sa.column("valid_to", sa.Date),
)


def upgrade() -> None:
    op.bulk_insert(
        division,
        [
            {"code": d.code, "name": d.name, "valid_from": d.valid_from, "valid_to": d.valid_to}
            for d in liaoning_divisions()
        ],
    )


def downgrade() -> None:
    op.execute(division.delete().where(division.c.code.like("21%")))
