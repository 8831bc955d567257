"""Benchmark: one authenticated small read through the gateway (REST → gRPC → PostgreSQL) and the same read
by direct gRPC, in one run; prints p50/p99 with 1 client and requests/s with 32 (issue 3's goals:
≤ 2 ms added at p50, ≥ 1,500 reads/s through the gateway).

Needs the running platform (`make run`, or `make up` + services); `make bench-gateway` runs it. The gateway
read is served by a gateway the benchmark starts for the run (port 18090), the platform's code with the
person rate limit raised: the platform's own gateway would rightly throttle one principal at 50/s.
Load generators are native (wrk from Debian's packages, ghz from the Go module proxy) so that they take as
little of the two cores as possible. Targets are loopback addresses only; every run is bounded in time.

`--floor` also runs the same read through a bare stack (e2e/bench/floor_stack.py: FastAPI on uvicorn →
grpc.aio → psycopg, with none of the platform's work) and prints it beside: the ceiling of the stack itself
on this machine, and so how much of the gap to a goal is the platform's and how much the stack's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / ".run" / "tools" / "bin"
GHZ_MODULE = "github.com/bojand/ghz/cmd/ghz@v0.93.0"
DEMO_UNIT = "91210102MA0LN001X3"
_CUT_AT_END = "rpc error: code = Unavailable desc = transport is closing"


@dataclass(frozen=True)
class Figures:
    """What one load run measured."""

    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_tools() -> tuple[str, str]:
    """wrk and ghz, installed once if missing."""
    wrk = shutil.which("wrk")
    if wrk is None:
        print("[bench] installing wrk from Debian's packages", flush=True)
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True)
        wrk = shutil.which("wrk") or "wrk"
    ghz = TOOLS / "ghz"
    if not ghz.exists():
        print(f"[bench] building ghz ({GHZ_MODULE}) from the Go module proxy", flush=True)
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["go", "install", GHZ_MODULE], env={**os.environ, "GOBIN": str(TOOLS)}, check=True)
    return wrk, str(ghz)


def token(keycloak: str, username: str) -> str:
    """A real access token for a demo user."""
    response = httpx.post(
        f"{keycloak}/realms/neibao/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "neibao-cli",
            "username": username,
            "password": "neibao-demo",
        },
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def run_wrk(wrk: str, url: str, bearer: str, clients: int, seconds: int) -> Figures:
    """wrk with latency percentiles; every non-2xx answer counts as an error."""
    threads = min(clients, 2)
    result = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Bearer {bearer}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    )
    out = result.stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Figures(requests, rps, _ms(percentiles["50"]), _ms(percentiles["99"]), errors)


def unit_protoset() -> Path:
    """The UnitService's descriptors (with their imports) as a protoset for ghz.

    Server reflection cannot serve ghz: Python's reflection service answers NOT_FOUND for a method's
    symbol (neibao.unitregistry.v1.UnitService.GetUnit), which is what ghz asks for; and ghz's own .proto
    parser predates proto3 `optional`.
    """
    from grpc_tools import protoc

    include = Path(protoc.__file__).parent / "_proto"
    out = REPO / ".run" / "bench" / "unitregistry.protoset"
    out.parent.mkdir(parents=True, exist_ok=True)
    code = protoc.main(
        [
            "protoc",
            f"-I{REPO / 'proto'}",
            f"-I{include}",
            "--include_imports",
            f"--descriptor_set_out={out}",
            "neibao/unitregistry/v1/unit.proto",
        ]
    )
    if code != 0:
        sys.exit("protoc could not build the UnitService protoset")
    return out


def run_ghz(ghz: str, target: str, bearer: str, clients: int, seconds: int) -> Figures:
    """ghz against the service's gRPC port."""
    result = subprocess.run(
        [
            ghz,
            "--insecure",
            "--protoset",
            str(unit_protoset()),
            "--call",
            "neibao.unitregistry.v1.UnitService/GetUnit",
            "-d",
            json.dumps({"uscc": DEMO_UNIT}),
            "--metadata",
            json.dumps({"authorization": f"Bearer {bearer}"}),
            "-c",
            str(clients),
            "--connections",
            str(min(clients, 4)),
            "-z",
            f"{seconds}s",
            "-O",
            "json",
            target,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    report = json.loads(result.stdout)
    distribution = {int(item["percentage"]): item["latency"] / 1e6 for item in report["latencyDistribution"]}
    ok = int(report["statusCodeDistribution"].get("OK", 0))
    # The calls in flight when -z runs out are cut by ghz itself ("transport is closing"): not errors.
    cut = min(clients, int((report.get("errorDistribution") or {}).get(_CUT_AT_END, 0)))
    count = int(report["count"]) - cut
    return Figures(count, float(report["rps"]), distribution[50], distribution[99], count - ok)


@contextmanager
def own_gateway(
    port: int, grpc: str, keycloak: str, *, upstream: str = "unit-registry", name: str = "bench"
) -> Iterator[str]:
    """A gateway of the benchmark's own (the platform's code, `upstream` at `grpc`), its person rate limit
    raised so that one principal may go at full speed; stopped afterwards. Log: .run/logs/<name>-gateway.log.
    """
    env = {
        **os.environ,
        "NEIBAO_GATEWAY_HTTP_PORT": str(port),
        "NEIBAO_GATEWAY_METRICS_PORT": "0",
        "NEIBAO_GATEWAY_INSTANCE_ID": name,
        "NEIBAO_GATEWAY_RATE_LIMIT_PERSON": "1000000/second",
        "NEIBAO_GATEWAY_UPSTREAMS": json.dumps({upstream: grpc}),
        "NEIBAO_KEYCLOAK_URL": keycloak,
        "NEIBAO_KAFKA_BOOTSTRAP": os.environ.get("NEIBAO_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
    }
    url = f"http://127.0.0.1:{port}"
    if _ready(url):
        sys.exit(f"port {port} is taken by another gateway; pass --port")
    log_path = REPO / ".run" / "logs" / f"{name}-gateway.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gateway", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while not _ready(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"the benchmark's gateway did not get ready on port {port}; see {log_path}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


FLOOR_GRPC_PORT = 50999
FLOOR_HTTP_PORT = 18998


@contextmanager
def floor_stack(dsn: str) -> Iterator[tuple[str, str]]:
    """The bare stack's gRPC and HTTP servers (floor_stack.py), stopped afterwards."""
    script = Path(__file__).with_name("floor_stack.py")
    grpc_target = f"127.0.0.1:{FLOOR_GRPC_PORT}"
    url = f"http://127.0.0.1:{FLOOR_HTTP_PORT}"
    commands = (
        [sys.executable, str(script), "grpc", "--port", str(FLOOR_GRPC_PORT), "--dsn", dsn],
        [sys.executable, str(script), "http", "--port", str(FLOOR_HTTP_PORT), "--upstream", grpc_target],
    )
    processes = [subprocess.Popen(command) for command in commands]
    try:
        deadline = time.monotonic() + 30
        while not _answers(f"{url}/api/v1/units/{DEMO_UNIT}"):
            if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
                sys.exit("the bare stack did not answer; see its output above")
            time.sleep(0.2)
        yield grpc_target, url
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def run_floor(wrk: str, ghz: str, url: str, grpc_target: str, args: argparse.Namespace) -> None:
    """The same read through the bare stack, 1 and 32 clients."""
    read = f"{url}/api/v1/units/{DEMO_UNIT}"
    run_wrk(wrk, read, "none", 4, 2)
    print(f"\nThe bare stack (FastAPI → grpc.aio → psycopg, no platform work), {args.seconds} s per run")
    print(
        f"{'clients':>7} {'path':<8} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for clients in (1, 32):
        for name, figures in (
            ("HTTP", run_wrk(wrk, read, "none", clients, args.seconds)),
            ("gRPC", run_ghz(ghz, grpc_target, "none", clients, args.seconds)),
        ):
            print(
                f"{clients:>7} {name:<8} {figures.requests:>9} {figures.rps:>9.0f} "
                f"{figures.p50_ms:>8.2f} {figures.p99_ms:>8.2f} {figures.errors:>7}"
            )


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def main() -> None:
    """Run both paths with 1 and 32 clients and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--gateway",
        help="a running gateway whose person rate limit allows the load; "
        "by default the benchmark starts its own on --port",
    )
    parser.add_argument("--port", type=int, default=18090, help="the port of the benchmark's own gateway")
    parser.add_argument("--grpc", default=f"127.0.0.1:{os.environ.get('NEIBAO_GRPC_BASE_PORT', '50051')}")
    parser.add_argument("--keycloak", default=os.environ.get("NEIBAO_KEYCLOAK_URL", "http://127.0.0.1:8180"))
    parser.add_argument("--user", default="police-heping")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument(
        "--floor", action="store_true", help="also run the read through the bare stack (floor_stack.py)"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "NEIBAO_UNIT_REGISTRY_DATABASE_URL",
            "postgresql://unit_registry:unit-registry-local@127.0.0.1:55432/unit_registry",
        ),
        help="the registry's database, read by the bare stack (--floor)",
    )
    args = parser.parse_args()
    wrk, ghz = ensure_tools()
    with ExitStack() as stack:
        gateway = args.gateway or stack.enter_context(own_gateway(args.port, args.grpc, args.keycloak))
        run(wrk, ghz, gateway, args)
        if args.floor:
            floor_grpc, floor_http = stack.enter_context(
                floor_stack(args.database_url.replace("+psycopg", ""))
            )
            run_floor(wrk, ghz, floor_http, floor_grpc, args)


def run(wrk: str, ghz: str, gateway_url: str, args: argparse.Namespace) -> None:
    """Both paths, 1 and 32 clients, and the table."""
    bearer = token(args.keycloak, args.user)
    url = f"{gateway_url}/api/v1/units/{DEMO_UNIT}"
    check = httpx.get(url, headers={"Authorization": f"Bearer {bearer}"}, timeout=10)
    if check.status_code != 200:
        sys.exit(f"the read does not work through the gateway ({check.status_code}): {check.text[:300]}")
    print(f"[bench] warming up ({url})", flush=True)
    run_wrk(wrk, url, bearer, 4, 2)
    run_ghz(ghz, args.grpc, bearer, 4, 2)
    rows = []
    for clients in (1, 32):
        gateway = run_wrk(wrk, url, bearer, clients, args.seconds)
        direct = run_ghz(ghz, args.grpc, bearer, clients, args.seconds)
        rows.append((clients, gateway, direct))
    print(f"\nAuthenticated GetUnit, {args.seconds} s per run, 2 cores shared with the load generator")
    print(
        f"{'clients':>7} {'path':<8} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for clients, gateway, direct in rows:
        for name, figures in (("gateway", gateway), ("gRPC", direct)):
            print(
                f"{clients:>7} {name:<8} {figures.requests:>9} {figures.rps:>9.0f} "
                f"{figures.p50_ms:>8.2f} {figures.p99_ms:>8.2f} {figures.errors:>7}"
            )
    added = rows[0][1].p50_ms - rows[0][2].p50_ms
    print(f"\ngateway's added latency at p50 with 1 client: {added:.2f} ms (goal ≤ 2 ms)")
    print(f"gateway throughput with 32 clients: {rows[1][1].rps:.0f} req/s (goal ≥ 1,500)")


if __name__ == "__main__":
    main()
