"""Safe-unit scores through the running platform: a hazard the demo unit rectifies after its deadline
lowers its score, with the hazard as evidence; scores and rankings hold to the caller's scope.

The scoring learns of the rectification from the registry's event stream, so the checks wait (bounded)
for the score to show it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from .conftest import TokenBook
from .support import DEMO_POSTAL, DEMO_UNIT, assert_problem, new_uscc, unit_body

HEPING = "210102"
# The scoring catches up with the whole demo province's events after a fresh start: be patient once.
FIRST_SCORE_WAIT = 600.0
CHANGE_WAIT = 120.0


def _score(
    api: httpx.Client, tokens: TokenBook, principal: str = "security-chief-demo"
) -> dict[str, Any] | None:
    response = api.get(f"/api/v1/scores/{DEMO_UNIT}", headers=tokens.bearer(principal))
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _evidence(score: dict[str, Any], indicator: str) -> list[str]:
    found = next(i for i in score["indicators"] if i["indicator"] == indicator)
    return [e["item_id"] for fact in found["facts"] for e in fact["evidence"]]


def _wait_for_score(
    api: httpx.Client, tokens: TokenBook, holds: Callable[[dict[str, Any]], bool], within: float
) -> dict[str, Any]:
    """The demo unit's score once `holds` is true of it (fails after `within` seconds)."""
    deadline = time.monotonic() + within
    last = None
    while time.monotonic() < deadline:
        last = _score(api, tokens)
        if last is not None and holds(last):
            return last
        time.sleep(0.5)
    pytest.fail(f"the demo unit's score did not get there in {within:.0f}s; last: {last}")


