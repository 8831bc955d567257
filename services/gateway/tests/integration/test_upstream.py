"""The upstream helper against a real in-process gRPC server: metadata forwarded, statuses mapped,
deadlines kept, dead services fail fast; /readyz follows the upstreams' gRPC health."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import grpc
import grpc.aio
import pytest
from fastapi import FastAPI
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import ALL_ROLES, require_roles
from gateway.entrypoints.http.dependencies import Services
from gateway.entrypoints.http.openapi import gateway_router

from ..support import closed_port
from .conftest import StartGateway, bearer

METHOD = "/neibao.test.v1.TestService/Call"


async def behave(request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]) -> bytes:
    mode = request.decode()
    if mode == "invalid":
        rich = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message="the unit is not valid")
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field="uscc", description="check digit is wrong"),
                error_details_pb2.BadRequest.FieldViolation(
                    field="contacts[1].phone", description="not a phone number"
                ),
            ]
        )
        rich.details.add().Pack(bad_request)
        await context.abort_with_status(rpc_status.to_status(rich))
    if mode == "missing":
        await context.abort(grpc.StatusCode.NOT_FOUND, "no such unit")
    if mode == "exists":
        await context.abort(grpc.StatusCode.ALREADY_EXISTS, "the unit is registered")
    if mode == "stale":
        await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "the unit changed meanwhile")
    if mode in {"stale-version", "wrong-state"}:
        kind = "VERSION" if mode == "stale-version" else "STATE"
        rich = status_pb2.Status(code=code_pb2.FAILED_PRECONDITION, message=f"{kind} does not hold")
        failure = error_details_pb2.PreconditionFailure(
            violations=[error_details_pb2.PreconditionFailure.Violation(type=kind, subject="unit/x")]
        )
        rich.details.add().Pack(failure)
        await context.abort_with_status(rpc_status.to_status(rich))
    if mode == "denied":
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, "role police of 210102 may not")
    if mode == "crash":
        await context.abort(
            grpc.StatusCode.INTERNAL, "psycopg.OperationalError at unit_registry/adapters/db.py"
        )
    if mode == "hang":
        await asyncio.sleep(3600)
    metadata = {key: value for key, value in context.invocation_metadata() or () if isinstance(value, str)}
    return json.dumps(metadata).encode()


@pytest.fixture
async def upstream() -> AsyncIterator[int]:
    """A gRPC server with one generic method and the health service; its port."""
    server = grpc.aio.server()
    handler = grpc.method_handlers_generic_handler(
        "neibao.test.v1.TestService", {"Call": grpc.unary_unary_rpc_method_handler(behave)}
    )
    server.add_generic_rpc_handlers((handler,))
    health_servicer: Any = health.aio.HealthServicer()  # type: ignore[attr-defined]
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    yield port
    await server.stop(0)


def call_route(app: FastAPI) -> None:
    """A route calling an upstream, as the registry's routes will."""
    router = gateway_router()

    @router.get("/api/v1/test/{service}/{mode}")
    async def call(
        service: str,
        mode: str,
        caller: Annotated[Caller, require_roles(*ALL_ROLES)],
        services: Services,
        conditional: bool = False,
    ) -> Any:
        method = services.channel(service).unary_unary(METHOD)
        answer: bytes = await services.call(method, mode.encode(), caller, conditional=conditional)
        return json.loads(answer)

    app.include_router(router)


async def test_the_call_carries_the_token_request_id_and_trace(
    start_gateway: StartGateway, tokens: dict[str, str], upstream: int
) -> None:
    gateway = await start_gateway(call_route, upstreams={"test": f"127.0.0.1:{upstream}"})
    token = tokens["police-heping"]

    response = await gateway.client.get(
        "/api/v1/test/test/echo", headers={**bearer(token), "X-Request-ID": "r-1"}
    )

    metadata = response.json()
    assert response.status_code == 200
    assert metadata["authorization"] == f"Bearer {token}"
    assert metadata["x-request-id"] == "r-1"
    trace_id = response.headers["traceparent"].split("-")[1]
    assert metadata["traceparent"].split("-")[1] == trace_id
    client_spans = [span for span in gateway.spans.get_finished_spans() if span.kind.name == "CLIENT"]
    assert [format(span.context.trace_id, "032x") for span in client_spans] == [trace_id]


