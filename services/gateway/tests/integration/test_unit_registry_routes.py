"""The unit registry's REST routes: the gateway in-process, the RUNNING unit registry behind it (seeded
demo province), real tokens. What crosses the gateway both ways, ETags and If-Match, problems."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest
from stdnum.cn import uscc as stdnum_uscc

from .conftest import RunningGateway, StartGateway, bearer

DEMO_UNIT = "91210102MA0LN001X3"
DEMO_POSTAL = "91210200MA0YP3D80R"
UNITS = "/api/v1/units"


def fresh_uscc() -> str:
    body = "91210102" + "".join(random.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=9))
    return body + stdnum_uscc.calc_check_digit(body)


def registration(uscc: str, **changes: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "name": "沈阳网关集成测试有限公司",
        "unit_type": "logistics",
        "sector": "transport",
        "sectors": ["postal"],
        "jurisdiction": "210102",
        "address": "辽宁省沈阳市和平区十一纬路2号",
        "location": {"latitude": 41.78, "longitude": 123.41, "coordinate_system": "wgs84"},
        **changes,
    }


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def gateway(start_gateway: StartGateway, unit_registry: str) -> RunningGateway:
    return await start_gateway(upstreams={"unit-registry": unit_registry})


async def test_a_unit_is_read_with_its_etag(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    response = await gateway.client.get(f"{UNITS}/{DEMO_UNIT}", headers=bearer(tokens["police-heping"]))

    assert response.status_code == 200
    unit = response.json()
    assert response.headers["etag"] == f'"{unit["version"]}"' == unit["etag"]
    assert response.headers["content-type"] == "application/json"
    assert unit["uscc"] == DEMO_UNIT
    assert unit["jurisdiction"] == "210102"
    assert unit["jurisdiction_name"] == "和平区"
    assert unit["unit_type"] == "reserve_or_trade_centre"
    assert unit["sector"] == "commerce"
    assert unit["location"]["coordinate_system"] == "gcj02"
    assert isinstance(unit["version"], int)


async def test_a_unit_outside_the_scope_is_not_found(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    for resource in ("", "/changes", "/designations"):
        response = await gateway.client.get(
            f"{UNITS}/{DEMO_POSTAL}{resource}", headers=bearer(tokens["police-heping"])
        )
        assert problem_of(response, 404)["type"] == "urn:neibao:problem:not-found"
    listed = await gateway.client.get(
        UNITS, params={"uscc": DEMO_POSTAL}, headers=bearer(tokens["police-heping"])
    )
    assert listed.json() == {"items": [], "next_cursor": None}


async def test_a_list_pages_with_its_cursor(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["police-shenyang"])
    criteria = {"jurisdiction": "210102", "sector": "commerce", "limit": 3}

    first = (await gateway.client.get(UNITS, params=criteria, headers=headers)).json()
    second = (
        await gateway.client.get(UNITS, params={**criteria, "cursor": first["next_cursor"]}, headers=headers)
    ).json()

    assert len(first["items"]) == 3
    assert first["next_cursor"]
    assert second["items"]
    seen = [item["uscc"] for item in first["items"] + second["items"]]
    assert len(seen) == len(set(seen))
    assert seen == sorted(seen)
    for item in first["items"] + second["items"]:
        assert item["jurisdiction"] == "210102"
        assert "commerce" in item["sectors"]


async def test_register_change_with_if_match_and_read_the_history(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    headers = bearer(tokens["police-heping"])
    uscc = fresh_uscc()

    created = await gateway.client.post(UNITS, json=registration(uscc), headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"{UNITS}/{uscc}"
    assert created.headers["etag"] == '"1"'
    assert created.json()["sectors"] == ["transport", "postal"]

    missing = await gateway.client.patch(f"{UNITS}/{uscc}", json={"name": "新名称有限公司"}, headers=headers)
    assert problem_of(missing, 428)["type"] == "urn:neibao:problem:precondition-required"

    changed = await gateway.client.patch(
        f"{UNITS}/{uscc}",
        json={"name": "沈阳网关集成测试二有限公司", "location": None},
        headers={**headers, "If-Match": created.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["name"] == "沈阳网关集成测试二有限公司"
    assert changed.json()["location"] is None  # null cleared it
    assert changed.json()["address"] == registration(uscc)["address"]  # not sent: kept

    stale = await gateway.client.patch(
        f"{UNITS}/{uscc}", json={"name": "另一个有限公司"}, headers={**headers, "If-Match": '"1"'}
    )
    assert problem_of(stale, 412)["type"] == "urn:neibao:problem:precondition-failed"

    history = (await gateway.client.get(f"{UNITS}/{uscc}/changes", headers=headers)).json()
    assert [entry["change_type"] for entry in history["items"]] == ["updated", "registered"]
    updated = {change["field"]: change for change in history["items"][0]["changes"]}
    assert set(updated) == {"name", "location", "former_names"}  # a rename keeps the old name
    assert updated["name"]["new_value"] == '"沈阳网关集成测试二有限公司"'


async def test_a_decision_without_a_proposal_is_a_conflict_even_with_if_match(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    uscc = fresh_uscc()
    created = await gateway.client.post(
        UNITS, json=registration(uscc), headers=bearer(tokens["police-heping"])
    )
    # FAILED_PRECONDITION about the unit's state (nothing to confirm): 409, since GETting again won't help.
    response = await gateway.client.post(
        f"{UNITS}/{uscc}/designations/confirm",
        headers={**bearer(tokens["police-shenyang"]), "If-Match": created.headers["etag"]},
    )
    assert problem_of(response, 409)["type"] == "urn:neibao:problem:conflict"


async def test_the_services_field_violations_point_into_the_body(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    headers = bearer(tokens["police-heping"])
    uscc = fresh_uscc()
    wrong_check = uscc[:-1] + ("0" if uscc[-1] != "0" else "1")

    bad_check = await gateway.client.post(UNITS, json=registration(wrong_check), headers=headers)
    bad_coordinates = await gateway.client.post(
        UNITS,
        json=registration(uscc, location={"latitude": 1.0, "longitude": 2.0, "coordinate_system": "wgs84"}),
        headers=headers,
    )
    unknown_type = await gateway.client.post(
        UNITS, json=registration(uscc, unit_type="spaceship"), headers=headers
    )

    assert [e["pointer"] for e in problem_of(bad_check, 400)["errors"]] == ["/uscc"]
    assert {e["pointer"] for e in problem_of(bad_coordinates, 400)["errors"]} <= {
        "/location",
        "/location/latitude",
        "/location/longitude",
    }
    assert [e["pointer"] for e in problem_of(unknown_type, 400)["errors"]] == ["/unit_type"]
    for written in (uscc, wrong_check):
        absent = await gateway.client.get(f"{UNITS}/{written}", headers=bearer(tokens["admin"]))
        problem_of(absent, 404)


async def test_the_jurisdictions(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["sector-postal-demo"])

    tree = await gateway.client.get("/api/v1/jurisdictions", params={"parent": "210200"}, headers=headers)
    district = await gateway.client.get("/api/v1/jurisdictions/210202", headers=headers)
    bad = await gateway.client.get("/api/v1/jurisdictions/21", headers=headers)

    (dalian,) = tree.json()["items"]
    assert dalian["level"] == "city"
    assert dalian["parent"] == "210000"
    assert "210202" in {child["code"] for child in dalian["children"]}
    assert district.json()["name"] == "中山区"
    assert district.json()["valid_to"] is None
    assert [e["pointer"] for e in problem_of(bad, 400)["errors"]] == ["/code"]