def _hazards(api: httpx.Client, tokens: TokenBook, **query: str) -> list[dict[str, Any]]:
    response = api.get(
        f"/api/v1/units/{DEMO_UNIT}/hazards", params=query, headers=tokens.bearer("security-chief-demo")
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_a_hazard_rectified_late_lowers_the_demo_units_score(api: httpx.Client, tokens: TokenBook) -> None:
    overdue = _hazards(api, tokens, state="open", overdue="true")
    if not overdue:
        # The seeded overdue hazard was rectified by an earlier run: its lateness must still count.
        late = [
            h
            for h in _hazards(api, tokens)
            if h["rectified_at"] and h["deadline"] and h["rectified_at"][:10] > h["deadline"]
        ]
        assert late, "the demo unit has neither an open overdue hazard nor a late rectification (re-seed)"
        score = _wait_for_score(
            api, tokens, lambda s: late[0]["id"] in _evidence(s, "hazards_rectified_late"), FIRST_SCORE_WAIT
        )
        indicator = next(i for i in score["indicators"] if i["indicator"] == "hazards_rectified_late")
        assert indicator["points"] < indicator["weight"]
        return
    hazard = overdue[0]
    before = _wait_for_score(
        api, tokens, lambda s: hazard["id"] in _evidence(s, "hazards_open_overdue"), FIRST_SCORE_WAIT
    )
    assert hazard["id"] not in _evidence(before, "hazards_rectified_late")

    rectified = api.post(
        f"/api/v1/units/{DEMO_UNIT}/hazards/{hazard['id']}/rectify",
        json={
            "rectification_note": "端到端测试：逾期完成整改",
            "evidence": [{"description": "整改照片", "uri": "https://files.neibao.example/e2e/late.jpg"}],
        },
        headers=tokens.bearer("security-chief-demo"),
    )
    assert rectified.status_code == 200, rectified.text

    after = _wait_for_score(
        api, tokens, lambda s: hazard["id"] in _evidence(s, "hazards_rectified_late"), CHANGE_WAIT
    )
    assert after["total"] < before["total"]
    late = next(i for i in after["indicators"] if i["indicator"] == "hazards_rectified_late")
    (evidence,) = [e for f in late["facts"] for e in f["evidence"] if e["item_id"] == hazard["id"]]
    assert evidence["kind"] == "hazard"
    assert len(evidence["event_ids"]) >= 2  # opened ... rectified
    assert "days late" in evidence["note"]
    assert hazard["id"] not in _evidence(after, "hazards_open_overdue")


def test_a_foreign_units_score_is_not_found(api: httpx.Client, tokens: TokenBook) -> None:
    _wait_for_score(api, tokens, lambda _: True, FIRST_SCORE_WAIT)
    assert _score(api, tokens, "police-heping") is not None
    for outsider in ("police-dalian", "regulator-commerce-dalian"):
        response = api.get(f"/api/v1/scores/{DEMO_UNIT}", headers=tokens.bearer(outsider))
        assert_problem(response, 404)
        history = api.get(f"/api/v1/scores/{DEMO_UNIT}/history", headers=tokens.bearer(outsider))
        assert_problem(history, 404)
    history = api.get(f"/api/v1/scores/{DEMO_UNIT}/history", headers=tokens.bearer("security-chief-demo"))
    assert history.status_code == 200, history.text
    assert history.json()["periods"]


def _ranked(api: httpx.Client, tokens: TokenBook, principal: str, **query: str) -> list[dict[str, Any]]:
    """Every page of the ranking as `principal` sees it."""
    items: list[dict[str, Any]] = []
    params = {**query, "limit": "200"}
    while True:
        response = api.get("/api/v1/rankings", params=params, headers=tokens.bearer(principal))
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        params["cursor"] = page["next_cursor"]


def test_rankings_hold_only_units_in_scope(api: httpx.Client, tokens: TokenBook) -> None:
    _wait_for_score(api, tokens, lambda _: True, FIRST_SCORE_WAIT)
    dalian = _ranked(api, tokens, "police-dalian")
    assert dalian
    assert all(item["jurisdiction"].startswith("2102") for item in dalian)
    assert DEMO_UNIT not in {item["uscc"] for item in dalian}
    # Asking for Heping does not widen Dalian police's scope.
    assert _ranked(api, tokens, "police-dalian", jurisdiction=HEPING) == []
    heping = _ranked(api, tokens, "police-heping", jurisdiction=HEPING)
    assert DEMO_UNIT in {item["uscc"] for item in heping}
    assert all(item["jurisdiction"] == HEPING for item in heping)
    ranks = [item["rank"] for item in heping]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    commerce = _ranked(api, tokens, "regulator-commerce-dalian")
    assert commerce
    assert all(item["jurisdiction"].startswith("2102") for item in commerce)
    assert {item["uscc"] for item in commerce} < {item["uscc"] for item in dalian}


def test_bad_ranking_queries_are_refused_with_their_fields(api: httpx.Client, tokens: TokenBook) -> None:
    response = api.get(
        "/api/v1/rankings", params={"period": "2026-13", "sector": "farming"}, headers=tokens.bearer("admin")
    )
    problem = assert_problem(response, 400)
    assert {e["pointer"] for e in problem["errors"]} >= {"/period", "/sector"}
    assert_problem(api.get("/api/v1/rankings", headers=tokens.bearer("sector-postal-demo")), 403)


def _sheet(api: httpx.Client, tokens: TokenBook) -> list[dict[str, Any]]:
    """Full points for every indicator of the model the demo unit is scored under."""
    score = _wait_for_score(api, tokens, lambda _: True, FIRST_SCORE_WAIT)
    return [{"indicator": i["indicator"], "points": i["weight"]} for i in score["indicators"]]


def test_the_demo_unit_submits_a_self_assessment_once_per_review(
    api: httpx.Client, tokens: TokenBook
) -> None:
    body = {"period": _wait_for_score(api, tokens, lambda _: True, FIRST_SCORE_WAIT)["period"]}
    body["items"] = _sheet(api, tokens)  # type: ignore[assignment]
    url = f"/api/v1/scores/{DEMO_UNIT}/self-assessments"
    first = api.post(url, json=body, headers=tokens.bearer("security-chief-demo"))
    # An earlier run's assessment of this period may still await review.
    assert first.status_code in (201, 409), first.text
    if first.status_code == 201:
        assessment = first.json()
        assert (assessment["state"], assessment["claimed_total"], assessment["uscc"]) == (
            "submitted",
            100,
            DEMO_UNIT,
        )
    assert_problem(api.post(url, json=body, headers=tokens.bearer("security-chief-demo")), 409)
    assert_problem(api.post(url, json=body, headers=tokens.bearer("police-heping")), 403)
    foreign = f"/api/v1/scores/{DEMO_POSTAL}/self-assessments"
    assert_problem(api.post(foreign, json=body, headers=tokens.bearer("security-chief-demo")), 404)
    bad = {**body, "items": [{"indicator": "drills", "points": 99}]}
    problem = assert_problem(api.post(url, json=bad, headers=tokens.bearer("security-chief-demo")), 400)
    assert {e["pointer"] for e in problem["errors"]} >= {"/items/0/points"}
    if first.status_code == 201:
        # 联合创建: the unit's police review it, once; police elsewhere never learn it exists.
        review = f"/api/v1/self-assessments/{first.json()['id']}/review"
        agree = {"decision": "agree", "note": "经核查属实"}
        assert_problem(api.post(review, json=agree, headers=tokens.bearer("police-dalian")), 404)
        assert_problem(
            api.post(review, json={"decision": "adjust"}, headers=tokens.bearer("police-heping")), 400
        )
        reviewed = api.post(review, json=agree, headers=tokens.bearer("police-heping"))
        assert reviewed.status_code == 200, reviewed.text
        assert reviewed.json()["state"] == "agreed"
        assert reviewed.json()["reviewed_by"]
        assert_problem(api.post(review, json=agree, headers=tokens.bearer("police-heping")), 409)


def test_a_real_robbery_vetoes_a_units_grade_at_once(api: httpx.Client, tokens: TokenBook) -> None:
    """A real hold-up alarm at a fresh Heping unit is a veto (一票否决) on its grade, with the alarm as
    evidence (the demotion of a unit in a better band is proved by the service's integration tests)."""
    uscc = new_uscc(HEPING)
    police = tokens.bearer("police-heping")
    registered = api.post("/api/v1/units", json=unit_body(uscc), headers=police)
    assert registered.status_code == 201, registered.text
    deadline = time.monotonic() + CHANGE_WAIT
    alarm = None
    body = {
        "uscc": uscc,
        "kind": "hold_up",
        "priority": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "description": "端到端测试：抢劫报警",
        "source_id": uuid.uuid4().hex,
    }
    while alarm is None and time.monotonic() < deadline:  # the alarm routing learns of the unit by its event
        raised = api.post("/api/v1/alarms", json=body, headers=police)
        if raised.status_code == 201:
            alarm = raised.json()
        else:
            assert raised.status_code == 404, raised.text
            time.sleep(0.5)
    assert alarm is not None, "the alarm routing did not learn of the new unit"
    resolved = api.post(f"/api/v1/alarms/{alarm['id']}/resolve", json={"outcome": "real"}, headers=police)
    assert resolved.status_code == 200, resolved.text

    deadline = time.monotonic() + CHANGE_WAIT
    score = None
    while time.monotonic() < deadline:
        answer = api.get(f"/api/v1/scores/{uscc}", headers=police)
        if answer.status_code == 200 and answer.json()["vetoes"]:
            score = answer.json()
            break
        time.sleep(0.5)
    assert score is not None, "the veto did not reach the unit's score"
    assert (score["grade"], score["grade_reason"]) == ("rectification", "veto: major_incident")
    (veto,) = score["vetoes"]
    assert [e["item_id"] for e in veto["evidence"]] == [alarm["id"]]
    history = api.get(f"/api/v1/scores/{uscc}/history", headers=police).json()
    assert history["periods"][0]["grade_reason"] == "veto: major_incident"
    assert_problem(api.get(f"/api/v1/scores/{uscc}", headers=tokens.bearer("police-dalian")), 404)


# --- 联合创建's review queue, a review's effect on the grade, movers ------------------------------------

# Indicators a test review may set: the hazard indicators stay computed (the hazard test above reads them).
REVIEWABLE = (
    "filing_accepted",
    "trainings",
    "drills",
    "devices_online",
    "devices_compliant",
    "real_incidents",
)
REVIEW_DAYS = 15


def _queue(api: httpx.Client, tokens: TokenBook, principal: str, **query: str) -> list[dict[str, Any]]:
    """Every page of the review queue as `principal` sees it."""
    items: list[dict[str, Any]] = []
    params = {**query, "limit": "200"}
    while True:
        response = api.get("/api/v1/self-assessments", params=params, headers=tokens.bearer(principal))
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        params["cursor"] = page["next_cursor"]


def _review(api: httpx.Client, tokens: TokenBook, assessment_id: str, body: dict[str, Any]) -> httpx.Response:
    return api.post(
        f"/api/v1/self-assessments/{assessment_id}/review", json=body, headers=tokens.bearer("police-heping")
    )


def _submit_fresh(api: httpx.Client, tokens: TokenBook, period: str) -> dict[str, Any]:
    """A new self-assessment of the demo unit for the period; one another test left awaiting review is
    agreed first (as Heping police), since a unit has one awaiting per period."""
    body = {"period": period, "items": _sheet(api, tokens)}
    url = f"/api/v1/scores/{DEMO_UNIT}/self-assessments"
    for _ in range(5):
        submitted = api.post(url, json=body, headers=tokens.bearer("security-chief-demo"))
        if submitted.status_code == 201:
            document: dict[str, Any] = submitted.json()
            return document
        assert submitted.status_code == 409, submitted.text
        for waiting in _queue(api, tokens, "police-heping", state="submitted", uscc=DEMO_UNIT):
            if waiting["period"] == period:
                agreed = _review(
                    api, tokens, waiting["id"], {"decision": "agree", "note": "端到端测试：清理"}
                )
                assert agreed.status_code in (200, 409), agreed.text  # 409: someone reviewed it meanwhile
    pytest.fail("could not submit a self-assessment of the demo unit (another awaits review each time)")


def test_the_review_queue_lists_a_submitted_self_assessment_with_its_due_date(
    api: httpx.Client, tokens: TokenBook
) -> None:
    period = _wait_for_score(api, tokens, lambda _: True, FIRST_SCORE_WAIT)["period"]
    submitted = _submit_fresh(api, tokens, period)
    due = datetime.fromisoformat(submitted["review_due_at"])
    assert due - datetime.fromisoformat(submitted["submitted_at"]) == timedelta(days=REVIEW_DAYS)
    assert submitted["overdue"] is False

    queue = _queue(api, tokens, "police-heping", state="submitted")
    (listed,) = [item for item in queue if item["id"] == submitted["id"]]
    assert (listed["uscc"], listed["jurisdiction"], listed["state"], listed["overdue"]) == (
        DEMO_UNIT,
        HEPING,
        "submitted",
        False,
    )
    assert listed["unit_name"]
    assert datetime.fromisoformat(listed["review_due_at"]) == due
    dues = [item["review_due_at"] for item in queue]
    assert [datetime.fromisoformat(d) for d in dues] == sorted(datetime.fromisoformat(d) for d in dues)
    own = _queue(api, tokens, "security-chief-demo")
    assert submitted["id"] in {item["id"] for item in own}
    assert {item["uscc"] for item in own} == {DEMO_UNIT}
    assert submitted["id"] in {item["id"] for item in _queue(api, tokens, "admin", uscc=DEMO_UNIT)}
    # Police elsewhere never see a Heping assessment, even when asking for the unit.
    for outsider in ("police-dalian", "regulator-commerce-dalian"):
        foreign = _queue(api, tokens, outsider)
        assert all(item["jurisdiction"].startswith("2102") for item in foreign), outsider
        assert _queue(api, tokens, outsider, uscc=DEMO_UNIT) == []
    bad = api.get(
        "/api/v1/self-assessments",
        params={"state": "lost", "cursor": "x" * 600},
        headers=tokens.bearer("admin"),
    )
    assert {e["pointer"] for e in assert_problem(bad, 400)["errors"]} >= {"/state", "/cursor"}
    assert_problem(api.get("/api/v1/self-assessments", headers=tokens.bearer("sector-postal-demo")), 403)
    # Leave nothing awaiting review.
    assert _review(api, tokens, submitted["id"], {"decision": "agree"}).status_code == 200


def test_an_adjusting_review_changes_the_periods_total_and_grade(
    api: httpx.Client, tokens: TokenBook
) -> None:
    before = _wait_for_score(api, tokens, lambda _: True, FIRST_SCORE_WAIT)
    submitted = _submit_fresh(api, tokens, before["period"])
    indicators = {i["indicator"]: i for i in before["indicators"]}

    def plan(up: bool) -> list[dict[str, Any]]:
        """Full points (up) or none for the reviewable indicators not there yet."""
        return [
            {
                "indicator": name,
                "points": indicators[name]["weight"] if up else 0,
                "reason": "端到端测试：现场核查" + ("已落实" if up else "未落实"),
            }
            for name in REVIEWABLE
            if (
                indicators[name]["points"] < indicators[name]["weight"]
                if up
                else indicators[name]["points"] > 0
            )
        ]

    # Raise a unit in 整改 to full points, lower one above it to none: its band moves. An earlier run may
    # have set the points that way already: then the other way (the total moves; the band may not).
    crossing = before["grade"] == "rectification"
    adjustments = plan(crossing) or plan(not crossing)
    moves_band = bool(plan(crossing))
    assert adjustments, "the demo unit's reviewable indicators are all at the points this review would set"
    reviewed = _review(api, tokens, submitted["id"], {"decision": "adjust", "adjustments": adjustments})
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["state"] == "adjusted"

    after = _score(api, tokens)
    assert after is not None
    assert after["period"] == before["period"]
    assert after["total"] != before["total"]
    by_name = {i["indicator"]: i for i in after["indicators"]}
    for adjustment in adjustments:
        indicator = by_name[adjustment["indicator"]]
        assert indicator["points"] == adjustment["points"]
        assert indicator["explanation"].startswith("reviewed: ")
        assert submitted["id"] in indicator["explanation"]
    assert after["total"] == pytest.approx(sum(i["points"] for i in after["indicators"]), abs=0.011)
    # The grade was decided again, naming the review; a veto (一票否决) keeps 整改 whatever the points.
    assert submitted["id"] in after["grade_reason"]
    if after["vetoes"]:
        assert after["grade"] == "rectification"
    elif moves_band:
        assert after["grade"] != before["grade"]
        history = api.get(f"/api/v1/scores/{DEMO_UNIT}/history", headers=tokens.bearer("police-heping"))
        assert submitted["id"] in history.json()["grade_changes"][0]["reason"]


def test_movers_answer_in_scope(api: httpx.Client, tokens: TokenBook) -> None:
    _wait_for_score(api, tokens, lambda _: True, FIRST_SCORE_WAIT)
    response = api.get("/api/v1/rankings/movers", params={"limit": "20"}, headers=tokens.bearer("admin"))
    assert response.status_code == 200, response.text
    movers = response.json()
    assert set(movers) == {"period", "up", "down"}
    keys = {"uscc", "name", "jurisdiction", "total", "previous_total", "delta", "grade", "previous_grade"}
    for entry in movers["up"] + movers["down"]:
        assert set(entry) == keys
        assert entry["delta"] == pytest.approx(entry["total"] - entry["previous_total"], abs=0.011)
    assert all(e["delta"] > 0 for e in movers["up"])
    assert all(e["delta"] < 0 for e in movers["down"])
    assert [e["delta"] for e in movers["up"]] == sorted((e["delta"] for e in movers["up"]), reverse=True)
    assert [e["delta"] for e in movers["down"]] == sorted(e["delta"] for e in movers["down"])
    dalian = api.get("/api/v1/rankings/movers", headers=tokens.bearer("police-dalian")).json()
    assert all(e["jurisdiction"].startswith("2102") for e in dalian["up"] + dalian["down"])
    heping = api.get(
        "/api/v1/rankings/movers", params={"jurisdiction": HEPING}, headers=tokens.bearer("police-dalian")
    ).json()
    assert (heping["up"], heping["down"]) == ([], [])
    previous = api.get(
        "/api/v1/rankings/movers", params={"period": "2026-10"}, headers=tokens.bearer("police-heping")
    )
    assert previous.status_code == 200, previous.text
    assert previous.json()["period"] == "2026-10"
    assert_problem(api.get("/api/v1/rankings/movers", headers=tokens.bearer("sector-postal-demo")), 403)
