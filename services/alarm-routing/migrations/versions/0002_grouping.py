"""Grouping: repeats from a zone counted on its open alarm (count, latest report, the repeat reports).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alarm_report",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), server_default="", nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("reported_by", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarm.id"], name=op.f("fk_alarm_report_alarm_id_alarm"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_report")),
    )
    op.create_index(op.f("ix_alarm_report_alarm_id"), "alarm_report", ["alarm_id"], unique=False)
    op.create_index(
        "uq_alarm_report_source",
        "alarm_report",
        ["source", "source_id"],
        unique=True,
        postgresql_where=sa.text("source_id <> ''"),
    )
    op.add_column(
        "alarm", sa.Column("repeat_count", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.add_column("alarm", sa.Column("last_reported_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_alarm_open_zone",
        "alarm",
        ["uscc", "zone", "kind"],
        unique=False,
        postgresql_where=sa.text("zone <> '' AND status NOT IN ('resolved', 'closed')"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_alarm_open_zone",
        table_name="alarm",
        postgresql_where=sa.text("zone <> '' AND status NOT IN ('resolved', 'closed')"),
    )
    op.drop_column("alarm", "last_reported_at")
    op.drop_column("alarm", "repeat_count")
    op.drop_index(
        "uq_alarm_report_source", table_name="alarm_report", postgresql_where=sa.text("source_id <> ''")
    )
    op.drop_index(op.f("ix_alarm_report_alarm_id"), table_name="alarm_report")
    op.drop_table("alarm_report")
