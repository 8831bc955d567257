"""Benchmark: sustained ingestion into the sector exchange through the gateway, in 500-record batches of
express real-name shipments with signed receipts; prints records/s, the receipt latency (POST to its signed
answer) p50/p99, and the CPU seconds per 10,000 records of each process on the path. Issue 8's goal on these
2 cores: >= 10,000 records/s.

    .run/tools/bin/uv run --frozen --no-sync python e2e/bench/bench_exchange.py [--seconds 30 --clients 4]

Needs the running platform (`make run`); `make bench-exchange` runs it. Batches are POSTed as the
`sector-postal-demo` client to a gateway the benchmark starts for the run (port 18093, the platform's code,
its rate limits raised: the platform's own gateway would rightly throttle one client) in front of the
platform's sector exchange. The bodies are made before the clock starts (so this process takes little of
the two cores while it runs), each batch with its own id and waybills, all records valid. Targets are
loopback addresses only; the run is bounded in time. The records stay in the platform's database
(the retention job removes them in time). Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import time
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

import httpx
from bench_alarms import cpu_seconds, percentile
from bench_gateway import own_gateway
from stdnum.cn import ric

SHIPMENTS = "/api/v1/exchange/postal/shipments"
CLIENT_ID = "sector-postal-demo"
CLIENT_SECRET = "neibao-demo-secret"
BATCH = 500
PORT = 18093


def client_token(keycloak: str) -> str:
    """A real client-credentials token of the demo express company."""
    response = httpx.post(
        f"{keycloak}/realms/neibao/protocol/openid-connect/token",
        data={"grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def senders(count: int) -> list[str]:
    """`count` valid resident IDs: the senders (merchants and people) of the run's parcels."""
    found: list[str] = []
    for n in range(count):
        body = f"210102{1960 + n % 40}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        found.append(body + ric.calc_check_digit(body + "0"))  # it takes the number with a check digit
    return found


SENDERS = senders(200)


def shipment(waybill: str, index: int) -> dict[str, object]:
    """A valid express real-name receipt: senders from a pool of 200 (a merchant sends many parcels),
    receivers each their own phone, sites and divisions varying."""
    sender = index * 7919 % len(SENDERS)
    return {
        "waybill_no": waybill,
        "accepted_at": "2026-11-24T15:30:00+08:00",
        "site_name": f"和平区南京北街营业部{index % 7}",
        "site_region_code": ("210102", "210103", "210202")[index % 3],
        "sender_name": "张三",
        "sender_id_type": "resident_id",
        "sender_id_number": SENDERS[sender],
        "sender_phone": f"1381234{sender:04d}",
        "sender_address": "辽宁省沈阳市和平区南京北街1号",
        "receiver_name": "李四",
        "receiver_phone": f"139{random.randrange(10**8):08d}",
        "receiver_address": "大连市中山区人民路5号",
        "item_name": "书籍",
        "quantity": 1,
        "weight_kg": 0.8,
        "inspected": True,
        "xray_screened": True,
    }


def bodies(count: int, run: str) -> list[bytes]:
    """`count` batch bodies of BATCH records each, serialised once, before the run."""
    made: list[bytes] = []
    for number in range(count):
        records = [shipment(f"BX{run}{number:05d}{n:03d}", n) for n in range(BATCH)]
        made.append(
            json.dumps({"batch_id": f"bench-{run}-{number}", "records": records}, ensure_ascii=False).encode()
        )
    return made


