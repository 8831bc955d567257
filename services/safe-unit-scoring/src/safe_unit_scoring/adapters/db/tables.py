"""The scoring's tables (SQLAlchemy 2 typed declarative); migrations/ creates them."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, DateTime, Identity, Index, MetaData, Numeric, String, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from neibao_messaging.tables import NAMING_CONVENTION

TZ = DateTime(timezone=True)
# Codes compare byte-wise: a "C" collation lets LIKE 'prefix%' use a plain b-tree index.
CODE_COLLATION = "C"
POINTS = Numeric(5, 2)


def _code(length: int) -> String:
    return String(length, collation=CODE_COLLATION)


class Base(DeclarativeBase):
    """Declarative base with the platform's constraint naming."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UnitRow(Base):
    """What the events say about a unit's identity and scope (every event carries it)."""

    __tablename__ = "unit"

    uscc: Mapped[str] = mapped_column(_code(18), primary_key=True)
    name: Mapped[str] = mapped_column(Text, server_default="")
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    sector: Mapped[str] = mapped_column(Text, server_default="")
    sectors: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    key_unit: Mapped[bool] = mapped_column(server_default=text("false"))
    closed: Mapped[bool] = mapped_column(server_default=text("false"))
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=text("now()"))


class FactItemRow(Base):
    """One item an event described (a filing, drill, hazard, device, real incident, ...), its attributes
    after the latest event and the ids of the events behind it."""

    __tablename__ = "fact_item"

    uscc: Mapped[str] = mapped_column(_code(18), primary_key=True)
    kind: Mapped[str] = mapped_column(Text, primary_key=True)
    item_id: Mapped[str] = mapped_column(Text, primary_key=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    event_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    updated_at: Mapped[datetime] = mapped_column(TZ, server_default=text("now()"))


class ScoreRow(Base):
    """A unit's score for a period (recomputed while the period runs), its explanation and grade."""

    __tablename__ = "score"
    __table_args__ = (Index("ix_score_period_total", "period", text("total DESC"), "uscc"),)

    uscc: Mapped[str] = mapped_column(_code(18), primary_key=True)
    period: Mapped[str] = mapped_column(_code(7), primary_key=True)
    model_version: Mapped[str] = mapped_column(Text)
    as_of: Mapped[date] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(POINTS)
    band: Mapped[str] = mapped_column(Text)
    grade: Mapped[str] = mapped_column(Text)
    grade_reason: Mapped[str] = mapped_column(Text)
    # The indicators with their facts and evidence, and the veto items that apply (JSON of the domain's).
    explanation: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # The unit's scope when computed (rankings filter and scope by these).
    unit_name: Mapped[str] = mapped_column(Text, server_default="")
    jurisdiction: Mapped[str] = mapped_column(_code(6))
    sector: Mapped[str] = mapped_column(Text, server_default="")
    sectors: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'"))
    computed_at: Mapped[datetime] = mapped_column(TZ)


class GradeChangeRow(Base):
    """Every change of a unit's grade, with its reason and the events that caused it."""

    __tablename__ = "grade_change"
    __table_args__ = (Index("ix_grade_change_uscc", "uscc", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    period: Mapped[str] = mapped_column(_code(7))
    from_grade: Mapped[str | None] = mapped_column(Text)
    to_grade: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    total: Mapped[Decimal] = mapped_column(POINTS)
    cause_event_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    changed_at: Mapped[datetime] = mapped_column(TZ)


class RescorePendingRow(Base):
    """A unit whose facts changed since its last rescoring, and the events that changed them."""

    __tablename__ = "rescore_pending"
    __table_args__ = (Index("ix_rescore_pending_marked_at", "marked_at"),)

    uscc: Mapped[str] = mapped_column(_code(18), primary_key=True)
    cause_event_ids: Mapped[list[str]] = mapped_column(ARRAY(Text))
    marked_at: Mapped[datetime] = mapped_column(TZ, server_default=text("now()"))


class SelfAssessmentRow(Base):
    """A unit's self-assessment of a period and its review (联合创建)."""

    __tablename__ = "self_assessment"
    __table_args__ = (
        # One awaiting review per unit and period; reviewed ones stay as history.
        Index(
            "uq_self_assessment_submitted",
            "uscc",
            "period",
            unique=True,
            postgresql_where=text("state = 'submitted'"),
        ),
        Index("ix_self_assessment_uscc_period", "uscc", "period"),
        Index("ix_self_assessment_review_due_at", "review_due_at", "id"),
        Index(
            "ix_self_assessment_awaiting",
            "review_due_at",
            postgresql_where=text("state = 'submitted' AND overdue_reminded_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(_code(18))
    period: Mapped[str] = mapped_column(_code(7))
    model_version: Mapped[str] = mapped_column(Text)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    claimed_total: Mapped[Decimal] = mapped_column(POINTS)
    computed_total: Mapped[Decimal | None] = mapped_column(POINTS)
    note: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text)
    submitted_by: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(TZ)
    reviewed_by: Mapped[str] = mapped_column(Text, server_default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(TZ)
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, server_default=text("'[]'"))
    reviewed_total: Mapped[Decimal | None] = mapped_column(POINTS)
    review_note: Mapped[str] = mapped_column(Text, server_default="")
    review_due_at: Mapped[datetime] = mapped_column(TZ)
    # When the sweep announced the review due soon, and overdue (each once).
    due_soon_reminded_at: Mapped[datetime | None] = mapped_column(TZ)
    overdue_reminded_at: Mapped[datetime | None] = mapped_column(TZ)
