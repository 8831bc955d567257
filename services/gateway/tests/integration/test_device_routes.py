"""The device inventory's REST routes: the gateway in-process, the RUNNING device inventory behind it (its
read model fed by the running unit registry's events), real tokens. The issue's contract, scope, problems."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from neibao_testkit import StackEndpoints

from ..support import SECTOR_CLIENT
from .conftest import RunningGateway, StartGateway, bearer

DEMO_UNIT = "91210102MA0LN001X3"  # security-chief-demo's unit (Heping, commerce)
DEMO_POSTAL = "91210200MA0YP3D80R"  # the sector system's organisation (Dalian, postal)
DEVICES = "/api/v1/devices"


@pytest.fixture(scope="session")
def device_inventory(stack: StackEndpoints) -> str:
    """The running platform's device inventory (gRPC); fails (never skips) unless it is SERVING."""
    target = f"{os.environ.get('NEIBAO_HOST', '127.0.0.1')}:{stack.grpc_base_port + 1}"  # its offset: 1
    with grpc.insecure_channel(target) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            serving = answer.status == health_pb2.HealthCheckResponse.SERVING
        except grpc.RpcError:
            serving = False
    if not serving:
        pytest.fail(
            f"the device inventory does not answer at {target}; start the platform (make run / make test)"
        )
    return target


@pytest.fixture
async def gateway(start_gateway: StartGateway, device_inventory: str) -> RunningGateway:
    return await start_gateway(upstreams={"device-inventory": device_inventory})


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


async def register(gateway: RunningGateway, token: str, uscc: str, **body: Any) -> dict[str, Any]:
    document = {"device_type": "video_camera", "name": f"网关测试摄像机-{uuid.uuid4().hex[:6]}", **body}
    response = await gateway.client.post(
        f"/api/v1/units/{uscc}/devices", json=document, headers=bearer(token)
    )
    assert response.status_code == 201, response.text
    device: dict[str, Any] = response.json()
    assert response.headers["location"] == f"{DEVICES}/{device['id']}"
    return device


