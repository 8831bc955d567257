"""Unit read model, key parts, devices and their liveness, protection stock, outbox, processed events.

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
        "unit",
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("jurisdiction", _code(6), nullable=False),
        sa.Column("unit_type", sa.Text(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("key_unit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("closed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("registry_version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("compliance_dirty", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("compliant", sa.Boolean(), nullable=True),
        sa.Column("unmet", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("rules_version", sa.Text(), nullable=True),
        sa.Column("compliance_evaluated_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("uscc", name="pk_unit"),
    )
    op.create_index("ix_unit_jurisdiction", "unit", ["jurisdiction"])
    op.create_index("ix_unit_sectors", "unit", ["sectors"], postgresql_using="gin")
    op.create_index(
        "ix_unit_compliance_dirty", "unit", ["uscc"], postgresql_where=sa.text("compliance_dirty")
    )

    op.create_table(
        "key_part",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_key_part"),
    )
    op.create_index("ix_key_part_uscc", "key_part", ["uscc"])

    op.create_table(
        "device",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("key_part", sa.Uuid(), nullable=True),
        sa.Column("device_type", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("make", sa.Text(), server_default="", nullable=False),
        sa.Column("model", sa.Text(), server_default="", nullable=False),
        sa.Column("serial", sa.Text(), server_default="", nullable=False),
        sa.Column("install_date", sa.Date(), nullable=True),
        sa.Column("location", sa.Text(), server_default="", nullable=False),
        sa.Column("networked_to_police", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("network_id", sa.Text(), server_default="", nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), server_default="", nullable=False),
        sa.Column("lifecycle", sa.Text(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_device"),
        sa.CheckConstraint(
            "retention_days IS NULL OR retention_days >= 0", name="ck_device_retention_not_negative"
        ),
    )
    op.create_index("ix_device_uscc_id", "device", ["uscc", "id"])

    op.create_table(
        "device_liveness",
        sa.Column("device_id", sa.Uuid(), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("supervised", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("status", sa.Text(), server_default="unknown", nullable=False),
        sa.Column("last_heartbeat_at", TZ, nullable=True),
        sa.Column("status_changed_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("device_id", name="pk_device_liveness"),
        postgresql_with={"fillfactor": 70},
    )

    op.create_table(
        "protection",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.Column("key_part", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_protection"),
        sa.CheckConstraint("quantity > 0", name="ck_protection_quantity_positive"),
    )
    op.create_index(
        "uq_protection_uscc_key_part_kind",
        "protection",
        ["uscc", "key_part", "kind"],
        unique=True,
        postgresql_nulls_not_distinct=True,
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
    )
    op.create_index(
        "ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_index(
        "ix_outbox_published_at",
        "outbox",
        ["published_at"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )

    op.create_table(
        "processed_event",
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("processed_at", TZ, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("consumer_group", "event_id", name="pk_processed_event"),
    )
    op.create_index("ix_processed_event_processed_at", "processed_event", ["processed_at"])


def downgrade() -> None:
    op.drop_table("processed_event")
    op.drop_table("outbox")
    op.drop_table("protection")
    op.drop_table("device_liveness")
    op.drop_table("device")
    op.drop_table("key_part")
    op.drop_table("unit")
