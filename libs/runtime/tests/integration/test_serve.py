"""serve() as a service runs it: a real process, JSON logs on stdout, metrics, SIGTERM drains."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

ECHO_APP = Path(__file__).with_name("echo_app.py")
SERVICE = "neibao.test.v1.EchoService"


def raw(value: bytes) -> bytes:
    return value


class App:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.records: list[dict[str, Any]] = []

    async def wait_for(self, event: str, seconds: float = 20) -> dict[str, Any]:
        """Read stdout until a JSON line with this event; every line must be JSON."""
        assert self.process.stdout is not None
        async with asyncio.timeout(seconds):
            while True:
                line = await self.process.stdout.readline()
                if not line:
                    raise AssertionError(f"the app exited before logging {event!r}: {self.records}")
                record: dict[str, Any] = json.loads(line)
                self.records.append(record)
                if record.get("event") == event:
                    return record


@pytest.fixture
async def app() -> AsyncIterator[App]:
    env = {
        **os.environ,
        "NEIBAO_ECHO_GRPC_HOST": "127.0.0.1",
        "NEIBAO_ECHO_GRPC_PORT": "0",
        "NEIBAO_ECHO_METRICS_HOST": "127.0.0.1",
        "NEIBAO_ECHO_METRICS_PORT": "0",
        "NEIBAO_ECHO_SHUTDOWN_GRACE_SECONDS": "10",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ECHO_APP), stdout=asyncio.subprocess.PIPE, env=env
    )
    try:
        yield App(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_serve_runs_until_sigterm_and_drains(app: App) -> None:
    started = await app.wait_for("grpc server started")
    assert started["service"] == "echo"
    assert started["services"] == [SERVICE]
    target = f"127.0.0.1:{started['port']}"

    async with grpc.aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        response = await stub.Check(health_pb2.HealthCheckRequest(service=SERVICE))
        assert response.status == health_pb2.HealthCheckResponse.SERVING
        assert await channel.unary_unary(f"/{SERVICE}/Echo", raw, raw)(b"hi") == b"hi"
        called = await app.wait_for("echo called")
        assert len(called["trace_id"]) == 32
        assert len(called["span_id"]) == 16

        def fetch() -> str:
            url = f"http://127.0.0.1:{started['metrics_port']}/metrics"
            with urllib.request.urlopen(url, timeout=5) as reply:
                return str(reply.read().decode())

        metrics = await asyncio.to_thread(fetch)
        assert (
            f'grpc_server_handled_total{{grpc_code="OK",grpc_method="Echo",grpc_service="{SERVICE}"'
            in metrics
        )

        in_flight = asyncio.ensure_future(channel.unary_unary(f"/{SERVICE}/Slow", raw, raw)(b"1"))
        await app.wait_for("slow call started")
        app.process.send_signal(signal.SIGTERM)
        stopping = await app.wait_for("shutting down")
        assert stopping["signal"] == "SIGTERM"
        assert stopping["grace_seconds"] == 10
        assert await in_flight == b"done"

    await app.wait_for("grpc server stopped")
    assert await asyncio.wait_for(app.process.wait(), 10) == 0


async def test_serve_fails_fast_on_bad_settings() -> None:
    env = {**os.environ, "NEIBAO_ECHO_GRPC_PORT": "not-a-port"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ECHO_APP),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode != 0
    assert b"grpc_port" in stderr
