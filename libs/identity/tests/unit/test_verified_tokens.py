"""The cache of verified tokens: a hit skips the signature check, never outlives the token. No I/O."""

from __future__ import annotations

from typing import Any

import pytest

from neibao_identity import InvalidToken, InvalidTokenReason, VerifiedTokenCache


class CountingVerifier:
    """Accepts tokens named "valid-<exp>" until <exp> + leeway by the shared clock."""

    leeway = 30

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock
        self.calls = 0

    async def verify_claims(self, token: str) -> dict[str, Any]:
        self.calls += 1
        kind, _, exp = token.partition("-")
        if kind != "valid":
            raise InvalidToken(InvalidTokenReason.BAD_SIGNATURE)
        if self.clock[0] >= int(exp) + self.leeway:
            raise InvalidToken(InvalidTokenReason.EXPIRED)
        return {"sub": "s", "exp": int(exp)}


@pytest.fixture
def clock() -> list[float]:
    return [1000.0]


async def test_a_token_is_verified_once_while_it_is_valid(clock: list[float]) -> None:
    verifier = CountingVerifier(clock)
    cache = VerifiedTokenCache(verifier, max_age=60, clock=lambda: clock[0])

    first = await cache.verify_claims("valid-1300")
    again = await cache.verify_claims("valid-1300")

    assert first == again == {"sub": "s", "exp": 1300}
    assert verifier.calls == 1


async def test_the_principal_is_made_once_and_shared_by_every_hit(clock: list[float]) -> None:
    verifier = CountingVerifier(clock)
    cache = VerifiedTokenCache(verifier, max_age=60, clock=lambda: clock[0])

    principal = await cache.verify("valid-1300")
    verified = await cache.verified("valid-1300")

    assert principal.subject == "s"
    assert verified.principal is principal
    assert verified.claims == {"sub": "s", "exp": 1300}
    assert verifier.calls == 1


async def test_an_expired_token_is_refused_though_it_was_cached(clock: list[float]) -> None:
    verifier = CountingVerifier(clock)
    cache = VerifiedTokenCache(verifier, max_age=600, clock=lambda: clock[0])
    await cache.verify_claims("valid-1010")

    clock[0] = 1039.0  # within the leeway: still the cached answer
    await cache.verify_claims("valid-1010")
    clock[0] = 1040.0
    with pytest.raises(InvalidToken) as refused:
        await cache.verify_claims("valid-1010")

    assert refused.value.reason is InvalidTokenReason.EXPIRED
    assert verifier.calls == 2


async def test_entries_are_verified_again_after_max_age(clock: list[float]) -> None:
    verifier = CountingVerifier(clock)
    cache = VerifiedTokenCache(verifier, max_age=30, clock=lambda: clock[0])
    await cache.verify_claims("valid-2000")
    clock[0] += 31
    await cache.verify_claims("valid-2000")
    assert verifier.calls == 2


async def test_refusals_are_not_remembered_and_the_cache_is_bounded(clock: list[float]) -> None:
    verifier = CountingVerifier(clock)
    cache = VerifiedTokenCache(verifier, max_entries=2, clock=lambda: clock[0])
    for _ in range(2):
        with pytest.raises(InvalidToken):
            await cache.verify_claims("forged-2000")
    assert verifier.calls == 2

    for token in ("valid-2001", "valid-2002", "valid-2003", "valid-2001"):
        await cache.verify_claims(token)
    assert verifier.calls == 2 + 4  # the oldest entry was dropped for the third
