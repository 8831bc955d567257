"""The unit context shown with each alarm: responsible persons (phones sealed), key parts, emergency plans,
and which key part each device guards.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _uscc() -> sa.Column[str]:
    return sa.Column("uscc", sa.String(length=18, collation="C"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "unit_responsible_person",
        sa.Column("id", sa.Uuid(), nullable=False),
        _uscc(),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), server_default="", nullable=False),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("phone_index", sa.LargeBinary(), nullable=True),
        sa.Column("registry_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_responsible_person")),
    )
    op.create_index("ix_unit_responsible_person_uscc", "unit_responsible_person", ["uscc"])
    op.create_index("ix_unit_responsible_person_phone_index", "unit_responsible_person", ["phone_index"])
    op.create_table(
        "unit_key_part",
        sa.Column("id", sa.Uuid(), nullable=False),
        _uscc(),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("protection_measures", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("required_device_types", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("registry_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_key_part")),
    )
    op.create_index("ix_unit_key_part_uscc", "unit_key_part", ["uscc"])
    op.create_table(
        "unit_emergency_plan",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        _uscc(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("scenario", sa.Text(), server_default="", nullable=False),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("effective_on", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_unit_emergency_plan")),
    )
    op.create_index("ix_unit_emergency_plan_uscc", "unit_emergency_plan", ["uscc"])
    op.create_table(
        "unit_device",
        sa.Column("id", sa.Text(), nullable=False),
        _uscc(),
        sa.Column("key_part", sa.Text(), server_default="", nullable=False),
        sa.Column("inventory_version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_device")),
    )


def downgrade() -> None:
    op.drop_table("unit_device")
    op.drop_index("ix_unit_emergency_plan_uscc", table_name="unit_emergency_plan")
    op.drop_table("unit_emergency_plan")
    op.drop_index("ix_unit_key_part_uscc", table_name="unit_key_part")
    op.drop_table("unit_key_part")
    op.drop_index("ix_unit_responsible_person_phone_index", table_name="unit_responsible_person")
    op.drop_index("ix_unit_responsible_person_uscc", table_name="unit_responsible_person")
    op.drop_table("unit_responsible_person")
