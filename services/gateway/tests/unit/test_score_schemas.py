"""The OpenAPI models of the score routes describe the proto exactly, and what the translation makes of a
message validates against them. No I/O."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import TypeVar

import pytest
from google.protobuf.descriptor import Descriptor, EnumDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel

from gateway.adapters.proto_json import from_rest, rest_enum_values, to_rest
from gateway.entrypoints.http import score_schemas as schemas
from neibao.scoring.v1 import scoring_pb2

M = TypeVar("M", bound=BaseModel)

READ_MODELS: list[tuple[Descriptor, type[BaseModel]]] = [
    (scoring_pb2.Score.DESCRIPTOR, schemas.ScoreRead),
    (scoring_pb2.IndicatorScore.DESCRIPTOR, schemas.IndicatorScoreRead),
    (scoring_pb2.Fact.DESCRIPTOR, schemas.FactRead),
    (scoring_pb2.Evidence.DESCRIPTOR, schemas.ScoreEvidenceRead),
    (scoring_pb2.Veto.DESCRIPTOR, schemas.VetoRead),
    (scoring_pb2.ListScoreHistoryResponse.DESCRIPTOR, schemas.ScoreHistoryRead),
    (scoring_pb2.ScoreSummary.DESCRIPTOR, schemas.ScoreSummaryRead),
    (scoring_pb2.GradeChange.DESCRIPTOR, schemas.GradeChangeRead),
    (scoring_pb2.ListRankingsResponse.DESCRIPTOR, schemas.RankingPage),
    (scoring_pb2.RankingEntry.DESCRIPTOR, schemas.RankingEntryRead),
    (scoring_pb2.SelfAssessment.DESCRIPTOR, schemas.SelfAssessmentRead),
    (scoring_pb2.ClaimedPoints.DESCRIPTOR, schemas.ClaimedPointsRead),
    (scoring_pb2.Adjustment.DESCRIPTOR, schemas.AdjustmentRead),
    (scoring_pb2.ListSelfAssessmentsResponse.DESCRIPTOR, schemas.SelfAssessmentPage),
    (scoring_pb2.Mover.DESCRIPTOR, schemas.MoverRead),
    (scoring_pb2.ListMoversResponse.DESCRIPTOR, schemas.MoversRead),
]
QUERIES: list[tuple[Descriptor, type[BaseModel], set[str]]] = [
    (scoring_pb2.GetScoreRequest.DESCRIPTOR, schemas.ScoreQuery, {"uscc"}),
    (scoring_pb2.ListRankingsRequest.DESCRIPTOR, schemas.RankingQuery, {"page_size"}),
    (scoring_pb2.SubmitSelfAssessmentRequest.DESCRIPTOR, schemas.SelfAssessmentCreate, {"uscc"}),
    (scoring_pb2.ReviewSelfAssessmentRequest.DESCRIPTOR, schemas.SelfAssessmentReview, {"id"}),
    (scoring_pb2.Adjustment.DESCRIPTOR, schemas.AdjustmentIn, set()),
    (scoring_pb2.ClaimedPoints.DESCRIPTOR, schemas.ClaimedPointsIn, set()),
    (scoring_pb2.ListSelfAssessmentsRequest.DESCRIPTOR, schemas.SelfAssessmentQuery, {"page_size"}),
    (scoring_pb2.ListMoversRequest.DESCRIPTOR, schemas.MoversQuery, {"limit"}),
]


def valid(model: type[M], message: Message) -> M:
    """The model of a message's REST document, validated strictly from its JSON (as a client reads it)."""
    return model.model_validate_json(json.dumps(to_rest(message)), strict=True)


@pytest.mark.parametrize(("message", "model"), READ_MODELS, ids=lambda item: getattr(item, "name", ""))
def test_each_read_model_has_exactly_the_fields_of_its_message(
    message: Descriptor, model: type[BaseModel]
) -> None:
    assert set(model.model_fields) == {field.name for field in message.fields}


@pytest.mark.parametrize(
    ("message", "model", "elsewhere"), QUERIES, ids=lambda item: getattr(item, "name", "")
)
def test_each_query_has_the_fields_of_its_request_but_those_from_elsewhere(
    message: Descriptor, model: type[BaseModel], elsewhere: set[str]
) -> None:
    assert set(model.model_fields) == {field.name for field in message.fields} - elsewhere


