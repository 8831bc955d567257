"""联合创建's review workflow on the real servers: the scoped review queue with due dates, a reviewer's
points standing in the period's score and grade, reminders sent once each, movers against the month
before."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.message import Message
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from neibao.scoring.v1 import events_pb2, scoring_pb2
from safe_unit_scoring.adapters.db.assessments import SqlAssessmentStore
from safe_unit_scoring.adapters.db.recompute import recompute_period
from safe_unit_scoring.adapters.events import PAYLOADS
from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.config import Settings
from safe_unit_scoring.domain.assessments import ReviewDeadline
from safe_unit_scoring.domain.periods import Period
from safe_unit_scoring.service.assessments import Assessments

from .conftest import DALIAN_SHOP, HEPING_SHOP, Harness, Running, today
from .events import drill, register

DEMO_UNIT = "91210102MA0LN001X3"  # security-chief-demo's unit
PERIOD = str(Period.of(today()))
MODEL = load_model()
SHEET = [
    scoring_pb2.ClaimedPoints(indicator=i.id, points=float(i.points))
    for f in MODEL.families
    for i in f.indicators
]
SUBMITTED = "neibao.safe-unit-scoring.self-assessment.submitted.v1"
REVIEWED = "neibao.safe-unit-scoring.self-assessment.reviewed.v1"
DUE_SOON = "neibao.safe-unit-scoring.self-assessment.review-due-soon.v1"
OVERDUE = "neibao.safe-unit-scoring.self-assessment.review-overdue.v1"


def _types(h: Harness) -> list[str]:
    return [t for (t,) in h.rows("SELECT headers->>'ce_type' FROM outbox ORDER BY id")]


def _payloads(h: Harness, kind: str) -> list[Message]:
    message_class = PAYLOADS.get(kind)
    assert message_class is not None
    rows = h.rows("SELECT payload FROM outbox WHERE headers->>'ce_type' = %s ORDER BY id", kind)
    return [message_class.FromString(bytes(p)) for (p,) in rows]


async def _submit(running: Running) -> scoring_pb2.SelfAssessment:
    request = scoring_pb2.SubmitSelfAssessmentRequest(uscc=DEMO_UNIT, period=PERIOD, items=SHEET)
    return (
        await running.stub.SubmitSelfAssessment(request, metadata=running.auth("security-chief-demo"))
    ).assessment


async def _queue(
    running: Running, principal: str, **fields: object
) -> scoring_pb2.ListSelfAssessmentsResponse:
    request = scoring_pb2.ListSelfAssessmentsRequest(**fields)  # type: ignore[arg-type]
    return await running.stub.ListSelfAssessments(request, metadata=running.auth(principal))


def _demo(harness: Harness) -> None:
    register(harness, DEMO_UNIT, "沈阳太原街商贸中心有限公司", "210102", "commerce")
    register(harness, DALIAN_SHOP, "大连中山商店", "210202", "commerce")
    assert harness.consume(2) == 2


async def test_the_review_queue_holds_the_callers_units_oldest_due_first(
    harness: Harness, running: Running
) -> None:
    _demo(harness)
    first = await _submit(running)
    agree = scoring_pb2.ReviewSelfAssessmentRequest(id=first.id, decision=scoring_pb2.REVIEW_DECISION_AGREE)
    await running.stub.ReviewSelfAssessment(agree, metadata=running.auth("police-heping"))
    second = await _submit(running)
    assert second.review_due_at.ToDatetime() - second.submitted_at.ToDatetime() == timedelta(days=15)
    assert (second.unit_name, second.jurisdiction, second.overdue) == (
        "沈阳太原街商贸中心有限公司",
        "210102",
        False,
    )

    page = await _queue(running, "police-heping", page_size=1)
    (item,) = page.items
    assert (item.id, item.unit_name, item.jurisdiction, item.overdue) == (
        first.id,
        "沈阳太原街商贸中心有限公司",
        "210102",
        False,
    )
    assert page.next_cursor
    rest = await _queue(running, "police-heping", page_size=1, cursor=page.next_cursor)
    assert [i.id for i in rest.items] == [second.id]
    assert rest.next_cursor == ""
    awaiting = await _queue(running, "admin", state=scoring_pb2.ASSESSMENT_STATE_SUBMITTED)
    assert [i.id for i in awaiting.items] == [second.id]
    assert [i.id for i in (await _queue(running, "security-chief-demo")).items] == [first.id, second.id]
    assert (await _queue(running, "regulator-commerce-dalian")).items == []
    assert (await _queue(running, "police-dalian", uscc=DEMO_UNIT)).items == []
    assert (await _queue(running, "police-heping", overdue=True)).items == []
    # Past its due time: overdue, and listed as such.
    harness.rows(
        "UPDATE self_assessment SET review_due_at = now() - interval '1 day' WHERE id = %s RETURNING id",
        second.id,
    )
    (late,) = (await _queue(running, "police-heping", overdue=True)).items
    assert (late.id, late.overdue) == (second.id, True)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _queue(running, "police-heping", cursor="not-ours")
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _types(harness).count(SUBMITTED) == 2
    assert _types(harness).count(REVIEWED) == 1


async def test_an_adjusting_review_sets_the_periods_points_total_and_grade(
    harness: Harness, running: Running
) -> None:
    _demo(harness)
    [(total_before, grade_before)] = harness.rows(
        "SELECT total, grade FROM score WHERE uscc = %s AND period = %s", DEMO_UNIT, PERIOD
    )
    assert (total_before < 80, grade_before) == (True, "rectification")  # registered, nothing else known
    submitted = await _submit(running)
    score = (
        await running.stub.GetScore(
            scoring_pb2.GetScoreRequest(uscc=DEMO_UNIT), metadata=running.auth("police-heping")
        )
    ).score
    short = [i for i in score.indicators if i.points < i.weight]
    review = scoring_pb2.ReviewSelfAssessmentRequest(
        id=submitted.id,
        decision=scoring_pb2.REVIEW_DECISION_ADJUST,
        adjustments=[
            scoring_pb2.Adjustment(indicator=i.indicator, points=i.weight, reason="现场核查：已落实")
            for i in short
        ],
    )
    await running.stub.ReviewSelfAssessment(review, metadata=running.auth("police-heping"))
    [(total, grade, reason)] = harness.rows(
        "SELECT total, grade, grade_reason FROM score WHERE uscc = %s AND period = %s", DEMO_UNIT, PERIOD
    )
    assert (total, grade) == (100, "standard")  # the first period's ceiling
    assert submitted.id in reason
    [(from_grade, to_grade, change_reason, causes)] = harness.rows(
        "SELECT from_grade, to_grade, reason, cause_event_ids FROM grade_change"
        " WHERE uscc = %s AND to_grade = 'standard'",
        DEMO_UNIT,
    )
    assert (from_grade, to_grade, causes) == (
        "rectification",
        "standard",
        [f"self-assessment:{submitted.id}"],
    )
    assert submitted.id in change_reason
    (changed,) = [
        g
        for g in _payloads(harness, "neibao.safe-unit-scoring.grade.changed.v1")
        if isinstance(g, events_pb2.GradeChanged) and g.to_grade == scoring_pb2.GRADE_STANDARD
    ]
    assert changed.uscc == DEMO_UNIT
    (reviewed,) = _payloads(harness, REVIEWED)
    assert isinstance(reviewed, events_pb2.SelfAssessmentReviewed)
    assert (reviewed.state, reviewed.reviewed_total, reviewed.late) == (
        scoring_pb2.ASSESSMENT_STATE_ADJUSTED,
        100,
        False,
    )

    # A new event rescoring the period: the reviewer's points stand.
    drill(harness, DEMO_UNIT, "210102", "commerce", "d-review", today())
    assert harness.consume(1) == 1
    after = (
        await running.stub.GetScore(
            scoring_pb2.GetScoreRequest(uscc=DEMO_UNIT), metadata=running.auth("police-heping")
        )
    ).score
    assert after.total == 100
    adjusted = {i.indicator for i in short}
    for indicator in after.indicators:
        if indicator.indicator in adjusted:
            assert indicator.explanation.startswith("reviewed: "), indicator
            assert submitted.id in indicator.explanation

    # The month's full recompute keeps them too.
    report = recompute_period(
        harness.engine,
        MODEL,
        Period.of(today()),
        topic=harness.settings.events_topic,
        today=today(),
        workers=0,
        clock=lambda: datetime.now(UTC),
    )
    assert report.written >= 1
    [(total, reason)] = harness.rows(
        "SELECT total, grade_reason FROM score WHERE uscc = %s AND period = %s", DEMO_UNIT, PERIOD
    )
    assert total == 100
    assert submitted.id in reason


@pytest.fixture
async def assessments_at(settings: Settings) -> AsyncIterator[Callable[[datetime], Assessments]]:
    """The self-assessment handlers with their clock set to a moment (as the sweep builds them)."""
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=2)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    def at(moment: datetime) -> Assessments:
        return Assessments(
            lambda: SqlAssessmentStore(sessions, settings.events_topic),
            MODEL,
            clock=lambda: moment,
            deadline=ReviewDeadline(15, 3),
        )

    try:
        yield at
    finally:
        await engine.dispose()


async def test_reminders_go_out_once_each(
    harness: Harness, running: Running, assessments_at: Callable[[datetime], Assessments]
) -> None:
    _demo(harness)
    submitted = await _submit(running)
    now = datetime.now(UTC)
    assert await assessments_at(now + timedelta(days=11)).remind_due() == 0
    assert await assessments_at(now + timedelta(days=13)).remind_due() == 1
    assert await assessments_at(now + timedelta(days=14)).remind_due() == 0
    assert await assessments_at(now + timedelta(days=16)).remind_due() == 1
    assert await assessments_at(now + timedelta(days=17)).remind_due() == 0
    (soon,) = _payloads(harness, DUE_SOON)
    (overdue,) = _payloads(harness, OVERDUE)
    for reminder in (soon, overdue):
        assert isinstance(reminder, events_pb2.SelfAssessmentReviewReminder)
        assert (reminder.assessment_id, reminder.uscc, reminder.jurisdiction) == (
            submitted.id,
            DEMO_UNIT,
            "210102",
        )
    [(soon_at, overdue_at)] = harness.rows(
        "SELECT due_soon_reminded_at, overdue_reminded_at FROM self_assessment WHERE id = %s", submitted.id
    )
    assert soon_at is not None
    assert overdue_at is not None
    # Reviewed late: announced as such; nothing more to remind.
    review = scoring_pb2.ReviewSelfAssessmentRequest(
        id=submitted.id, decision=scoring_pb2.REVIEW_DECISION_AGREE
    )
    await running.stub.ReviewSelfAssessment(review, metadata=running.auth("police-heping"))
    assert await assessments_at(now + timedelta(days=30)).remind_due() == 0


async def test_movers_compare_the_period_with_the_month_before_in_scope(
    harness: Harness, running: Running
) -> None:
    _demo(harness)
    register(harness, HEPING_SHOP, "和平商店", "210102", "commerce")
    assert harness.consume(1) == 1
    previous = str(Period.parse(PERIOD).previous())
    for uscc, change in ((DEMO_UNIT, -10), (HEPING_SHOP, 5), (DALIAN_SHOP, -20)):
        harness.rows(
            "INSERT INTO score (uscc, period, model_version, as_of, total, band, grade, grade_reason,"
            " explanation, unit_name, jurisdiction, sector, sectors, computed_at)"
            " SELECT uscc, %s, model_version, as_of, total + %s, band, 'standard', grade_reason,"
            " explanation, unit_name, jurisdiction, sector, sectors, computed_at FROM score"
            " WHERE uscc = %s RETURNING uscc",
            previous,
            change,
            uscc,
        )
    request = scoring_pb2.ListMoversRequest()
    heping = await running.stub.ListMovers(request, metadata=running.auth("police-heping"))
    assert heping.period == PERIOD
    (up,) = heping.up
    (down,) = heping.down
    assert (up.uscc, up.delta, up.previous_grade) == (DEMO_UNIT, 10, scoring_pb2.GRADE_STANDARD)
    assert up.total - up.previous_total == up.delta
    assert up.name == "沈阳太原街商贸中心有限公司"
    assert (down.uscc, down.delta, down.jurisdiction) == (HEPING_SHOP, -5, "210102")
    dalian = await running.stub.ListMovers(request, metadata=running.auth("police-dalian"))
    assert ([m.uscc for m in dalian.up], [m.uscc for m in dalian.down]) == ([DALIAN_SHOP], [])
    admin = await running.stub.ListMovers(
        scoring_pb2.ListMoversRequest(jurisdiction="210200", limit=5), metadata=running.auth("admin")
    )
    assert [m.uscc for m in admin.up] == [DALIAN_SHOP]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.stub.ListMovers(
            scoring_pb2.ListMoversRequest(period="2026-13"), metadata=running.auth("admin")
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_review_of_the_month_before_regrades_it_and_marks_the_unit_for_rescoring(
    harness: Harness, running: Running
) -> None:
    _demo(harness)
    previous = str(Period.parse(PERIOD).previous())
    harness.rows(
        "INSERT INTO score (uscc, period, model_version, as_of, total, band, grade, grade_reason,"
        " explanation, unit_name, jurisdiction, sector, sectors, computed_at)"
        " SELECT uscc, %s, model_version, as_of, total, band, 'standard', grade_reason,"
        " explanation, unit_name, jurisdiction, sector, sectors, computed_at FROM score"
        " WHERE uscc = %s RETURNING uscc",
        previous,
        DEMO_UNIT,
    )
    request = scoring_pb2.SubmitSelfAssessmentRequest(uscc=DEMO_UNIT, period=previous, items=SHEET)
    submitted = (
        await running.stub.SubmitSelfAssessment(request, metadata=running.auth("security-chief-demo"))
    ).assessment
    review = scoring_pb2.ReviewSelfAssessmentRequest(
        id=submitted.id,
        decision=scoring_pb2.REVIEW_DECISION_ADJUST,
        adjustments=[scoring_pb2.Adjustment(indicator="drills", points=0, reason="上月无演练")],
    )
    await running.stub.ReviewSelfAssessment(review, metadata=running.auth("police-heping"))
    [(grade, reason)] = harness.rows(
        "SELECT grade, grade_reason FROM score WHERE uscc = %s AND period = %s", DEMO_UNIT, previous
    )
    assert grade == "rectification"  # the registered unit's total, in the 整改 band once decided again
    assert submitted.id in reason
    [(causes,)] = harness.rows("SELECT cause_event_ids FROM rescore_pending WHERE uscc = %s", DEMO_UNIT)
    assert f"self-assessment:{submitted.id}" in causes
    harness.rescoring.run_once()
    assert harness.rows("SELECT uscc FROM rescore_pending WHERE uscc = %s", DEMO_UNIT) == []
