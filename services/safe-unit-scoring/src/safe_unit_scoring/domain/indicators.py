"""The indicator model: versioned data (families, indicators and their formulas, veto items, grade bands).

Validated on load: family weights sum to 100, each family's indicators' points sum to its weight, every
fact an indicator or veto names is one `facts.FACTS` derives, grade bands descend and end at 0.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from safe_unit_scoring.domain.facts import FACTS

TOTAL = Decimal(100)


class Grade(enum.StrEnum):
    """示范 / 达标 / 整改, best first."""

    EXEMPLARY = "exemplary"
    STANDARD = "standard"
    RECTIFICATION = "rectification"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Presence(_Frozen):
    """Full points when the (boolean) fact holds; `when_unknown` when nothing told us."""

    kind: Literal["presence"]
    fact: str
    when_unknown: Literal["full", "zero"] = "zero"


class CountThreshold(_Frozen):
    """Full points at `threshold` or more; below it, in proportion; `when_unknown` when nothing told us."""

    kind: Literal["count_threshold"]
    fact: str
    threshold: int = Field(ge=1)
    when_unknown: Literal["full", "zero"] = "zero"


class AtMost(_Frozen):
    """Full points while the fact is at most `target`, none from `limit` on, in proportion between;
    `when_unknown` when nothing told us (a delay, in minutes)."""

    kind: Literal["at_most"]
    fact: str
    target: Decimal = Field(ge=0)
    limit: Decimal = Field(gt=0)
    when_unknown: Literal["full", "zero"] = "full"

    @model_validator(mode="after")
    def _limit_above_target(self) -> AtMost:
        if self.limit <= self.target:
            raise ValueError(f"at_most {self.fact}: the limit must be above the target")
        return self


class Ratio(_Frozen):
    """Points × numerator / denominator; `when_empty` when the denominator is 0."""

    kind: Literal["ratio"]
    numerator: str
    denominator: str
    when_empty: Literal["full", "zero"] = "full"


class Deduction(_Frozen):
    """The points less `per_item` for each counted item (an incident, a late rectification), not below 0."""

    kind: Literal["deduction"]
    fact: str
    per_item: Decimal = Field(gt=0)


Formula = Annotated[Presence | CountThreshold | Ratio | Deduction | AtMost, Field(discriminator="kind")]


class Indicator(_Frozen):
    """One scored item of a family: the most points it gives and how its facts earn them."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    points: Decimal = Field(gt=0)
    formula: Formula

    @property
    def facts(self) -> tuple[str, ...]:
        """The facts the formula reads."""
        match self.formula:
            case Ratio():
                return (self.formula.numerator, self.formula.denominator)
            case _:
                return (self.formula.fact,)


class Family(_Frozen):
    """An indicator family and its weight (points out of 100)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    weight: Decimal = Field(gt=0)
    indicators: tuple[Indicator, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _points_make_weight(self) -> Family:
        total = sum((i.points for i in self.indicators), Decimal(0))
        if total != self.weight:
            raise ValueError(f"family {self.id}: its indicators' points sum to {total}, not {self.weight}")
        return self


class VetoItem(_Frozen):
    """一票否决: any counted item of `fact` sets the grade to the lowest band at once."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    fact: str


class Band(_Frozen):
    """A grade and the least total that reaches it."""

    grade: Grade
    minimum: Decimal = Field(ge=0, le=100)


class Grading(_Frozen):
    """Grade bands and 动态升降 (dynamic promotion and demotion)."""

    bands: tuple[Band, ...] = Field(min_length=2)
    # A unit rises to a better band only after this many consecutive periods at or above it.
    promotion_periods: int = Field(ge=1, le=24)
    # The best grade a unit can get in its first period (it has no history to sustain a promotion).
    initial_ceiling: Grade

    @model_validator(mode="after")
    def _descending(self) -> Grading:
        minimums = [b.minimum for b in self.bands]
        if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(minimums):
            raise ValueError("grade bands must be listed best first with strictly descending minimums")
        if minimums[-1] != 0:
            raise ValueError("the last grade band must start at 0")
        if [b.grade for b in self.bands] != list(Grade):
            raise ValueError(f"grade bands must be {[g.value for g in Grade]}, in that order")
        return self

    def band_of(self, total: Decimal) -> Grade:
        """The band a total falls in."""
        return next(b.grade for b in self.bands if total >= b.minimum)

    @staticmethod
    def rank(grade: Grade) -> int:
        """0 for the best grade, growing downwards."""
        return list(Grade).index(grade)


class IndicatorModel(_Frozen):
    """One version of the whole model."""

    version: str = Field(min_length=1)
    families: tuple[Family, ...] = Field(min_length=1)
    vetoes: tuple[VetoItem, ...] = ()
    grading: Grading

    @model_validator(mode="after")
    def _consistent(self) -> IndicatorModel:
        total = sum((f.weight for f in self.families), Decimal(0))
        if total != TOTAL:
            raise ValueError(f"family weights sum to {total}, not 100")
        ids = [i.id for f in self.families for i in f.indicators] + [v.id for v in self.vetoes]
        if len(set(ids)) != len(ids) or len({f.id for f in self.families}) != len(self.families):
            raise ValueError("family, indicator and veto ids must be unique")
        named = {fact for f in self.families for i in f.indicators for fact in i.facts}
        named |= {v.fact for v in self.vetoes}
        unknown = sorted(named - FACTS.keys())
        if unknown:
            raise ValueError(f"unknown facts {unknown}; known: {sorted(FACTS)}")
        return self
