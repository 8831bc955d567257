"""The unit dossier: filings, responsible persons, staff (encrypted IDs), informants, key parts, plans,
drills, workstations, inspections and hazards; the units' materialised overdue flags.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
FLAGS = ("filing_overdue", "drills_overdue", "hazards_overdue")


def _code(length: int) -> sa.String:
    return sa.String(length, collation="C")


def _record(table: str) -> list[sa.Column | sa.Constraint]:
    """The id and the unit of a dossier record."""
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("uscc", _code(18), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(["uscc"], ["unit.uscc"], name=f"fk_{table}_uscc_unit", ondelete="CASCADE"),
    ]


def _item(table: str) -> list[sa.Column | sa.Constraint]:
    """A record that changes: with its optimistic version and timestamps."""
    return [
        *_record(table),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    ]


def _staff_record(table: str) -> list[sa.Column | sa.Constraint]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["security_staff.id"],
            name=f"fk_{table}_staff_id_security_staff",
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    for flag in FLAGS:
        op.add_column("unit", sa.Column(flag, sa.Boolean(), server_default=sa.text("false"), nullable=False))
        op.create_index(f"ix_unit_{flag}", "unit", ["uscc"], postgresql_where=sa.text(flag))

    op.create_table(
        "security_filing",
        *_item("security_filing"),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("organisation_name", sa.Text(), server_default="", nullable=False),
        sa.Column("head_name", sa.Text(), server_default="", nullable=False),
        sa.Column("full_time_staff", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("part_time_staff", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("established_on", sa.Date(), nullable=True),
        sa.Column("duties", sa.Text(), server_default="", nullable=False),
        sa.Column("submitted_by", postgresql.JSONB(), nullable=True),
        sa.Column("submitted_at", TZ, nullable=True),
        sa.Column("decided_by", postgresql.JSONB(), nullable=True),
        sa.Column("decided_at", TZ, nullable=True),
        sa.Column("decision_note", sa.Text(), server_default="", nullable=False),
        sa.Column("return_reasons", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("history", postgresql.JSONB(), nullable=False),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'accepted', 'returned')", name="ck_security_filing_state"
        ),
    )
    op.create_index("ix_security_filing_uscc_created_at", "security_filing", ["uscc", "created_at"])
    op.create_index(
        "uq_security_filing_open",
        "security_filing",
        ["uscc"],
        unique=True,
        postgresql_where=sa.text("state IN ('draft', 'submitted', 'returned')"),
    )
    op.create_index(
        "ix_security_filing_accepted",
        "security_filing",
        ["uscc", "decided_at"],
        postgresql_where=sa.text("state = 'accepted'"),
    )

    op.create_table(
        "responsible_person",
        *_item("responsible_person"),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), server_default="", nullable=False),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("responsibilities", sa.Text(), server_default="", nullable=False),
        sa.Column("appointed_on", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "role IN ('first_responsible', 'co_responsible')", name="ck_responsible_person_role"
        ),
    )
    op.create_index("ix_responsible_person_uscc", "responsible_person", ["uscc"])
    op.create_index(
        "uq_responsible_person_first",
        "responsible_person",
        ["uscc"],
        unique=True,
        postgresql_where=sa.text("role = 'first_responsible'"),
    )

    op.create_table(
        "security_staff",
        *_item("security_staff"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("resident_id", sa.LargeBinary(), nullable=False),
        sa.Column("resident_id_index", sa.LargeBinary(), nullable=False),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("employment", sa.Text(), nullable=False),
        sa.Column("position", sa.Text(), server_default="", nullable=False),
        sa.Column("skill_grade", sa.Text(), nullable=True),
        sa.Column("hired_on", sa.Date(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("departed_on", sa.Date(), nullable=True),
        sa.CheckConstraint("employment IN ('full_time', 'part_time')", name="ck_security_staff_employment"),
        sa.CheckConstraint("state IN ('active', 'departed')", name="ck_security_staff_state"),
    )
    op.create_index("ix_security_staff_uscc_name_id", "security_staff", ["uscc", "name", "id"])
    op.create_index("ix_security_staff_resident_id_index", "security_staff", ["resident_id_index"])
    op.create_index(
        "uq_security_staff_active_person",
        "security_staff",
        ["uscc", "resident_id_index"],
        unique=True,
        postgresql_where=sa.text("state = 'active'"),
    )
    op.create_table(
        "staff_training",
        *_staff_record("staff_training"),
        sa.Column("trained_on", sa.Date(), nullable=False),
        sa.Column("course", sa.Text(), nullable=False),
        sa.Column("hours", sa.Double(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), server_default="", nullable=False),
    )
    op.create_table(
        "staff_assessment",
        *_staff_record("staff_assessment"),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
    )
    op.create_table(
        "staff_certificate",
        *_staff_record("staff_certificate"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("number", sa.Text(), server_default="", nullable=False),
        sa.Column("issuer", sa.Text(), server_default="", nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
    )
    for table in ("staff_training", "staff_assessment", "staff_certificate"):
        op.create_index(f"ix_{table}_staff_id", table, ["staff_id"])

    op.create_table(
        "informant",
        *_item("informant"),
        sa.Column("name", sa.LargeBinary(), nullable=False),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("department", sa.Text(), server_default="", nullable=False),
        sa.Column("recruited_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
    )
    op.create_index("ix_informant_uscc", "informant", ["uscc"])
    op.create_table(
        "informant_report",
        *_record("informant_report"),
        sa.Column("informant_id", sa.Uuid(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("received_by", postgresql.JSONB(), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(
            ["informant_id"],
            ["informant.id"],
            name="fk_informant_report_informant_id_informant",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_informant_report_informant_id", "informant_report", ["informant_id"])
    op.create_index(
        "ix_informant_report_uscc_reported_on_id", "informant_report", ["uscc", "reported_on", "id"]
    )

    op.create_table(
        "key_part",
        *_item("key_part"),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), server_default="", nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("protection_measures", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("required_device_types", postgresql.ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.UniqueConstraint("uscc", "name", name="uq_key_part_uscc_name"),
    )

    op.create_table(
        "emergency_plan",
        *_record("emergency_plan"),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), server_default="", nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("published_by", postgresql.JSONB(), nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.Column("superseded_at", TZ, nullable=True),
        sa.CheckConstraint("state IN ('current', 'superseded')", name="ck_emergency_plan_state"),
        sa.UniqueConstraint("plan_id", "version", name="uq_emergency_plan_plan_id_version"),
    )
    op.create_index("ix_emergency_plan_uscc", "emergency_plan", ["uscc"])
    op.create_index(
        "uq_emergency_plan_current",
        "emergency_plan",
        ["plan_id"],
        unique=True,
        postgresql_where=sa.text("state = 'current'"),
    )
    op.create_table(
        "drill",
        *_record("drill"),
        sa.Column("drilled_on", sa.Date(), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Text(), server_default="", nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=True),
        sa.Column("joint_with_police", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("recorded_by", postgresql.JSONB(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
    )
    op.create_index("ix_drill_uscc_drilled_on_id", "drill", ["uscc", "drilled_on", "id"])

    op.create_table(
        "police_workstation",
        *_item("police_workstation"),
        sa.Column("police_station", _code(12), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), server_default="", nullable=False),
        sa.Column("officers", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("duty_phone", sa.Text(), server_default="", nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["police_station"],
            ["police_station.code"],
            name="fk_police_workstation_police_station_police_station",
        ),
    )
    op.create_index("ix_police_workstation_uscc", "police_workstation", ["uscc"])
    op.create_index("ix_police_workstation_police_station", "police_workstation", ["police_station"])

    op.create_table(
        "inspection",
        *_record("inspection"),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("party_sector", sa.Text(), nullable=True),
        sa.Column("organisation", sa.Text(), nullable=False),
        sa.Column("inspectors", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("findings", sa.Text(), server_default="", nullable=False),
        sa.Column("recorded_by", postgresql.JSONB(), nullable=False),
        sa.Column("recorded_at", TZ, nullable=False),
        sa.CheckConstraint("party IN ('police', 'regulator')", name="ck_inspection_party"),
    )
    op.create_index("ix_inspection_uscc_inspected_on_id", "inspection", ["uscc", "inspected_on", "id"])
    op.create_table(
        "hazard",
        *_item("hazard"),
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("party_sector", sa.Text(), nullable=True),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("opened_by", postgresql.JSONB(), nullable=False),
        sa.Column("opened_at", TZ, nullable=False),
        sa.Column("rectification_note", sa.Text(), server_default="", nullable=False),
        sa.Column("evidence", postgresql.JSONB(), server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("rectified_by", postgresql.JSONB(), nullable=True),
        sa.Column("rectified_at", TZ, nullable=True),
        sa.Column("verification_note", sa.Text(), server_default="", nullable=False),
        sa.Column("verified_by", postgresql.JSONB(), nullable=True),
        sa.Column("verified_at", TZ, nullable=True),
        # The deadline whose passing hazard.overdue announced (the sweep announces each once).
        sa.Column("overdue_announced_for", sa.Date(), nullable=True),
        sa.CheckConstraint("state IN ('open', 'rectified', 'verified')", name="ck_hazard_state"),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name="fk_hazard_inspection_id_inspection",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_hazard_inspection_id", "hazard", ["inspection_id"])
    op.create_index("ix_hazard_uscc_deadline_id", "hazard", ["uscc", "deadline", "id"])
    op.create_index(
        "ix_hazard_open_deadline", "hazard", ["deadline"], postgresql_where=sa.text("state = 'open'")
    )


def downgrade() -> None:
    for table in (
        "hazard",
        "inspection",
        "police_workstation",
        "drill",
        "emergency_plan",
        "key_part",
        "informant_report",
        "informant",
        "staff_certificate",
        "staff_assessment",
        "staff_training",
        "security_staff",
        "responsible_person",
        "security_filing",
    ):
        op.drop_table(table)
    for flag in FLAGS:
        op.drop_index(f"ix_unit_{flag}", table_name="unit")
        op.drop_column("unit", flag)