ENUMS: list[tuple[EnumDescriptor, type[StrEnum]]] = [
    (scoring_pb2.Grade.DESCRIPTOR, schemas.Grade),
    (scoring_pb2.AssessmentState.DESCRIPTOR, schemas.AssessmentState),
    (scoring_pb2.ReviewDecision.DESCRIPTOR, schemas.ReviewDecision),
]


@pytest.mark.parametrize(("enum", "model"), ENUMS, ids=lambda item: getattr(item, "name", ""))
def test_each_enum_has_exactly_the_values_of_the_proto(enum: EnumDescriptor, model: type[StrEnum]) -> None:
    assert tuple(member.value for member in model) == rest_enum_values(enum)


def test_a_translated_score_validates_with_its_evidence() -> None:
    score = scoring_pb2.Score(
        uscc="91210102MA0LN001X3",
        period="2026-11",
        total=87.5,
        grade=scoring_pb2.GRADE_STANDARD,
        band=scoring_pb2.GRADE_STANDARD,
        computed_at=Timestamp(seconds=1),
        indicators=[
            scoring_pb2.IndicatorScore(
                indicator="hazards_rectified_late",
                weight=10,
                points=5,
                facts=[
                    scoring_pb2.Fact(
                        name="hazards_rectified_late_12m",
                        value=1,
                        known=True,
                        evidence=[scoring_pb2.Evidence(kind="hazard", item_id="h1", event_ids=["e1", "e2"])],
                    )
                ],
            )
        ],
    )
    read = valid(schemas.ScoreRead, score)
    assert read.grade is schemas.Grade.STANDARD
    assert read.indicators[0].facts[0].evidence[0].event_ids == ["e1", "e2"]
    assert read.indicators[0].facts[0].evidence[0].note is None
    assert read.vetoes == []


def test_a_ranking_without_a_previous_period_has_no_move() -> None:
    page = scoring_pb2.ListRankingsResponse(
        period="2026-11",
        items=[
            scoring_pb2.RankingEntry(
                rank=1, uscc="91210102MA0LN001X3", total=91, grade=scoring_pb2.GRADE_EXEMPLARY
            )
        ],
    )
    entry = valid(schemas.RankingPage, page).items[0]
    assert (entry.previous_total, entry.change, entry.rank) == (None, None, 1)
    moved = scoring_pb2.RankingEntry(rank=2, total=80, previous_total=85, change=-5)
    assert valid(schemas.RankingEntryRead, moved).change == -5


def test_a_ranking_query_translates_to_its_request() -> None:
    query = schemas.RankingQuery.model_validate(
        {"period": "2026-11", "jurisdiction": "210200", "sector": "commerce"}
    )
    request = from_rest(
        {**query.model_dump(mode="json", exclude_none=True), "page_size": 20}, scoring_pb2.ListRankingsRequest
    )
    assert (request.period, request.jurisdiction, request.sector, request.page_size) == (
        "2026-11",
        "210200",
        "commerce",
        20,
    )


@pytest.mark.parametrize("period", ["2026-13", "202611", "26-11"])
def test_a_malformed_period_is_refused(period: str) -> None:
    with pytest.raises(ValueError, match="period"):
        schemas.ScoreQuery.model_validate({"period": period})


def test_a_self_assessment_body_translates_to_its_request() -> None:
    body = schemas.SelfAssessmentCreate.model_validate(
        {"period": "2026-11", "items": [{"indicator": "drills", "points": 7.5, "note": "一次"}]}
    )
    request = from_rest(
        {**body.model_dump(mode="json", exclude_none=True), "uscc": "91210102MA0LN001X3"},
        scoring_pb2.SubmitSelfAssessmentRequest,
    )
    assert (request.uscc, request.items[0].indicator, request.items[0].points) == (
        "91210102MA0LN001X3",
        "drills",
        7.5,
    )
    with pytest.raises(ValueError, match="extra"):
        schemas.SelfAssessmentCreate.model_validate({"period": "2026-11", "items": [], "grade": "exemplary"})


def test_a_translated_self_assessment_validates() -> None:
    assessment = scoring_pb2.SelfAssessment(
        id="a",
        state=scoring_pb2.ASSESSMENT_STATE_SUBMITTED,
        claimed_total=100,
        submitted_at=Timestamp(seconds=1),
    )
    read = valid(schemas.SelfAssessmentRead, assessment)
    assert (read.state, read.reviewed_total, read.computed_total) == (
        schemas.AssessmentState.SUBMITTED,
        None,
        None,
    )
