"""Benchmark: unit search and filtered lists through the gateway over 1,000,000 units (issue 4's goals on two
cores, load generator included: p95 ≤ 50 ms; the loader ≥ 20,000 units/s).

Runs against a database of its own, `unit_registry_bench` on the running PostgreSQL, so the demo data stays
as it is: created and migrated if missing, filled to --units by `python -m unit_registry load-bench`'s
loader (its rate is printed) and reused as it is on later runs. A unit-registry gRPC server (port 51061)
and a gateway (port 18091, person rate limit raised as in bench_gateway.py) of the benchmark's own serve
it, on loopback; both are stopped at the end. Load: wrk, 8 connections, a Lua script rotating over many
queries of a scenario (name fragments drawn from the loaded units' names), per user: police-shenyang
(one city) and admin (the province). Each scenario runs --seconds; figures per scenario: requests/s and
p50/p95/p99. Needs the running platform's PostgreSQL and Keycloak (`make run`); `make bench-registry`.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from bench_gateway import REPO, own_gateway, token

from neibao_testkit.endpoints import endpoints_from_env
from unit_registry import bootstrap
from unit_registry.demo.bulk import load_bench_units

DATABASE = "unit_registry_bench"
USERS = ("police-shenyang", "admin")
CLIENTS = 8
SECTORS = ("postal", "transport", "commerce", "housing", "banking", "energy", "education", "health")
WORK = REPO / ".run" / "bench"

# wrk's Lua: rotate over the scenario's paths; at the end, the figures as one JSON line (µs).
LUA = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'FIGURES {"requests": %%d, "seconds": %%f, "p50": %%d, "p95": %%d, "p99": %%d, '
    .. '"max": %%d, "errors": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


@dataclass(frozen=True)
class Figures:
    """One scenario's run."""

    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int


