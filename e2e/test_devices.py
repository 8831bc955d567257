"""Devices end to end through the running gateway with the demo accounts: the demo province's devices
(equipped by the demo device platform, its heartbeats through Kafka), every list and read within each
account's scope, registration and heartbeats by the issue's contract, compliance explained.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from functools import cache
from typing import Any

import httpx
import pytest

from .conftest import TokenBook
from .support import DEMO_POSTAL, DEMO_UNIT, DEMO_USERS, SECTOR_CLIENT, assert_problem

DEVICES = "/api/v1/devices"
READERS = tuple(user for user in DEMO_USERS)
MAX_PAGES = 3


# On a fresh platform the inventory learns the demo province from the registry's events (≈ 20k) and the
# demo device platform equips each unit as it arrives: wait for that, boundedly, before judging.
CATCH_UP_SECONDS = 300


@pytest.fixture(scope="module", autouse=True)
def demo_province_equipped(api: httpx.Client, tokens: TokenBook) -> None:
    """Wait until both demo units have devices and the platform's heartbeats and the sweep have acted."""
    deadline = time.monotonic() + CATCH_UP_SECONDS
    admin = tokens.bearer("admin")
    while True:
        units = [
            api.get(DEVICES, params={"uscc": uscc}, headers=admin).json()["items"]
            for uscc in (DEMO_UNIT, DEMO_POSTAL)
        ]
        offline = api.get(DEVICES, params={"status": "offline", "limit": 1}, headers=admin).json()["items"]
        online = [d for d in units[0] if d["status"] == "online"]
        if all(units) and online and offline:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"the demo province's devices were not equipped and heard from in {CATCH_UP_SECONDS} s"
            )
        time.sleep(2)


def me(api: httpx.Client, tokens: TokenBook, principal: str) -> dict[str, Any]:
    document: dict[str, Any] = api.get("/api/v1/me", headers=tokens.bearer(principal)).json()
    return document


def devices_of(api: httpx.Client, tokens: TokenBook, principal: str, **criteria: Any) -> list[dict[str, Any]]:
    """Up to MAX_PAGES pages of devices as `principal` sees them."""
    found: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_PAGES):
        params = {**criteria, "limit": 200, **({"cursor": cursor} if cursor else {})}
        response = api.get(DEVICES, params=params, headers=tokens.bearer(principal))
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    return found


@pytest.mark.parametrize("principal", READERS)
def test_every_listed_device_lies_in_the_callers_scope(
    api: httpx.Client, tokens: TokenBook, principal: str
) -> None:
    viewer = me(api, tokens, principal)
    roles = set(viewer["roles"])
    jurisdiction = viewer["jurisdiction"]["code"] if viewer["jurisdiction"] else ""
    prefix = jurisdiction
    while prefix.endswith("00"):
        prefix = prefix[:-2]

    @cache
    def sectors(uscc: str) -> tuple[str, ...]:
        unit = api.get(f"/api/v1/units/{uscc}", headers=tokens.bearer("admin")).json()
        return tuple(unit["sectors"])

    listed = devices_of(api, tokens, principal)
    if principal != "regulator-commerce-dalian":
        assert listed, f"{principal} sees no device of the demo province"
    for device in listed:
        within = bool(prefix) and device["jurisdiction"].startswith(prefix)
        assert (
            "province-admin" in roles
            or ("police" in roles and within)
            or ("regulator" in roles and within and viewer["sector"] in sectors(device["uscc"]))
            or ("unit-security" in roles and device["uscc"] == viewer["unit"])
        ), (principal, device["uscc"], device["jurisdiction"])


def test_a_device_outside_the_scope_is_not_found(api: httpx.Client, tokens: TokenBook) -> None:
    [dalian] = devices_of(api, tokens, "admin", uscc=DEMO_POSTAL)[:1]
    for principal in ("police-heping", "security-chief-demo", "regulator-commerce-dalian"):
        response = api.get(f"{DEVICES}/{dalian['id']}", headers=tokens.bearer(principal))
        assert assert_problem(response, 404)["type"] == "urn:neibao:problem:not-found"
    for principal in ("police-dalian", "regulator-postal", "admin"):
        assert api.get(f"{DEVICES}/{dalian['id']}", headers=tokens.bearer(principal)).status_code == 200
    assert devices_of(api, tokens, "police-heping", uscc=DEMO_POSTAL) == []


