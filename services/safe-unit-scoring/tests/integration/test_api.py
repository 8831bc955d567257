"""The gRPC API over facts from real events: a score with its evidence, history, rankings; every read
scoped by the caller's real token (a foreign unit is NOT_FOUND, rankings hold no foreign row)."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from neibao.scoring.v1 import scoring_pb2
from safe_unit_scoring.domain.periods import Period

from .conftest import DALIAN_SHOP, HEPING_SHOP, SHENHE_POST, Harness, Running, days_ago, today
from .events import compliance, device, drill, filing_accepted, hazard, register

PERIOD = str(Period.of(today()))


def _province(h: Harness) -> None:
    """Three units: a good one in Heping, a weaker one in Dalian, a postal one in Shenhe."""
    count = 0
    for uscc, name, jurisdiction, sector in (
        (HEPING_SHOP, "和平测试商场", "210102", "commerce"),
        (DALIAN_SHOP, "大连测试商场", "210202", "commerce"),
        (SHENHE_POST, "沈河测试快递", "210103", "postal"),
    ):
        register(h, uscc, name, jurisdiction, sector)
        filing_accepted(h, uscc, jurisdiction, sector, f"filing-{uscc}")
        count += 2
    for n in range(2):
        drill(h, HEPING_SHOP, "210102", "commerce", f"drill-{n}", days_ago(30 + n))
    device(h, HEPING_SHOP, "210102", "commerce", "cam-1", online=True)
    compliance(h, HEPING_SHOP, "210102", "commerce", compliant=True)
    hazard(h, DALIAN_SHOP, "210202", "commerce", "hz-dl", days_ago(5), "opened", days_ago(20))
    count += 5
    assert h.consume(count) == count


def _violations(error: grpc.aio.AioRpcError) -> list[str]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    found = []
    for detail in status.details:
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            found += [v.field for v in bad.field_violations]
    return found


async def test_a_score_explains_itself_to_those_in_scope(harness: Harness, running: Running) -> None:
    _province(harness)
    answer = await running.stub.GetScore(
        scoring_pb2.GetScoreRequest(uscc=DALIAN_SHOP), metadata=running.auth("police-dalian")
    )
    score = answer.score
    assert (score.uscc, score.period, score.unit_name, score.jurisdiction) == (
        DALIAN_SHOP,
        PERIOD,
        "大连测试商场",
        "210202",
    )
    assert score.total == sum(i.points for i in score.indicators)
    assert sum(i.weight for i in score.indicators) == 100
    overdue = next(i for i in score.indicators if i.indicator == "hazards_open_overdue")
    assert [e.item_id for e in overdue.facts[0].evidence] == ["hz-dl"]
    assert overdue.points == overdue.weight - 2
    assert score.grade == scoring_pb2.GRADE_RECTIFICATION
    # Heping's own security chief does not see a Dalian unit, nor police of another city.
    for outsider in ("police-heping", "security-chief-demo", "regulator-postal"):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await running.stub.GetScore(
                scoring_pb2.GetScoreRequest(uscc=DALIAN_SHOP), metadata=running.auth(outsider)
            )
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND, outsider


async def test_rankings_hold_only_units_in_scope(harness: Harness, running: Running) -> None:
    _province(harness)

    async def ranked(user: str, **filters: str) -> list[tuple[int, str]]:
        page = await running.stub.ListRankings(
            scoring_pb2.ListRankingsRequest(**filters),
            metadata=running.auth(user),  # type: ignore[arg-type]
        )
        assert page.period == PERIOD
        return [(i.rank, i.uscc) for i in page.items]

    everyone = await ranked("admin")
    assert everyone[0] == (1, HEPING_SHOP)
    assert {u for _, u in everyone} == {HEPING_SHOP, DALIAN_SHOP, SHENHE_POST}
    assert await ranked("police-dalian") == [(1, DALIAN_SHOP)]
    assert {u for _, u in await ranked("police-shenyang")} == {HEPING_SHOP, SHENHE_POST}
    assert await ranked("police-shenyang", jurisdiction="210102") == [(1, HEPING_SHOP)]
    assert await ranked("regulator-commerce-dalian") == [(1, DALIAN_SHOP)]
    assert await ranked("regulator-postal") == [(1, SHENHE_POST)]
    assert await ranked("admin", sector="postal") == [(1, SHENHE_POST)]
    assert await ranked("police-dalian", jurisdiction="210102") == []


async def test_rankings_page_by_cursor(harness: Harness, running: Running) -> None:
    _province(harness)
    seen: list[str] = []
    cursor = ""
    for _ in range(4):
        page = await running.stub.ListRankings(
            scoring_pb2.ListRankingsRequest(page_size=2, cursor=cursor), metadata=running.auth("admin")
        )
        seen += [i.uscc for i in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 3
    assert len(set(seen)) == 3


async def test_history_lists_periods_and_grade_changes(harness: Harness, running: Running) -> None:
    _province(harness)
    answer = await running.stub.ListScoreHistory(
        scoring_pb2.ListScoreHistoryRequest(uscc=HEPING_SHOP), metadata=running.auth("police-heping")
    )
    assert [p.period for p in answer.periods] == [PERIOD]
    assert answer.grade_changes[0].to_grade == answer.periods[0].grade
    assert answer.grade_changes[-1].from_grade == scoring_pb2.GRADE_UNSPECIFIED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.stub.ListScoreHistory(
            scoring_pb2.ListScoreHistoryRequest(uscc=HEPING_SHOP), metadata=running.auth("police-dalian")
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("request_", "fields"),
    [
        (scoring_pb2.ListRankingsRequest(period="2026-13"), ["period"]),
        (scoring_pb2.ListRankingsRequest(jurisdiction="21", sector="farming"), ["jurisdiction", "sector"]),
        (scoring_pb2.ListRankingsRequest(page_size=1000, cursor="%%%"), ["page_size", "cursor"]),
    ],
)
async def test_bad_ranking_requests_name_their_fields(
    running: Running, request_: scoring_pb2.ListRankingsRequest, fields: list[str]
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.stub.ListRankings(request_, metadata=running.auth("admin"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert _violations(caught.value) == fields


async def test_bad_score_requests_name_their_fields(running: Running) -> None:
    for request, field in (
        (scoring_pb2.GetScoreRequest(uscc="91210102MA0TC0001X"), "uscc"),
        (scoring_pb2.GetScoreRequest(uscc=HEPING_SHOP, period="202611"), "period"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await running.stub.GetScore(request, metadata=running.auth("admin"))
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert _violations(caught.value) == [field]


async def test_no_token_no_answer(running: Running) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.stub.GetScore(scoring_pb2.GetScoreRequest(uscc=HEPING_SHOP))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
