"""The gRPC servicer: the caller's scope, the request translated, the handler called, the answer back."""

# The method names are the proto's RPC names.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from neibao.scoring.v1 import scoring_pb2, scoring_pb2_grpc
from neibao_identity import Scope, current_principal
from safe_unit_scoring.adapters.explanation import explanation_to_proto, grade_to_proto
from safe_unit_scoring.domain.assessments import AssessmentState, Claim, ReviewDecision, SelfAssessment
from safe_unit_scoring.entrypoints.errors import guarded
from safe_unit_scoring.service.assessments import Assessments, AssessmentView
from safe_unit_scoring.service.queries import MoverView, RankingView, Scores, ScoreView

Context = grpc.aio.ServicerContext[Any, Any]


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def score_to_proto(view: ScoreView) -> scoring_pb2.Score:
    """A stored score with its explanation."""
    indicators, vetoes = explanation_to_proto(view.explanation)
    return scoring_pb2.Score(
        uscc=view.uscc,
        unit_name=view.unit_name,
        jurisdiction=view.jurisdiction,
        sector=view.sector,
        period=view.period,
        model_version=view.model_version,
        total=float(view.total),
        grade=grade_to_proto(view.grade),
        band=grade_to_proto(view.band),
        grade_reason=view.grade_reason,
        indicators=indicators,
        vetoes=vetoes,
        computed_at=_timestamp(view.computed_at),
        as_of=view.as_of.isoformat(),
    )


def ranking_to_proto(view: RankingView) -> scoring_pb2.RankingEntry:
    """A ranked unit, with its move since the period before."""
    entry = scoring_pb2.RankingEntry(
        rank=view.rank,
        uscc=view.uscc,
        unit_name=view.unit_name,
        jurisdiction=view.jurisdiction,
        sector=view.sector,
        total=float(view.total),
        grade=grade_to_proto(view.grade),
    )
    if view.previous_total is not None:
        entry.previous_total = float(view.previous_total)
        entry.change = float(view.total - view.previous_total)
    return entry


def _scope() -> Scope:
    return Scope.for_principal(current_principal())


_STATES = {
    AssessmentState.SUBMITTED: scoring_pb2.ASSESSMENT_STATE_SUBMITTED,
    AssessmentState.AGREED: scoring_pb2.ASSESSMENT_STATE_AGREED,
    AssessmentState.ADJUSTED: scoring_pb2.ASSESSMENT_STATE_ADJUSTED,
}
_STATE_FILTER = {proto: state for state, proto in _STATES.items()}
_DECISIONS = {
    scoring_pb2.REVIEW_DECISION_AGREE: ReviewDecision.AGREE,
    scoring_pb2.REVIEW_DECISION_ADJUST: ReviewDecision.ADJUST,
}


def _points(value: float) -> Decimal:
    return Decimal(repr(value))


def assessment_to_proto(
    a: SelfAssessment, unit_name: str, jurisdiction: str, now: datetime
) -> scoring_pb2.SelfAssessment:
    """A self-assessment and its review (with its unit's name and jurisdiction when known)."""
    message = scoring_pb2.SelfAssessment(
        id=str(a.id),
        uscc=a.uscc,
        period=a.period,
        model_version=a.model_version,
        items=[
            scoring_pb2.ClaimedPoints(indicator=c.indicator, points=float(c.points), note=c.note)
            for c in a.items
        ],
        claimed_total=float(a.claimed_total),
        note=a.note,
        state=_STATES[a.state],
        submitted_by=a.submitted_by,
        submitted_at=_timestamp(a.submitted_at),
        reviewed_by=a.reviewed_by,
        adjustments=[
            scoring_pb2.Adjustment(indicator=c.indicator, points=float(c.points), reason=c.note)
            for c in a.adjustments
        ],
        review_note=a.review_note,
        unit_name=unit_name,
        jurisdiction=jurisdiction,
        review_due_at=_timestamp(a.review_due_at),
        overdue=a.overdue(now),
    )
    if a.computed_total is not None:
        message.computed_total = float(a.computed_total)
    if a.reviewed_total is not None:
        message.reviewed_total = float(a.reviewed_total)
    if a.reviewed_at is not None:
        message.reviewed_at.CopyFrom(_timestamp(a.reviewed_at))
    return message


def view_to_proto(item: AssessmentView, now: datetime) -> scoring_pb2.SelfAssessment:
    """A self-assessment of the review queue."""
    return assessment_to_proto(item.assessment, item.unit_name, item.jurisdiction, now)


def mover_to_proto(view: MoverView) -> scoring_pb2.Mover:
    """A unit that moved since the month before."""
    return scoring_pb2.Mover(
        uscc=view.uscc,
        name=view.name,
        jurisdiction=view.jurisdiction,
        total=float(view.total),
        previous_total=float(view.previous_total),
        delta=float(view.delta),
        grade=grade_to_proto(view.grade),
        previous_grade=grade_to_proto(view.previous_grade),
    )


