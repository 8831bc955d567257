"""The registry's tables (SQLAlchemy 2 typed declarative); migrations/ creates them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from neibao_messaging.tables import NAMING_CONVENTION

# Codes compare byte-wise: a "C" collation lets LIKE 'prefix%' use a plain b-tree index.
CODE_COLLATION = "C"


def _code(length: int) -> String:
    return String(length, collation=CODE_COLLATION)


class Base(DeclarativeBase):
    """Declarative base of the registry's tables (deterministic constraint names, as the messaging lib's)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class DivisionRow(Base):
    """A GB/T 2260 code and the name it carried over a span of time (NULL: open-ended)."""

    __tablename__ = "division"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    code: Mapped[str] = mapped_column(_code(6))
    name: Mapped[str] = mapped_column(Text)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("code", "valid_from", postgresql_nulls_not_distinct=True),
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_from <= valid_to", name="valid_span"
        ),
        Index("ix_division_code", "code"),
    )


class PoliceStationRow(Base):
    """A police station (派出所) of a district or county."""

    __tablename__ = "police_station"

    code: Mapped[str] = mapped_column(_code(12), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(_code(6), index=True)
    address: Mapped[str] = mapped_column(Text, server_default="")


class UnitRow(Base):
    """A supervised unit; `search_tokens` (unigrams and bigrams of its names) serves name search."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18), unique=True)
    name: Mapped[str] = mapped_column(Text)
    former_names: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    unit_type: Mapped[str] = mapped_column(Text)
    sector: Mapped[str] = mapped_column(Text)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(Text))
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    police_station: Mapped[str | None] = mapped_column(_code(12), index=True)
    address: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Double)
    longitude: Mapped[float | None] = mapped_column(Double)
    coordinate_system: Mapped[str | None] = mapped_column(Text)
    legal_representative: Mapped[str] = mapped_column(Text, server_default="")
    status: Mapped[str] = mapped_column(Text)
    key_unit: Mapped[bool] = mapped_column(server_default=text("false"))
    key_unit_category: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    search_text: Mapped[str] = mapped_column(Text)
    search_tokens: Mapped[list[str]] = mapped_column(ARRAY(Text))
    # The dossier's overdue flags, materialised by the dossier handlers and the sweep (filterable, indexed).
    filing_overdue: Mapped[bool] = mapped_column(server_default=text("false"))
    drills_overdue: Mapped[bool] = mapped_column(server_default=text("false"))
    hazards_overdue: Mapped[bool] = mapped_column(server_default=text("false"))

    __table_args__ = (
        CheckConstraint("status IN ('active', 'closed')", name="status"),
        CheckConstraint("version > 0", name="version"),
        CheckConstraint("sector = sectors[1]", name="lead_sector_first"),
        # Scope (jurisdiction prefix) first, then the keyset order.
        Index("ix_unit_jurisdiction_uscc", "jurisdiction", "uscc"),
        Index("ix_unit_search_tokens", "search_tokens", postgresql_using="gin"),
        Index("ix_unit_sectors", "sectors", postgresql_using="gin"),
        Index("ix_unit_key_unit", "uscc", postgresql_where=text("key_unit")),
        # Flagged units are few: partial indexes in keyset order serve the overdue filters.
        Index("ix_unit_filing_overdue", "uscc", postgresql_where=text("filing_overdue")),
        Index("ix_unit_drills_overdue", "uscc", postgresql_where=text("drills_overdue")),
        Index("ix_unit_hazards_overdue", "uscc", postgresql_where=text("hazards_overdue")),
    )


class UnitSearchTermRow(Base):
    """A posting: a unit has a term (a name bigram, `sector:<s>`, `key_unit:<true|false>`, `city:<prefix>`).

    Lists read a term's units in USCC order from its key. Migration 0004's triggers keep the postings in
    step with the unit rows; nothing else writes them. Partitioned by city (migration 0005: a range of
    jurisdiction codes per city), so a city's scope reads its own city's key only.
    """

    __tablename__ = "unit_search_term"

    term: Mapped[str] = mapped_column(Text(collation=CODE_COLLATION))
    uscc: Mapped[str] = mapped_column(_code(18))
    jurisdiction: Mapped[str] = mapped_column(_code(6))

    __table_args__ = (
        PrimaryKeyConstraint("term", "uscc", "jurisdiction"),
        {"postgresql_partition_by": "RANGE (jurisdiction)"},
    )


class UnitChangeRow(Base):
    """One entry of a unit's change history."""

    __tablename__ = "unit_change"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18), ForeignKey("unit.uscc", ondelete="CASCADE"))
    version: Mapped[int]
    change_type: Mapped[str] = mapped_column(Text)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    actor: Mapped[dict[str, Any]] = mapped_column(JSONB)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_unit_change_uscc_id", "uscc", "id"),)


