"""Alarms through the running platform: intake at the gateway, routing by the alarm routing (its unit read
model fed by the unit registry's events), the relay, Kafka and the gateway's scoped live stream."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from .conftest import TokenBook
from .support import DEMO_POSTAL, DEMO_UNIT

ALARMS = "/api/v1/alarms"


class StreamReader(threading.Thread):
    """Reads a principal's alarm stream in the background, collecting the alarm ids it is shown."""

    def __init__(self, gateway: str, token: str) -> None:
        super().__init__(daemon=True)
        self.gateway = gateway
        self.token = token
        self.open = threading.Event()
        self.stop = threading.Event()
        self.events: list[dict[str, Any]] = []

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with (
            httpx.Client(base_url=self.gateway, timeout=httpx.Timeout(30, read=2)) as client,
            client.stream("GET", f"{ALARMS}/stream", headers=headers) as response,
        ):
            assert response.status_code == 200
            self.open.set()
            lines = response.iter_lines()
            while not self.stop.is_set():
                try:
                    line = next(lines)
                except httpx.ReadTimeout:
                    continue  # idle: heartbeats come every 15 s
                except StopIteration:
                    return
                if line.startswith("data:"):
                    self.events.append(json.loads(line.removeprefix("data:").strip()))

    def alarm_ids(self) -> set[str]:
        return {event["data"]["id"] for event in list(self.events) if event.get("data")}


def wait_for(condition: Any, within: float = 20) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def raise_alarm(api: httpx.Client, tokens: TokenBook, principal: str, uscc: str) -> dict[str, Any]:
    body = {
        "uscc": uscc,
        "kind": "panic",
        "priority": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "description": "端到端测试：一键报警",
        "source_id": uuid.uuid4().hex,
    }
    response = api.post(ALARMS, json=body, headers=tokens.bearer(principal))
    assert response.status_code == 201, response.text
    alarm: dict[str, Any] = response.json()
    return alarm


def test_an_alarm_reaches_the_heping_stream_and_not_the_dalian_one(
    api: httpx.Client, gateway: str, tokens: TokenBook
) -> None:
    readers = {name: StreamReader(gateway, tokens.token(name)) for name in ("police-heping", "police-dalian")}
    for reader in readers.values():
        reader.start()
        assert reader.open.wait(15)
    try:
        heping = raise_alarm(api, tokens, "security-chief-demo", DEMO_UNIT)
        dalian = raise_alarm(api, tokens, "admin", DEMO_POSTAL)
        assert {route["party"] for route in heping["routes"]} >= {
            "police_station",
            "city_command",
            "unit_security",
        }
        assert wait_for(lambda: heping["id"] in readers["police-heping"].alarm_ids())
        assert wait_for(lambda: dalian["id"] in readers["police-dalian"].alarm_ids())
        time.sleep(0.5)  # anything misrouted would have arrived with what was routed right
        assert heping["id"] not in readers["police-dalian"].alarm_ids()
        assert dalian["id"] not in readers["police-heping"].alarm_ids()
        shown = next(
            e for e in readers["police-heping"].events if e.get("data", {}).get("id") == heping["id"]
        )
        assert (shown["data"]["uscc"], shown["data"]["priority"]) == (DEMO_UNIT, 1)
        assert shown["data"]["status"] in {"received", "routed"}
        for alarm in (heping, dalian):  # a test alarm: closed, so it does not escalate
            resolved = api.post(
                f"{ALARMS}/{alarm['id']}/resolve", json={"outcome": "test"}, headers=tokens.bearer("admin")
            )
            assert resolved.status_code == 200, resolved.text
    finally:
        for reader in readers.values():
            reader.stop.set()


def test_the_timeline_shows_who_acknowledged_and_foreign_police_cannot_see_it(
    api: httpx.Client, tokens: TokenBook
) -> None:
    alarm = raise_alarm(api, tokens, "security-chief-demo", DEMO_UNIT)
    url = f"{ALARMS}/{alarm['id']}"
    assert api.post(f"{url}/acknowledge", headers=tokens.bearer("police-heping")).status_code == 200
    assert api.post(f"{url}/acknowledge", headers=tokens.bearer("police-shenyang")).status_code == 200
    assert api.get(url, headers=tokens.bearer("police-dalian")).status_code == 404
    read = api.get(url, headers=tokens.bearer("police-heping"))
    assert read.status_code == 200
    acknowledged = [e for e in read.json()["timeline"] if e["type"] == "acknowledged"]
    assert {(e["party"], e["actor"]["name"]) for e in acknowledged} == {
        ("police_station", "police-heping"),
        ("city_command", "police-shenyang"),
    }
    resolved = api.post(f"{url}/resolve", json={"outcome": "test"}, headers=tokens.bearer("police-heping"))
    assert resolved.json()["status"] == "resolved"