def test_the_demo_province_has_online_and_offline_devices(api: httpx.Client, tokens: TokenBook) -> None:
    mine = devices_of(api, tokens, "security-chief-demo")
    assert {d["uscc"] for d in mine} == {DEMO_UNIT}
    # The demo platform's heartbeats reach the inventory through Kafka and the consumer.
    assert any(d["status"] == "online" for d in mine)
    offline = api.get(
        DEVICES, params={"status": "offline", "limit": 5}, headers=tokens.bearer("admin")
    ).json()
    assert offline["items"]
    assert all(d["status"] == "offline" for d in offline["items"])


def test_register_then_heartbeat_brings_a_device_online(api: httpx.Client, tokens: TokenBook) -> None:
    body = {"device_type": "one_button_alarm", "name": "端到端测试一键报警", "networked_to_police": True}
    created = api.post(
        f"/api/v1/units/{DEMO_UNIT}/devices", json=body, headers=tokens.bearer("security-chief-demo")
    )
    assert created.status_code == 201, created.text
    device = created.json()
    assert device["status"] == "unknown"
    assert created.headers["location"] == f"{DEVICES}/{device['id']}"
    beat = {
        "heartbeats": [{"device_id": device["id"], "at": datetime.now(UTC).isoformat()}, {"device_id": "x"}]
    }
    answer = api.post(f"{DEVICES}/heartbeats", json=beat, headers=tokens.bearer("security-chief-demo")).json()
    assert [r["accepted"] for r in answer["results"]] == [True, False]
    read = api.get(f"{DEVICES}/{device['id']}", headers=tokens.bearer("police-heping")).json()
    assert read["status"] == "online"
    assert read["last_heartbeat_at"]
    # Bad input: field errors; another unit: 404; a regulator may not register.
    bad = api.post(
        f"/api/v1/units/{DEMO_UNIT}/devices",
        json={"device_type": "nvr", "name": "x", "retention_days": -5},
        headers=tokens.bearer("security-chief-demo"),
    )
    assert [e["pointer"] for e in assert_problem(bad, 400)["errors"]] == ["/retention_days"]
    assert_problem(
        api.post(
            f"/api/v1/units/{DEMO_POSTAL}/devices", json=body, headers=tokens.bearer("security-chief-demo")
        ),
        404,
    )
    assert_problem(
        api.post(f"/api/v1/units/{DEMO_UNIT}/devices", json=body, headers=tokens.bearer("regulator-postal")),
        403,
    )


def test_an_intrusion_panel_keeps_its_zones_and_a_patch_replaces_them(
    api: httpx.Client, tokens: TokenBook
) -> None:
    chief = tokens.bearer("security-chief-demo")
    zones = [
        {"number": 2, "name": "金库红外", "detector": "passive_infrared"},
        {"number": 1, "name": "前门门磁", "detector": "door_contact"},
    ]
    body = {"device_type": "intrusion_panel", "name": "端到端测试入侵报警主机", "zones": zones}
    created = api.post(f"/api/v1/units/{DEMO_UNIT}/devices", json=body, headers=chief)
    assert created.status_code == 201, created.text
    url = f"{DEVICES}/{created.json()['id']}"
    read = api.get(url, headers=tokens.bearer("police-heping"))
    assert [(z["number"], z["name"], z["detector"], z["key_part"]) for z in read.json()["zones"]] == [
        (1, "前门门磁", "door_contact", None),
        (2, "金库红外", "passive_infrared", None),
    ]
    replaced = api.patch(
        url,
        json={"zones": [{"number": 5, "name": "窗户玻璃", "detector": "glass_break"}]},
        headers={**tokens.bearer("police-heping"), "If-Match": read.headers["etag"]},
    )
    assert replaced.status_code == 200, replaced.text
    assert [(z["number"], z["detector"]) for z in replaced.json()["zones"]] == [(5, "glass_break")]
    assert api.get(url, headers=chief).json()["zones"] == replaced.json()["zones"]
    # A patch without zones keeps them; numbers are unique per panel; only panels have zones.
    kept = api.patch(url, json={"location": "金库"}, headers={**chief, "If-Match": replaced.headers["etag"]})
    assert kept.json()["zones"] == replaced.json()["zones"]
    twice = {**body, "zones": [zones[0], {**zones[1], "number": 2}]}
    bad = api.post(f"/api/v1/units/{DEMO_UNIT}/devices", json=twice, headers=chief)
    assert [e["pointer"] for e in assert_problem(bad, 400)["errors"]] == ["/zones/1/number"]
    camera = {"device_type": "video_camera", "name": "x", "zones": zones}
    bad = api.post(f"/api/v1/units/{DEMO_UNIT}/devices", json=camera, headers=chief)
    assert [e["pointer"] for e in assert_problem(bad, 400)["errors"]] == ["/zones"]


