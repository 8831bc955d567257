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
    MetaData,
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

    __table_args__ = (
        CheckConstraint("status IN ('active', 'closed')", name="status"),
        CheckConstraint("version > 0", name="version"),
        CheckConstraint("sector = sectors[1]", name="lead_sector_first"),
        # Scope (jurisdiction prefix) first, then the keyset order.
        Index("ix_unit_jurisdiction_uscc", "jurisdiction", "uscc"),
        Index("ix_unit_search_tokens", "search_tokens", postgresql_using="gin"),
        Index("ix_unit_sectors", "sectors", postgresql_using="gin"),
        Index("ix_unit_key_unit", "uscc", postgresql_where=text("key_unit")),
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
