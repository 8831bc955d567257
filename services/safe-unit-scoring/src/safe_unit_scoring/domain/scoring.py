"""A unit's score under an indicator model: per-indicator points, with the facts and evidence behind them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from safe_unit_scoring.domain import facts as fact_rules
from safe_unit_scoring.domain.assessments import ReviewedPoints
from safe_unit_scoring.domain.facts import Evidence, FactItem, FactValue
from safe_unit_scoring.domain.grading import GradeDecision
from safe_unit_scoring.domain.indicators import (
    AtMost,
    CountThreshold,
    Deduction,
    Indicator,
    IndicatorModel,
    Presence,
    Ratio,
)

CENT = Decimal("0.01")
ZERO = Decimal(0)


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class IndicatorScore:
    """What one indicator gave: its points out of its weight, the facts it read and why."""

    family: str
    indicator: str
    name: str
    weight: Decimal
    points: Decimal
    formula: str
    facts: Mapping[str, FactValue]
    explanation: str
    # The points and explanation the facts gave, when a reviewer's points stand instead.
    computed: tuple[Decimal, str] | None = None


@dataclass(frozen=True, slots=True)
class VetoHit:
    """A veto item that applies, with the items that trigger it."""

    veto: str
    name: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Score:
    """A unit's score as of a day under one model version."""

    model_version: str
    as_of: date
    total: Decimal
    indicators: tuple[IndicatorScore, ...]
    vetoes: tuple[VetoHit, ...]

    def indicator(self, indicator_id: str) -> IndicatorScore:
        """One indicator's result (KeyError if the model has none by that id)."""
        return next(i for i in self.indicators if i.indicator == indicator_id)

    def reviewed(self, points: Mapping[str, ReviewedPoints]) -> Score:
        """The score with a reviewer's points standing for the indicators they adjusted (the computed
        points kept in the explanation), and its total recomputed."""
        indicators = tuple(
            _reviewed(i, points[i.indicator]) if i.indicator in points else i for i in self.indicators
        )
        total = _round(sum((i.points for i in indicators), ZERO))
        return replace(self, indicators=indicators, total=total)

    def review_sources(self, points: Mapping[str, ReviewedPoints]) -> tuple[str, ...]:
        """The ids of the reviews whose points stand in this score, in order."""
        ids = {str(points[i.indicator].assessment_id): None for i in self.indicators if i.indicator in points}
        return tuple(ids)


def _reviewed(indicator: IndicatorScore, review: ReviewedPoints) -> IndicatorScore:
    # Reviewed again (a stored score): the computation stays the one the facts gave.
    points, explanation = indicator.computed or (indicator.points, indicator.explanation)
    reviewed = _round(min(max(review.points, ZERO), indicator.weight))
    return replace(
        indicator,
        points=reviewed,
        explanation=(
            f"reviewed: {reviewed} set by the review of self-assessment {review.assessment_id}"
            f" ({review.reason}); computed {points} ({explanation})"
        ),
        computed=(points, explanation),
    )


def _number(value: FactValue) -> Decimal:
    if isinstance(value.value, bool) or value.value is None:
        return Decimal(int(bool(value.value)))
    return value.value


def points_of(indicator: Indicator, values: Mapping[str, FactValue]) -> tuple[Decimal, str]:
    """The points an indicator gives for these fact values (to the cent), and a one-line explanation."""
    earned, explanation = _earned(indicator, values)
    return _round(earned), explanation


def _earned(indicator: Indicator, values: Mapping[str, FactValue]) -> tuple[Decimal, str]:  # noqa: PLR0911 - a way out per formula
    full = indicator.points
    match indicator.formula:
        case Presence(fact=fact, when_unknown=when_unknown):
            value = values[fact].value
            if value is None:
                earned = full if when_unknown == "full" else ZERO
                return earned, f"{fact} unknown: {when_unknown} points"
            return (full, f"{fact} holds") if value else (ZERO, f"{fact} does not hold")
        case CountThreshold(fact=fact, when_unknown=when_unknown) if values[fact].value is None:
            return (full if when_unknown == "full" else ZERO), f"{fact} unknown: {when_unknown} points"
        case CountThreshold(fact=fact, threshold=threshold):
            count = _number(values[fact])
            earned = full if count >= threshold else full * count / threshold
            return earned, f"{fact} = {count} of {threshold} required"
        case Ratio(numerator=numerator, denominator=denominator, when_empty=when_empty):
            top, bottom = _number(values[numerator]), _number(values[denominator])
            if bottom == 0:
                earned = full if when_empty == "full" else ZERO
                return earned, f"no {denominator}: {when_empty} points"
            ratio = min(top / bottom, Decimal(1))
            return full * ratio, f"{numerator} / {denominator} = {top} / {bottom}"
        case Deduction(fact=fact, per_item=per_item):
            count = _number(values[fact])
            earned = max(full - per_item * count, ZERO)
            return earned, f"{fact} = {count}, less {per_item} each"
        case AtMost(fact=fact, target=target, limit=limit, when_unknown=when_unknown):
            value = values[fact].value
            if value is None or isinstance(value, bool):
                return (full if when_unknown == "full" else ZERO), f"{fact} unknown: {when_unknown} points"
            if value <= target:
                return full, f"{fact} = {value}, at most {target}"
            share = max(limit - value, ZERO) / (limit - target)
            return full * share, f"{fact} = {value}: full at {target}, none at {limit}"
    raise AssertionError(f"unknown formula {indicator.formula!r}")  # pragma: no cover


def score(model: IndicatorModel, items: Sequence[FactItem], as_of: date) -> Score:
    """The unit's score as of `as_of` from the items the events described."""
    names = {fact for f in model.families for i in f.indicators for fact in i.facts}
    names |= {v.fact for v in model.vetoes}
    values = fact_rules.derive(names, items, as_of)
    results: list[IndicatorScore] = []
    for family in model.families:
        for indicator in family.indicators:
            earned, explanation = points_of(indicator, values)
            results.append(
                IndicatorScore(
                    family=family.id,
                    indicator=indicator.id,
                    name=indicator.name,
                    weight=indicator.points,
                    points=earned,
                    formula=indicator.formula.kind,
                    facts={name: values[name] for name in indicator.facts},
                    explanation=explanation,
                )
            )
    vetoes = tuple(
        VetoHit(v.id, v.name, values[v.fact].evidence) for v in model.vetoes if _number(values[v.fact]) > 0
    )
    total = _round(sum((r.points for r in results), ZERO))
    return Score(model.version, as_of, total, tuple(results), vetoes)


def review_reason(decision: GradeDecision, reviews: Sequence[str]) -> GradeDecision:
    """The decision with its reason naming the reviews whose points stand in the total."""
    if not reviews:
        return decision
    named = ", ".join(reviews)
    return replace(
        decision, reason=f"{decision.reason} (with the reviewed points of self-assessment {named})"
    )
