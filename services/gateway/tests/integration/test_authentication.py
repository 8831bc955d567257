"""The token matrix against the real realm: every forgery and every stale or foreign token is a 401."""

from __future__ import annotations

import time

import httpx
import pytest
from joserfc.jwk import RSAKey

from neibao_testkit import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens

from ..support import Forge, closed_port, segment
from .conftest import StartGateway, bearer

ME = "/api/v1/me"


def assert_invalid_token(response: httpx.Response, reason: str | None) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    challenge = response.headers["www-authenticate"]
    assert challenge.startswith('Bearer realm="neibao"')
    if reason is None:
        assert "error=" not in challenge  # RFC 6750: no error code when no credentials were sent
    else:
        assert 'error="invalid_token"' in challenge
        assert f'error_description="{reason}"' in challenge
    body = response.json()
    assert body["status"] == 401
    assert body["type"] == "urn:neibao:problem:invalid-token"
    assert "Traceback" not in response.text


async def realm_public_key(stack: StackEndpoints, kid: str) -> RSAKey:
    async with httpx.AsyncClient() as http:
        keys = (await http.get(f"{stack.issuer}/protocol/openid-connect/certs")).json()["keys"]
    jwk = next(key for key in keys if key["kid"] == kid)
    return RSAKey.import_key({k: jwk[k] for k in ("kty", "n", "e", "kid")})


async def test_a_real_token_is_accepted(start_gateway: StartGateway, tokens: dict[str, str]) -> None:
    gateway = await start_gateway()
    response = await gateway.client.get(ME, headers=bearer(tokens["police-heping"]))
    assert response.status_code == 200
    assert response.json()["username"] == "police-heping"


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic cG9saWNlOm5laWJhbw=="}, {"Authorization": "Bearer"}],
    ids=["no-header", "basic", "empty-bearer"],
)
async def test_missing_token(start_gateway: StartGateway, headers: dict[str, str]) -> None:
    gateway = await start_gateway()
    assert_invalid_token(await gateway.client.get(ME, headers=headers), None)


async def test_forgeries_are_refused(
    start_gateway: StartGateway, tokens: dict[str, str], forge: Forge, keycloak: StackEndpoints
) -> None:
    gateway = await start_gateway()
    real = tokens["police-heping"]
    public = await realm_public_key(keycloak, segment(real, 0)["kid"])
    attacker = RSAKey.generate_key(2048, parameters={"kid": "attacker"})
    admin_claims = segment(real, 1) | {
        "realm_access": {"roles": ["province-admin"]},
        "jurisdiction": "210000",
    }
    cases = {
        "unsupported_algorithm": [
            forge.unsigned(real),
            forge.hs256_with_public_key(real, public.as_pem(private=False)),
            forge.hs256_with_public_key(real, public.as_pem(private=False), jurisdiction="210000"),
        ],
        "unknown_key": [
            forge.sign(admin_claims, attacker),
            forge.sign(admin_claims, attacker, header={"kid": segment(real, 0)["kid"] + "x"}),
        ],
        "bad_signature": [
            forge.tamper(real, jurisdiction="210000"),
            forge.tamper(real, realm_access={"roles": ["province-admin"]}),
            forge.tamper(real, exp=4_102_444_800),
            # A key the attacker owns, under the realm's kid: the realm's key must not verify it.
            forge.sign(admin_claims, attacker, header={"kid": segment(real, 0)["kid"]}),
        ],
        "malformed": ["not-a-jwt", real.rsplit(".", 1)[0], "a.b.c"],
    }
    for reason, forged_tokens in cases.items():
        for forged in forged_tokens:
            assert_invalid_token(await gateway.client.get(ME, headers=bearer(forged)), reason)


async def test_a_token_of_another_issuer_is_refused(
    start_gateway: StartGateway, tokens: dict[str, str], stack: StackEndpoints
) -> None:
    # The same realm under another host name is another issuer (its tokens say 127.0.0.1).
    gateway = await start_gateway(keycloak_url=stack.keycloak_url.replace("127.0.0.1", "localhost"))
    assert_invalid_token(
        await gateway.client.get(ME, headers=bearer(tokens["police-heping"])), "wrong_issuer"
    )


async def test_a_token_for_another_audience_is_refused(
    start_gateway: StartGateway, tokens: dict[str, str], keycloak_tokens: KeycloakTokens
) -> None:
    gateway = await start_gateway(audience="neibao-unit-registry")
    assert_invalid_token(
        await gateway.client.get(ME, headers=bearer(tokens["police-heping"])), "wrong_audience"
    )
    # A genuine token of the realm issued to a client without the gateway audience (admin-cli).
    foreign = keycloak_tokens.password("police-heping", client_id="admin-cli")["access_token"]
    gateway = await start_gateway()
    response = await gateway.client.get(ME, headers=bearer(foreign))
    assert response.status_code == 401
    assert (
        "wrong_audience" in response.headers["www-authenticate"]
        or "missing_claim" in response.headers["www-authenticate"]
    )


async def test_an_expired_token_is_refused(start_gateway: StartGateway, tokens: dict[str, str]) -> None:
    token = tokens["police-heping"]
    expires = segment(token, 1)["exp"]
    gateway = await start_gateway(clock=lambda: expires + 31)  # leeway is 30 s
    assert_invalid_token(await gateway.client.get(ME, headers=bearer(token)), "expired")


async def test_a_token_not_yet_valid_is_refused(start_gateway: StartGateway, tokens: dict[str, str]) -> None:
    # Keycloak issues no nbf; a gateway whose clock is before the token's iat sees it as not yet valid.
    # (The nbf claim itself is covered in tests/unit/test_authentication.py with a local key.)
    token = tokens["police-heping"]
    issued = segment(token, 1)["iat"]
    gateway = await start_gateway(clock=lambda: issued - 600)
    assert_invalid_token(await gateway.client.get(ME, headers=bearer(token)), "issued_in_future")


async def test_without_the_realm_keys_tokens_are_not_refused_as_invalid_but_unavailable(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway(keycloak_url=f"http://127.0.0.1:{closed_port()}")
    started = time.monotonic()

    response = await gateway.client.get(ME, headers=bearer(tokens["police-heping"]))
    ready = await gateway.client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:neibao:problem:keys-unavailable"
    assert "retry-after" in response.headers
    assert ready.status_code == 503
    assert ready.json()["checks"]["signing-keys"] is False
    assert time.monotonic() - started < 10
