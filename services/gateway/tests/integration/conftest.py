"""The gateway in-process on the real Keycloak and Kafka: through ASGITransport, or served by uvicorn."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway.bootstrap import build_dependencies
from gateway.entrypoints.http.app import create_app
from gateway.entrypoints.http.dependencies import GatewayDependencies
from neibao_testkit import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens

from ..support import DEMO_USERS, SECTOR_CLIENT, SECTOR_SECRET, make_settings


@pytest.fixture(scope="session")
def unit_registry(stack: StackEndpoints) -> str:
    """The running platform's unit registry (gRPC address); fails (never skips) unless it is SERVING."""
    target = (
        f"{os.environ.get('NEIBAO_HOST', '127.0.0.1')}:{stack.grpc_base_port}"  # the registry's offset: 0
    )
    with grpc.insecure_channel(target) as channel:
        try:
            answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
            serving = answer.status == health_pb2.HealthCheckResponse.SERVING
        except grpc.RpcError:
            serving = False
    if not serving:
        pytest.fail(
            f"the unit registry does not answer at {target}; start the platform (make run / make test)"
        )
    return target


@dataclass
class RunningGateway:
    """A started gateway and a client pointed at it."""

    app: FastAPI
    client: httpx.AsyncClient
    dependencies: GatewayDependencies
    spans: InMemorySpanExporter
    base_url: str


Routes = Callable[[FastAPI], None]
StartGateway = Callable[..., Awaitable[RunningGateway]]


@pytest.fixture(scope="module")  # access tokens live 5 minutes: fresh per module
def tokens(keycloak_tokens: KeycloakTokens) -> dict[str, str]:
    """A real access token per demo user and for the sector system's client."""
    issued = {user: keycloak_tokens.password(user)["access_token"] for user in DEMO_USERS}
    issued[SECTOR_CLIENT] = keycloak_tokens.client_credentials(SECTOR_CLIENT, SECTOR_SECRET)["access_token"]
    return issued


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def _build(
    stack: StackEndpoints, routes: Routes | None, clock: Callable[[], float], overrides: dict[str, Any]
) -> tuple[FastAPI, GatewayDependencies, InMemorySpanExporter]:
    settings = make_settings(
        **{"keycloak_url": stack.keycloak_url, "kafka_bootstrap": stack.kafka_bootstrap, **overrides}
    )
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    dependencies = build_dependencies(settings, tracer_provider=provider, clock=clock)
    app = create_app(settings, dependencies)
    if routes is not None:
        routes(app)
    return app, dependencies, spans


@pytest.fixture
async def start_gateway(keycloak: StackEndpoints, kafka: StackEndpoints) -> AsyncIterator[StartGateway]:
    """Starts gateways in-process (lifespan run, ASGITransport client); stops them after the test."""
    async with AsyncExitStack() as exit_stack:

        async def start(
            routes: Routes | None = None, clock: Callable[[], float] = time.time, **overrides: Any
        ) -> RunningGateway:
            app, dependencies, spans = _build(keycloak, routes, clock, overrides)
            await exit_stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
            client = await exit_stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url="http://gateway.test")
            )
            return RunningGateway(app, client, dependencies, spans, "http://gateway.test")

        yield start


@pytest.fixture
async def serve_gateway(keycloak: StackEndpoints, kafka: StackEndpoints) -> AsyncIterator[StartGateway]:
    """Starts gateways under uvicorn on 127.0.0.1:<free port> (for streaming); stops them after the test."""
    async with AsyncExitStack() as exit_stack:

        async def start(
            routes: Routes | None = None, clock: Callable[[], float] = time.time, **overrides: Any
        ) -> RunningGateway:
            app, dependencies, spans = _build(keycloak, routes, clock, overrides)
            config = uvicorn.Config(
                app, host="127.0.0.1", port=0, log_config=None, access_log=False, timeout_graceful_shutdown=2
            )
            server = uvicorn.Server(config)
            task = asyncio.create_task(server.serve())

            async def stop() -> None:
                server.should_exit = True
                await asyncio.wait_for(task, 15)

            exit_stack.push_async_callback(stop)
            deadline = time.monotonic() + 20
            while not server.started:
                if task.done() or time.monotonic() > deadline:
                    pytest.fail("uvicorn did not start")
                await asyncio.sleep(0.02)
            port = server.servers[0].sockets[0].getsockname()[1]
            base_url = f"http://127.0.0.1:{port}"
            client = await exit_stack.enter_async_context(httpx.AsyncClient(base_url=base_url, timeout=30))
            return RunningGateway(app, client, dependencies, spans, base_url)

        yield start
