"""The token matrix through the running gateway: on a real route, every forged, foreign or stale token is a
401 problem with a Bearer challenge, and nothing of the resource leaks.

A genuinely expired realm token needs Keycloak's 5-minute lifespan to pass; here the expired token is the
real one re-signed with its times moved into the past (refused for its signature, as an attacker's would
be). The gateway's integration tests prove expiry on a real token with the gateway's clock moved ahead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from neibao_testkit import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens

from .conftest import TokenBook
from .support import DEMO_UNIT, assert_problem

ROUTE = f"/api/v1/units/{DEMO_UNIT}"
ATTACKER = RSAKey.generate_key(2048, parameters={"kid": "attacker-key"})


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: object) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def sign(claims: dict[str, Any], key: RSAKey, kid: str) -> str:
    return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": kid}, claims, key)


def hs256(header: dict[str, Any], claims: dict[str, Any], secret: bytes) -> str:
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    return f"{signing_input}.{b64url(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


@pytest.fixture(scope="module")
def real(tokens: TokenBook) -> str:
    """A genuine token of police-heping, who may read the route's unit."""
    return tokens.token("police-heping")


@pytest.fixture(scope="module")
def realm_public_pem(keycloak: StackEndpoints, real: str) -> bytes:
    """The PEM of the realm's signing key (public: anyone can fetch it)."""
    keys = httpx.get(f"{keycloak.issuer}/protocol/openid-connect/certs", timeout=10).json()["keys"]
    jwk = next(key for key in keys if key["kid"] == segment(real, 0)["kid"])
    pem: bytes = RSAKey.import_key({k: jwk[k] for k in ("kty", "n", "e", "kid")}).as_pem(private=False)
    return pem


def forgeries(
    real: str, public_pem: bytes, keycloak_tokens: KeycloakTokens, keycloak_url: str
) -> dict[str, str]:
    header, claims = segment(real, 0), segment(real, 1)
    escalated = claims | {"realm_access": {"roles": ["province-admin"]}, "jurisdiction": "210000"}
    now = int(time.time())
    # The realm's own token endpoint under another host name issues tokens of another issuer.
    other_issuer = httpx.post(
        keycloak_url.replace("127.0.0.1", "localhost") + "/realms/neibao/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "neibao-cli",
            "username": "police-heping",
            "password": "neibao-demo",
        },
        timeout=30,
    ).json()["access_token"]
    assert segment(other_issuer, 1)["iss"] != claims["iss"]
    real_header, _, real_signature = real.split(".")
    unsigned_header = b64url_json({"alg": "none", "typ": "JWT", "kid": header["kid"]})
    return {
        "alg_none": f"{unsigned_header}.{b64url_json(escalated)}.",
        "hs256_with_the_realm_public_key": hs256(
            {"alg": "HS256", "typ": "JWT", "kid": header["kid"]}, escalated, public_pem
        ),
        "wrong_issuer": other_issuer,
        # A genuine token of the realm for a client whose tokens are not meant for the gateway.
        "wrong_audience": keycloak_tokens.password("police-heping", client_id="admin-cli")["access_token"],
        "expired": sign(claims | {"iat": now - 900, "exp": now - 600}, ATTACKER, header["kid"]),
        "unknown_kid": sign(escalated, ATTACKER, "attacker-key"),
        "tampered": f"{real_header}.{b64url_json(escalated)}.{real_signature}",
        "foreign_key_under_the_realm_kid": sign(escalated, ATTACKER, header["kid"]),
        "garbage": "not-a-jwt",
    }


def test_a_genuine_token_reads_the_route(api: httpx.Client, real: str) -> None:
    assert api.get(ROUTE, headers={"Authorization": f"Bearer {real}"}).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic cG9saWNlOm5laWJhbw=="}, {"Authorization": "Bearer"}],
    ids=["no_header", "basic", "empty_bearer"],
)
def test_a_request_without_a_bearer_token_is_challenged(api: httpx.Client, headers: dict[str, str]) -> None:
    response = api.get(ROUTE, headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == 'Bearer realm="neibao"'


def test_every_forgery_is_refused(
    api: httpx.Client,
    real: str,
    realm_public_pem: bytes,
    keycloak_tokens: KeycloakTokens,
    keycloak: StackEndpoints,
) -> None:
    cases = forgeries(real, realm_public_pem, keycloak_tokens, keycloak.keycloak_url)
    assert len(cases) >= 8
    for name, forged in cases.items():
        response = api.get(ROUTE, headers={"Authorization": f"Bearer {forged}"})
        problem = assert_problem(response, 401)
        assert problem["type"] == "urn:neibao:problem:invalid-token", name
        assert 'error="invalid_token"' in response.headers["www-authenticate"], name
        assert DEMO_UNIT not in response.text.replace(ROUTE, ""), name
    reasons = {
        name: api.get(ROUTE, headers={"Authorization": f"Bearer {cases[name]}"}).headers["www-authenticate"]
        for name in ("alg_none", "wrong_issuer", "wrong_audience", "unknown_kid", "tampered")
    }
    assert 'error_description="unsupported_algorithm"' in reasons["alg_none"]
    assert 'error_description="wrong_issuer"' in reasons["wrong_issuer"]
    assert "wrong_audience" in reasons["wrong_audience"] or "missing_claim" in reasons["wrong_audience"]
    assert 'error_description="unknown_key"' in reasons["unknown_kid"]
    assert 'error_description="bad_signature"' in reasons["tampered"]
