"""Safe-unit scores (平安单位): REST over neibao.scoring.v1 (issue 9's stable contract).

Each route declares its roles; the scoring applies object scope (a unit outside it answers 404, rankings
hold only units inside it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Path, Query
from starlette.responses import Response

from gateway.adapters.proto_json import from_rest
from gateway.adapters.upstream import Upstreams
from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Services
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.registry_schemas import DEMO_UNIT
from gateway.entrypoints.http.rest import message_response
from gateway.entrypoints.http.score_schemas import (
    MoversQuery,
    MoversRead,
    RankingPage,
    RankingQuery,
    ScoreHistoryRead,
    ScoreQuery,
    ScoreRead,
    SelfAssessmentCreate,
    SelfAssessmentPage,
    SelfAssessmentQuery,
    SelfAssessmentRead,
    SelfAssessmentReview,
)
from neibao.scoring.v1 import scoring_pb2, scoring_pb2_grpc
from neibao_identity import Role

if TYPE_CHECKING:
    from neibao.scoring.v1.scoring_pb2_grpc import ScoringServiceAsyncStub

SAFE_UNIT_SCORING: Final = "safe-unit-scoring"
READERS: Final = (Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY)
# 联合创建: the unit's own security staff assess; police and the sector's regulator review.
ASSESSORS: Final = (Role.UNIT_SECURITY,)
REVIEWERS: Final = (Role.POLICE, Role.REGULATOR)
MoverLimit = Annotated[int, Query(ge=1, le=100, description="At most this many units each way.")]
AssessmentId = Annotated[str, Path(max_length=36, description="The self-assessment's id (UUID).")]

UsccPath = Annotated[
    str,
    Path(
        pattern=r"^[0-9A-Za-z]{18}$",
        description="The unit's 统一社会信用代码 (18 characters).",
        examples=[DEMO_UNIT],
    ),
]

router = gateway_router(tags=["scores"])


def scoring_service(services: Upstreams) -> ScoringServiceAsyncStub:
    """The safe-unit scoring's ScoringService."""
    return services.stub(SAFE_UNIT_SCORING, scoring_pb2_grpc.ScoringServiceStub)


@router.get(
    "/scores/{uscc}",
    summary="A unit's score, grade and every indicator with its evidence",
    operation_id="get_score",
    response_model=ScoreRead,
    responses=problem_responses(404, 502),
)
async def get_score(
    uscc: UsccPath,
    query: Annotated[ScoreQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """The unit's score for a period (its latest when `period` is not given): the total out of 100, the
    grade after 动态升降 and why, each indicator's points, weight and the facts it read with the events
    behind them, and any 一票否决 item that applies. 404 for a unit outside the caller's scope."""
    request = from_rest(
        {**query.model_dump(mode="json", exclude_none=True), "uscc": uscc}, scoring_pb2.GetScoreRequest
    )
    answer = await services.call(scoring_service(services).GetScore, request, caller)
    return message_response(answer.score)


@router.get(
    "/scores/{uscc}/history",
    summary="A unit's scores per period and its grade changes",
    operation_id="list_score_history",
    response_model=ScoreHistoryRead,
    responses=problem_responses(404, 502),
)
async def list_score_history(
    uscc: UsccPath, caller: Annotated[Caller, require_roles(*READERS)], services: Services, limit: PageSize
) -> Response:
    """The unit's periods, newest first (at most `limit`), and its grade changes with their reasons."""
    request = scoring_pb2.ListScoreHistoryRequest(uscc=uscc, limit=limit)
    answer = await services.call(scoring_service(services).ListScoreHistory, request, caller)
    return message_response(answer)


@router.get(
    "/rankings",
    summary="Units ranked by score",
    operation_id="list_rankings",
    response_model=RankingPage,
    responses=problem_responses(502),
)
async def list_rankings(
    query: Annotated[RankingQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
) -> Response:
    """Units in the caller's scope (and in `jurisdiction` and `sector` when given) by total for a period,
    highest first, with their move since the period before; ranks count only units the caller may see."""
    request = from_rest(
        {**query.model_dump(mode="json", exclude_none=True), "page_size": limit},
        scoring_pb2.ListRankingsRequest,
    )
    answer = await services.call(scoring_service(services).ListRankings, request, caller)
    return message_response(answer)


@router.get(
    "/rankings/movers",
    summary="Units whose score rose or fell most since the month before",
    operation_id="list_movers",
    response_model=MoversRead,
    responses=problem_responses(502),
)
async def list_movers(
    query: Annotated[MoversQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: MoverLimit = 10,
) -> Response:
    """Units in the caller's scope (and in `jurisdiction` and `sector` when given) scored in the period and
    the month before: `up` those that rose most, `down` those that fell most, with both totals and grades."""
    request = from_rest(
        {**query.model_dump(mode="json", exclude_none=True), "limit": limit}, scoring_pb2.ListMoversRequest
    )
    answer = await services.call(scoring_service(services).ListMovers, request, caller)
    return message_response(answer)


@router.get(
    "/self-assessments",
    summary="The review queue: self-assessments of units in scope, the one due first",
    operation_id="list_self_assessments",
    response_model=SelfAssessmentPage,
    responses=problem_responses(502),
)
async def list_self_assessments(
    query: Annotated[SelfAssessmentQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
) -> Response:
    """联合创建's review queue: police, regulators (their sector) and the province see the units in their
    scope, a unit's security staff their own unit; each with its unit, when its review is due and whether
    that is past; oldest due first."""
    request = from_rest(
        {**query.model_dump(mode="json", exclude_none=True), "page_size": limit},
        scoring_pb2.ListSelfAssessmentsRequest,
    )
    answer = await services.call(scoring_service(services).ListSelfAssessments, request, caller)
    return message_response(answer)


@router.post(
    "/scores/{uscc}/self-assessments",
    summary="Submit the unit's self-assessment of a period",
    operation_id="create_self_assessment",
    status_code=201,
    response_model=SelfAssessmentRead,
    responses=problem_responses(404, 409, 502),
)
async def create_self_assessment(
    uscc: UsccPath,
    body: SelfAssessmentCreate,
    caller: Annotated[Caller, require_roles(*ASSESSORS)],
    services: Services,
) -> Response:
    """联合创建: the unit's own security staff give points for every indicator of the current model; police
    and the sector's regulator review it. 409 while one of the period awaits review."""
    request = from_rest(
        {**body.model_dump(mode="json", exclude_none=True), "uscc": uscc},
        scoring_pb2.SubmitSelfAssessmentRequest,
    )
    answer = await services.call(scoring_service(services).SubmitSelfAssessment, request, caller)
    return message_response(answer.assessment, status_code=201)


@router.post(
    "/self-assessments/{assessment_id}/review",
    summary="Review a unit's self-assessment",
    operation_id="review_self_assessment",
    response_model=SelfAssessmentRead,
    responses=problem_responses(404, 409, 502),
)
async def review_self_assessment(
    assessment_id: AssessmentId,
    body: SelfAssessmentReview,
    caller: Annotated[Caller, require_roles(*REVIEWERS)],
    services: Services,
) -> Response:
    """Police of the unit's jurisdiction or its sector's regulator agree, or adjust indicators with reasons;
    once. 404 outside the caller's scope."""
    request = from_rest(
        {**body.model_dump(mode="json", exclude_none=True), "id": assessment_id},
        scoring_pb2.ReviewSelfAssessmentRequest,
    )
    answer = await services.call(scoring_service(services).ReviewSelfAssessment, request, caller)
    return message_response(answer.assessment)
