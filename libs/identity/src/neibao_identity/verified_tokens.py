"""Tokens already verified, remembered until they expire: a client sends the same bearer token with every
request for its lifetime (5 minutes at Keycloak), and an RS256 verification costs 0.1-0.4 ms each time
(the gateway verifies once per request, and every service again: the saving is paid twice).

Only the exact token string verified before is a hit, and only until its `exp` (with the verifier's
leeway) or `max_age` has passed; then the verifier decides again. A signing key the realm removes stops
new tokens at once and tokens it signed within `max_age` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from neibao_identity.principal import Principal


class ClaimsVerifier(Protocol):
    """What verifies a bearer token (neibao_identity.TokenVerifier)."""

    leeway: int

    async def verify_claims(self, token: str) -> dict[str, Any]:
        """The claims of a valid token; raises InvalidToken otherwise."""
        ...


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """What a valid token proved: its claims and the principal they make."""

    claims: dict[str, Any]
    principal: Principal


class VerifiedTokenCache:
    """A ClaimsVerifier remembering at most `max_entries` verified tokens for at most `max_age` seconds."""

    def __init__(
        self,
        verifier: ClaimsVerifier,
        *,
        max_entries: int = 4096,
        max_age: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._verifier = verifier
        self.leeway = verifier.leeway
        self._max_entries = max_entries
        self._max_age = max_age
        self._clock = clock
        # token -> (what it proved, time the entry stops being used); insertion order: oldest first.
        self._entries: dict[str, tuple[VerifiedToken, float]] = {}

    async def verify_claims(self, token: str) -> dict[str, Any]:
        """The claims of a valid token, from the cache when it was verified before and is still valid."""
        return (await self.verified(token)).claims

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token (what neibao_identity.AuthInterceptor asks), cached likewise."""
        return (await self.verified(token)).principal

    async def verified(self, token: str) -> VerifiedToken:
        """The claims and the principal of a valid token; raises InvalidToken otherwise."""
        now = self._clock()
        entry = self._entries.get(token)
        if entry is not None:
            if now < entry[1]:
                return entry[0]
            del self._entries[token]  # expired or old: the verifier decides again
        claims = await self._verifier.verify_claims(token)
        verified = VerifiedToken(claims, Principal.from_claims(claims))
        expires = claims.get("exp")
        if isinstance(expires, int | float):
            if len(self._entries) >= self._max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[token] = (verified, min(expires + self.leeway, now + self._max_age))
        return verified