class ScoringServicer(scoring_pb2_grpc.ScoringServiceServicer):
    """neibao.scoring.v1.ScoringService."""

    def __init__(self, scores: Scores, assessments: Assessments) -> None:
        self._scores = scores
        self._assessments = assessments

    async def SubmitSelfAssessment(
        self, request: scoring_pb2.SubmitSelfAssessmentRequest, context: Context
    ) -> scoring_pb2.SubmitSelfAssessmentResponse:
        """The unit's self-assessment of a period."""

        async def run() -> scoring_pb2.SubmitSelfAssessmentResponse:
            claims = [Claim(i.indicator, _points(i.points), i.note) for i in request.items]
            submitted = await self._assessments.submit(
                request.uscc, request.period, claims, request.note, current_principal()
            )
            return scoring_pb2.SubmitSelfAssessmentResponse(
                assessment=view_to_proto(submitted, datetime.now(UTC))
            )

        return await guarded(context, run())

    async def ReviewSelfAssessment(
        self, request: scoring_pb2.ReviewSelfAssessmentRequest, context: Context
    ) -> scoring_pb2.ReviewSelfAssessmentResponse:
        """Agree, or adjust with reasons."""

        async def run() -> scoring_pb2.ReviewSelfAssessmentResponse:
            adjustments = [Claim(a.indicator, _points(a.points), a.reason) for a in request.adjustments]
            reviewed = await self._assessments.review(
                request.id, _DECISIONS.get(request.decision), adjustments, request.note, current_principal()
            )
            return scoring_pb2.ReviewSelfAssessmentResponse(
                assessment=view_to_proto(reviewed, datetime.now(UTC))
            )

        return await guarded(context, run())

    async def GetScore(
        self, request: scoring_pb2.GetScoreRequest, context: Context
    ) -> scoring_pb2.GetScoreResponse:
        """The unit's score with every indicator and its evidence."""

        async def run() -> scoring_pb2.GetScoreResponse:
            view = await self._scores.get_score(request.uscc, request.period, _scope())
            return scoring_pb2.GetScoreResponse(score=score_to_proto(view))

        return await guarded(context, run())

    async def ListScoreHistory(
        self, request: scoring_pb2.ListScoreHistoryRequest, context: Context
    ) -> scoring_pb2.ListScoreHistoryResponse:
        """The unit's periods and grade changes."""

        async def run() -> scoring_pb2.ListScoreHistoryResponse:
            periods, changes = await self._scores.list_history(request.uscc, request.limit, _scope())
            return scoring_pb2.ListScoreHistoryResponse(
                uscc=request.uscc,
                periods=[
                    scoring_pb2.ScoreSummary(
                        period=p.period,
                        model_version=p.model_version,
                        total=float(p.total),
                        grade=grade_to_proto(p.grade),
                        band=grade_to_proto(p.band),
                        grade_reason=p.grade_reason,
                        computed_at=_timestamp(p.computed_at),
                    )
                    for p in periods
                ],
                grade_changes=[
                    scoring_pb2.GradeChange(
                        period=c.period,
                        from_grade=grade_to_proto(c.from_grade),
                        to_grade=grade_to_proto(c.to_grade),
                        reason=c.reason,
                        changed_at=_timestamp(c.changed_at),
                    )
                    for c in changes
                ],
            )

        return await guarded(context, run())

    async def ListRankings(
        self, request: scoring_pb2.ListRankingsRequest, context: Context
    ) -> scoring_pb2.ListRankingsResponse:
        """Units in scope by total."""

        async def run() -> scoring_pb2.ListRankingsResponse:
            page = await self._scores.list_rankings(
                request.period,
                request.jurisdiction,
                request.sector,
                _scope(),
                page_size=request.page_size,
                cursor=request.cursor,
            )
            return scoring_pb2.ListRankingsResponse(
                period=page.period,
                items=[ranking_to_proto(i) for i in page.items],
                next_cursor=page.next_cursor,
            )

        return await guarded(context, run())

    async def ListSelfAssessments(
        self, request: scoring_pb2.ListSelfAssessmentsRequest, context: Context
    ) -> scoring_pb2.ListSelfAssessmentsResponse:
        """The review queue in the caller's scope, oldest due first."""

        async def run() -> scoring_pb2.ListSelfAssessmentsResponse:
            page = await self._assessments.list_queue(
                _STATE_FILTER.get(request.state),
                request.overdue,
                request.uscc,
                current_principal(),
                page_size=request.page_size,
                cursor=request.cursor,
            )
            now = datetime.now(UTC)
            return scoring_pb2.ListSelfAssessmentsResponse(
                items=[view_to_proto(i, now) for i in page.items], next_cursor=page.next_cursor
            )

        return await guarded(context, run())

    async def ListMovers(
        self, request: scoring_pb2.ListMoversRequest, context: Context
    ) -> scoring_pb2.ListMoversResponse:
        """Units in scope that rose and fell most since the month before."""

        async def run() -> scoring_pb2.ListMoversResponse:
            movers = await self._scores.list_movers(
                request.period, request.jurisdiction, request.sector, request.limit, _scope()
            )
            return scoring_pb2.ListMoversResponse(
                period=movers.period,
                up=[mover_to_proto(m) for m in movers.up],
                down=[mover_to_proto(m) for m in movers.down],
            )

        return await guarded(context, run())


def register(scores: Scores, assessments: Assessments) -> Callable[[grpc.aio.Server], list[str]]:
    """neibao_runtime's Register: add the scoring service to a server; its full name."""

    def add(server: grpc.aio.Server) -> list[str]:
        scoring_pb2_grpc.add_ScoringServiceServicer_to_server(ScoringServicer(scores, assessments), server)
        return [scoring_pb2.DESCRIPTOR.services_by_name["ScoringService"].full_name]

    return add
