"""Helpers shared by the gateway's tests: settings, a forger of tokens, free ports, bounded waits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from gateway.config import Settings

DEMO_USERS = (
    "admin",
    "police-shenyang",
    "police-heping",
    "police-dalian",
    "regulator-postal",
    "regulator-commerce-dalian",
    "security-chief-demo",
)
SECTOR_CLIENT = "sector-postal-demo"
SECTOR_SECRET = "neibao-demo-secret"


def make_settings(**overrides: Any) -> Settings:
    """Gateway settings for tests (stack addresses given explicitly, so nothing depends on the env)."""
    values: dict[str, Any] = {
        "keycloak_url": "http://127.0.0.1:8180",
        "kafka_bootstrap": "127.0.0.1:9092",
        "http_port": 0,
        "metrics_port": 0,
        "instance_id": "test",
        "console_dir": "/nonexistent/console",
    }
    values.update(overrides)
    return Settings(**values)


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll `condition` until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not met within {timeout}s")
        time.sleep(0.05)


def b64url(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(value: object) -> str:
    """Unpadded base64url of compact JSON."""
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def segment(token: str, index: int) -> dict[str, Any]:
    """One decoded JSON segment (0 header, 1 claims) of a compact JWS, unverified."""
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


class Forge:
    """Forged tokens: every kind the gateway must refuse."""

    @staticmethod
    def sign(claims: dict[str, Any], key: RSAKey, header: dict[str, Any] | None = None) -> str:
        """RS256 over `claims` with `key` (kid from the key unless the header says otherwise)."""
        return jwt.encode({"alg": "RS256", "typ": "JWT", "kid": key.kid, **(header or {})}, claims, key)

    @staticmethod
    def unsigned(token: str) -> str:
        """alg none, the real token's claims and kid, no signature."""
        header = {"alg": "none", "typ": "JWT", "kid": segment(token, 0)["kid"]}
        return f"{b64url_json(header)}.{b64url_json(segment(token, 1))}."

    @staticmethod
    def hs256_with_public_key(token: str, public_pem: bytes, **changes: Any) -> str:
        """The key-confusion attack: HMAC-SHA256 keyed with the realm's RSA public key PEM."""
        header = {"alg": "HS256", "typ": "JWT", "kid": segment(token, 0)["kid"]}
        signing_input = f"{b64url_json(header)}.{b64url_json(segment(token, 1) | changes)}"
        signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64url(signature)}"

    @staticmethod
    def tamper(token: str, **changes: Any) -> str:
        """The real header and signature over changed claims."""
        header, _, signature = token.split(".")
        return f"{header}.{b64url_json(segment(token, 1) | changes)}.{signature}"