def path_processes(gateway_pid: int) -> dict[str, list[int]]:
    """The benchmark's gateway, the exchange's server and relay, the broker, the exchange's backends."""
    found: dict[str, list[int]] = {"gateway (benchmark's)": [gateway_pid]}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = (
                Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
        except OSError:
            continue
        name = None
        if "-m sector_exchange serve" in command:
            name = "sector-exchange serve"
        elif "-m sector_exchange relay" in command:
            name = "sector-exchange relay"
        elif "kafka.Kafka" in command:
            name = "kafka broker"
        elif command.startswith("postgres: sector_exchange"):
            name = "postgres (sector_exchange backends)"
        if name:
            found.setdefault(name, []).append(int(entry))
    return found


def _gateway_pid(port: int) -> int:
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = (
                Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            )
            environ = Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:
            continue
        if "-m gateway serve" in command and f"NEIBAO_GATEWAY_HTTP_PORT={port}".encode() in environ:
            return int(entry)
    return 0


async def post_all(
    gateway: str, bearer: str, batches: list[bytes], clients: int, seconds: float
) -> dict[str, object]:
    """POST the batches from `clients` connections until they run out or `seconds` pass."""
    latencies: list[float] = []
    accepted = 0
    errors: dict[int, int] = {}
    queue = list(reversed(batches))
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal accepted
        async with httpx.AsyncClient(base_url=gateway, timeout=60, headers=headers) as client:
            while queue and time.monotonic() < deadline:
                body = queue.pop()
                started = time.perf_counter()
                response = await client.post(SHIPMENTS, content=body)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    errors[response.status_code] = errors.get(response.status_code, 0) + 1
                    continue
                latencies.append(elapsed)
                accepted += int(response.json()["accepted"])

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return {
        "seconds": time.monotonic() - started,
        "latencies": latencies,
        "accepted": accepted,
        "errors": errors,
    }


def report(outcome: Mapping[str, object], cpu: Mapping[str, float], clients: int) -> None:
    seconds = float(outcome["seconds"])  # type: ignore[arg-type]
    latencies: list[float] = outcome["latencies"]  # type: ignore[assignment]
    accepted = int(outcome["accepted"])  # type: ignore[call-overload]
    print(f"[bench] {len(latencies)} batches of {BATCH} from {clients} clients in {seconds:.1f} s")
    if not latencies:
        print(f"[bench] no batch answered 200: {outcome['errors']}")
        return
    print(f"  records/s           {accepted / seconds:10.0f}   (goal >= 10,000 on 2 cores)")
    print(f"  receipt latency p50 {statistics.median(latencies) * 1000:10.1f} ms")
    print(f"  receipt latency p99 {percentile(latencies, 0.99) * 1000:10.1f} ms")
    print(f"  errors              {outcome['errors'] or 0}")
    print("  CPU seconds per 10,000 records:")
    for name, spent in sorted(cpu.items()):
        print(f"    {name:38s} {spent / max(accepted, 1) * 10_000:6.2f}")
    print(f"    {'all of them':38s} {sum(cpu.values()) / max(accepted, 1) * 10_000:6.2f}")
    busy = os.getloadavg()[0]
    print(f"  load average now    {busy:10.2f}   (other work on the 2 cores slows the wall-clock figures)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30, help="how long to post (default 30)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--grpc", default=os.environ.get("NEIBAO_BENCH_EXCHANGE_GRPC", "127.0.0.1:50054"))
    parser.add_argument("--keycloak", default=os.environ.get("NEIBAO_KEYCLOAK_URL", "http://127.0.0.1:8180"))
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    run = uuid.uuid4().hex[:8].upper()
    # Enough batches for 15,000 records/s over the run, so the supply never limits the figure.
    count = max(4, int(args.seconds * 15_000 / BATCH))
    print(f"[bench] making {count} batches of {BATCH} shipments ...", flush=True)
    batches = bodies(count, run)
    bearer = client_token(args.keycloak)
    with ExitStack() as stack:
        os.environ["NEIBAO_GATEWAY_RATE_LIMIT_MACHINE"] = "1000000/second"
        os.environ["NEIBAO_GATEWAY_MAX_BODY_BYTES"] = str(4 * 1024 * 1024)
        gateway = stack.enter_context(
            own_gateway(
                args.port, args.grpc, args.keycloak, upstream="sector-exchange", name="bench-exchange"
            )
        )
        processes = path_processes(_gateway_pid(args.port))
        # One warm-up batch: connections, JWKS, caches.
        asyncio.run(post_all(gateway, bearer, batches[:1], 1, 30))
        before = {pid: cpu_seconds(pid) or 0.0 for pids in processes.values() for pid in pids}
        print(f"[bench] posting for {args.seconds:g} s from {args.clients} clients ...", flush=True)
        own = resource.getrusage(resource.RUSAGE_SELF)
        outcome = asyncio.run(post_all(gateway, bearer, batches[1:], args.clients, args.seconds))
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = {
            name: sum(max(0.0, (cpu_seconds(pid) or 0.0) - before.get(pid, 0.0)) for pid in pids)
            for name, pids in path_processes(_gateway_pid(args.port)).items()
        }
        cpu["the benchmark's clients"] = after.ru_utime + after.ru_stime - own.ru_utime - own.ru_stime
    report(outcome, cpu, args.clients)


if __name__ == "__main__":
    main()
