"""Benchmark: alarms at a steady rate through the gateway while console streams are connected; prints the
latency from each POST's answer to the alarm's first event on every stream that must show it (p50, p99),
the counts of lost alarms (missing on a stream that must show them) and misrouted ones (shown on a stream
that must not), the rate achieved, and the CPU time per alarm and memory of the processes on the path.
Issue 6's run: 200 alarms/s for 60 s with 50 streams; goals p99 ≤ 250 ms, zero lost, zero misrouted.

    .run/tools/bin/uv run --frozen --no-sync python e2e/bench/bench_alarms.py [--rate 200 --seconds 60]

Needs the running platform (`make run`). The streams read as the demo accounts in turn (police of a
district, of two cities, two regulators, a unit's security chief, the province admin), so each alarm must
reach some streams and not others; the alarms go, in turn, to units in and out of each account's scope
(found through the platform's gateway). Which stream must show an alarm is decided here from the POST's
answer (the unit's jurisdiction and sector) and the accounts' token claims, by the rules of
ARCHITECTURE.md, independently of the gateway's filter.

The streams are read by a few reader processes (raw HTTP/1.1 over asyncio, stamped with the system-wide
monotonic clock); the POSTs are paced from this process, as the province admin, to a gateway the benchmark
starts for the run (port 18092, the platform's code, the person rate limit raised: the platform's own
gateway would rightly throttle one principal at 50/s). The alarms are priority 4 and resolved (outcome
`test`) after the run, so they do not escalate in the platform. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import os
import resource
import statistics
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

import httpx
from bench_gateway import own_gateway, token

ALARMS = "/api/v1/alarms"
STREAM = f"{ALARMS}/stream"
ACCOUNTS = (
    "police-heping",
    "police-dalian",
    "police-shenyang",
    "regulator-postal",
    "regulator-commerce-dalian",
    "security-chief-demo",
    "admin",
)
POSTER = "admin"
# Units alarms are raised for: the two fixed demo units, then the first unit a search finds (when it does).
DEMO_UNITS = ("91210102MA0LN001X3", "91210200MA0YP3D80R")  # Heping commerce (its security chief's); Dalian
UNIT_SEARCHES = (
    {
        "jurisdiction": "210103",
        "sector": "postal",
    },  # Shenyang, outside Heping: its police, the postal regulator
    {"jurisdiction": "210200", "sector": "commerce"},  # Dalian commerce: its police, the commerce regulator
    {"jurisdiction": "210300", "sector": "transport"},  # Anshan: the province admin alone
)
GRACE_SECONDS = 15.0
POST_CONCURRENCY = 64
POST_TIMEOUT = 10.0


# --- who must see what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A demo account's claims, read from its token (the benchmark trusts the token it was just given)."""

    name: str
    roles: frozenset[str]
    jurisdiction: str | None
    sector: str | None
    unit: str | None

    @classmethod
    def from_token(cls, name: str, bearer: str) -> Account:
        payload = bearer.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        roles = frozenset((claims.get("realm_access") or {}).get("roles") or ())
        return cls(name, roles, claims.get("jurisdiction"), claims.get("sector"), claims.get("unit"))

    def sees(self, jurisdiction: str, sector: str, uscc: str) -> bool:
        """ARCHITECTURE.md's rules: admin all; police their prefix; regulators their sector in their
        prefix; unit security their unit."""
        prefix = self.jurisdiction.rstrip("0") if self.jurisdiction else None
        if prefix and len(prefix) % 2:
            prefix += "0"  # 210100 → "2101", never "21"
        in_prefix = prefix is not None and jurisdiction.startswith(prefix)
        return (
            "province-admin" in self.roles
            or ("police" in self.roles and in_prefix)
            or ("regulator" in self.roles and in_prefix and bool(sector) and sector == self.sector)
            or ("unit-security" in self.roles and uscc == self.unit)
        )


# --- stream readers (separate processes) --------------------------------------------------------------


@dataclass
class StreamState:
    """One stream: its account, the first arrival (monotonic s) of each alarm id, its reconnections."""

    slot: int
    account: str
    seen: dict[str, float] = field(default_factory=dict)
    last_event_id: str | None = None
    frames: int = 0
    reconnects: int = 0
    opened: bool = False
    error: str | None = None


_SUBJECT = b'"subject":"'