async def test_a_device_is_registered_and_read_within_scope(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    device = await register(
        gateway,
        tokens["security-chief-demo"],
        DEMO_UNIT,
        device_type="one_button_alarm",
        networked_to_police=True,
        install_date="2024-03-01",
    )
    assert device["device_type"] == "one_button_alarm"
    assert device["lifecycle"] == "installed"
    assert device["status"] == "unknown"
    assert device["networked_to_police"] is True
    assert device["retention_days"] is None
    read = await gateway.client.get(f"{DEVICES}/{device['id']}", headers=bearer(tokens["police-heping"]))
    assert read.status_code == 200
    assert read.json() == device
    for user in ("police-dalian", "regulator-commerce-dalian"):
        outside = await gateway.client.get(f"{DEVICES}/{device['id']}", headers=bearer(tokens[user]))
        assert problem_of(outside, 404)["type"] == "urn:neibao:problem:not-found"
    listed = await gateway.client.get(
        DEVICES,
        params={"uscc": DEMO_UNIT, "device_type": "one_button_alarm"},
        headers=bearer(tokens["admin"]),
    )
    assert device["id"] in {d["id"] for d in listed.json()["items"]}
    foreign = await gateway.client.get(
        DEVICES, params={"uscc": DEMO_UNIT}, headers=bearer(tokens["police-dalian"])
    )
    assert foreign.json() == {"items": [], "next_cursor": None}


async def test_bad_input_is_a_400_with_pointers(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["security-chief-demo"])
    response = await gateway.client.post(
        f"/api/v1/units/{DEMO_UNIT}/devices",
        json={"device_type": "laser", "name": "x", "retention_days": -1},
        headers=headers,
    )
    pointers = {e["pointer"] for e in problem_of(response, 400)["errors"]}
    assert pointers == {"/device_type", "/retention_days"}
    # Found by the service: a key part the unit does not have, retention for a device without video.
    response = await gateway.client.post(
        f"/api/v1/units/{DEMO_UNIT}/devices",
        json={
            "device_type": "access_control",
            "name": "门禁",
            "key_part": str(uuid.uuid4()),
            "retention_days": 30,
        },
        headers=headers,
    )
    pointers = {e["pointer"] for e in problem_of(response, 400)["errors"]}
    assert pointers == {"/key_part", "/retention_days"}
    # Another unit: 404 (existence is not revealed); a regulator may not register at all.
    response = await gateway.client.post(
        f"/api/v1/units/{DEMO_POSTAL}/devices", json={"device_type": "nvr", "name": "x"}, headers=headers
    )
    problem_of(response, 404)
    response = await gateway.client.post(
        f"/api/v1/units/{DEMO_UNIT}/devices",
        json={"device_type": "nvr", "name": "x"},
        headers=bearer(tokens["regulator-postal"]),
    )
    problem_of(response, 403)


async def test_heartbeats_are_answered_per_item(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    token = tokens["security-chief-demo"]
    device = await register(gateway, token, DEMO_UNIT, device_type="intrusion_panel")
    now = datetime.now(UTC)
    response = await gateway.client.post(
        f"{DEVICES}/heartbeats",
        json={
            "heartbeats": [
                {"device_id": device["id"], "at": now.isoformat()},
                {"device_id": device["id"], "at": "yesterday"},
                {"device_id": "nope", "at": now.isoformat()},
                {"device_id": str(uuid.uuid4()), "at": now.isoformat(), "status": "fault"},
                {"device_id": device["id"], "at": (now + timedelta(hours=1)).isoformat()},
                {"device_id": device["id"], "at": now.isoformat(), "status": "sleepy"},
                {"at": now.isoformat()},
            ]
        },
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    outcome = {
        r["index"]: (r["accepted"], sorted((e["pointer"], e["reason"]) for e in r["errors"]))
        for r in body["results"]
    }
    assert outcome == {
        0: (True, []),
        1: (False, [("/heartbeats/1/at", "INVALID_FORMAT")]),
        2: (False, [("/heartbeats/2/device_id", "INVALID_FORMAT")]),
        3: (False, [("/heartbeats/3/device_id", "NOT_FOUND")]),
        4: (False, [("/heartbeats/4/at", "IN_FUTURE")]),
        5: (False, [("/heartbeats/5/status", "UNKNOWN_VALUE")]),
        6: (False, [("/heartbeats/6/device_id", "REQUIRED")]),
    }
    assert (body["accepted"], body["rejected"]) == (1, 6)
    read = await gateway.client.get(f"{DEVICES}/{device['id']}", headers=bearer(token))
    assert read.json()["status"] == "online"
    # Only the roles that report heartbeats: a regulator gets 403; a sector system may, for its own devices.
    response = await gateway.client.post(
        f"{DEVICES}/heartbeats",
        json={"heartbeats": [{"device_id": device["id"], "at": now.isoformat()}]},
        headers=bearer(tokens["regulator-postal"]),
    )
    problem_of(response, 403)
    response = await gateway.client.post(
        f"{DEVICES}/heartbeats",
        json={"heartbeats": [{"device_id": device["id"], "at": now.isoformat()}]},
        headers=bearer(tokens[SECTOR_CLIENT]),
    )
    assert response.json()["results"][0]["errors"][0]["reason"] == "NOT_FOUND"


async def test_compliance_explains_each_requirement(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    response = await gateway.client.get(
        f"/api/v1/units/{DEMO_POSTAL}/compliance", headers=bearer(tokens["regulator-postal"])
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["uscc"] == DEMO_POSTAL
    assert body["rules_version"]
    rules = {r["rule_id"]: r for r in body["requirements"]}
    assert {"perimeter_or_intrusion_alarm", "xray_screening"} <= set(rules)
    for requirement in rules.values():
        assert isinstance(requirement["met"], bool)
        assert requirement["rule"]
        assert requirement["evidence"]
    assert body["compliant"] == all(r["met"] for r in rules.values())
    outside = await gateway.client.get(
        f"/api/v1/units/{DEMO_POSTAL}/compliance", headers=bearer(tokens["police-heping"])
    )
    problem_of(outside, 404)


async def test_figures_per_city_and_sector_within_scope(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    response = await gateway.client.get("/api/v1/figures/devices", headers=bearer(tokens["admin"]))
    assert response.status_code == 200, response.text
    province = response.json()
    cities = {row["key"] for row in province["rows"]}
    assert {"210100", "210200"} <= cities
    assert all(key.endswith("00") and len(key) == 6 for key in cities)
    assert province["total"]["key"] is None
    assert province["total"]["devices"] == sum(row["devices"] for row in province["rows"])
    assert 0.0 <= province["total"]["online_rate"] <= 1.0
    heping = (
        await gateway.client.get("/api/v1/figures/devices", headers=bearer(tokens["police-heping"]))
    ).json()
    assert [row["key"] for row in heping["rows"]] == ["210102"]
    assert heping["total"]["devices"] <= province["total"]["devices"]
    postal = (
        await gateway.client.get(
            "/api/v1/figures/devices",
            params={"group_by": "sector"},
            headers=bearer(tokens["regulator-postal"]),
        )
    ).json()
    assert "postal" in {row["key"] for row in postal["rows"]}
    bad = await gateway.client.get(
        "/api/v1/figures/devices", params={"group_by": "colour"}, headers=bearer(tokens["admin"])
    )
    assert problem_of(bad, 400)["errors"][0]["pointer"] == "/group_by"
    outside = await gateway.client.get("/api/v1/figures/devices", headers=bearer(tokens[SECTOR_CLIENT]))
    problem_of(outside, 403)


async def test_a_device_changes_under_if_match(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["security-chief-demo"])
    device = await register(
        gateway, tokens["security-chief-demo"], DEMO_UNIT, device_type="nvr", retention_days=15
    )
    read = await gateway.client.get(f"{DEVICES}/{device['id']}", headers=headers)
    etag = read.headers["etag"]
    assert etag == f'"{device["version"]}"'
    problem_of(
        await gateway.client.patch(f"{DEVICES}/{device['id']}", json={"retention_days": 30}, headers=headers),
        428,
    )
    changed = await gateway.client.patch(
        f"{DEVICES}/{device['id']}",
        json={"retention_days": 30, "lifecycle": "in_service"},
        headers={**headers, "If-Match": etag},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["retention_days"] == 30
    assert changed.json()["lifecycle"] == "in_service"
    assert changed.headers["etag"] == f'"{device["version"] + 1}"'
    stale = await gateway.client.patch(
        f"{DEVICES}/{device['id']}", json={"name": "旧"}, headers={**headers, "If-Match": etag}
    )
    problem_of(stale, 412)


async def test_protection_is_set_and_listed(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["security-chief-demo"])
    response = await gateway.client.put(
        f"/api/v1/units/{DEMO_UNIT}/protection",
        json={"items": [{"kind": "stab_vest", "quantity": 3, "note": "门卫室"}]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    vests = [i for i in response.json()["items"] if i["kind"] == "stab_vest" and i["key_part"] is None]
    assert [(v["quantity"], v["category"], v["note"]) for v in vests] == [(3, "guard_equipment", "门卫室")]
    listed = await gateway.client.get(
        f"/api/v1/units/{DEMO_UNIT}/protection", headers=bearer(tokens["police-heping"])
    )
    assert any(i["kind"] == "stab_vest" for i in listed.json()["items"])
    problem_of(
        await gateway.client.get(
            f"/api/v1/units/{DEMO_UNIT}/protection", headers=bearer(tokens["police-dalian"])
        ),
        404,
    )
    bad = await gateway.client.put(
        f"/api/v1/units/{DEMO_UNIT}/protection",
        json={"items": [{"kind": "cannon", "quantity": 1}]},
        headers=headers,
    )
    assert problem_of(bad, 400)["errors"][0]["pointer"] == "/items/0/kind"
