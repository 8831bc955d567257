"""Bodies of the safe-unit scoring routes, for validation and the OpenAPI document.

They describe, key for key, what `adapters.proto_json` makes of neibao.scoring.v1 messages (field names
are the proto's; enums are the proto's values without their prefix, lower-cased; an empty or unset value
is null). tests/unit/test_score_schemas.py holds them to the proto.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gateway.entrypoints.http.registry_schemas import MAX_CURSOR_LENGTH, DivisionCode, Sector

Period = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$"),
    Field(description="A scoring period: a month, YYYY-MM (China Standard Time).", examples=["2026-11"]),
]
MAX_HISTORY: Final = 120
MAX_INDICATORS: Final = 100
MAX_INDICATOR_LENGTH: Final = 64
MAX_NOTE_LENGTH: Final = 2000


class Grade(StrEnum):
    """示范 (exemplary) / 达标 (standard) / 整改 (rectification)."""

    EXEMPLARY = "exemplary"
    STANDARD = "standard"
    RECTIFICATION = "rectification"


class ScoreEvidenceRead(BaseModel):
    """An item a fact counted and the ids of the events that described it."""

    kind: str | None = Field(
        description="filing, drill, training, inspection, hazard, device, compliance, incident, staff or "
        "acknowledgement."
    )
    item_id: str | None
    event_ids: list[str]
    note: str | None = Field(description="Why it counted, e.g. a hazard's deadline and rectification day.")


class FactRead(BaseModel):
    """A fact's value as of the scoring day, and its evidence."""

    name: str | None
    value: float = Field(description="A count or a ratio's term; 1/0 for a fact that holds or not.")
    known: bool = Field(description="False when nothing told the scoring about it yet.")
    evidence: list[ScoreEvidenceRead]


class IndicatorScoreRead(BaseModel):
    """What one indicator gave: its points out of its weight, the facts it read and why."""

    family: str | None
    indicator: str | None
    name: str | None
    weight: float = Field(description="The most points the indicator gives (its share of the 100).")
    points: float
    formula: str | None = Field(description="presence, count_threshold, ratio, deduction or at_most.")
    facts: list[FactRead]
    explanation: str | None


class VetoRead(BaseModel):
    """A 一票否决 item that applies, and what triggered it."""

    veto: str | None
    name: str | None
    evidence: list[ScoreEvidenceRead]


class ScoreRead(BaseModel):
    """A unit's score for a period: total, grade after 动态升降, every indicator with its evidence."""

    uscc: str | None
    unit_name: str | None
    jurisdiction: str | None
    sector: str | None
    period: str | None
    model_version: str | None
    total: float
    grade: Grade | None
    band: Grade | None = Field(description="The band the total alone falls in.")
    grade_reason: str | None
    indicators: list[IndicatorScoreRead]
    vetoes: list[VetoRead]
    computed_at: datetime | None
    as_of: str | None = Field(description="The day (ISO 8601) the facts were taken as of.")


class ScoreSummaryRead(BaseModel):
    """A period's total and grade."""

    period: str | None
    model_version: str | None
    total: float
    grade: Grade | None
    band: Grade | None
    grade_reason: str | None
    computed_at: datetime | None


class GradeChangeRead(BaseModel):
    """A change of the unit's grade and why."""

    period: str | None
    from_grade: Grade | None = Field(description="Null for the unit's first grade.")
    to_grade: Grade | None
    reason: str | None
    changed_at: datetime | None


class ScoreHistoryRead(BaseModel):
    """The unit's periods (newest first) and its grade changes (newest first)."""

    uscc: str | None
    periods: list[ScoreSummaryRead]
    grade_changes: list[GradeChangeRead]


class RankingEntryRead(BaseModel):
    """A ranked unit and its move since the period before."""

    rank: int = Field(description="1 for the highest total among the units in the caller's scope and filter.")
    uscc: str | None
    unit_name: str | None
    jurisdiction: str | None
    sector: str | None
    total: float
    grade: Grade | None
    previous_total: float | None = Field(description="The total of the period before; null without one.")
    change: float | None = Field(description="total − previous_total: movers up and down.")


class RankingPage(BaseModel):
    """One page of the ranking, highest total first."""

    period: str | None
    items: list[RankingEntryRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ScoreQuery(BaseModel):
    """Which period (the latest scored when not given)."""

    period: Period | None = None


class RankingQuery(BaseModel):
    """Which units to rank, besides the caller's scope (a foreign unit is never among them)."""

    period: Period | None = Field(default=None, description="Not given: the current period.")
    jurisdiction: DivisionCode | None = Field(default=None, description="Units within this division.")
    sector: Sector | None = None
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)


