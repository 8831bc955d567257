"""A score's explanation as JSON (stored with the score) and as the proto the API answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from neibao.scoring.v1 import scoring_pb2
from safe_unit_scoring.domain.facts import Evidence, FactValue
from safe_unit_scoring.domain.indicators import Grade
from safe_unit_scoring.domain.scoring import IndicatorScore, Score, VetoHit

GRADES = {
    Grade.EXEMPLARY: scoring_pb2.GRADE_EXEMPLARY,
    Grade.STANDARD: scoring_pb2.GRADE_STANDARD,
    Grade.RECTIFICATION: scoring_pb2.GRADE_RECTIFICATION,
}


def grade_to_proto(grade: Grade | str | None) -> scoring_pb2.Grade.ValueType:
    """The proto Grade of a domain grade (unspecified for none)."""
    return GRADES[Grade(grade)] if grade else scoring_pb2.GRADE_UNSPECIFIED


# A fact's value counts every item; its evidence lists the first ones (a unit with a thousand alarms).
MAX_EVIDENCE = 50


def _evidence(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [
        {"kind": e.kind, "item_id": e.item_id, "event_ids": list(e.event_ids), "note": e.note}
        for e in evidence[:MAX_EVIDENCE]
    ]


def _fact(name: str, fact: FactValue) -> dict[str, Any]:
    value = fact.value
    number = "0" if value is None else str(Decimal(int(value)) if isinstance(value, bool) else value)
    return {"name": name, "value": number, "known": value is not None, "evidence": _evidence(fact.evidence)}


def explanation_json(result: Score) -> dict[str, Any]:
    """What the score row keeps of a score besides its total: indicators, facts, evidence, vetoes."""
    return {
        "indicators": [
            {
                "family": i.family,
                "indicator": i.indicator,
                "name": i.name,
                "weight": str(i.weight),
                "points": str(i.points),
                "formula": i.formula,
                "explanation": i.explanation,
                "facts": [_fact(name, fact) for name, fact in i.facts.items()],
                **(
                    {"computed_points": str(i.computed[0]), "computed_explanation": i.computed[1]}
                    if i.computed
                    else {}
                ),
            }
            for i in result.indicators
        ],
        "vetoes": [
            {"veto": v.veto, "name": v.name, "evidence": _evidence(v.evidence)} for v in result.vetoes
        ],
    }


def _evidence_from(items: list[dict[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence(e["kind"], e["item_id"], tuple(e["event_ids"]), e["note"]) for e in items)


def score_from_json(model_version: str, as_of: date, total: Decimal, document: dict[str, Any]) -> Score:
    """A stored score back as the domain's (a fact's value as its number; evidence as stored)."""
    indicators = tuple(
        IndicatorScore(
            family=i["family"],
            indicator=i["indicator"],
            name=i["name"],
            weight=Decimal(i["weight"]),
            points=Decimal(i["points"]),
            formula=i["formula"],
            facts={
                f["name"]: FactValue(
                    Decimal(f["value"]) if f["known"] else None, _evidence_from(f["evidence"])
                )
                for f in i["facts"]
            },
            explanation=i["explanation"],
            computed=(
                (Decimal(i["computed_points"]), i["computed_explanation"]) if "computed_points" in i else None
            ),
        )
        for i in document.get("indicators", [])
    )
    vetoes = tuple(
        VetoHit(v["veto"], v["name"], _evidence_from(v["evidence"])) for v in document.get("vetoes", [])
    )
    return Score(model_version, as_of, total, indicators, vetoes)


def _evidence_proto(items: list[dict[str, Any]]) -> list[scoring_pb2.Evidence]:
    return [
        scoring_pb2.Evidence(kind=e["kind"], item_id=e["item_id"], event_ids=e["event_ids"], note=e["note"])
        for e in items
    ]


def explanation_to_proto(
    document: dict[str, Any],
) -> tuple[list[scoring_pb2.IndicatorScore], list[scoring_pb2.Veto]]:
    """The stored explanation as the API's indicators and vetoes."""
    indicators = [
        scoring_pb2.IndicatorScore(
            family=i["family"],
            indicator=i["indicator"],
            name=i["name"],
            weight=float(i["weight"]),
            points=float(i["points"]),
            formula=i["formula"],
            explanation=i["explanation"],
            facts=[
                scoring_pb2.Fact(
                    name=f["name"],
                    value=float(f["value"]),
                    known=f["known"],
                    evidence=_evidence_proto(f["evidence"]),
                )
                for f in i["facts"]
            ],
        )
        for i in document.get("indicators", [])
    ]
    vetoes = [
        scoring_pb2.Veto(veto=v["veto"], name=v["name"], evidence=_evidence_proto(v["evidence"]))
        for v in document.get("vetoes", [])
    ]
    return indicators, vetoes