def test_a_sector_system_reports_heartbeats_of_its_own_organisation(
    api: httpx.Client, tokens: TokenBook
) -> None:
    body = {"device_type": "xray_screening", "name": "端到端测试安检机"}
    created = api.post(
        f"/api/v1/units/{DEMO_POSTAL}/devices", json=body, headers=tokens.bearer("police-dalian")
    )
    assert created.status_code == 201, created.text
    device_id = created.json()["id"]
    [mine] = devices_of(api, tokens, "security-chief-demo")[:1]
    beat = {
        "heartbeats": [
            {"device_id": device_id, "at": datetime.now(UTC).isoformat(), "status": "fault"},
            {"device_id": mine["id"], "at": datetime.now(UTC).isoformat()},
        ]
    }
    answer = api.post(f"{DEVICES}/heartbeats", json=beat, headers=tokens.bearer(SECTOR_CLIENT)).json()
    outcome = [(r["accepted"], [e["reason"] for e in r["errors"]]) for r in answer["results"]]
    assert outcome == [(True, []), (False, ["NOT_FOUND"])]
    read = api.get(f"{DEVICES}/{device_id}", headers=tokens.bearer("regulator-postal")).json()
    assert read["status"] == "fault"


def test_compliance_is_explained_and_some_demo_units_fall_short(api: httpx.Client, tokens: TokenBook) -> None:
    postal = api.get(f"/api/v1/units/{DEMO_POSTAL}/compliance", headers=tokens.bearer("regulator-postal"))
    assert postal.status_code == 200, postal.text
    document = postal.json()
    rules = {r["rule_id"]: r for r in document["requirements"]}
    assert {"perimeter_or_intrusion_alarm", "xray_screening"} <= set(rules)
    assert all(r["rule"] and r["evidence"] and r["measures"] for r in rules.values())
    assert document["compliant"] == all(r["met"] for r in rules.values())
    assert_problem(
        api.get(f"/api/v1/units/{DEMO_POSTAL}/compliance", headers=tokens.bearer("police-heping")), 404
    )
    # Among the units with one-button alarms (schools, hospitals, banks, fuel stations, jewellers), the demo
    # has some without one networked to the police.
    alarms = devices_of(api, tokens, "police-shenyang", device_type="one_button_alarm")
    usccs = sorted({device["uscc"] for device in alarms})[:40]
    assert usccs
    verdicts = []
    for uscc in usccs:
        answer = api.get(f"/api/v1/units/{uscc}/compliance", headers=tokens.bearer("police-shenyang"))
        assert answer.status_code == 200, answer.text
        verdicts.append(answer.json()["compliant"])
    assert True in verdicts
    assert False in verdicts


def test_dashboard_figures_within_each_scope(api: httpx.Client, tokens: TokenBook) -> None:
    province = api.get("/api/v1/figures/devices", headers=tokens.bearer("admin")).json()
    cities = {row["key"]: row for row in province["rows"]}
    assert {"210100", "210200"} <= set(cities)
    total = province["total"]
    assert total["devices"] == sum(row["devices"] for row in cities.values())
    # The demo province: most devices online, some offline, some units short of what their type requires.
    assert 0.5 < total["online_rate"] < 1.0
    assert total["offline"] > 0
    assert 0.0 < total["compliance_rate"] < 1.0
    shenyang = api.get("/api/v1/figures/devices", headers=tokens.bearer("police-shenyang")).json()
    assert shenyang["total"]["devices"] == cities["210100"]["devices"]
    assert all(row["key"].startswith("2101") for row in shenyang["rows"])
    mine = api.get("/api/v1/figures/devices", headers=tokens.bearer("security-chief-demo")).json()
    assert mine["total"]["units"] == 1
    assert mine["total"]["devices"] == len(
        devices_of(api, tokens, "security-chief-demo", lifecycle="in_service")
    ) + len(devices_of(api, tokens, "security-chief-demo", lifecycle="installed"))
