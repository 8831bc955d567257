"""Benchmark: alarms at a steady rate through the gateway while console streams are connected; prints the
latency from each POST's answer to the alarm's first event on every stream that must show it (p50, p99),
and the counts of lost alarms (missing on a stream that must show them) and misrouted ones (shown on a
stream that must not). Issue 6's run: 200 alarms/s for 60 s with 50 streams; goals p99 ≤ 250 ms, zero lost,
zero misrouted.

Needs the running platform (`make run`). Alarms are posted as the province admin, alternating between a
Heping unit and a Dalian unit; half the streams read as police-heping, half as police-dalian. The POSTs go
to a gateway the benchmark starts for the run (port 18092, the platform's code, the person rate limit
raised: the platform's own gateway would rightly throttle one principal at 50/s). The alarms are priority
4 and resolved (outcome `test`) after the run, so they do not escalate in the platform. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from bench_gateway import own_gateway, token

ALARMS = "/api/v1/alarms"
UNITS = {"police-heping": "91210102MA0LN001X3", "police-dalian": "91210200MA0YP3D80R"}
GRACE_SECONDS = 10.0


@dataclass
class Stream:
    """One console stream: the alarm ids it showed, with the monotonic time each was first shown."""

    reader: str
    seen: dict[str, float] = field(default_factory=dict)
    open: asyncio.Event = field(default_factory=asyncio.Event)


async def read_stream(client: httpx.AsyncClient, bearer: str, stream: Stream, stop: asyncio.Event) -> None:
    """Record the first arrival of every alarm the stream shows, until `stop`."""
    headers = {"Authorization": f"Bearer {bearer}"}
    async with client.stream("GET", f"{ALARMS}/stream", headers=headers, timeout=None) as response:
        response.raise_for_status()
        stream.open.set()
        async for line in response.aiter_lines():
            if line.startswith("data:"):
                now = time.monotonic()
                alarm_id = json.loads(line[5:])["data"]["id"]
                stream.seen.setdefault(alarm_id, now)
            if stop.is_set():
                return


async def post_alarms(
    client: httpx.AsyncClient,
    bearer: str,
    rate: float,
    seconds: float,
    answered: dict[str, tuple[str, float, float]],
) -> int:
    """POST `rate` alarms a second for `seconds`; record each answered alarm's reader, answer and send."""
    headers = {"Authorization": f"Bearer {bearer}"}
    limit = asyncio.Semaphore(64)
    failures = 0

    async def one(index: int) -> None:
        nonlocal failures
        reader = "police-heping" if index % 2 == 0 else "police-dalian"
        body = {
            "uscc": UNITS[reader],
            "kind": "intrusion",
            "priority": 4,
            "occurred_at": datetime.now(UTC).isoformat(),
            "description": "基准测试报警",
            "source": "bench",
            "source_id": uuid.uuid4().hex,
        }
        async with limit:
            sent = time.monotonic()
            response = await client.post(ALARMS, json=body, headers=headers)
        if response.status_code == 201:
            answered[response.json()["id"]] = (reader, time.monotonic(), sent)
        else:
            failures += 1

    started = time.monotonic()
    tasks = []
    total = int(rate * seconds)
    for index in range(total):
        await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
        tasks.append(asyncio.create_task(one(index)))
    await asyncio.gather(*tasks)
    return failures


async def resolve_all(client: httpx.AsyncClient, bearer: str, alarm_ids: list[str]) -> None:
    """Close the benchmark's alarms, so that they do not escalate in the platform."""
    headers = {"Authorization": f"Bearer {bearer}"}
    limit = asyncio.Semaphore(32)

    async def one(alarm_id: str) -> None:
        async with limit:
            await client.post(f"{ALARMS}/{alarm_id}/resolve", json={"outcome": "test"}, headers=headers)

    await asyncio.gather(*(one(alarm_id) for alarm_id in alarm_ids))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(gateway: str, keycloak: str, rate: float, seconds: float, streams: int) -> None:
    bearers = {user: token(keycloak, user) for user in (*UNITS, "admin")}
    readers = [Stream("police-heping" if i % 2 == 0 else "police-dalian") for i in range(streams)]
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=streams + 128, max_keepalive_connections=streams + 128)
    async with httpx.AsyncClient(base_url=gateway, timeout=30, limits=limits) as client:
        tasks = [asyncio.create_task(read_stream(client, bearers[s.reader], s, stop)) for s in readers]
        await asyncio.wait_for(asyncio.gather(*(s.open.wait() for s in readers)), 30)
        await asyncio.sleep(1)
        answered: dict[str, tuple[str, float, float]] = {}
        print(f"[bench] {rate:g} alarms/s for {seconds:g} s, {streams} streams", flush=True)
        failures = await post_alarms(client, bearers["admin"], rate, seconds, answered)
        deadline = time.monotonic() + GRACE_SECONDS
        while time.monotonic() < deadline:
            if all(a in s.seen for s in readers for a, (r, _, _) in answered.items() if r == s.reader):
                break
            await asyncio.sleep(0.2)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        latencies: list[float] = []
        from_sent: list[float] = []
        lost: set[str] = set()
        misrouted: set[str] = set()
        for alarm_id, (reader, answered_at, sent_at) in answered.items():
            for stream in readers:
                shown = stream.seen.get(alarm_id)
                if stream.reader == reader:
                    if shown is None:
                        lost.add(alarm_id)
                    else:
                        latencies.append((shown - answered_at) * 1000)
                        from_sent.append((shown - sent_at) * 1000)
                elif shown is not None:
                    misrouted.add(alarm_id)
        print(f"[bench] answered {len(answered)} (POST failures {failures})")
        if latencies:
            print(
                f"[bench] answer → stream: p50 {statistics.median(latencies):.1f} ms, "
                f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms "
                f"({len(latencies)} deliveries)"
            )
            # The benchmark's own event loop may read an event before the POST's answer: this bounds it.
            print(
                f"[bench] POST sent → stream: p50 {statistics.median(from_sent):.1f} ms, "
                f"p99 {percentile(from_sent, 0.99):.1f} ms"
            )
        print(f"[bench] lost {len(lost)}, misrouted {len(misrouted)}")
        print("[bench] resolving the benchmark's alarms ...", flush=True)
        await resolve_all(client, bearers["admin"], list(answered))


def main() -> None:
    """Parse the options, start the benchmark's gateway, run, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200, help="alarms per second (default 200)")
    parser.add_argument("--seconds", type=float, default=60, help="how long (default 60)")
    parser.add_argument("--streams", type=int, default=50, help="console streams (default 50)")
    parser.add_argument("--gateway", help="a running gateway whose person rate limit allows the load")
    parser.add_argument("--port", type=int, default=18092, help="the port of the benchmark's own gateway")
    base = int(os.environ.get("NEIBAO_GRPC_BASE_PORT", "50051"))
    parser.add_argument("--alarm-routing", default=f"127.0.0.1:{base + 2}", help="its gRPC address")
    parser.add_argument("--keycloak", default=os.environ.get("NEIBAO_KEYCLOAK_URL", "http://127.0.0.1:8180"))
    args = parser.parse_args()
    with ExitStack() as stack:
        gateway = args.gateway or stack.enter_context(
            own_gateway(
                args.port, args.alarm_routing, args.keycloak, upstream="alarm-routing", name="bench-alarms"
            )
        )
        asyncio.run(run(gateway, args.keycloak, args.rate, args.seconds, args.streams))


if __name__ == "__main__":
    main()
