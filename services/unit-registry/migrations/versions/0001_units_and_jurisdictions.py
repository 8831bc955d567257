"""Jurisdictions (versioned divisions, police stations), units with history and key-unit designations, outbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _code(length: int) -> sa.String:
    return sa.String(length, collation="C")


def upgrade() -> None:
    op.create_table(
        "division",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("code", _code(6), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_division"),
        sa.UniqueConstraint(
            "code", "valid_from", name="uq_division_code_valid_from", postgresql_nulls_not_distinct=True
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to", name="ck_division_valid_span"
        ),
    )
    op.create_index("ix_division_code", "division", ["code"])

    op.create_table(
        "police_station",
        sa.Column("code", _code(12), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("jurisdiction", _code(6), nullable=False),
        sa.Column("address", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_police_station"),
    )
    op.create_index("ix_police_station_jurisdiction", "police_station", ["jurisdiction"])

    op.create_table(
        "unit",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("former_names", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("unit_type", sa.Text(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("jurisdiction", _code(6), nullable=False),
        sa.Column("police_station", _code(12), nullable=True),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("coordinate_system", sa.Text(), nullable=True),
        sa.Column("legal_representative", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("key_unit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("key_unit_category", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("closed_at", TZ, nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("search_tokens", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unit"),
        sa.UniqueConstraint("uscc", name="uq_unit_uscc"),
        sa.CheckConstraint("status IN ('active', 'closed')", name="ck_unit_status"),
        sa.CheckConstraint("version > 0", name="ck_unit_version"),
        sa.CheckConstraint("sector = sectors[1]", name="ck_unit_lead_sector_first"),
    )
    op.create_index("ix_unit_jurisdiction_uscc", "unit", ["jurisdiction", "uscc"])
    op.create_index("ix_unit_police_station", "unit", ["police_station"])
    op.create_index("ix_unit_search_tokens", "unit", ["search_tokens"], postgresql_using="gin")
    op.create_index("ix_unit_sectors", "unit", ["sectors"], postgresql_using="gin")
    op.create_index("ix_unit_key_unit", "unit", ["uscc"], postgresql_where=sa.text("key_unit"))

    op.create_table(
        "unit_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_type", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(), nullable=False),
        sa.Column("actor", postgresql.JSONB(), nullable=False),
        sa.Column("changed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_unit_change"),
        sa.ForeignKeyConstraint(["uscc"], ["unit.uscc"], name="fk_unit_change_uscc_unit", ondelete="CASCADE"),
    )
    op.create_index("ix_unit_change_uscc_id", "unit_change", ["uscc", "id"])

    op.create_table(
        "key_unit_designation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("proposed_by", postgresql.JSONB(), nullable=False),
        sa.Column("proposed_at", TZ, nullable=False),
        sa.Column("confirmed_by", postgresql.JSONB(), nullable=True),
        sa.Column("confirmed_at", TZ, nullable=True),
        sa.Column("designated_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_by", postgresql.JSONB(), nullable=True),
        sa.Column("withdrawn_at", TZ, nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_key_unit_designation"),
        sa.ForeignKeyConstraint(
            ["uscc"], ["unit.uscc"], name="fk_key_unit_designation_uscc_unit", ondelete="CASCADE"
        ),
        sa.CheckConstraint(
            "state IN ('proposed', 'confirmed', 'withdrawn')", name="ck_key_unit_designation_state"
        ),
    )
    op.create_index("ix_key_unit_designation_uscc", "key_unit_designation", ["uscc", "proposed_at"])
    op.create_index(
        "uq_key_unit_designation_active",
        "key_unit_designation",
        ["uscc"],
        unique=True,
        postgresql_where=sa.text("state IN ('proposed', 'confirmed')"),
    )

    # The transactional outbox of neibao_messaging (its README has the DDL); the relay publishes from it.
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index(
        "ix_outbox_published_at",
        "outbox",
        ["published_at"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL")
    )


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("key_unit_designation")
    op.drop_table("unit_change")
    op.drop_table("unit")
    op.drop_table("police_station")
    op.drop_table("division")
