"""Limits: the body cap (413, by Content-Length and while streaming) and rate limits (429) per principal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Body, FastAPI

from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import ALL_ROLES, require_roles
from gateway.entrypoints.http.openapi import gateway_router

from ..support import SECTOR_CLIENT
from .conftest import StartGateway, bearer

CAP = 1024


def echo_route(app: FastAPI) -> None:
    """A route that reads a JSON body (no production route takes one yet)."""
    router = gateway_router()

    @router.post("/api/v1/test/echo")
    async def echo(
        _caller: Annotated[Caller, require_roles(*ALL_ROLES)], body: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        return body

    app.include_router(router)


async def test_a_body_over_the_cap_is_refused_by_its_length(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway(echo_route, max_body_bytes=CAP)
    headers = {**bearer(tokens["admin"]), "content-type": "application/json"}

    small = await gateway.client.post("/api/v1/test/echo", headers=headers, json={"a": "b"})
    large = await gateway.client.post("/api/v1/test/echo", headers=headers, content=b'"' + b"x" * CAP + b'"')

    assert small.status_code == 200
    assert large.status_code == 413
    assert large.headers["content-type"] == "application/problem+json"
    assert large.json()["type"] == "urn:neibao:problem:content-too-large"
    assert large.headers["x-content-type-options"] == "nosniff"


async def test_a_streamed_body_over_the_cap_is_refused_while_it_streams(
    serve_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await serve_gateway(echo_route, max_body_bytes=CAP)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"a": "'
        for _ in range(8):
            yield b"x" * 256
            await asyncio.sleep(0)
        yield b'"}'

    response = await gateway.client.post(
        "/api/v1/test/echo",
        headers={**bearer(tokens["admin"]), "content-type": "application/json"},
        content=chunks(),  # no Content-Length: chunked transfer encoding
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413


async def test_a_flood_from_one_person_is_limited_while_others_are_served(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway(rate_limit_person="5/minute", rate_limit_machine="100/minute")
    flooder, other = bearer(tokens["police-heping"]), bearer(tokens["police-dalian"])

    statuses = [(await gateway.client.get("/api/v1/me", headers=flooder)).status_code for _ in range(5)]
    limited = await gateway.client.get("/api/v1/me", headers=flooder)
    served = await gateway.client.get("/api/v1/me", headers=other)
    machine = await gateway.client.get("/api/v1/me", headers=bearer(tokens[SECTOR_CLIENT]))

    assert statuses == [200] * 5
    assert limited.status_code == 429
    assert limited.headers["content-type"] == "application/problem+json"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["type"] == "urn:neibao:problem:rate-limited"
    assert served.status_code == 200
    assert machine.status_code == 200


async def test_machine_clients_have_their_own_rate(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway(rate_limit_person="100/minute", rate_limit_machine="2/minute")
    machine, person = bearer(tokens[SECTOR_CLIENT]), bearer(tokens["admin"])

    statuses = [(await gateway.client.get("/api/v1/me", headers=machine)).status_code for _ in range(3)]
    person_status = (await gateway.client.get("/api/v1/me", headers=person)).status_code

    assert statuses == [200, 200, 429]
    assert person_status == 200
