"""The alarm routing's tables (SQLAlchemy 2 typed declarative); migrations/ creates them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from neibao_messaging.tables import NAMING_CONVENTION

TZ = DateTime(timezone=True)
# Codes compare byte-wise: a "C" collation lets LIKE 'prefix%' use a plain b-tree index.
CODE_COLLATION = "C"


def _code(length: int) -> String:
    return String(length, collation=CODE_COLLATION)


class Base(DeclarativeBase):
    """Declarative base (deterministic constraint names, as the messaging lib's)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UnitRow(Base):
    """The read model of a unit, fed by the unit registry's events."""

    __tablename__ = "unit"

    uscc: Mapped[str] = mapped_column(_code(18), primary_key=True)
    name: Mapped[str] = mapped_column(Text, server_default="")
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    police_station: Mapped[str] = mapped_column(_code(12), server_default="")
    sector: Mapped[str] = mapped_column(Text, server_default="")
    sectors: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    key_unit: Mapped[bool] = mapped_column(server_default=text("false"))
    closed: Mapped[bool] = mapped_column(server_default=text("false"))
    # The registry's version of the unit last applied (0: only heard of through a later event).
    registry_version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class UnitResponsiblePersonRow(Base):
    """A unit's responsible person (read model of the registry's dossier); `phone` is ciphertext."""

    __tablename__ = "unit_responsible_person"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    role: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    position: Mapped[str] = mapped_column(Text, server_default="")
    phone: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Blind index of the phone: a caller's number matched to its person without decrypting any row.
    phone_index: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The registry's version of the person last applied.
    registry_version: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_unit_responsible_person_uscc", "uscc"),
        Index("ix_unit_responsible_person_phone_index", "phone_index"),
    )


class UnitKeyPartRow(Base):
    """A unit's key part (read model of the registry's dossier)."""

    __tablename__ = "unit_key_part"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    name: Mapped[str] = mapped_column(Text)
    location: Mapped[str] = mapped_column(Text, server_default="")
    description: Mapped[str] = mapped_column(Text, server_default="")
    protection_measures: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    required_device_types: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    registry_version: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_unit_key_part_uscc", "uscc"),)


class UnitEmergencyPlanRow(Base):
    """The current version of a unit's emergency plan, by the plan's id (read model of the registry's)."""

    __tablename__ = "unit_emergency_plan"

    plan_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    # The current version's id and number.
    id: Mapped[uuid.UUID]
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    scenario: Mapped[str] = mapped_column(Text, server_default="")
    content: Mapped[str] = mapped_column(Text, server_default="")
    effective_on: Mapped[str] = mapped_column(Text, server_default="")

    __table_args__ = (Index("ix_unit_emergency_plan_uscc", "uscc"),)


class UnitDeviceRow(Base):
    """Which key part a unit's device guards (read model of the device inventory's events)."""

    __tablename__ = "unit_device"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    # The key part's id in the unit's dossier; empty for the unit as a whole.
    key_part: Mapped[str] = mapped_column(Text, server_default="")
    # The inventory's version of the device last applied.
    inventory_version: Mapped[int] = mapped_column(BigInteger)


class AlarmRow(Base):
    """An alarm; `seq` orders listings (newest first), `id` names it."""

    __tablename__ = "alarm"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), unique=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    kind: Mapped[str] = mapped_column(Text)
    priority: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(TZ)
    received_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)
    description: Mapped[str] = mapped_column(Text, server_default="")
    source: Mapped[str] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(Text, server_default="")
    zone: Mapped[str] = mapped_column(Text, server_default="")
    device_id: Mapped[str] = mapped_column(Text, server_default="")
    # The unit as known at intake: scope reads these columns.
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    sector: Mapped[str] = mapped_column(Text, server_default="")
    unit_name: Mapped[str] = mapped_column(Text, server_default="")
    police_station: Mapped[str] = mapped_column(_code(12), server_default="")
    key_unit: Mapped[bool] = mapped_column(server_default=text("false"))
    rules_version: Mapped[str] = mapped_column(Text, server_default="")
    outcome: Mapped[str | None] = mapped_column(Text)
    raised_by: Mapped[dict[str, Any]] = mapped_column(JSONB)
    repeat_count: Mapped[int] = mapped_column(server_default=text("0"))
    last_reported_at: Mapped[datetime | None] = mapped_column(TZ)
    silence_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("silence.id"))

    __table_args__ = (
        CheckConstraint("priority BETWEEN 1 AND 4", name="priority"),
        CheckConstraint(
            "status IN ('received', 'routed', 'acknowledged', 'dispatched', 'on_scene', 'resolved',"
            " 'closed')",
            name="status",
        ),
        # A retransmit (same sender, same id of the sender's) is the same alarm.
        Index(
            "uq_alarm_source", "source", "source_id", unique=True, postgresql_where=text("source_id <> ''")
        ),
        # Scope (jurisdiction prefix) first, then the keyset order.
        Index("ix_alarm_jurisdiction_seq", "jurisdiction", "seq"),
        Index("ix_alarm_uscc_seq", "uscc", "seq"),
        # A rare kind (an early warning) listed newest first without reading every alarm.
        Index("ix_alarm_kind_seq", "kind", "seq"),
        # Grouping looks for the open alarm of a zone.
        Index(
            "ix_alarm_open_zone",
            "uscc",
            "zone",
            "kind",
            postgresql_where=text("zone <> '' AND status NOT IN ('resolved', 'closed')"),
        ),
    )


