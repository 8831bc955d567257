"""Typed failures of token verification."""

from __future__ import annotations

from enum import StrEnum


class InvalidTokenReason(StrEnum):
    """Why a token was rejected; stable codes for logs, metrics and error details."""

    MISSING = "missing"
    MALFORMED = "malformed"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    UNKNOWN_KEY = "unknown_key"
    KEYS_UNAVAILABLE = "keys_unavailable"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    ISSUED_IN_FUTURE = "issued_in_future"
    WRONG_ISSUER = "wrong_issuer"
    WRONG_AUDIENCE = "wrong_audience"
    WRONG_TOKEN_TYPE = "wrong_token_type"  # noqa: S105 - a reason code, not a secret
    MISSING_CLAIM = "missing_claim"
    INVALID_CLAIM = "invalid_claim"


class InvalidToken(Exception):
    """A bearer token that must not be accepted; `reason` says why."""

    def __init__(self, reason: InvalidTokenReason, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}" if detail else reason.value)


class JwksUnavailable(Exception):
    """The realm's signing keys could not be fetched or contained no usable key."""


class NotAuthenticated(LookupError):
    """No principal is bound to the current context (the call did not pass the interceptor)."""
