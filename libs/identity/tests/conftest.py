"""Shared by unit and integration tests: local RSA keys and a forger of (mostly bad) tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

ISSUER = "http://keycloak.test/realms/neibao"
AUDIENCE = "neibao-gateway"


def b64url(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: object) -> str:
    """Unpadded base64url of compact JSON."""
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def decode_segment(segment: str) -> dict[str, Any]:
    """A JSON object from one base64url segment of a compact JWS."""
    result: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return result


class Forge:
    """Builds tokens: properly signed ones and every kind of forgery the verifier must refuse."""

    def sign(
        self, claims: dict[str, Any], key: RSAKey, *, alg: str = "RS256", header: dict[str, Any] | None = None
    ) -> str:
        """A compact JWS of `claims` signed by `key` (kid from the key unless the header says otherwise)."""
        full_header: dict[str, Any] = {"alg": alg, "typ": "JWT", "kid": key.kid}
        full_header.update(header or {})
        return jwt.encode(full_header, claims, key, algorithms=[alg])

    def unsigned(self, claims: dict[str, Any], kid: str | None) -> str:
        """alg "none": no signature at all."""
        header = {"alg": "none", "typ": "JWT", **({"kid": kid} if kid else {})}
        return f"{b64url_json(header)}.{b64url_json(claims)}."

    def hs256_with_public_key(self, claims: dict[str, Any], public_key: RSAKey, kid: str | None) -> str:
        """The classic confusion attack: HMAC-SHA256 keyed with the RSA public key's PEM."""
        header = {"alg": "HS256", "typ": "JWT", **({"kid": kid} if kid else {})}
        signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
        secret = public_key.as_pem(private=False)
        signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64url(signature)}"

    def tamper(self, token: str, **changes: Any) -> str:
        """The same header and signature over a payload with `changes` applied."""
        header, payload, signature = token.split(".")
        claims = decode_segment(payload)
        claims.update(changes)
        return f"{header}.{b64url_json(claims)}.{signature}"

    def reheader(self, token: str, **changes: Any) -> str:
        """The same payload and signature under a header with `changes` applied (None drops a field)."""
        header, payload, signature = token.split(".")
        fields = decode_segment(header)
        fields.update(changes)
        fields = {key: value for key, value in fields.items() if value is not None}
        return f"{b64url_json(fields)}.{payload}.{signature}"

    def claims(self, token: str) -> dict[str, Any]:
        """The (unverified) payload of a compact JWS."""
        return decode_segment(token.split(".")[1])

    def header(self, token: str) -> dict[str, Any]:
        """The (unverified) header of a compact JWS."""
        return decode_segment(token.split(".", maxsplit=1)[0])


@pytest.fixture(scope="session")
def forge() -> Forge:
    """The token forger."""
    return Forge()


@pytest.fixture(scope="session")
def signing_key() -> RSAKey:
    """A 2048-bit RSA key with a kid, standing in for the realm's key."""
    return RSAKey.generate_key(2048, parameters={"kid": "realm-key-1", "use": "sig", "alg": "RS256"})


@pytest.fixture(scope="session")
def other_key() -> RSAKey:
    """A second key: a rotated-in realm key, or an attacker's."""
    return RSAKey.generate_key(2048, parameters={"kid": "realm-key-2", "use": "sig", "alg": "RS256"})


def access_claims(**overrides: Any) -> dict[str, Any]:
    """Claims shaped like a Keycloak access token of a Heping police officer."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "exp": now + 300,
        "iat": now,
        "jti": "onrtro:test",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "6f1c2d1e-0000-4000-8000-000000000001",
        "typ": "Bearer",
        "azp": "neibao-cli",
        "realm_access": {"roles": ["police"]},
        "preferred_username": "police-heping",
        "jurisdiction": "210102",
    }
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


@pytest.fixture
def make_claims() -> Any:
    """A factory of Keycloak-shaped access-token claims (pass key=None to drop a claim)."""
    return access_claims