class KeyUnitDesignationRow(Base):
    """A key-unit proposal and its confirmation or withdrawal."""

    __tablename__ = "key_unit_designation"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18), ForeignKey("unit.uscc", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, server_default="")
    proposed_by: Mapped[dict[str, Any]] = mapped_column(JSONB)
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confirmed_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    designated_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawal_reason: Mapped[str] = mapped_column(Text, server_default="")

    __table_args__ = (
        CheckConstraint("state IN ('proposed', 'confirmed', 'withdrawn')", name="state"),
        Index("ix_key_unit_designation_uscc", "uscc", "proposed_at"),
        # At most one proposal or designation in force per unit.
        Index(
            "uq_key_unit_designation_active",
            "uscc",
            unique=True,
            postgresql_where=text("state IN ('proposed', 'confirmed')"),
        ),
    )


# The unit dossier (migration 0003). Personal data (resident IDs, phones, informants' names) is stored
# as FieldCipher ciphertext bound to its row and column; resident IDs also as a blind index.

TZ = DateTime(timezone=True)


class DossierItemRow(Base):
    """What every editable dossier item has: id, unit, optimistic version, timestamps."""

    __abstract__ = True

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18), ForeignKey("unit.uscc", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(server_default=text("1"))
    created_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)


class SecurityFilingRow(DossierItemRow):
    """A security organisation filing (备案) and its review history."""

    __tablename__ = "security_filing"

    state: Mapped[str] = mapped_column(Text)
    organisation_name: Mapped[str] = mapped_column(Text, server_default="")
    head_name: Mapped[str] = mapped_column(Text, server_default="")
    full_time_staff: Mapped[int] = mapped_column(server_default=text("0"))
    part_time_staff: Mapped[int] = mapped_column(server_default=text("0"))
    established_on: Mapped[date | None] = mapped_column(Date)
    duties: Mapped[str] = mapped_column(Text, server_default="")
    submitted_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    submitted_at: Mapped[datetime | None] = mapped_column(TZ)
    decided_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    decided_at: Mapped[datetime | None] = mapped_column(TZ)
    decision_note: Mapped[str] = mapped_column(Text, server_default="")
    return_reasons: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)

    __table_args__ = (
        CheckConstraint("state IN ('draft', 'submitted', 'accepted', 'returned')", name="state"),
        Index("ix_security_filing_uscc_created_at", "uscc", "created_at"),
        # One filing being written or reviewed per unit.
        Index(
            "uq_security_filing_open",
            "uscc",
            unique=True,
            postgresql_where=text("state IN ('draft', 'submitted', 'returned')"),
        ),
        Index(
            "ix_security_filing_accepted", "uscc", "decided_at", postgresql_where=text("state = 'accepted'")
        ),
    )


class ResponsiblePersonRow(DossierItemRow):
    """A responsible person (§21); `phone` is ciphertext."""

    __tablename__ = "responsible_person"

    role: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    position: Mapped[str] = mapped_column(Text, server_default="")
    phone: Mapped[bytes | None] = mapped_column(LargeBinary)
    responsibilities: Mapped[str] = mapped_column(Text, server_default="")
    appointed_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("role IN ('first_responsible', 'co_responsible')", name="role"),
        Index("ix_responsible_person_uscc", "uscc"),
        Index(
            "uq_responsible_person_first",
            "uscc",
            unique=True,
            postgresql_where=text("role = 'first_responsible'"),
        ),
    )