async def test_upstream_statuses_become_problems(
    start_gateway: StartGateway, tokens: dict[str, str], upstream: int
) -> None:
    gateway = await start_gateway(call_route, upstreams={"test": f"127.0.0.1:{upstream}"})
    headers = bearer(tokens["police-heping"])

    async def problem(mode: str, status: int) -> dict[str, Any]:
        response = await gateway.client.get(f"/api/v1/test/test/{mode}", headers=headers)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        body: dict[str, Any] = response.json()
        assert body["status"] == status
        return body

    invalid = await problem("invalid", 400)
    assert invalid["errors"] == [
        {"pointer": "/uscc", "detail": "check digit is wrong"},
        {"pointer": "/contacts/1/phone", "detail": "not a phone number"},
    ]
    assert invalid["detail"] == "the unit is not valid"
    assert (await problem("missing", 404))["detail"] == "no such unit"
    assert (await problem("exists", 409))["type"] == "urn:neibao:problem:already-exists"
    assert (await problem("stale", 409))["type"] == "urn:neibao:problem:conflict"
    assert "210102" not in str(await problem("denied", 403))
    crashed = await problem("crash", 502)
    assert "psycopg" not in json.dumps(crashed)
    assert "unit_registry" not in json.dumps(crashed)


async def test_a_failed_precondition_with_if_match_is_412_only_for_a_stale_version(
    start_gateway: StartGateway, tokens: dict[str, str], upstream: int
) -> None:
    gateway = await start_gateway(call_route, upstreams={"test": f"127.0.0.1:{upstream}"})
    headers = bearer(tokens["police-heping"])

    async def status(mode: str, conditional: bool) -> int:
        response = await gateway.client.get(
            f"/api/v1/test/test/{mode}", params={"conditional": conditional}, headers=headers
        )
        return response.status_code

    assert await status("stale-version", True) == 412
    assert await status("stale", True) == 412  # no details: the If-Match is what failed
    assert await status("wrong-state", True) == 409  # GETting again would not help
    assert await status("stale-version", False) == 409


async def test_a_service_that_never_answers_is_a_503_within_the_deadline(
    start_gateway: StartGateway, tokens: dict[str, str], upstream: int
) -> None:
    gateway = await start_gateway(
        call_route, upstreams={"test": f"127.0.0.1:{upstream}"}, upstream_deadline_seconds=0.5
    )
    started = time.monotonic()

    response = await gateway.client.get("/api/v1/test/test/hang", headers=bearer(tokens["admin"]))

    assert response.status_code == 503
    assert response.json()["type"] == "urn:neibao:problem:upstream-unavailable"
    assert response.headers["retry-after"]
    assert 0.4 < time.monotonic() - started < 2.0


async def test_a_dead_service_is_a_503_at_once(start_gateway: StartGateway, tokens: dict[str, str]) -> None:
    gateway = await start_gateway(call_route, upstreams={"dead": f"127.0.0.1:{closed_port()}"})
    started = time.monotonic()

    response = await gateway.client.get("/api/v1/test/dead/echo", headers=bearer(tokens["admin"]))

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert time.monotonic() - started < 1.5


async def test_readiness_follows_the_upstreams_health(start_gateway: StartGateway, upstream: int) -> None:
    ready = await start_gateway(upstreams={"test": f"127.0.0.1:{upstream}"})
    not_ready = await start_gateway(
        upstreams={"test": f"127.0.0.1:{upstream}", "dead": f"127.0.0.1:{closed_port()}"}
    )

    answer = await ready.client.get("/readyz")
    refusal = await not_ready.client.get("/readyz")
    alive = await not_ready.client.get("/healthz")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "checks": {"signing-keys": True, "upstream:test": True}}
    assert refusal.status_code == 503
    assert refusal.headers["content-type"] == "application/problem+json"
    assert refusal.json()["checks"] == {"signing-keys": True, "upstream:test": True, "upstream:dead": False}
    assert alive.status_code == 200
