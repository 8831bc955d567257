"""TokenVerifier against locally signed tokens and a fake realm's JWKS."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from neibao_identity import InvalidToken, InvalidTokenReason, JwksCache, Principal, TokenVerifier

ISSUER = "http://keycloak.test/realms/neibao"
R = InvalidTokenReason


@pytest.fixture
def verifier(realm: Any, http: httpx.AsyncClient, signing_key: RSAKey) -> TokenVerifier:
    realm.publish(signing_key)
    return TokenVerifier(JwksCache(ISSUER, http), audience="neibao-gateway", leeway=30)


async def rejected(verifier: TokenVerifier, token: str) -> InvalidToken:
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    return caught.value


async def test_a_valid_token_yields_its_principal(
    verifier: TokenVerifier, forge: Any, signing_key: RSAKey, make_claims: Any
) -> None:
    token = forge.sign(make_claims(), signing_key)

    principal = await verifier.verify(token)

    assert principal == Principal(
        subject="6f1c2d1e-0000-4000-8000-000000000001",
        username="police-heping",
        roles=frozenset({"police"}),
        jurisdiction="210102",
        client_id="neibao-cli",
    )


async def test_verify_claims_returns_the_payload(
    verifier: TokenVerifier, forge: Any, signing_key: RSAKey, make_claims: Any
) -> None:
    claims = make_claims(sector="postal")
    assert await verifier.verify_claims(forge.sign(claims, signing_key)) == claims


async def test_an_audience_list_containing_the_gateway_passes(
    verifier: TokenVerifier, forge: Any, signing_key: RSAKey, make_claims: Any
) -> None:
    token = forge.sign(make_claims(aud=["account", "neibao-gateway"]), signing_key)
    assert (await verifier.verify(token)).username == "police-heping"


async def test_alg_none_is_rejected(verifier: TokenVerifier, forge: Any, make_claims: Any) -> None:
    error = await rejected(verifier, forge.unsigned(make_claims(), "realm-key-1"))
    assert error.reason is R.UNSUPPORTED_ALGORITHM


async def test_hs256_keyed_with_the_public_key_is_rejected(
    verifier: TokenVerifier, forge: Any, signing_key: RSAKey, make_claims: Any
) -> None:
    error = await rejected(verifier, forge.hs256_with_public_key(make_claims(), signing_key, "realm-key-1"))
    assert error.reason is R.UNSUPPORTED_ALGORITHM


@pytest.mark.parametrize("alg", ["RS384", "RS512", "PS256"])
async def test_other_rsa_algorithms_are_rejected_even_with_the_realm_key(
    verifier: TokenVerifier, forge: Any, signing_key: RSAKey, make_claims: Any, alg: str
) -> None:
    bare = RSAKey.import_key(signing_key.as_dict(private=True) | {"alg": alg})
    token = jwt.encode({"alg": alg, "kid": "realm-key-1"}, make_claims(), bare, algorithms=[alg])
    assert (await rejected(verifier, token)).reason is R.UNSUPPORTED_ALGORITHM


async def test_es256_is_rejected(verifier: TokenVerifier, make_claims: Any) -> None:
    key = ECKey.generate_key("P-256")
    token = jwt.encode({"alg": "ES256", "kid": "realm-key-1"}, make_claims(), key, algorithms=["ES256"])
    assert (await rejected(verifier, token)).reason is R.UNSUPPORTED_ALGORITHM


async def test_a_tampered_payload_fails_the_signature(
    verifier: TokenVerifier, forge: Any, signing_key: RSAKey, make_claims: Any
) -> None:
    token = forge.sign(make_claims(), signing_key)
    forged = forge.tamper(token, realm_access={"roles": ["province-admin"]})
    assert (await rejected(verifier, forged)).reason is R.BAD_SIGNATURE


async def test_a_key_outside_the_jwks_is_an_unknown_key(
    verifier: TokenVerifier, forge: Any, other_key: RSAKey, make_claims: Any
) -> None:
    token = forge.sign(make_claims(), other_key)
    assert (await rejected(verifier, token)).reason is R.UNKNOWN_KEY


async def test_a_foreign_key_claiming_the_realm_kid_fails_the_signature(
    verifier: TokenVerifier, forge: Any, other_key: RSAKey, make_claims: Any
) -> None:
    token = forge.sign(make_claims(), other_key, header={"kid": "realm-key-1"})
    assert (await rejected(verifier, token)).reason is R.BAD_SIGNATURE


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"iss": "http://keycloak.test/realms/other"}, R.WRONG_ISSUER),
        ({"iss": ISSUER + "/"}, R.WRONG_ISSUER),
        ({"iss": None}, R.MISSING_CLAIM),
        ({"aud": "account"}, R.WRONG_AUDIENCE),
        ({"aud": ["account", "neibao-console"]}, R.WRONG_AUDIENCE),
        ({"aud": None}, R.MISSING_CLAIM),
        ({"exp": None}, R.MISSING_CLAIM),
        ({"sub": None}, R.MISSING_CLAIM),
        ({"typ": "ID"}, R.WRONG_TOKEN_TYPE),
        ({"typ": None}, R.MISSING_CLAIM),
        ({"exp": int(time.time()) - 120}, R.EXPIRED),
        ({"nbf": int(time.time()) + 120}, R.NOT_YET_VALID),
        ({"iat": int(time.time()) + 120}, R.ISSUED_IN_FUTURE),
        ({"exp": "tomorrow"}, R.INVALID_CLAIM),
        ({"jurisdiction": ["210102", "210100"]}, R.INVALID_CLAIM),
        ({"realm_access": {"roles": "police"}}, R.INVALID_CLAIM),
    ],
)
async def test_bad_claims_are_rejected_with_their_reason(
    *,
    verifier: TokenVerifier,
    forge: Any,
    signing_key: RSAKey,
    make_claims: Any,
    overrides: dict[str, Any],
    reason: InvalidTokenReason,
) -> None:
    token = forge.sign(make_claims(**overrides), signing_key)
    assert (await rejected(verifier, token)).reason is reason


async def test_leeway_tolerates_small_clock_skew(
    verifier: TokenVerifier, forge: Any, signing_key: RSAKey, make_claims: Any
) -> None:
    now = int(time.time())
    token = forge.sign(make_claims(exp=now - 20, nbf=now + 20, iat=now + 20), signing_key)
    assert (await verifier.verify(token)).subject


async def test_time_comes_from_the_injected_clock(
    realm: Any, http: httpx.AsyncClient, forge: Any, signing_key: RSAKey, make_claims: Any
) -> None:
    realm.publish(signing_key)
    now = int(time.time())
    token = forge.sign(make_claims(exp=now + 300), signing_key)
    later = TokenVerifier(JwksCache(ISSUER, http), leeway=0, clock=lambda: now + 300)
    assert (await rejected(later, token)).reason is R.EXPIRED


@pytest.mark.parametrize("leeway", [-1, 61, 3600])
async def test_leeway_is_capped_at_60_seconds(http: httpx.AsyncClient, leeway: int) -> None:
    with pytest.raises(ValueError, match="leeway"):
        TokenVerifier(JwksCache(ISSUER, http), leeway=leeway)


async def test_the_audience_is_required(http: httpx.AsyncClient) -> None:
    with pytest.raises(ValueError, match="audience"):
        TokenVerifier(JwksCache(ISSUER, http), audience="")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ({"crit": ["exp"]}, R.MALFORMED),
        ({"kid": None}, R.MALFORMED),
        ({"kid": 7}, R.MALFORMED),
    ],
)
async def test_bad_headers_are_rejected(
    *,
    verifier: TokenVerifier,
    forge: Any,
    signing_key: RSAKey,
    make_claims: Any,
    header: dict[str, Any],
    reason: InvalidTokenReason,
) -> None:
    token = forge.reheader(forge.sign(make_claims(), signing_key), **header)
    assert (await rejected(verifier, token)).reason is reason


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "a.b",
        "a.b.c.d.e",
        "!!!.e30.sig",
        "WzFd.e30.sig",  # header is a JSON array
        "x" * 20_000,
    ],
)
async def test_malformed_tokens_are_rejected(verifier: TokenVerifier, token: str) -> None:
    assert (await rejected(verifier, token)).reason is R.MALFORMED


async def test_a_realm_without_reachable_keys_rejects_every_token(
    realm: Any, verifier: TokenVerifier, forge: Any, signing_key: RSAKey, make_claims: Any
) -> None:
    realm.status = 503
    token = forge.sign(make_claims(), signing_key)
    assert (await rejected(verifier, token)).reason is R.KEYS_UNAVAILABLE


async def test_unknown_kids_do_not_hammer_the_realm(
    *,
    realm: Any,
    verifier: TokenVerifier,
    forge: Any,
    signing_key: RSAKey,
    other_key: RSAKey,
    make_claims: Any,
) -> None:
    await verifier.verify(forge.sign(make_claims(), signing_key))
    for i in range(50):
        token = forge.sign(make_claims(), other_key, header={"kid": f"forged-{i}"})
        assert (await rejected(verifier, token)).reason is R.UNKNOWN_KEY
    assert realm.jwks_fetches == 1  # all within the first cooldown after the initial fetch