class SecurityStaffRow(DossierItemRow):
    """A member of a unit's security staff; `resident_id` and `phone` are ciphertext."""

    __tablename__ = "security_staff"

    name: Mapped[str] = mapped_column(Text)
    resident_id: Mapped[bytes] = mapped_column(LargeBinary)
    resident_id_index: Mapped[bytes] = mapped_column(LargeBinary)
    phone: Mapped[bytes | None] = mapped_column(LargeBinary)
    employment: Mapped[str] = mapped_column(Text)
    position: Mapped[str] = mapped_column(Text, server_default="")
    skill_grade: Mapped[str | None] = mapped_column(Text)
    hired_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(Text)
    departed_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("employment IN ('full_time', 'part_time')", name="employment"),
        CheckConstraint("state IN ('active', 'departed')", name="state"),
        Index("ix_security_staff_uscc_name_id", "uscc", "name", "id"),
        Index("ix_security_staff_resident_id_index", "resident_id_index"),
        # One active record per person and unit.
        Index(
            "uq_security_staff_active_person",
            "uscc",
            "resident_id_index",
            unique=True,
            postgresql_where=text("state = 'active'"),
        ),
    )


def _staff_key() -> Any:
    return ForeignKey("security_staff.id", ondelete="CASCADE")


class StaffTrainingRow(Base):
    """A training of a staff member."""

    __tablename__ = "staff_training"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(_staff_key(), index=True)
    trained_on: Mapped[date] = mapped_column(Date)
    course: Mapped[str] = mapped_column(Text)
    hours: Mapped[float] = mapped_column(Double)
    result: Mapped[str] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(Text, server_default="")


class StaffAssessmentRow(Base):
    """An assessment of a staff member."""

    __tablename__ = "staff_assessment"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(_staff_key(), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    score: Mapped[int | None]
    result: Mapped[str] = mapped_column(Text)


class StaffCertificateRow(Base):
    """A certificate of a staff member."""

    __tablename__ = "staff_certificate"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    staff_id: Mapped[uuid.UUID] = mapped_column(_staff_key(), index=True)
    name: Mapped[str] = mapped_column(Text)
    number: Mapped[str] = mapped_column(Text, server_default="")
    issuer: Mapped[str] = mapped_column(Text, server_default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)


class InformantRow(DossierItemRow):
    """An informant (police only); `name` and `phone` are ciphertext."""

    __tablename__ = "informant"

    name: Mapped[bytes] = mapped_column(LargeBinary)
    phone: Mapped[bytes | None] = mapped_column(LargeBinary)
    department: Mapped[str] = mapped_column(Text, server_default="")
    recruited_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(server_default=text("true"))
    note: Mapped[str] = mapped_column(Text, server_default="")

    __table_args__ = (Index("ix_informant_uscc", "uscc"),)


class InformantReportRow(Base):
    """An informant's report."""

    __tablename__ = "informant_report"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    informant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("informant.id", ondelete="CASCADE"), index=True
    )
    uscc: Mapped[str] = mapped_column(_code(18), ForeignKey("unit.uscc", ondelete="CASCADE"))
    reported_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(Text)
    received_by: Mapped[dict[str, Any]] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(TZ)

    __table_args__ = (Index("ix_informant_report_uscc_reported_on_id", "uscc", "reported_on", "id"),)


class KeyPartRow(DossierItemRow):
    """A key part (重要部位) and the protection it needs."""

    __tablename__ = "key_part"

    name: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text, server_default="")
    description: Mapped[str] = mapped_column(Text, server_default="")
    protection_measures: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    required_device_types: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")

    __table_args__ = (UniqueConstraint("uscc", "name"),)