def test_each_party_acknowledges_with_what_it_found(api: httpx.Client, tokens: TokenBook) -> None:
    alarm = raise_alarm(api, tokens, "police-heping", DEMO_UNIT)
    url = f"{ALARMS}/{alarm['id']}"
    wrong = api.post(
        f"{url}/acknowledge", json={"outcome": "maybe"}, headers=tokens.bearer("security-chief-demo")
    )
    assert wrong.status_code == 400
    assert wrong.headers["content-type"].startswith("application/problem+json")
    assert [e["pointer"] for e in wrong.json()["errors"]] == ["/outcome"]
    on_site = api.post(
        f"{url}/acknowledge",
        json={"outcome": "confirmed", "note": "保卫科已到现场，确认有人闯入"},
        headers=tokens.bearer("security-chief-demo"),
    )
    assert on_site.status_code == 200, on_site.text
    taken = api.post(f"{url}/acknowledge", headers=tokens.bearer("police-heping"))
    assert taken.status_code == 200
    found = {
        r["party"]: (r["acknowledgement_outcome"], r["acknowledgement_note"]) for r in taken.json()["routes"]
    }
    assert found["unit_security"] == ("confirmed", "保卫科已到现场，确认有人闯入")
    assert found["police_station"] == ("accepted", None)
    assert found["sector_regulator"] == (None, None)
    api.post(f"{url}/resolve", json={"outcome": "real"}, headers=tokens.bearer("police-heping"))


def test_an_unacknowledged_alarm_escalates_on_time_and_an_acknowledged_one_does_not(
    api: httpx.Client, tokens: TokenBook
) -> None:
    ignored = raise_alarm(api, tokens, "security-chief-demo", DEMO_UNIT)
    answered = raise_alarm(api, tokens, "security-chief-demo", DEMO_UNIT)
    for police in ("police-heping", "police-shenyang"):  # the station and the city command centre
        acked = api.post(f"{ALARMS}/{answered['id']}/acknowledge", headers=tokens.bearer(police))
        assert acked.status_code == 200, acked.text
    station = next(r for r in ignored["routes"] if r["party"] == "police_station")
    deadline = datetime.fromisoformat(station["acknowledge_by"])

    def escalations(alarm_id: str) -> list[dict[str, Any]]:
        alarm = api.get(f"{ALARMS}/{alarm_id}", headers=tokens.bearer("admin")).json()
        return [entry for entry in alarm["timeline"] if entry["type"] == "escalated"]

    # Priority 1: the station has 60 s by the packaged rules; the escalator looks twice a second.
    wait = (deadline - datetime.now(UTC)).total_seconds() + 15

    def to_the_branch() -> list[dict[str, Any]]:
        return [entry for entry in escalations(ignored["id"]) if entry["party"] == "district_branch"]

    assert wait_for(lambda: bool(to_the_branch()), within=max(wait, 1))
    escalated_at = datetime.fromisoformat(to_the_branch()[0]["at"])
    assert deadline <= escalated_at < deadline + timedelta(seconds=10)
    time.sleep(2)  # the escalator's next passes have fired (or discarded) every timer due by now
    assert escalations(answered["id"]) == []
    for alarm in (ignored, answered):
        api.post(f"{ALARMS}/{alarm['id']}/resolve", json={"outcome": "test"}, headers=tokens.bearer("admin"))


def test_alarm_figures_count_only_the_callers_scope(api: httpx.Client, tokens: TokenBook) -> None:
    def raised(principal: str) -> int:
        response = api.get("/api/v1/figures/alarms", params={"days": 2}, headers=tokens.bearer(principal))
        assert response.status_code == 200, response.text
        figures = response.json()
        assert len(figures["days"]) == 2
        return sum(day["raised"] for day in figures["days"])

    before = {principal: raised(principal) for principal in ("police-heping", "police-dalian")}
    alarm = raise_alarm(api, tokens, "security-chief-demo", DEMO_UNIT)
    assert raised("police-heping") == before["police-heping"] + 1
    assert raised("police-dalian") == before["police-dalian"]
    wrong = api.get("/api/v1/figures/alarms", params={"days": 0}, headers=tokens.bearer("admin"))
    assert wrong.status_code == 400
    assert [e["pointer"] for e in wrong.json()["errors"]] == ["/days"]
    api.post(
        f"{ALARMS}/{alarm['id']}/resolve", json={"outcome": "test"}, headers=tokens.bearer("police-heping")
    )
