"""JwksCache: TTL, refetch cooldown on unknown kids, coalesced fetches, failing closed."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from joserfc.errors import SecurityWarning
from joserfc.jwk import ECKey, RSAKey

from neibao_identity import JwksCache, JwksUnavailable
from neibao_identity.jwks import parse_jwks

ISSUER = "http://keycloak.test/realms/neibao"
CERTS_URL = f"{ISSUER}/protocol/openid-connect/certs"


def make_cache(http: httpx.AsyncClient, clock: Any, **kwargs: Any) -> JwksCache:
    options: dict[str, Any] = {"ttl": 300.0, "refetch_cooldown": 30.0, "stale_if_error": 60.0, "clock": clock}
    options.update(kwargs)
    return JwksCache(ISSUER, http, **options)


async def test_first_use_discovers_the_jwks_url_and_then_serves_from_cache(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock)

    key = await cache.get("realm-key-1")
    again = await cache.get("realm-key-1")

    assert key is not None
    assert key.as_dict(private=False)["n"] == signing_key.as_dict(private=False)["n"]
    assert not key.is_private
    assert again is key
    assert realm.requests[f"{ISSUER}/.well-known/openid-configuration"] == 1
    assert realm.jwks_fetches == 1


async def test_explicit_jwks_url_skips_discovery(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock, jwks_url=CERTS_URL)

    assert await cache.get("realm-key-1") is not None
    assert sum(realm.requests.values()) == 1


async def test_unknown_kid_refetches_at_most_once_per_cooldown(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock)
    await cache.get("realm-key-1")
    assert realm.jwks_fetches == 1

    clock.advance(31)
    assert await cache.get("forged-1") is None  # first unknown kid after the cooldown: one refetch
    assert realm.jwks_fetches == 2
    for i in range(100):  # a flood of forged kids within the cooldown: no more fetches
        clock.advance(0.2)
        assert await cache.get(f"forged-{i}") is None
    assert realm.jwks_fetches == 2

    clock.advance(30)
    assert await cache.get("forged-again") is None
    assert realm.jwks_fetches == 3
    assert cache.fetch_count == 3


async def test_a_rotated_in_key_is_found_by_the_unknown_kid_refetch(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey, other_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock)
    await cache.get("realm-key-1")

    realm.publish(signing_key, other_key)
    clock.advance(30)
    assert await cache.get("realm-key-2") is not None
    assert realm.jwks_fetches == 2


async def test_keys_are_refetched_after_the_ttl_and_a_removed_key_is_no_longer_served(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey, other_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock)
    await cache.get("realm-key-1")

    realm.publish(other_key)  # key 1 retired
    clock.advance(299)
    assert await cache.get("realm-key-1") is not None  # still within the TTL
    assert realm.jwks_fetches == 1
    clock.advance(2)
    assert await cache.get("realm-key-1") is None
    assert realm.jwks_fetches == 2
    assert await cache.get("realm-key-2") is not None


async def test_concurrent_misses_share_one_fetch(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    realm.gate = asyncio.Event()
    cache = make_cache(http, clock)

    tasks = [asyncio.create_task(cache.get("realm-key-1")) for _ in range(50)]
    await asyncio.sleep(0.05)  # let every task reach the cache while the first fetch is stalled
    realm.gate.set()
    keys = await asyncio.gather(*tasks)

    assert all(key is not None for key in keys)
    assert realm.jwks_fetches == 1


async def test_concurrent_unknown_kids_after_the_cooldown_share_one_fetch(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock)
    await cache.get("realm-key-1")
    clock.advance(31)
    realm.gate = asyncio.Event()

    tasks = [asyncio.create_task(cache.get(f"forged-{i}")) for i in range(20)]
    await asyncio.sleep(0.05)
    realm.gate.set()

    assert await asyncio.gather(*tasks) == [None] * 20
    assert realm.jwks_fetches == 2


async def test_ensure_usable_fetches_only_when_the_held_keys_are_not_fresh(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock)
    await cache.ensure_usable()
    assert realm.jwks_fetches == 1
    for _ in range(100):  # a probe every few seconds within the TTL: no refetch
        clock.advance(2)
        await cache.ensure_usable()
    assert realm.jwks_fetches == 1
    clock.advance(300)  # past the TTL: one refetch
    await cache.ensure_usable()
    assert realm.jwks_fetches == 2


async def test_ensure_usable_fails_closed_without_keys(
    realm: Any, http: httpx.AsyncClient, clock: Any
) -> None:
    realm.status = 503
    cache = make_cache(http, clock)
    with pytest.raises(JwksUnavailable):
        await cache.ensure_usable()


async def test_fails_closed_when_the_realm_never_answered(
    realm: Any, http: httpx.AsyncClient, clock: Any
) -> None:
    realm.status = 503
    cache = make_cache(http, clock)

    with pytest.raises(JwksUnavailable):
        await cache.get("realm-key-1")
    with pytest.raises(JwksUnavailable):  # within the cooldown: rejected without asking again
        await cache.get("realm-key-1")
    assert realm.requests[f"{ISSUER}/.well-known/openid-configuration"] == 1


async def test_recovers_after_the_cooldown_once_the_realm_answers(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.status = 503
    cache = make_cache(http, clock)
    with pytest.raises(JwksUnavailable):
        await cache.get("realm-key-1")

    realm.status = 200
    realm.publish(signing_key)
    clock.advance(10)
    with pytest.raises(JwksUnavailable):
        await cache.get("realm-key-1")
    clock.advance(20)
    assert await cache.get("realm-key-1") is not None


async def test_stale_keys_serve_through_a_short_outage_then_expire(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock)  # ttl 300, stale_if_error 60
    await cache.get("realm-key-1")

    realm.status = 500
    clock.advance(301)
    assert await cache.get("realm-key-1") is not None  # refetch failed; stale key still good
    assert realm.jwks_fetches == 2
    clock.advance(58)
    assert await cache.get("realm-key-1") is not None
    clock.advance(2)  # 361 s after the last success
    with pytest.raises(JwksUnavailable):
        await cache.get("realm-key-1")


@pytest.mark.parametrize(
    "document",
    [
        {"keys": []},
        {"nokeys": True},
        ["not", "an", "object"],
    ],
)
async def test_a_jwks_without_usable_keys_is_a_failed_fetch(
    realm: Any, http: httpx.AsyncClient, clock: Any, document: Any
) -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openid-configuration"):
            return httpx.Response(200, json={"issuer": ISSUER, "jwks_uri": CERTS_URL})
        return httpx.Response(200, json=document)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(JwksUnavailable):
            await make_cache(client, clock).get("realm-key-1")


async def test_a_discovery_document_for_another_issuer_is_refused(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    realm.discovery_issuer = "http://evil.test/realms/neibao"

    with pytest.raises(JwksUnavailable):
        await make_cache(http, clock).get("realm-key-1")
    assert realm.jwks_fetches == 0


async def test_refresh_fetches_regardless_of_cooldown(
    realm: Any, http: httpx.AsyncClient, clock: Any, signing_key: RSAKey
) -> None:
    realm.publish(signing_key)
    cache = make_cache(http, clock)
    await cache.refresh()
    await cache.refresh()
    assert realm.jwks_fetches == 2


def test_parse_jwks_keeps_only_rs256_signing_keys(signing_key: RSAKey) -> None:
    good = dict(signing_key.as_dict(private=False))
    with pytest.warns(SecurityWarning, match="2048"):
        small = dict(RSAKey.generate_key(1024, parameters={"kid": "small"}).as_dict(private=False))
    encryption = {**good, "kid": "enc", "use": "enc", "alg": "RSA-OAEP"}
    other_alg = {**good, "kid": "ps", "alg": "PS256"}
    no_kid = {key: value for key, value in good.items() if key != "kid"}
    ec = dict(ECKey.generate_key("P-256", parameters={"kid": "ec"}).as_dict(private=False))
    broken = {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"}
    with_private = dict(signing_key.as_dict(private=True))
    with_private["kid"] = "leaked-private"

    keys = parse_jwks({"keys": [good, small, encryption, other_alg, no_kid, ec, broken, with_private, "x"]})

    assert set(keys) == {"realm-key-1", "leaked-private"}
    assert not keys["leaked-private"].is_private  # private members are never imported


@pytest.mark.parametrize(
    "options",
    [
        {"ttl": 10.0, "refetch_cooldown": 30.0},
        {"refetch_cooldown": 0.0},
        {"stale_if_error": -1.0},
    ],
)
async def test_nonsensical_timing_is_refused(http: httpx.AsyncClient, options: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=r"must|need"):
        JwksCache(ISSUER, http, **options)  # type: ignore[arg-type]