def _sse_alarm_ids(message: bytes) -> tuple[str | None, str | None]:
    """The SSE id and the alarm id of one SSE message (None for comments and heartbeats). The alarm id is
    the event's `subject`, found without parsing the whole JSON (the readers must stay cheap)."""
    event_id = data = None
    for line in message.split(b"\n"):
        if line.startswith(b"data:"):
            data = line[5:]
        elif line.startswith(b"id:"):
            event_id = line[3:].strip().decode()
    if data is None:
        return event_id, None
    at = data.find(_SUBJECT)
    if at >= 0:
        start = at + len(_SUBJECT)
        return event_id, data[start : data.index(b'"', start)].decode()
    document = json.loads(data)
    return event_id, (document.get("data") or {}).get("id")


async def _read_stream(
    address: tuple[str, int],
    bearer: str,
    state: StreamState,
    stop: asyncio.Event,
    settled: Callable[[], None],
) -> None:
    """Read one stream with plain HTTP/1.1 (chunked), reconnecting with Last-Event-ID if it ends; calls
    `settled` once, when the stream is open or has failed."""
    try:
        await _read_stream_until(address, bearer, state, stop, settled)
    finally:
        if not (state.opened or state.error):
            state.error = "the stream task ended before the stream opened"
        settled()


async def _read_stream_until(
    address: tuple[str, int],
    bearer: str,
    state: StreamState,
    stop: asyncio.Event,
    settled: Callable[[], None],
) -> None:
    host, port = address
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError as exc:
            state.error = f"cannot connect: {exc!r}"
            return
        try:
            resume = f"Last-Event-ID: {state.last_event_id}\r\n" if state.last_event_id else ""
            writer.write(
                f"GET {STREAM} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {bearer}\r\n"
                f"Accept: text/event-stream\r\n{resume}\r\n".encode()
            )
            head = await reader.readuntil(b"\r\n\r\n")
            status = head.split(b" ", 2)[1]
            if status != b"200":
                state.error = f"stream answered {status.decode()}"
                return
            if b"transfer-encoding: chunked" not in head.lower():
                state.error = "stream is not chunked"
                return
            state.opened = True
            settled()
            pending = b""
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    break
                chunk = await reader.readexactly(size + 2)
                now = time.monotonic()
                pending = (pending + chunk[:-2]).replace(b"\r\n", b"\n")
                *messages, pending = pending.split(b"\n\n")
                for message in messages:
                    event_id, alarm_id = _sse_alarm_ids(message)
                    if event_id:
                        state.last_event_id = event_id
                    if alarm_id:
                        state.frames += 1
                        state.seen.setdefault(alarm_id, now)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
        if not stop.is_set():
            state.reconnects += 1


