"""The app built in-process without starting anything (no lifespan: nothing connects)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.bootstrap import build_dependencies
from gateway.entrypoints.http.app import create_app
from gateway.entrypoints.http.dependencies import GatewayDependencies

from ..support import make_settings

AppFactory = Callable[..., tuple[FastAPI, GatewayDependencies]]


@pytest.fixture
def make_app() -> AppFactory:
    """Builds an app over unstarted dependencies (its settings overridable)."""

    def make(**overrides: Any) -> tuple[FastAPI, GatewayDependencies]:
        settings = make_settings(**overrides)
        dependencies = build_dependencies(settings)
        return create_app(settings, dependencies), dependencies

    return make


@pytest.fixture
async def client_of() -> AsyncIterator[Callable[[FastAPI], httpx.AsyncClient]]:
    """In-memory clients of apps (closed after the test)."""
    clients: list[httpx.AsyncClient] = []

    def client(app: FastAPI) -> httpx.AsyncClient:
        made = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")
        clients.append(made)
        return made

    yield client
    for made in clients:
        await made.aclose()
