"""Fixtures of the end-to-end tests: the running platform's gateway, real tokens of the demo accounts."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from neibao_testkit.plugin import KeycloakTokens

from .support import SECTOR_CLIENT, SECTOR_SECRET

# Refetch a token when it has less than this left (Keycloak issues them for 5 minutes).
_TOKEN_MARGIN_SECONDS = 60
_MAX_WAITS = 10


@dataclass
class TokenBook:
    """Real access tokens of the demo accounts and the sector client, refetched before they expire."""

    keycloak: KeycloakTokens
    _held: dict[str, tuple[str, float]] = field(default_factory=dict)

    def token(self, principal: str) -> str:
        """A valid access token of `principal`."""
        held = self._held.get(principal)
        if held is None or held[1] - time.time() < _TOKEN_MARGIN_SECONDS:
            if principal == SECTOR_CLIENT:
                answer = self.keycloak.client_credentials(SECTOR_CLIENT, SECTOR_SECRET)
            else:
                answer = self.keycloak.password(principal)
            held = (answer["access_token"], time.time() + float(answer["expires_in"]))
            self._held[principal] = held
        return held[0]

    def bearer(self, principal: str) -> dict[str, str]:
        """The Authorization header of `principal`."""
        return {"Authorization": f"Bearer {self.token(principal)}"}


@pytest.fixture(scope="session")
def tokens(keycloak_tokens: KeycloakTokens) -> TokenBook:
    """Tokens of every demo principal."""
    return TokenBook(keycloak_tokens)


class PatientClient(httpx.Client):
    """Waits out a 429 as a well-behaved client does (Retry-After), a bounded number of times.

    The tests read as few principals at well above the gateway's per-person rate (50/s).
    """

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        """Send, retrying after each 429 for at most `_MAX_WAITS` times."""
        response = super().send(request, **kwargs)
        for _ in range(_MAX_WAITS):
            if response.status_code != 429:
                break
            response.close()
            time.sleep(float(response.headers.get("retry-after", "1")))
            response = super().send(request, **kwargs)
        return response


@pytest.fixture(scope="session")
def api(gateway: str) -> Iterator[httpx.Client]:
    """A client of the running gateway that waits out rate limits."""
    with PatientClient(base_url=gateway, timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def raw_api(gateway: str) -> Iterator[httpx.Client]:
    """A client of the running gateway that shows every answer as it is (429s included)."""
    with httpx.Client(base_url=gateway, timeout=30) as client:
        yield client
