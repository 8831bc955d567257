"""The inventory's tables (SQLAlchemy 2 typed declarative); migrations/ creates them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from neibao_messaging.tables import NAMING_CONVENTION

# Codes compare byte-wise: a "C" collation lets LIKE 'prefix%' use a plain b-tree index.
CODE_COLLATION = "C"
TZ = DateTime(timezone=True)


def _code(length: int) -> String:
    return String(length, collation=CODE_COLLATION)


class Base(DeclarativeBase):
    """Declarative base of the inventory's tables (deterministic constraint names)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UnitRow(Base):
    """The read model of a unit (from the registry's events) and its latest compliance evaluation."""

    __tablename__ = "unit"

    uscc: Mapped[str] = mapped_column(_code(18), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    unit_type: Mapped[str] = mapped_column(Text)
    sector: Mapped[str] = mapped_column(Text)
    sectors: Mapped[list[str]] = mapped_column(ARRAY(Text))
    key_unit: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    closed: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The registry's version of the unit last applied (replays of older versions change nothing).
    registry_version: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    # Compliance: re-evaluated when true (a unit event changed what applies), then announced if changed.
    compliance_dirty: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    compliant: Mapped[bool | None] = mapped_column(Boolean)
    unmet: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    rules_version: Mapped[str | None] = mapped_column(Text)
    compliance_evaluated_at: Mapped[datetime | None] = mapped_column(TZ)

    __table_args__ = (
        Index("ix_unit_jurisdiction", "jurisdiction"),
        Index("ix_unit_sectors", "sectors", postgresql_using="gin"),
        Index("ix_unit_compliance_dirty", "uscc", postgresql_where=text("compliance_dirty")),
    )


class KeyPartRow(Base):
    """A key part of a unit's dossier (its id, name and location; the registry keeps the rest)."""

    __tablename__ = "key_part"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18), index=True)
    # "" until an event carrying the key part itself is heard (older events carry only its id).
    name: Mapped[str] = mapped_column(Text, server_default="")
    location: Mapped[str] = mapped_column(Text, server_default="")


class DeviceRow(Base):
    """A technical protection device."""

    __tablename__ = "device"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    key_part: Mapped[uuid.UUID | None]
    device_type: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    make: Mapped[str] = mapped_column(Text, server_default="")
    model: Mapped[str] = mapped_column(Text, server_default="")
    serial: Mapped[str] = mapped_column(Text, server_default="")
    install_date: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(Text, server_default="")
    networked_to_police: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    network_id: Mapped[str] = mapped_column(Text, server_default="")
    retention_days: Mapped[int | None] = mapped_column(Integer)
    resolution: Mapped[str] = mapped_column(Text, server_default="")
    # An intrusion panel's zones ([{number, name, key_part, detector}], by number): read and written
    # with the device, never queried on their own.
    zones: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'::jsonb"))
    lifecycle: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(TZ)
    updated_at: Mapped[datetime] = mapped_column(TZ)

    __table_args__ = (
        Index("ix_device_uscc_id", "uscc", "id"),
        CheckConstraint("retention_days IS NULL OR retention_days >= 0", name="retention_not_negative"),
    )


class DeviceLivenessRow(Base):
    """The hot part of a device: its heartbeat and status, narrow and without secondary indexes so that
    heartbeat updates stay HOT (heap-only) at tens of thousands per second."""

    __tablename__ = "device_liveness"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    interval_seconds: Mapped[int] = mapped_column(Integer)
    # False once retired: heartbeats are refused and the sweep leaves it alone.
    supervised: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    status: Mapped[str] = mapped_column(Text, server_default="unknown")
    # The status before the last change (the UPDATE that changes `status` sets it from the locked row).
    previous_status: Mapped[str | None] = mapped_column(Text)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(TZ)
    status_changed_at: Mapped[datetime | None] = mapped_column(TZ)

    __table_args__ = ({"postgresql_with": {"fillfactor": 70}},)


class ProtectionRow(Base):
    """How many of one kind of physical protection or guard equipment a unit or key part holds."""

    __tablename__ = "protection"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    # NULL: the unit as a whole.
    key_part: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(Text)
    quantity: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, server_default="")
    updated_at: Mapped[datetime] = mapped_column(TZ)

    __table_args__ = (
        Index(
            "uq_protection_uscc_key_part_kind",
            "uscc",
            "key_part",
            "kind",
            unique=True,
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )


class DemoPlatformRow(Base):
    """Present (one row) once `seed` has switched the demo device platform on."""

    __tablename__ = "demo_platform"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    enabled_at: Mapped[datetime] = mapped_column(TZ)

    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)


class DemoUnitRow(Base):
    """A unit the demo platform has equipped (whether or not it gave it devices)."""

    __tablename__ = "demo_unit"

    uscc: Mapped[str] = mapped_column(_code(18), primary_key=True)


class DemoDeviceRow(Base):
    """A device of the demo platform; a silent one never beats (it goes offline and stays there)."""

    __tablename__ = "demo_device"

    device_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    silent: Mapped[bool] = mapped_column(Boolean)