class EmergencyPlanRow(Base):
    """One version of an emergency plan."""

    __tablename__ = "emergency_plan"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    plan_id: Mapped[uuid.UUID]
    uscc: Mapped[str] = mapped_column(_code(18), ForeignKey("unit.uscc", ondelete="CASCADE"))
    version: Mapped[int]
    state: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    scenario: Mapped[str] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, server_default="")
    effective_on: Mapped[date] = mapped_column(Date)
    published_by: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_at: Mapped[datetime] = mapped_column(TZ)
    superseded_at: Mapped[datetime | None] = mapped_column(TZ)

    __table_args__ = (
        CheckConstraint("state IN ('current', 'superseded')", name="state"),
        UniqueConstraint("plan_id", "version"),
        Index("ix_emergency_plan_uscc", "uscc"),
        # One current version per plan.
        Index(
            "uq_emergency_plan_current", "plan_id", unique=True, postgresql_where=text("state = 'current'")
        ),
    )


class DrillRow(Base):
    """A drill."""

    __tablename__ = "drill"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18), ForeignKey("unit.uscc", ondelete="CASCADE"))
    drilled_on: Mapped[date] = mapped_column(Date)
    scenario: Mapped[str] = mapped_column(Text)
    participants: Mapped[int]
    findings: Mapped[str] = mapped_column(Text, server_default="")
    plan_id: Mapped[uuid.UUID | None]
    joint_with_police: Mapped[bool] = mapped_column(server_default=text("false"))
    recorded_by: Mapped[dict[str, Any]] = mapped_column(JSONB)
    recorded_at: Mapped[datetime] = mapped_column(TZ)

    __table_args__ = (Index("ix_drill_uscc_drilled_on_id", "uscc", "drilled_on", "id"),)


class WorkstationRow(DossierItemRow):
    """A police workstation (警务室) in an enterprise."""

    __tablename__ = "police_workstation"

    police_station: Mapped[str] = mapped_column(_code(12), ForeignKey("police_station.code"))
    name: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text, server_default="")
    officers: Mapped[int] = mapped_column(server_default=text("0"))
    duty_phone: Mapped[str] = mapped_column(Text, server_default="")
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("ix_police_workstation_uscc", "uscc"),
        Index("ix_police_workstation_police_station", "police_station"),
    )


class InspectionRow(Base):
    """An inspection by police or a regulator."""

    __tablename__ = "inspection"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18), ForeignKey("unit.uscc", ondelete="CASCADE"))
    inspected_on: Mapped[date] = mapped_column(Date)
    party: Mapped[str] = mapped_column(Text)
    party_sector: Mapped[str | None] = mapped_column(Text)
    organisation: Mapped[str] = mapped_column(Text)
    inspectors: Mapped[list[str]] = mapped_column(ARRAY(Text))
    findings: Mapped[str] = mapped_column(Text, server_default="")
    recorded_by: Mapped[dict[str, Any]] = mapped_column(JSONB)
    recorded_at: Mapped[datetime] = mapped_column(TZ)

    __table_args__ = (
        CheckConstraint("party IN ('police', 'regulator')", name="party"),
        Index("ix_inspection_uscc_inspected_on_id", "uscc", "inspected_on", "id"),
    )


class HazardRow(DossierItemRow):
    """A hazard, its rectification and verification."""

    __tablename__ = "hazard"

    inspection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("inspection.id", ondelete="CASCADE"), index=True
    )
    party: Mapped[str] = mapped_column(Text)
    party_sector: Mapped[str | None] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(Text)
    opened_by: Mapped[dict[str, Any]] = mapped_column(JSONB)
    opened_at: Mapped[datetime] = mapped_column(TZ)
    rectification_note: Mapped[str] = mapped_column(Text, server_default="")
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    rectified_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    rectified_at: Mapped[datetime | None] = mapped_column(TZ)
    verification_note: Mapped[str] = mapped_column(Text, server_default="")
    verified_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    verified_at: Mapped[datetime | None] = mapped_column(TZ)
    overdue_announced_for: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("state IN ('open', 'rectified', 'verified')", name="state"),
        Index("ix_hazard_uscc_deadline_id", "uscc", "deadline", "id"),
        # The sweep and the flags look at open hazards by deadline.
        Index("ix_hazard_open_deadline", "deadline", postgresql_where=text("state = 'open'")),
    )
