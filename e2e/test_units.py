"""Units through the running gateway (issue 4's stable REST contract): register, read, change with
If-Match, find by a 2-character name fragment, history, key-unit designation, closing; bad input is a 400
naming the fields and writes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import TokenBook
from .support import DEMO_UNIT, assert_problem, new_uscc, rare_fragment, unit_body

UNITS = "/api/v1/units"


def pointers(problem: dict[str, Any]) -> set[str]:
    return {error["pointer"] for error in problem.get("errors") or []}


@pytest.fixture
def registered(api: httpx.Client, tokens: TokenBook) -> dict[str, Any]:
    """A unit just registered in 和平区 by police-heping, with a rare 2-character fragment in its name."""
    fragment = rare_fragment()
    body = unit_body(new_uscc(), name=f"沈阳{fragment}端到端测试有限公司", legal_representative="王测试")
    response = api.post(UNITS, json=body, headers=tokens.bearer("police-heping"))
    assert response.status_code == 201, response.text
    return {"fragment": fragment, "response": response, "body": body}


def test_register_read_change_and_find_a_unit(
    api: httpx.Client, tokens: TokenBook, registered: dict[str, Any]
) -> None:
    police = tokens.bearer("police-heping")
    created: httpx.Response = registered["response"]
    uscc = registered["body"]["uscc"]
    unit = created.json()
    assert created.headers["location"] == f"{UNITS}/{uscc}"
    assert created.headers["etag"] == '"1"'
    assert created.headers["content-type"] == "application/json"
    assert unit | registered["body"] == unit  # every field as sent
    assert unit["status"] == "active"
    assert unit["sectors"] == ["commerce"]
    assert unit["jurisdiction_name"] == "和平区"
    assert unit["key_unit"] is False
    assert unit["key_unit_category"] is None
    assert unit["police_station"] is None

    read = api.get(f"{UNITS}/{uscc}", headers=police)
    assert read.status_code == 200
    assert read.headers["etag"] == '"1"'
    assert read.json() == unit

    change = {"address": "辽宁省沈阳市和平区中华路9号", "police_station": "210102001"}
    unconditional = api.patch(f"{UNITS}/{uscc}", json=change, headers=police)
    assert assert_problem(unconditional, 428)["type"] == "urn:neibao:problem:precondition-required"

    changed = api.patch(f"{UNITS}/{uscc}", json=change, headers={**police, "If-Match": read.headers["etag"]})
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["address"] == change["address"]
    assert changed.json()["police_station"] == "210102001"
    assert changed.json()["name"] == unit["name"]  # keys not sent are kept

    for stale in ('"1"', 'W/"2"', '"x"'):
        refused = api.patch(
            f"{UNITS}/{uscc}", json={"address": "别处"}, headers={**police, "If-Match": stale}
        )
        assert assert_problem(refused, 412)["type"] == "urn:neibao:problem:precondition-failed", stale
    assert api.get(f"{UNITS}/{uscc}", headers=police).json()["address"] == change["address"]

    found = api.get(UNITS, params={"q": registered["fragment"]}, headers=police)
    assert found.status_code == 200
    assert uscc in [item["uscc"] for item in found.json()["items"]]
    assert "next_cursor" in found.json()

    history = api.get(f"{UNITS}/{uscc}/changes", headers=police).json()
    assert [entry["change_type"] for entry in history["items"]] == ["updated", "registered"]
    assert [entry["version"] for entry in history["items"]] == [2, 1]
    assert {c["field"] for c in history["items"][0]["changes"]} == {"address", "police_station"}
    assert history["items"][0]["actor"]["name"] == "police-heping"
    assert history["next_cursor"] is None


def test_null_clears_an_optional_field_and_a_required_one_cannot_be_cleared(
    api: httpx.Client, tokens: TokenBook, registered: dict[str, Any]
) -> None:
    police = tokens.bearer("police-heping")
    uscc = registered["body"]["uscc"]
    cleared = api.patch(
        f"{UNITS}/{uscc}", json={"legal_representative": None}, headers={**police, "If-Match": '"1"'}
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["legal_representative"] is None
    refused = api.patch(f"{UNITS}/{uscc}", json={"name": None}, headers={**police, "If-Match": '"2"'})
    assert pointers(assert_problem(refused, 400)) == {"/name"}
    empty = api.patch(f"{UNITS}/{uscc}", json={}, headers={**police, "If-Match": '"2"'})
    assert_problem(empty, 400)
    unknown = api.patch(f"{UNITS}/{uscc}", json={"version": 9}, headers={**police, "If-Match": '"2"'})
    assert pointers(assert_problem(unknown, 400)) == {"/version"}


def test_a_key_unit_is_proposed_confirmed_and_withdrawn(
    api: httpx.Client, tokens: TokenBook, registered: dict[str, Any]
) -> None:
    uscc = registered["body"]["uscc"]
    designations = f"{UNITS}/{uscc}/designations"
    proposal = {"category": "reserve_or_trade_centre", "reason": "大型商贸中心"}

    proposed = api.post(designations, json=proposal, headers=tokens.bearer("police-heping"))
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["state"] == "proposed"
    assert proposed.json()["proposed_by"]["name"] == "police-heping"
    again = api.post(designations, json=proposal, headers=tokens.bearer("police-heping"))
    assert_problem(again, 409)

    # A district's police propose; only a city bureau (or the province) decides.
    district = api.post(f"{designations}/confirm", headers=tokens.bearer("police-heping"))
    assert_problem(district, 403)
    stale = api.post(
        f"{designations}/confirm", headers={**tokens.bearer("police-shenyang"), "If-Match": '"7"'}
    )
    assert_problem(stale, 412)
    confirmed = api.post(
        f"{designations}/confirm",
        json={"designated_on": "2026-01-01"},
        headers={**tokens.bearer("police-shenyang"), "If-Match": '"1"'},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["unit"]["key_unit"] is True
    assert confirmed.json()["unit"]["key_unit_category"] == "reserve_or_trade_centre"
    assert confirmed.json()["designation"]["state"] == "confirmed"
    assert confirmed.json()["designation"]["designated_on"] == "2026-01-01"
    assert confirmed.headers["etag"] == '"2"'
    # Nothing pending any more: confirming again is a conflict of state, not a stale version.
    again = api.post(f"{designations}/confirm", headers={**tokens.bearer("admin"), "If-Match": '"2"'})
    assert_problem(again, 409)

    withdrawn = api.post(
        f"{designations}/withdraw", json={"reason": "不再符合条件"}, headers=tokens.bearer("admin")
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["unit"]["key_unit"] is False
    assert withdrawn.json()["designation"]["state"] == "withdrawn"

    listed = api.get(designations, headers=tokens.bearer("security-chief-demo"))
    assert_problem(listed, 404)  # not its unit
    history = api.get(designations, headers=tokens.bearer("police-heping")).json()["items"]
    assert [item["state"] for item in history] == ["withdrawn"]
    assert history[0]["withdrawal_reason"] == "不再符合条件"


def test_closing_needs_the_current_version(
    api: httpx.Client, tokens: TokenBook, registered: dict[str, Any]
) -> None:
    police = tokens.bearer("police-heping")
    uscc = registered["body"]["uscc"]
    assert_problem(api.post(f"{UNITS}/{uscc}/close", json={"reason": "注销"}, headers=police), 428)
    closed = api.post(f"{UNITS}/{uscc}/close", json={"reason": "注销"}, headers={**police, "If-Match": "*"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_at"]
    closed_list = api.get(UNITS, params={"uscc": uscc, "status": "closed"}, headers=police).json()
    assert [item["uscc"] for item in closed_list["items"]] == [uscc]


def test_unit_security_changes_its_basic_fields_only(api: httpx.Client, tokens: TokenBook) -> None:
    chief = tokens.bearer("security-chief-demo")
    current = api.get(f"{UNITS}/{DEMO_UNIT}", headers=chief)
    refused = api.patch(
        f"{UNITS}/{DEMO_UNIT}",
        json={"sector": "postal"},
        headers={**chief, "If-Match": current.headers["etag"]},
    )
    assert_problem(refused, 403)
    assert api.get(f"{UNITS}/{DEMO_UNIT}", headers=chief).headers["etag"] == current.headers["etag"]


@pytest.mark.parametrize(
    ("principal", "changes", "pointer"),
    [
        ("police-heping", {"uscc": "wrong-check"}, "/uscc"),  # the check character, below
        ("police-shenyang", {"jurisdiction": "210199"}, "/jurisdiction"),  # in its city, but no district
        ("police-heping", {"unit_type": "spaceship"}, "/unit_type"),
        ("police-heping", {"sector": "mining"}, "/sector"),
        (
            "police-heping",
            {"location": {"latitude": 41.8, "longitude": 123.4}},
            "/location/coordinate_system",
        ),
        ("police-heping", {"name": "名" * 201}, "/name"),
        ("police-heping", {"police_station": "210202001"}, "/police_station"),  # a Dalian station
        ("police-heping", {"version": 3}, "/version"),  # not a field one sends
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    principal: str, changes: dict[str, Any], pointer: str, api: httpx.Client, tokens: TokenBook
) -> None:
    uscc = new_uscc()
    if changes.get("uscc") == "wrong-check":
        wrong = "0" if uscc[-1] != "0" else "1"
        changes = {"uscc": uscc[:-1] + wrong}
    body = unit_body(uscc) | changes
    response = api.post(UNITS, json=body, headers=tokens.bearer(principal))
    problem = assert_problem(response, 400)
    assert pointer in pointers(problem), problem
    assert problem["type"] == "urn:neibao:problem:invalid-argument"
    for written in {uscc, body["uscc"]}:
        assert_problem(api.get(f"{UNITS}/{written}", headers=tokens.bearer("admin")), 404)


def test_a_taken_uscc_is_a_conflict(api: httpx.Client, tokens: TokenBook) -> None:
    response = api.post(UNITS, json=unit_body(DEMO_UNIT), headers=tokens.bearer("police-heping"))
    assert assert_problem(response, 409)["type"] == "urn:neibao:problem:already-exists"


def test_police_register_only_inside_their_jurisdiction(api: httpx.Client, tokens: TokenBook) -> None:
    uscc = new_uscc("210202")
    body = unit_body(uscc, jurisdiction="210202", address="辽宁省大连市中山区人民路1号")
    assert_problem(api.post(UNITS, json=body, headers=tokens.bearer("police-heping")), 403)
    assert_problem(api.get(f"{UNITS}/{uscc}", headers=tokens.bearer("admin")), 404)


def test_malformed_json_and_a_page_size_above_the_cap(api: httpx.Client, tokens: TokenBook) -> None:
    police = tokens.bearer("police-heping")
    malformed = api.post(UNITS, content=b"{not json", headers={**police, "Content-Type": "application/json"})
    assert assert_problem(malformed, 400)["type"] == "urn:neibao:problem:malformed-request"
    too_many = api.get(UNITS, params={"limit": 201}, headers=police)
    assert pointers(assert_problem(too_many, 400)) == {"/limit"}
    unknown_enum = api.get(UNITS, params={"sector": "mining"}, headers=police)
    assert pointers(assert_problem(unknown_enum, 400)) == {"/sector"}


def test_the_live_stream_is_not_taken_for_a_unit(api: httpx.Client, tokens: TokenBook) -> None:
    with api.stream("GET", f"{UNITS}/stream", headers=tokens.bearer("police-heping")) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
