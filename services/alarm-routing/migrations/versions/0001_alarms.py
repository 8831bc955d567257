"""Alarms, routes, timelines, escalation timers, the unit read model, outbox and processed events.

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


def upgrade() -> None:
    op.create_table(
        "alarm",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("uscc", sa.String(length=18, collation="C"), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), server_default="", nullable=False),
        sa.Column("zone", sa.Text(), server_default="", nullable=False),
        sa.Column("device_id", sa.Text(), server_default="", nullable=False),
        sa.Column("jurisdiction", sa.String(length=6, collation="C"), nullable=False),
        sa.Column("sector", sa.Text(), server_default="", nullable=False),
        sa.Column("unit_name", sa.Text(), server_default="", nullable=False),
        sa.Column("police_station", sa.String(length=12, collation="C"), server_default="", nullable=False),
        sa.Column("key_unit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("rules_version", sa.Text(), server_default="", nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("raised_by", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'routed', 'acknowledged', 'dispatched', 'on_scene', 'resolved',"
            " 'closed')",
            name=op.f("ck_alarm_status"),
        ),
        sa.CheckConstraint("priority BETWEEN 1 AND 4", name=op.f("ck_alarm_priority")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm")),
        sa.UniqueConstraint("seq", name=op.f("uq_alarm_seq")),
    )
    op.create_index("ix_alarm_jurisdiction_seq", "alarm", ["jurisdiction", "seq"], unique=False)
    op.create_index("ix_alarm_uscc_seq", "alarm", ["uscc", "seq"], unique=False)
    op.create_index(
        "uq_alarm_source",
        "alarm",
        ["source", "source_id"],
        unique=True,
        postgresql_where=sa.text("source_id <> ''"),
    )
    op.create_table(
        "unit",
        sa.Column("uscc", sa.String(length=18, collation="C"), nullable=False),
        sa.Column("name", sa.Text(), server_default="", nullable=False),
        sa.Column("jurisdiction", sa.String(length=6, collation="C"), nullable=False),
        sa.Column("police_station", sa.String(length=12, collation="C"), server_default="", nullable=False),
        sa.Column("sector", sa.Text(), server_default="", nullable=False),
        sa.Column("sectors", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("key_unit", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("closed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("registry_version", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("uscc", name=op.f("pk_unit")),
    )
    op.create_table(
        "alarm_route",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("rule_id", sa.Text(), nullable=False),
        sa.Column("rules_version", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("escalation_level", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("repeats", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.CheckConstraint("role IN ('respond', 'informed')", name=op.f("ck_alarm_route_role")),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarm.id"], name=op.f("fk_alarm_route_alarm_id_alarm"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_route")),
        sa.UniqueConstraint("alarm_id", "party", "target", name=op.f("uq_alarm_route_alarm_id_party_target")),
    )
    op.create_table(
        "alarm_timeline",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("party", sa.Text(), nullable=True),
        sa.Column("target", sa.Text(), server_default="", nullable=False),
        sa.Column("detail", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarm.id"], name=op.f("fk_alarm_timeline_alarm_id_alarm"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_timeline")),
    )
    op.create_index("ix_alarm_timeline_alarm_id", "alarm_timeline", ["alarm_id", "id"], unique=False)
    op.create_table(
        "escalation_timer",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("route_id", sa.Uuid(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarm.id"], name=op.f("fk_escalation_timer_alarm_id_alarm"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["route_id"],
            ["alarm_route.id"],
            name=op.f("fk_escalation_timer_route_id_alarm_route"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_timer")),
        sa.UniqueConstraint("route_id", name=op.f("uq_escalation_timer_route_id")),
    )
    op.create_index("ix_escalation_timer_due_at", "escalation_timer", ["due_at"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("key", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")),
    )
    op.create_index(
        "ix_outbox_published_at",
        "outbox",
        ["published_at"],
        unique=False,
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["id"],
        unique=False,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "processed_event",
        sa.Column("consumer_group", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column(
            "processed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.PrimaryKeyConstraint("consumer_group", "event_id", name=op.f("pk_processed_event")),
    )
    op.create_index(
        op.f("ix_processed_event_processed_at"), "processed_event", ["processed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_processed_event_processed_at"), table_name="processed_event")
    op.drop_table("processed_event")
    op.drop_index(
        "ix_outbox_unpublished", table_name="outbox", postgresql_where=sa.text("published_at IS NULL")
    )
    op.drop_index(
        "ix_outbox_published_at", table_name="outbox", postgresql_where=sa.text("published_at IS NOT NULL")
    )
    op.drop_table("outbox")
    op.drop_index("ix_escalation_timer_due_at", table_name="escalation_timer")
    op.drop_table("escalation_timer")
    op.drop_index("ix_alarm_timeline_alarm_id", table_name="alarm_timeline")
    op.drop_table("alarm_timeline")
    op.drop_table("alarm_route")
    op.drop_table("unit")
    op.drop_index("uq_alarm_source", table_name="alarm", postgresql_where=sa.text("source_id <> ''"))
    op.drop_index("ix_alarm_uscc_seq", table_name="alarm")
    op.drop_index("ix_alarm_jurisdiction_seq", table_name="alarm")
    op.drop_table("alarm")