class AssessmentState(StrEnum):
    """submitted → agreed | adjusted."""

    SUBMITTED = "submitted"
    AGREED = "agreed"
    ADJUSTED = "adjusted"


class ClaimedPointsRead(BaseModel):
    """The points the unit claims for one indicator."""

    indicator: str | None
    points: float
    note: str | None


class AdjustmentRead(BaseModel):
    """A reviewer's points for one indicator, and why."""

    indicator: str | None
    points: float
    reason: str | None


class SelfAssessmentRead(BaseModel):
    """A unit's self-assessment of a period and, once reviewed, its review."""

    id: str | None
    uscc: str | None
    period: str | None
    model_version: str | None
    items: list[ClaimedPointsRead]
    claimed_total: float
    computed_total: float | None = Field(description="The platform's own total of the period when submitted.")
    note: str | None
    state: AssessmentState | None
    submitted_by: str | None
    submitted_at: datetime | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    adjustments: list[AdjustmentRead]
    reviewed_total: float | None
    review_note: str | None
    unit_name: str | None
    jurisdiction: str | None
    review_due_at: datetime | None = Field(description="When the review is due (days after submission).")
    overdue: bool = Field(description="Still awaiting review after its due time.")


class SelfAssessmentPage(BaseModel):
    """One page of the review queue, the one due first at the top."""

    items: list[SelfAssessmentRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class SelfAssessmentQuery(BaseModel):
    """Which self-assessments (besides the caller's scope: a foreign unit's never show)."""

    state: AssessmentState | None = Field(default=None, description="Not given: every state.")
    overdue: bool | None = Field(default=None, description="true: only those awaiting review past due.")
    uscc: str | None = Field(default=None, pattern=r"^[0-9A-Za-z]{18}$", description="Only this unit's.")
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH)


class MoverRead(BaseModel):
    """A unit whose total moved since the month before."""

    uscc: str | None
    name: str | None
    jurisdiction: str | None
    total: float
    previous_total: float = Field(description="The total of the month before.")
    delta: float = Field(description="total − previous_total.")
    grade: Grade | None
    previous_grade: Grade | None


class MoversRead(BaseModel):
    """The units in scope that rose and fell most in a period against the month before."""

    period: str | None
    up: list[MoverRead] = Field(description="Risen most first.")
    down: list[MoverRead] = Field(description="Fallen most first.")


class MoversQuery(BaseModel):
    """Which period and units (besides the caller's scope)."""

    period: Period | None = Field(default=None, description="Not given: the current period.")
    jurisdiction: DivisionCode | None = Field(default=None, description="Units within this division.")
    sector: Sector | None = None


class ClaimedPointsIn(BaseModel):
    """Points for one indicator of the current model (0 to its weight)."""

    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(min_length=1, max_length=MAX_INDICATOR_LENGTH, examples=["drills"])
    points: float = Field(ge=0, le=100)
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)


class SelfAssessmentCreate(BaseModel):
    """The unit's own points for every indicator of the current model, for a period not in the future."""

    model_config = ConfigDict(extra="forbid")

    period: Period
    items: list[ClaimedPointsIn] = Field(min_length=1, max_length=MAX_INDICATORS)
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)


class ReviewDecision(StrEnum):
    """agree: the unit's points stand; adjust: the reviewer's points replace some, each with its reason."""

    AGREE = "agree"
    ADJUST = "adjust"


class AdjustmentIn(BaseModel):
    """The reviewer's points for one indicator, and why."""

    model_config = ConfigDict(extra="forbid")

    indicator: str = Field(min_length=1, max_length=MAX_INDICATOR_LENGTH, examples=["drills"])
    points: float = Field(ge=0, le=100)
    reason: str = Field(min_length=1, max_length=MAX_NOTE_LENGTH)


class SelfAssessmentReview(BaseModel):
    """Police or the sector's regulator review a submitted self-assessment (联合创建)."""

    model_config = ConfigDict(extra="forbid")

    decision: ReviewDecision
    adjustments: list[AdjustmentIn] | None = Field(
        default=None, max_length=MAX_INDICATORS, description="Only with `adjust`: at least one."
    )
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