def _fast_event_loop() -> None:
    """uvloop when it is there (the gateway's own loop): the benchmark's side takes less CPU."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def _reader_main(
    host: str, port: int, slots: list[tuple[int, str, str]], control: Connection, grace: float
) -> None:
    """A reader process: open its streams, report them open, record until told which alarms to expect
    (then until every stream has them, or `grace` runs out), send back what each stream showed."""
    _fast_event_loop()

    async def run() -> list[StreamState]:
        states = [StreamState(slot, account) for slot, account, _ in slots]
        stop = asyncio.Event()
        all_settled = asyncio.Event()
        unsettled = {state.slot for state in states}

        def settled(slot: int) -> None:
            unsettled.discard(slot)
            if not unsettled:
                all_settled.set()

        tasks = [
            asyncio.create_task(_read_stream((host, port), bearer, state, stop, partial(settled, state.slot)))
            for state, (_, _, bearer) in zip(states, slots, strict=True)
        ]
        await all_settled.wait()
        control.send(("open", [s.error for s in states]))
        loop = asyncio.get_running_loop()
        expected: Mapping[str, frozenset[str]] = await loop.run_in_executor(None, control.recv)
        for _ in range(int(grace / 0.1)):
            if all(a in s.seen for s in states for a, who in expected.items() if s.account in who):
                break
            await asyncio.sleep(0.1)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for s in states:
            s.seen = {a: t for a, t in s.seen.items() if a in expected}
        return states

    states = asyncio.run(run())
    usage = resource.getrusage(resource.RUSAGE_SELF)
    control.send(("done", states, usage.ru_utime + usage.ru_stime))


# --- the load --------------------------------------------------------------------------------------------


@dataclass
class Answered:
    """An alarm the gateway answered 201: where it went, and when (monotonic s) it was sent and answered."""

    uscc: str
    jurisdiction: str
    sector: str
    sent: float
    answered: float


class HttpConnection:
    """One keep-alive HTTP/1.1 connection that sends JSON POSTs: cheaper per request than a general client,
    so the poster takes little of the cores it shares with what it measures."""

    def __init__(self, host: str, port: int, bearer: str) -> None:
        self._address = (host, port)
        self._head = (
            f"Host: {host}:{port}\r\nAuthorization: Bearer {bearer}\r\nContent-Type: application/json\r\n"
        )
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, document: Mapping[str, Any]) -> tuple[int, bytes]:
        """POST `document` to `path`; the status and the body (reconnects if the server closed)."""
        body = json.dumps(document, ensure_ascii=False).encode()
        request = f"POST {path} HTTP/1.1\r\n{self._head}Content-Length: {len(body)}\r\n\r\n".encode() + body
        if self._streams is None:
            self._streams = await asyncio.open_connection(*self._address)
        reader, writer = self._streams
        try:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            headers = head.lower()
            if b"transfer-encoding: chunked" in headers:
                answer = b""
                while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                    answer += (await reader.readexactly(size + 2))[:-2]
                await reader.readuntil(b"\r\n")
            else:
                length = headers.split(b"content-length:", 1)[1].split(b"\r\n", 1)[0]
                answer = await reader.readexactly(int(length))
            if b"connection: close" in headers:
                self.close()
            return status, answer
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


async def post_alarms(
    host: str, port: int, bearer: str, *, units: list[str], rate: float, seconds: float
) -> tuple[dict[str, Answered], dict[str, int], float]:
    """POST `rate` alarms a second for `seconds`, paced, over at most POST_CONCURRENCY connections; the
    answered alarms, the failures by cause, and the seconds from the first POST to the last answer."""
    answered: dict[str, Answered] = {}
    failures: dict[str, int] = {}
    due: asyncio.Queue[int | None] = asyncio.Queue()

    async def worker() -> None:
        connection = HttpConnection(host, port, bearer)
        while (index := await due.get()) is not None:
            if time.monotonic() > give_up:
                failures["not sent: too far behind"] = failures.get("not sent: too far behind", 0) + 1
                continue
            body = {
                "uscc": units[index % len(units)],
                "kind": "intrusion",
                "priority": 4,
                "occurred_at": datetime.now(UTC).isoformat(),
                "description": "基准测试报警",
                "source": "bench",
                "source_id": uuid.uuid4().hex,
            }
            sent = time.monotonic()
            try:
                async with asyncio.timeout(POST_TIMEOUT):
                    status, answer = await connection.post(ALARMS, body)
            except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
                failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
                continue
            at = time.monotonic()
            if status == 201:
                alarm = json.loads(answer)
                answered[alarm["id"]] = Answered(
                    alarm["uscc"], alarm.get("jurisdiction") or "", alarm.get("sector") or "", sent, at
                )
            else:
                failures[str(status)] = failures.get(str(status), 0) + 1
        connection.close()

    started = time.monotonic()
    give_up = started + seconds + POST_TIMEOUT  # a bounded run: what is not sent by then never is
    workers = [asyncio.create_task(worker()) for _ in range(POST_CONCURRENCY)]
    for index in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
        due.put_nowait(index)
    for _ in workers:
        due.put_nowait(None)
    await asyncio.gather(*workers)
    return answered, failures, time.monotonic() - started


async def resolve_all(client: httpx.AsyncClient, bearer: str, alarm_ids: Iterable[str]) -> int:
    """Close the benchmark's alarms, so that they do not escalate in the platform (three rounds for those
    a busy platform refused); how many are still open."""
    headers = {"Authorization": f"Bearer {bearer}"}
    limit = asyncio.Semaphore(32)
    pending = list(alarm_ids)

    async def one(alarm_id: str) -> str | None:
        async with limit:
            try:
                response = await client.post(
                    f"{ALARMS}/{alarm_id}/resolve", json={"outcome": "test"}, headers=headers
                )
            except httpx.HTTPError:
                return alarm_id
            return alarm_id if response.status_code >= 500 else None

    for attempt in range(3):
        if attempt:
            await asyncio.sleep(5)
        pending = [a for a in await asyncio.gather(*(one(a) for a in pending)) if a is not None]
        if not pending:
            break
    return len(pending)


def find_units(platform: str, bearer: str) -> list[str]:
    """The demo units, then one unit per search that finds one (through the platform's gateway)."""
    units = list(DEMO_UNITS)
    headers = {"Authorization": f"Bearer {bearer}"}
    for search in UNIT_SEARCHES:
        try:
            response = httpx.get(
                f"{platform}/api/v1/units", params={**search, "limit": 1}, headers=headers, timeout=10
            )
            items = response.json().get("items") if response.status_code == 200 else None
        except httpx.HTTPError:
            items = None
        if items:
            units.append(items[0]["uscc"])
        else:
            print(f"[bench] no unit found for {search} at {platform}; going on without it", flush=True)
    return units


# --- process figures ---------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (from /proc), None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def memory_kib(pid: int) -> tuple[int, int]:
    """RSS and peak RSS (KiB) of a process."""
    found = {"VmRSS:": 0, "VmHWM:": 0}
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                name = line.split(maxsplit=1)[0] if line.strip() else ""
                if name in found:
                    found[name] = int(line.split()[1])
    except OSError:
        pass
    return found["VmRSS:"], found["VmHWM:"]


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def path_processes() -> dict[str, list[int]]:
    """The processes on the alarm's path: the benchmark's gateway (a child of this one), alarm routing's
    server and relay, the Kafka broker, and PostgreSQL's backends serving alarm routing."""
    found: dict[str, list[int]] = {}
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        command = _cmdline(pid)
        name = None
        if "-m gateway serve" in command:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            name = "gateway (benchmark's)" if parent == me else None
        elif "-m alarm_routing serve" in command:
            name = "alarm-routing serve"
        elif "-m alarm_routing relay" in command:
            name = "alarm-routing relay"
        elif "kafka.Kafka" in command:
            name = "kafka broker"
        elif command.startswith("postgres: alarm_routing alarm_routing"):
            name = "postgres (alarm_routing backends)"
        if name:
            found.setdefault(name, []).append(pid)
    return found


def cpu_by_pid(processes: Mapping[str, list[int]]) -> dict[int, float]:
    """CPU seconds so far of each process."""
    return {pid: cpu_seconds(pid) or 0.0 for pids in processes.values() for pid in pids}


def cpu_spent(before: Mapping[int, float], processes: Mapping[str, list[int]]) -> dict[str, float]:
    """CPU seconds each named group spent since `before` (processes started since count whole; those
    gone since are not counted: PostgreSQL backends come and go)."""
    return {
        name: sum(max(0.0, (cpu_seconds(pid) or 0.0) - before.get(pid, 0.0)) for pid in pids)
        for name, pids in processes.items()
    }


# --- the run ---------------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(args: argparse.Namespace, gateway: str) -> None:
    bearers = {name: token(args.keycloak, name) for name in ACCOUNTS}
    accounts = {name: Account.from_token(name, bearers[name]) for name in ACCOUNTS}
    units = find_units(args.platform, bearers[POSTER])
    slots = [(i, ACCOUNTS[i % len(ACCOUNTS)]) for i in range(args.streams)]
    host, port = gateway.removeprefix("http://").rsplit(":", 1)
    processes = max(1, min(args.readers, args.streams))
    context = multiprocessing.get_context("fork")
    readers = []
    for index in range(processes):
        mine = [(slot, account, bearers[account]) for slot, account in slots[index::processes]]
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_reader_main, args=(host, int(port), mine, theirs, GRACE_SECONDS), daemon=True
        )
        process.start()
        readers.append((process, ours))
    errors = [e for _, control in readers for e in _expect(control, "open", 60)[0] if e]
    if errors:
        raise SystemExit(f"streams did not open: {errors[:3]}")
    time.sleep(1)
    print(
        f"[bench] {args.rate:g} alarms/s for {args.seconds:g} s, {args.streams} streams in {processes} "
        f"reader processes; accounts {', '.join(ACCOUNTS)}; units {', '.join(units)}",
        flush=True,
    )
    _fast_event_loop()
    cpu_before = cpu_by_pid(path_processes())
    answered, failures, posting, poster_cpu = asyncio.run(
        _post(gateway, bearers[POSTER], units, args.rate, args.seconds)
    )
    expected = {
        alarm_id: frozenset(n for n, a in accounts.items() if a.sees(x.jurisdiction, x.sector, x.uscc))
        for alarm_id, x in answered.items()
    }
    for _, control in readers:
        control.send(expected)
    states: list[StreamState] = []
    reader_cpu = 0.0
    for process, control in readers:
        done, cpu = _expect(control, "done", GRACE_SECONDS + 60)
        states.extend(done)
        reader_cpu += cpu
        process.join(10)
    watched = path_processes()
    spent_by = cpu_spent(cpu_before, watched)
    gateway_memory = [memory_kib(pid) for pid in watched.get("gateway (benchmark's)", [])]
    report(args, answered=answered, failures=failures, posting=posting, expected=expected, states=states)
    count = max(1, len(answered))
    print("[bench] CPU per alarm answered (ms), over the run and its delivery:")
    for name, spent in spent_by.items():
        print(f"[bench]   {name:<36} {spent * 1000 / count:7.2f}  ({spent:.1f} s)")
    print(f"[bench]   {'poster (this process)':<36} {poster_cpu * 1000 / count:7.2f}  ({poster_cpu:.1f} s)")
    print(f"[bench]   {'stream readers':<36} {reader_cpu * 1000 / count:7.2f}  ({reader_cpu:.1f} s)")
    for rss, peak in gateway_memory:
        print(f"[bench] gateway RSS {rss / 1024:.0f} MiB (peak {peak / 1024:.0f} MiB)")
    print("[bench] resolving the benchmark's alarms ...", flush=True)
    failed = asyncio.run(_resolve(gateway, bearers[POSTER], list(answered)))
    if failed:
        print(f"[bench] {failed} alarms could not be resolved")