def bench_database(units: int, workers: int) -> str:
    """The benchmark's database (created, migrated, filled to `units`); its SQLAlchemy URL."""
    stack = endpoints_from_env()
    with psycopg.connect(stack.pg_conninfo(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            print(f"[bench] creating database {DATABASE}", flush=True)
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    url = stack.pg_url(DATABASE)
    bootstrap.migrate(url)
    with psycopg.connect(stack.pg_conninfo(DATABASE)) as conn:
        row = conn.execute("SELECT count(*) FROM unit").fetchone()
    held = int(row[0]) if row else 0
    if held >= units:
        print(f"[bench] reusing {DATABASE}: {held:,} units", flush=True)
    else:
        print(f"[bench] loading {units - held:,} units into {DATABASE} ...", flush=True)
        print(f"[bench] {load_bench_units(url, units - held, workers=workers).summary()}", flush=True)
    return url


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@contextmanager
def own_registry(database_url: str, port: int) -> Iterator[tuple[str, int]]:
    """A unit-registry gRPC server of the benchmark's own on its database (its address and process id);
    stopped afterwards."""
    env = {
        **os.environ,
        "NEIBAO_UNIT_REGISTRY_DATABASE_URL": database_url,
        "NEIBAO_UNIT_REGISTRY_GRPC_HOST": "127.0.0.1",
        "NEIBAO_UNIT_REGISTRY_GRPC_PORT": str(port),
        "NEIBAO_UNIT_REGISTRY_METRICS_HOST": "127.0.0.1",
        "NEIBAO_UNIT_REGISTRY_METRICS_PORT": "0",
        # Fresh keys: the benchmark reads no personal data.
        "NEIBAO_PII_KEYS": f"k1:{_key()}",
        "NEIBAO_PII_ACTIVE_KEY": "k1",
        "NEIBAO_PII_INDEX_KEY": _key(),
        "NEIBAO_KAFKA_BOOTSTRAP": os.environ.get("NEIBAO_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        "NEIBAO_KEYCLOAK_URL": os.environ.get("NEIBAO_KEYCLOAK_URL", "http://127.0.0.1:8180"),
    }
    log_path = REPO / ".run" / "logs" / "bench-registry.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    address = f"127.0.0.1:{port}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "unit_registry", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while not _listening(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"the benchmark's unit registry did not start on port {port}; see {log_path}")
                time.sleep(0.2)
            yield address, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def scenarios(database_url: str, user: str, rng: random.Random) -> dict[str, list[str]]:
    """Query strings per scenario: name fragments from loaded names, jurisdictions and sector filters."""
    stack = endpoints_from_env()
    prefix = "2101" if user == "police-shenyang" else "21"
    with psycopg.connect(stack.pg_conninfo(DATABASE)) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM unit TABLESAMPLE SYSTEM (1) LIMIT 5000")]
        codes = [
            row[0]
            for row in conn.execute(
                "SELECT code FROM division"
                " WHERE valid_to IS NULL AND code LIKE %s AND code NOT LIKE '%%0000'",
                (prefix + "%",),
            )
        ]

    def fragments(length: int) -> list[str]:
        found = []
        for name in rng.sample(names, 400):
            start = rng.randrange(len(name) - length + 1)
            found.append(urlencode({"q": name[start : start + length]}))
        return found

    return {
        "name, 2 characters": fragments(2),
        "name, 3 characters": fragments(3),
        "name, 4 characters": fragments(4),
        "jurisdiction prefix": [urlencode({"jurisdiction": code}) for code in codes],
        "sector + key unit": [
            urlencode({"sector": sector, "key_unit": key}) for sector in SECTORS for key in ("true", "false")
        ],
    }


def run_wrk(wrk: str, gateway: str, bearer: str, queries: list[str], seconds: int) -> Figures:
    """wrk over the scenario's queries; every non-2xx answer counts as an error."""
    WORK.mkdir(parents=True, exist_ok=True)
    script = WORK / "registry.lua"
    paths = ", ".join(json.dumps(f"/api/v1/units?{query}") for query in queries)
    script.write_text(LUA % paths)
    result = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{CLIENTS}",
            f"-d{seconds}s",
            "-s",
            str(script),
            "-H",
            f"Authorization: Bearer {bearer}",
            gateway,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    match = re.search(r"^FIGURES (.*)$", result.stdout, re.MULTILINE)
    if match is None:
        sys.exit(f"wrk printed no figures:\n{result.stdout}\n{result.stderr}")
    got = json.loads(match.group(1))
    return Figures(
        requests=got["requests"],
        rps=got["requests"] / got["seconds"],
        p50_ms=got["p50"] / 1000,
        p95_ms=got["p95"] / 1000,
        p99_ms=got["p99"] / 1000,
        max_ms=got["max"] / 1000,
        errors=got["errors"],
    )


def check(gateway: str, bearer: str, query: str) -> None:
    """One request answers 200 with items, or the benchmark stops (a benchmark of errors is no benchmark)."""
    import httpx

    answer = httpx.get(
        f"{gateway}/api/v1/units?{query}", headers={"Authorization": f"Bearer {bearer}"}, timeout=30
    )
    if answer.status_code != 200:
        sys.exit(f"the list does not work through the gateway ({answer.status_code}): {answer.text[:300]}")


def main() -> None:
    """Database, servers, every scenario for each user, and the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=1_000_000, help="units the bench database holds")
    parser.add_argument("--workers", type=int, default=2, help="the loader's producer processes")
    parser.add_argument("--port", type=int, default=18091, help="the benchmark's own gateway")
    parser.add_argument("--grpc-port", type=int, default=51061, help="the benchmark's own unit registry")
    parser.add_argument("--keycloak", default=os.environ.get("NEIBAO_KEYCLOAK_URL", "http://127.0.0.1:8180"))
    parser.add_argument("--seconds", type=int, default=10, help="per scenario and user")
    parser.add_argument("--limit", type=int, default=0, help="page size (default: the API's, 50)")
    args = parser.parse_args()
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is missing: `make bench-gateway` installs it (apt-get install wrk)")
    database_url = bench_database(args.units, args.workers)
    rng = random.Random(2021)
    rows: list[tuple[str, str, Figures, float]] = []
    with ExitStack() as stack:
        grpc, registry_pid = stack.enter_context(own_registry(database_url, args.grpc_port))
        gateway = stack.enter_context(own_gateway(args.port, grpc, args.keycloak))
        for user in USERS:
            bearer = token(args.keycloak, user)
            plan = scenarios(database_url, user, rng)
            if args.limit:
                plan = {name: [f"{q}&limit={args.limit}" for q in queries] for name, queries in plan.items()}
            for queries in plan.values():
                check(gateway, bearer, queries[0])
            print(f"[bench] warming up as {user}", flush=True)
            run_wrk(wrk, gateway, bearer, [q for qs in plan.values() for q in qs], 3)
            for name, queries in plan.items():
                used = cpu_seconds(registry_pid)
                figures = run_wrk(wrk, gateway, bearer, queries, args.seconds)
                # The registry's CPU per request: a figure that other load on the machine hardly moves.
                cpu_ms = 1000 * (cpu_seconds(registry_pid) - used) / max(figures.requests, 1)
                rows.append((user, name, figures, cpu_ms))
                print(
                    f"[bench] {user:<16} {name:<20} {figures.rps:7.0f} req/s p95 {figures.p95_ms:.1f} ms"
                    f" registry CPU {cpu_ms:.2f} ms/request",
                    flush=True,
                )
    print(
        f"\nGET /api/v1/units over {args.units:,} units, {CLIENTS} clients, {args.seconds} s per scenario, "
        f"2 cores shared with the load generator, page size {args.limit or 'default (50)'}"
    )
    print(
        f"{'user':<16} {'scenario':<20} {'requests':>9} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'max ms':>7} {'errors':>6} {'registry CPU ms/req':>19}"
    )
    for user, name, f, cpu_ms in rows:
        print(
            f"{user:<16} {name:<20} {f.requests:>9} {f.rps:>7.0f} {f.p50_ms:>7.1f} {f.p95_ms:>7.1f} "
            f"{f.p99_ms:>7.1f} {f.max_ms:>7.1f} {f.errors:>6} {cpu_ms:>19.2f}"
        )
    worst = max(f.p95_ms for _, _, f, _ in rows)
    print(f"\nworst p95: {worst:.1f} ms (goal ≤ 50 ms)")


if __name__ == "__main__":
    main()
