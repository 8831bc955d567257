"""Real tokens from the realm and verifiers pointed at it (the neibao_testkit plugin finds the server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from neibao_identity import JwksCache, TokenVerifier
from neibao_testkit.endpoints import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens

DEMO_USERS = (
    "admin",
    "police-shenyang",
    "police-heping",
    "police-dalian",
    "regulator-postal",
    "regulator-commerce-dalian",
    "security-chief-demo",
)
SECTOR_CLIENT_ID = "sector-postal-demo"
SECTOR_CLIENT_SECRET = "neibao-demo-secret"


class FetchCounter:
    """Counts requests the verifier's HTTP client sends to the realm's JWKS endpoint."""

    def __init__(self) -> None:
        self.jwks = 0

    async def __call__(self, request: httpx.Request) -> None:
        if request.url.path.endswith("/protocol/openid-connect/certs"):
            self.jwks += 1


@pytest.fixture(scope="module")  # access tokens live 5 minutes: fresh per module
def access_tokens(keycloak_tokens: KeycloakTokens) -> dict[str, str]:
    """One real access token per demo user (password grant via neibao-cli) and for the sector client."""
    tokens = {user: keycloak_tokens.password(user)["access_token"] for user in DEMO_USERS}
    tokens[SECTOR_CLIENT_ID] = keycloak_tokens.client_credentials(SECTOR_CLIENT_ID, SECTOR_CLIENT_SECRET)[
        "access_token"
    ]
    return tokens


@pytest.fixture
def jwks_requests() -> FetchCounter:
    """The JWKS request counter hooked into `realm_http`."""
    return FetchCounter()


@pytest.fixture
async def realm_http(jwks_requests: FetchCounter) -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP client a service would build at start-up for its verifier."""
    async with httpx.AsyncClient(timeout=10, event_hooks={"request": [jwks_requests]}) as client:
        yield client


@pytest.fixture
def verifier(keycloak: StackEndpoints, realm_http: httpx.AsyncClient) -> TokenVerifier:
    """A verifier for the real realm, as a service configures it."""
    return TokenVerifier(JwksCache(keycloak.issuer, realm_http), audience="neibao-gateway", leeway=30)


@pytest.fixture
def any_token(access_tokens: dict[str, str]) -> str:
    """A real token of the Heping police officer."""
    return access_tokens["police-heping"]
