"""Verification of Keycloak access tokens: RS256 only, exact issuer, required audience, bounded leeway."""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwt import ClaimsOption, JWTClaimsRegistry

from neibao_identity.errors import InvalidToken, InvalidTokenReason, JwksUnavailable
from neibao_identity.jwks import SIGNING_ALGORITHM, JwksCache
from neibao_identity.principal import Principal

GATEWAY_AUDIENCE = "neibao-gateway"
MAX_LEEWAY_SECONDS = 60
# Keycloak access tokens carry typ "Bearer"; ID tokens ("ID") and others must not pass as access tokens.
ACCESS_TOKEN_TYPE = "Bearer"  # noqa: S105 - a token type, not a secret
# A Keycloak access token is a few KiB; refuse to parse anything absurd.
MAX_TOKEN_LENGTH = 16 * 1024

_CLAIM_REASONS = {
    "iss": InvalidTokenReason.WRONG_ISSUER,
    "aud": InvalidTokenReason.WRONG_AUDIENCE,
    "nbf": InvalidTokenReason.NOT_YET_VALID,
    "iat": InvalidTokenReason.ISSUED_IN_FUTURE,
    "typ": InvalidTokenReason.WRONG_TOKEN_TYPE,
}


class TokenVerifier:
    """Verifies bearer tokens of one issuer (the JwksCache's) for one audience."""

    def __init__(
        self,
        keys: JwksCache,
        *,
        audience: str = GATEWAY_AUDIENCE,
        leeway: int = 30,
        token_type: str | None = ACCESS_TOKEN_TYPE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 <= leeway <= MAX_LEEWAY_SECONDS:
            raise ValueError(f"leeway must be between 0 and {MAX_LEEWAY_SECONDS} seconds, not {leeway}")
        if not audience:
            raise ValueError("an audience is required")
        self._keys = keys
        self.issuer = keys.issuer
        self.audience = audience
        self.leeway = leeway
        self._clock = clock
        options: dict[str, ClaimsOption] = {
            "iss": {"essential": True, "value": self.issuer},
            "aud": {"essential": True, "value": audience},
            "exp": {"essential": True},
            "sub": {"essential": True},
        }
        if token_type is not None:
            options["typ"] = {"essential": True, "value": token_type}
        self._options = options

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises InvalidToken otherwise."""
        return Principal.from_claims(await self.verify_claims(token))

    async def verify_claims(self, token: str) -> dict[str, Any]:
        """The claims of a valid token; raises InvalidToken otherwise."""
        header = read_header(token)
        alg = header.get("alg")
        if alg != SIGNING_ALGORITHM:
            raise InvalidToken(InvalidTokenReason.UNSUPPORTED_ALGORITHM, f"alg {alg!r} is not accepted")
        if "crit" in header:
            raise InvalidToken(InvalidTokenReason.MALFORMED, "critical header parameters are not supported")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken(InvalidTokenReason.MALFORMED, "the header names no kid")
        try:
            key = await self._keys.get(kid)
        except JwksUnavailable as exc:
            raise InvalidToken(InvalidTokenReason.KEYS_UNAVAILABLE, str(exc)) from exc
        if key is None:
            raise InvalidToken(
                InvalidTokenReason.UNKNOWN_KEY, f"kid {kid!r} is not a signing key of the realm"
            )
        try:
            decoded = jwt.decode(token, key, algorithms=[SIGNING_ALGORITHM])
        except BadSignatureError as exc:
            raise InvalidToken(InvalidTokenReason.BAD_SIGNATURE) from exc
        except JoseError as exc:
            raise InvalidToken(InvalidTokenReason.MALFORMED, exc.error) from exc
        self._validate(decoded.claims)
        return decoded.claims

    def _validate(self, claims: dict[str, Any]) -> None:
        registry = JWTClaimsRegistry(now=lambda: int(self._clock()), leeway=self.leeway, **self._options)
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise InvalidToken(InvalidTokenReason.EXPIRED) from exc
        except MissingClaimError as exc:
            raise InvalidToken(InvalidTokenReason.MISSING_CLAIM, exc.claim) from exc
        except ClaimError as exc:
            reason = _CLAIM_REASONS.get(exc.claim, InvalidTokenReason.INVALID_CLAIM)
            raise InvalidToken(reason, exc.claim) from exc


def read_header(token: str) -> dict[str, Any]:
    """The (unverified) JOSE header of a compact JWS; raises InvalidToken if it is not one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise InvalidToken(InvalidTokenReason.MALFORMED, "empty or oversized token")
    segments = token.split(".")
    if len(segments) != 3:
        raise InvalidToken(InvalidTokenReason.MALFORMED, "not a compact JWS (three segments)")
    try:
        raw = base64.urlsafe_b64decode(segments[0] + "=" * (-len(segments[0]) % 4))
        header = json.loads(raw)
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken(InvalidTokenReason.MALFORMED, "the header is not base64url JSON") from exc
    if not isinstance(header, dict):
        raise InvalidToken(InvalidTokenReason.MALFORMED, "the header is not a JSON object")
    return header
