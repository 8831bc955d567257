"""key_part.name and key_part.location: what the registry's DossierUpdated now carries of a key part, so
compliance evidence names the key part a regulator knows ("" until an event carrying it is heard).

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
    op.add_column("key_part", sa.Column("name", sa.Text(), server_default="", nullable=False))
    op.add_column("key_part", sa.Column("location", sa.Text(), server_default="", nullable=False))


def downgrade() -> None:
    op.drop_column("key_part", "location")
    op.drop_column("key_part", "name")