class RouteRow(Base):
    """One party an alarm went to, why, and its acknowledgement."""

    __tablename__ = "alarm_route"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarm.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(Text)
    rule_id: Mapped[str] = mapped_column(Text)
    rules_version: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    routed_at: Mapped[datetime] = mapped_column(TZ)
    acknowledge_by: Mapped[datetime | None] = mapped_column(TZ)
    acknowledged_at: Mapped[datetime | None] = mapped_column(TZ)
    acknowledged_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str] = mapped_column(Text, server_default="")
    escalation_level: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    repeats: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    # What the acknowledging party found (accepted, confirmed, false_alarm, test, unable_to_verify).
    acknowledgement_outcome: Mapped[str | None] = mapped_column(Text)
    deadline_missed_at: Mapped[datetime | None] = mapped_column(TZ)

    __table_args__ = (
        UniqueConstraint("alarm_id", "party", "target"),
        CheckConstraint("role IN ('respond', 'informed')", name="role"),
    )


class TimelineRow(Base):
    """One step of an alarm's life, in order."""

    __tablename__ = "alarm_timeline"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarm.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(TZ)
    actor: Mapped[dict[str, Any]] = mapped_column(JSONB)
    party: Mapped[str | None] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text, server_default="")
    detail: Mapped[str] = mapped_column(Text, server_default="")

    __table_args__ = (Index("ix_alarm_timeline_alarm_id", "alarm_id", "id"),)


class EscalationTimerRow(Base):
    """A durable timer: when `due_at` passes, the escalator looks at the route's acknowledgement."""

    __tablename__ = "escalation_timer"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarm.id", ondelete="CASCADE"))
    route_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarm_route.id", ondelete="CASCADE"), unique=True)
    due_at: Mapped[datetime] = mapped_column(TZ)

    __table_args__ = (Index("ix_escalation_timer_due_at", "due_at"),)


class ReportRow(Base):
    """A repeat report counted on an alarm (the alarm's first report is the alarm itself)."""

    __tablename__ = "alarm_report"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("alarm.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(Text)
    source_id: Mapped[str] = mapped_column(Text, server_default="")
    occurred_at: Mapped[datetime] = mapped_column(TZ)
    received_at: Mapped[datetime] = mapped_column(TZ)
    description: Mapped[str] = mapped_column(Text, server_default="")
    reported_by: Mapped[dict[str, Any]] = mapped_column(JSONB)

    __table_args__ = (
        # A retransmit of a repeat is that repeat.
        Index(
            "uq_alarm_report_source",
            "source",
            "source_id",
            unique=True,
            postgresql_where=text("source_id <> ''"),
        ),
    )


class SilenceRow(Base):
    """A silence or maintenance window of a unit (or one device); scope columns as the unit's."""

    __tablename__ = "silence"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    device_id: Mapped[str] = mapped_column(Text, server_default="")
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    sector: Mapped[str] = mapped_column(Text, server_default="")
    starts_at: Mapped[datetime] = mapped_column(TZ)
    ends_at: Mapped[datetime] = mapped_column(TZ)
    reason: Mapped[str] = mapped_column(Text)
    includes_life_safety: Mapped[bool] = mapped_column(server_default=text("false"))
    state: Mapped[str] = mapped_column(Text)
    created_by: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(TZ)
    approved_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    approved_at: Mapped[datetime | None] = mapped_column(TZ)
    cancelled_by: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    cancelled_at: Mapped[datetime | None] = mapped_column(TZ)

    __table_args__ = (
        CheckConstraint("state IN ('pending_approval', 'active', 'cancelled')", name="state"),
        CheckConstraint("starts_at < ends_at", name="span"),
        Index("ix_silence_uscc_ends_at", "uscc", "ends_at"),
    )


# The tables as Core: the repositories' statements are built once on these and cached compiled (an ORM
# entity in a statement would send each execution through the ORM's compile and flush machinery).
unit_table: Table = Base.metadata.tables["unit"]
unit_responsible_person_table: Table = Base.metadata.tables["unit_responsible_person"]
unit_key_part_table: Table = Base.metadata.tables["unit_key_part"]
unit_emergency_plan_table: Table = Base.metadata.tables["unit_emergency_plan"]
unit_device_table: Table = Base.metadata.tables["unit_device"]
alarm_table: Table = Base.metadata.tables["alarm"]
route_table: Table = Base.metadata.tables["alarm_route"]
timeline_table: Table = Base.metadata.tables["alarm_timeline"]
escalation_timer_table: Table = Base.metadata.tables["escalation_timer"]
report_table: Table = Base.metadata.tables["alarm_report"]
silence_table: Table = Base.metadata.tables["silence"]
