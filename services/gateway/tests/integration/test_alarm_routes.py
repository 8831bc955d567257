"""The alarm routes and the alarm live stream: the gateway in-process, the RUNNING alarm routing behind
it (its read model fed by the running unit registry's events, its events relayed to the real topic),
real tokens. The issue's contract, scope, problems, and scoped SSE with Last-Event-ID."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from neibao_testkit import StackEndpoints

from ..support import wait_until
from .conftest import RunningGateway, StartGateway, bearer

DEMO_UNIT = "91210102MA0LN001X3"  # security-chief-demo's unit (Heping, Shenyang, commerce)
DEMO_POSTAL = "91210200MA0YP3D80R"  # the demo express company (Dalian, postal)
ALARMS = "/api/v1/alarms"
STREAM = "/api/v1/alarms/stream"


@pytest.fixture(scope="session")
def alarm_routing(stack: StackEndpoints) -> str:
    """The running platform's alarm routing (gRPC); fails (never skips) unless it is SERVING."""
    target = f"{os.environ.get('NEIBAO_HOST', '127.0.0.1')}:{stack.grpc_base_port + 2}"  # its offset: 2
    with grpc.insecure_channel(target) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            serving = answer.status == health_pb2.HealthCheckResponse.SERVING
        except grpc.RpcError:
            serving = False
    if not serving:
        pytest.fail(
            f"the alarm routing does not answer at {target}; start the platform (make run / make test)"
        )
    return target


@pytest.fixture
async def gateway(start_gateway: StartGateway, alarm_routing: str) -> RunningGateway:
    return await start_gateway(upstreams={"alarm-routing": alarm_routing})


def alarm_body(uscc: str = DEMO_UNIT, **more: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "kind": "intrusion",
        "priority": 2,
        "occurred_at": datetime.now(UTC).isoformat(),
        "description": "网关测试：后门红外报警",
        "source_id": uuid.uuid4().hex,
        **more,
    }


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


async def raise_alarm(gateway: RunningGateway, token: str, **body: Any) -> dict[str, Any]:
    response = await gateway.client.post(ALARMS, json=alarm_body(**body), headers=bearer(token))
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