def _expect(control: Connection, kind: str, timeout: float) -> Any:
    if not control.poll(timeout):
        raise SystemExit(f"a reader process did not report {kind!r} within {timeout:.0f} s")
    message = control.recv()
    if message[0] != kind:
        raise SystemExit(f"a reader process sent {message[0]!r}, not {kind!r}")
    return message[1:]


async def _post(
    gateway: str, bearer: str, units: list[str], rate: float, seconds: float
) -> tuple[dict[str, Answered], dict[str, int], float, float]:
    host, port = gateway.removeprefix("http://").rsplit(":", 1)
    before = resource.getrusage(resource.RUSAGE_SELF)
    answered, failures, posting = await post_alarms(
        host, int(port), bearer, units=units, rate=rate, seconds=seconds
    )
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return answered, failures, posting, cpu


async def _resolve(gateway: str, bearer: str, alarm_ids: list[str]) -> int:
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        return await resolve_all(client, bearer, alarm_ids)


def report(
    args: argparse.Namespace,
    *,
    answered: Mapping[str, Answered],
    failures: Mapping[str, int],
    posting: float,
    expected: Mapping[str, frozenset[str]],
    states: list[StreamState],
) -> None:
    """Latency, lost and misrouted alarms, and the streams' own figures."""
    latencies: list[float] = []
    from_sent: list[float] = []
    lost: set[str] = set()
    misrouted: set[str] = set()
    for alarm_id, alarm in answered.items():
        for stream in states:
            shown = stream.seen.get(alarm_id)
            if stream.account in expected[alarm_id]:
                if shown is None:
                    lost.add(alarm_id)
                else:
                    latencies.append((shown - alarm.answered) * 1000)
                    from_sent.append((shown - alarm.sent) * 1000)
            elif shown is not None:
                misrouted.add(alarm_id)
    planned = int(args.rate * args.seconds)
    failed = ", ".join(f"{cause} ×{n}" for cause, n in sorted(failures.items())) or "none"
    print(
        f"[bench] answered {len(answered)} of {planned} in {posting:.1f} s "
        f"({len(answered) / posting:.1f} alarms/s); failures: {failed}"
    )
    if answered:
        post_ms = [(a.answered - a.sent) * 1000 for a in answered.values()]
        print(
            f"[bench] POST: p50 {statistics.median(post_ms):.1f} ms, p99 {percentile(post_ms, 0.99):.1f} ms"
        )
    if latencies:
        print(
            f"[bench] answer → stream: p50 {statistics.median(latencies):.1f} ms, "
            f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms "
            f"({len(latencies)} deliveries, {sum(s.frames for s in states)} alarm events read)"
        )
        # A stream may show the event before the poster has read the POST's answer: this bounds it.
        print(
            f"[bench] POST sent → stream: p50 {statistics.median(from_sent):.1f} ms, "
            f"p99 {percentile(from_sent, 0.99):.1f} ms"
        )
    reconnects = sum(s.reconnects for s in states)
    print(f"[bench] lost {len(lost)}, misrouted {len(misrouted)} (stream reconnections: {reconnects})")
    for stream in states:
        if stream.error:
            print(f"[bench] stream {stream.slot} ({stream.account}) failed: {stream.error}")


def main() -> None:
    """Parse the options, start the benchmark's gateway, run, print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rate", type=float, default=200, help="alarms per second (default 200)")
    parser.add_argument("--seconds", type=float, default=60, help="how long (default 60)")
    parser.add_argument("--streams", type=int, default=50, help="console streams (default 50)")
    parser.add_argument("--readers", type=int, default=3, help="stream reader processes (default 3)")
    parser.add_argument("--gateway", help="a running gateway whose person rate limit allows the load")
    parser.add_argument("--port", type=int, default=18092, help="the port of the benchmark's own gateway")
    parser.add_argument(
        "--platform",
        default=os.environ.get("NEIBAO_GATEWAY_URL", "http://127.0.0.1:8080"),
        help="the platform's gateway, to find units for the alarms",
    )
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
        run(args, gateway)


if __name__ == "__main__":
    main()
