"""联合创建 over gRPC with real tokens: the demo unit's security chief submits; Heping police review;
Dalian police and the unit itself may not."""

from __future__ import annotations

import grpc
import pytest

from neibao.scoring.v1 import scoring_pb2
from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.periods import Period

from .conftest import Harness, Running, today
from .events import register

DEMO_UNIT = "91210102MA0LN001X3"  # security-chief-demo's unit
PERIOD = str(Period.of(today()))
SHEET = [
    scoring_pb2.ClaimedPoints(indicator=i.id, points=float(i.points))
    for f in load_model().families
    for i in f.indicators
]


async def _submit(running: Running, principal: str = "security-chief-demo") -> scoring_pb2.SelfAssessment:
    request = scoring_pb2.SubmitSelfAssessmentRequest(uscc=DEMO_UNIT, period=PERIOD, items=SHEET, note="自评")
    return (await running.stub.SubmitSelfAssessment(request, metadata=running.auth(principal))).assessment


async def test_a_self_assessment_is_submitted_and_reviewed_in_scope(
    harness: Harness, running: Running
) -> None:
    register(harness, DEMO_UNIT, "沈阳太原街商贸中心有限公司", "210102", "commerce")
    assert harness.consume(1) == 1
    submitted = await _submit(running)
    assert (submitted.state, submitted.claimed_total, submitted.period) == (
        scoring_pb2.ASSESSMENT_STATE_SUBMITTED,
        100,
        PERIOD,
    )
    assert submitted.HasField("computed_total")  # the unit was scored from its registration
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _submit(running)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS

    review = scoring_pb2.ReviewSelfAssessmentRequest(
        id=submitted.id,
        decision=scoring_pb2.REVIEW_DECISION_ADJUST,
        adjustments=[scoring_pb2.Adjustment(indicator="drills", points=7.5, reason="仅一次演练有记录")],
    )
    for outsider, code in (
        ("police-dalian", grpc.StatusCode.NOT_FOUND),
        ("security-chief-demo", grpc.StatusCode.PERMISSION_DENIED),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await running.stub.ReviewSelfAssessment(review, metadata=running.auth(outsider))
        assert caught.value.code() == code, outsider
    reviewed = (
        await running.stub.ReviewSelfAssessment(review, metadata=running.auth("police-heping"))
    ).assessment
    assert (reviewed.state, reviewed.reviewed_total) == (scoring_pb2.ASSESSMENT_STATE_ADJUSTED, 92.5)
    assert reviewed.adjustments[0].reason == "仅一次演练有记录"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.stub.ReviewSelfAssessment(review, metadata=running.auth("police-heping"))
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    # Reviewed: the unit may assess the period again.
    assert (await _submit(running)).id != submitted.id


async def test_only_the_units_own_staff_submit(harness: Harness, running: Running) -> None:
    register(harness, DEMO_UNIT, "沈阳太原街商贸中心有限公司", "210102", "commerce")
    assert harness.consume(1) == 1
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _submit(running, "police-heping")
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    other = scoring_pb2.SubmitSelfAssessmentRequest(uscc="91210202MA0TC0002M", period=PERIOD, items=SHEET)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.stub.SubmitSelfAssessment(other, metadata=running.auth("security-chief-demo"))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