async def test_an_alarm_is_answered_with_its_routing_and_retransmits_dedupe(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    body = alarm_body()
    first = await gateway.client.post(ALARMS, json=body, headers=bearer(tokens["security-chief-demo"]))
    assert first.status_code == 201, first.text
    alarm = first.json()
    assert first.headers["location"] == f"{ALARMS}/{alarm['id']}"
    assert alarm["duplicate"] is False
    assert alarm["status"] == "routed"
    assert alarm["kind"] == "intrusion"
    parties = {route["party"]: route for route in alarm["routes"]}
    assert set(parties) == {"police_station", "unit_security", "sector_regulator"}
    assert parties["police_station"]["target"].startswith("210102")
    assert parties["police_station"]["reason"]
    assert parties["police_station"]["acknowledge_by"]
    assert parties["sector_regulator"]["role"] == "informed"
    again = await gateway.client.post(ALARMS, json=body, headers=bearer(tokens["security-chief-demo"]))
    assert again.status_code == 200, again.text
    assert again.json()["id"] == alarm["id"]
    assert again.json()["duplicate"] is True
    assert alarm["grouped"] is False
    # A repeat from the zone of an open alarm is counted on it, not hidden.
    zone = f"网关测试区-{uuid.uuid4().hex[:6]}"
    opened = await raise_alarm(gateway, tokens["security-chief-demo"], zone=zone)
    repeat = await gateway.client.post(
        ALARMS, json=alarm_body(zone=zone), headers=bearer(tokens["security-chief-demo"])
    )
    assert repeat.status_code == 200, repeat.text
    assert (repeat.json()["id"], repeat.json()["grouped"], repeat.json()["repeat_count"]) == (
        opened["id"],
        True,
        1,
    )


async def test_invalid_alarms_are_400_problems_naming_the_fields(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    response = await gateway.client.post(
        ALARMS, json=alarm_body(priority=7, kind="earthquake"), headers=bearer(tokens["admin"])
    )
    pointers = {error["pointer"] for error in problem_of(response, 400)["errors"]}
    assert pointers == {"/priority", "/kind"}
    # A USCC whose check character is wrong is refused by the service, with the same shape.
    response = await gateway.client.post(
        ALARMS, json=alarm_body(uscc="91210102MA0LN001X4"), headers=bearer(tokens["admin"])
    )
    assert [error["pointer"] for error in problem_of(response, 400)["errors"]] == ["/uscc"]
    # Regulators are informed of alarms; they do not raise them.
    response = await gateway.client.post(
        ALARMS, json=alarm_body(), headers=bearer(tokens["regulator-postal"])
    )
    problem_of(response, 403)
    response = await gateway.client.post(ALARMS, json=alarm_body())
    problem_of(response, 401)


async def test_reads_are_scoped_and_foreign_alarms_are_404(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    heping = await raise_alarm(gateway, tokens["security-chief-demo"])
    dalian = await raise_alarm(gateway, tokens["admin"], uscc=DEMO_POSTAL)
    one = await gateway.client.get(f"{ALARMS}/{heping['id']}", headers=bearer(tokens["police-heping"]))
    assert one.status_code == 200, one.text
    assert [entry["type"] for entry in one.json()["timeline"]][:2] == ["received", "routed"]
    problem_of(
        await gateway.client.get(f"{ALARMS}/{heping['id']}", headers=bearer(tokens["police-dalian"])), 404
    )
    problem_of(await gateway.client.get(f"{ALARMS}/not-an-id", headers=bearer(tokens["admin"])), 404)
    listed = await gateway.client.get(
        ALARMS, params={"status": "routed", "limit": 200}, headers=bearer(tokens["police-dalian"])
    )
    assert listed.status_code == 200, listed.text
    ids = {item["id"] for item in listed.json()["items"]}
    assert dalian["id"] in ids
    assert heping["id"] not in ids
    assert all(item["jurisdiction"].startswith("2102") for item in listed.json()["items"])
    mine = await gateway.client.get(
        ALARMS, params={"uscc": DEMO_UNIT, "limit": 1}, headers=bearer(tokens["admin"])
    )
    assert [item["id"] for item in mine.json()["items"]] == [heping["id"]]
    assert mine.json()["next_cursor"]


async def test_acknowledge_dispatch_resolve(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    alarm = await raise_alarm(gateway, tokens["security-chief-demo"])
    url = f"{ALARMS}/{alarm['id']}"
    acked = await gateway.client.post(f"{url}/acknowledge", headers=bearer(tokens["police-heping"]))
    assert acked.status_code == 200, acked.text
    station = next(r for r in acked.json()["routes"] if r["party"] == "police_station")
    assert station["acknowledged_by"]["name"] == "police-heping"
    assert acked.json()["status"] == "acknowledged"
    security = await gateway.client.post(
        f"{url}/acknowledge", json={"note": "保卫科已到场"}, headers=bearer(tokens["security-chief-demo"])
    )
    office = next(r for r in security.json()["routes"] if r["party"] == "unit_security")
    assert office["acknowledgement_note"] == "保卫科已到场"
    problem_of(await gateway.client.post(f"{url}/acknowledge", headers=bearer(tokens["police-dalian"])), 404)
    problem_of(
        await gateway.client.post(f"{url}/dispatch", headers=bearer(tokens["security-chief-demo"])), 403
    )
    dispatched = await gateway.client.post(
        f"{url}/dispatch", json={"note": "巡逻车已出发"}, headers=bearer(tokens["police-heping"])
    )
    assert dispatched.json()["status"] == "dispatched"
    problem_of(
        await gateway.client.post(f"{url}/resolve", json={}, headers=bearer(tokens["police-heping"])), 400
    )
    arrived = await gateway.client.post(f"{url}/arrive", headers=bearer(tokens["police-heping"]))
    assert arrived.json()["status"] == "on_scene"
    resolved = await gateway.client.post(
        f"{url}/resolve", json={"outcome": "false", "note": "误报"}, headers=bearer(tokens["police-heping"])
    )
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["outcome"] == "false"
    problem_of(await gateway.client.post(f"{url}/dispatch", headers=bearer(tokens["police-heping"])), 409)
    problem_of(await gateway.client.post(f"{url}/close", headers=bearer(tokens["security-chief-demo"])), 403)
    closed = await gateway.client.post(f"{url}/close", json={"note": "结案"}, headers=bearer(tokens["admin"]))
    assert closed.json()["status"] == "closed"
    assert [entry["type"] for entry in closed.json()["timeline"]][-3:] == ["on_scene", "resolved", "closed"]


async def read_frames(
    client: httpx.AsyncClient,
    token: str,
    wanted: set[str],
    *,
    last_event_id: str | None = None,
    within: float = 20,
) -> list[dict[str, Any]]:
    """Frames of the alarm stream until every alarm id in `wanted` was seen (or `within` seconds passed).

    A `gap` frame (events no longer held, e.g. resuming after an id this gateway never held) is left out.
    """
    headers = bearer(token) | ({"Last-Event-ID": last_event_id} if last_event_id else {})
    frames: list[dict[str, Any]] = []
    current: dict[str, str] = {}

    async def consume() -> None:
        async with client.stream("GET", STREAM, headers=headers) as response:
            assert response.status_code == 200, await response.aread()
            async for line in response.aiter_lines():
                if line == "" and current:
                    if current.get("event") != "gap":
                        frames.append({**current, "json": json.loads(current.get("data", "null"))})
                    current.clear()
                    if wanted <= {frame["json"]["data"]["id"] for frame in frames}:
                        return
                elif ":" in line and not line.startswith(":"):
                    name, _, value = line.partition(":")
                    current[name] = value.removeprefix(" ")

    with contextlib.suppress(TimeoutError):  # the caller checks what arrived
        await asyncio.wait_for(consume(), within)
    return frames


async def test_the_stream_carries_alarms_to_their_scope_only_and_resumes(
    serve_gateway: StartGateway, alarm_routing: str, tokens: dict[str, str]
) -> None:
    gateway = await serve_gateway(upstreams={"alarm-routing": alarm_routing})
    feed = gateway.dependencies.live_feeds["alarms"]
    await asyncio.to_thread(wait_until, feed.positioned.is_set, 30, "the alarm feed positioned")
    heping_reader = asyncio.create_task(read_frames(gateway.client, tokens["police-heping"], set(), within=8))
    await asyncio.sleep(0.5)
    heping = await raise_alarm(gateway, tokens["security-chief-demo"], kind="panic", priority=3)
    dalian = await raise_alarm(gateway, tokens["admin"], uscc=DEMO_POSTAL)
    dalian_frames = await read_frames(
        gateway.client, tokens["police-dalian"], {dalian["id"]}, last_event_id="0-0", within=20
    )
    heping_frames = await heping_reader
    seen_by_heping = {frame["json"]["data"]["id"] for frame in heping_frames}
    seen_by_dalian = {frame["json"]["data"]["id"] for frame in dalian_frames}
    assert heping["id"] in seen_by_heping
    assert dalian["id"] not in seen_by_heping
    assert dalian["id"] in seen_by_dalian
    assert heping["id"] not in seen_by_dalian
    raised = next(
        f
        for f in heping_frames
        if f["json"]["data"]["id"] == heping["id"] and f["event"].endswith("raised.v1")
    )
    data = raised["json"]["data"]
    assert (data["uscc"], data["priority"], data["kind"]) == (DEMO_UNIT, 1, "panic")
    assert data["status"] in {"received", "routed"}
    assert raised["json"]["subject"] == heping["id"]
    assert raised["json"]["unit"] == DEMO_UNIT
    assert {route["party"] for route in data["change"]["routes"]} >= {"police_station", "city_command"}
    # Resuming after the raised event brings what followed it (an acknowledgement), not the raised event.
    acknowledged = await gateway.client.post(
        f"{ALARMS}/{heping['id']}/acknowledge", headers=bearer(tokens["police-heping"])
    )
    assert acknowledged.status_code == 200
    resumed = await read_frames(
        gateway.client, tokens["police-heping"], {heping["id"]}, last_event_id=raised["id"], within=10
    )
    mine = [f for f in resumed if f["json"]["data"]["id"] == heping["id"]]
    assert [f["event"] for f in mine] == ["neibao.alarm-routing.alarm.acknowledged.v1"]


async def test_silences_suppress_a_devices_alarms_and_life_safety_needs_a_second_person(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    device = f"gateway-test-{uuid.uuid4().hex[:8]}"  # a device of its own: the platform's other alarms go on
    ends_at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    body = {
        "uscc": DEMO_UNIT,
        "device_id": device,
        "ends_at": ends_at,
        "reason": "一键报警改造",
        "includes_life_safety": True,
    }
    created = await gateway.client.post(
        "/api/v1/alarm-silences", json=body, headers=bearer(tokens["police-heping"])
    )
    assert created.status_code == 201, created.text
    silence = created.json()
    assert silence["state"] == "pending_approval"
    url = f"/api/v1/alarm-silences/{silence['id']}"
    problem_of(await gateway.client.post(f"{url}/approve", headers=bearer(tokens["police-heping"])), 403)
    problem_of(await gateway.client.post(f"{url}/approve", headers=bearer(tokens["police-dalian"])), 404)
    approved = await gateway.client.post(f"{url}/approve", headers=bearer(tokens["police-shenyang"]))
    assert approved.json()["state"] == "active"
    assert approved.json()["approved_by"]["name"] == "police-shenyang"
    quiet = await raise_alarm(
        gateway, tokens["security-chief-demo"], kind="panic", priority=1, device_id=device
    )
    assert (quiet["silence_id"], quiet["routes"], quiet["status"]) == (silence["id"], [], "received")
    other = await raise_alarm(gateway, tokens["security-chief-demo"], kind="panic", priority=1)
    assert other["silence_id"] is None
    assert other["routes"]
    listed = await gateway.client.get(
        "/api/v1/alarm-silences", params={"uscc": DEMO_UNIT}, headers=bearer(tokens["police-heping"])
    )
    assert silence["id"] in {item["id"] for item in listed.json()["items"]}
    foreign = await gateway.client.get("/api/v1/alarm-silences", headers=bearer(tokens["police-dalian"]))
    assert silence["id"] not in {item["id"] for item in foreign.json()["items"]}
    cancelled = await gateway.client.post(f"{url}/cancel", headers=bearer(tokens["police-heping"]))
    assert cancelled.json()["state"] == "cancelled"
    for alarm in (quiet, other):
        await gateway.client.post(
            f"{ALARMS}/{alarm['id']}/resolve", json={"outcome": "test"}, headers=bearer(tokens["admin"])
        )
