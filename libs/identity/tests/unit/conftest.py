"""A fake realm served by httpx.MockTransport (discovery + JWKS), and a controllable clock."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

ISSUER = "http://keycloak.test/realms/neibao"
CERTS_URL = f"{ISSUER}/protocol/openid-connect/certs"
DISCOVERY_URL = f"{ISSUER}/.well-known/openid-configuration"


class FakeRealm:
    """What Keycloak answers on discovery and JWKS; counts requests; can fail or stall."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.requests: Counter[str] = Counter()
        self.status = 200
        self.discovery_issuer = ISSUER
        self.gate: asyncio.Event | None = None

    def publish(self, *keys: RSAKey) -> None:
        """Serve exactly these keys (public parts) from now on."""
        self.keys = [dict(key.as_dict(private=False)) for key in keys]

    @property
    def jwks_fetches(self) -> int:
        """How many times the JWKS endpoint was asked."""
        return self.requests[CERTS_URL]

    async def handle(self, request: httpx.Request) -> httpx.Response:
        """The MockTransport handler."""
        url = str(request.url)
        self.requests[url] += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.status != 200:
            return httpx.Response(self.status, text="upstream trouble")
        if url == DISCOVERY_URL:
            return httpx.Response(200, json={"issuer": self.discovery_issuer, "jwks_uri": CERTS_URL})
        if url == CERTS_URL:
            return httpx.Response(200, json={"keys": self.keys})
        return httpx.Response(404)


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@pytest.fixture
def realm() -> FakeRealm:
    """A fresh fake realm."""
    return FakeRealm()


@pytest.fixture
def clock() -> FakeClock:
    """A hand-driven clock."""
    return FakeClock()


@pytest.fixture
async def http(realm: FakeRealm) -> AsyncIterator[httpx.AsyncClient]:
    """An AsyncClient whose every request is answered by the fake realm."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(realm.handle)) as client:
        yield client
