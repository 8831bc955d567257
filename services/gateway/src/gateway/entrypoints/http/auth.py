"""Authentication (bearer tokens of the realm) and authorization declared on the route: `require_roles`.

    @router.get("/units/{uscc}", dependencies=[...], responses=problem_responses(404))
    async def get_unit(caller: Annotated[Caller, require_roles(Role.POLICE, Role.REGULATOR)]) -> UnitRead:

The roles a route requires are also published in its OpenAPI operation as `x-roles`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from fastapi import Depends, Request

from gateway.domain.caller import Caller
from gateway.domain.problems import Problem
from gateway.entrypoints.http.dependencies import gateway_dependencies
from gateway.entrypoints.http.problems import request_id_of
from neibao_identity import InvalidToken, InvalidTokenReason, Role

REALM = "neibao"

BEARER_SCHEME_NAME = "bearer"
BEARER_SCHEME: dict[str, str] = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "An access token of Keycloak realm `neibao` for audience `neibao-gateway`.",
}
"""The OpenAPI security scheme of every route that requires roles (added by the route class)."""


def _challenge(error: InvalidToken | None) -> str:
    # RFC 6750 §3.1: a request without credentials gets a challenge without an error code.
    if error is None:
        return f'Bearer realm="{REALM}"'
    return f'Bearer realm="{REALM}", error="invalid_token", error_description="{error.reason.value}"'


def unauthorized(error: InvalidToken | None) -> Problem:
    """The 401 problem for a missing (None) or rejected token."""
    detail = (
        "A bearer token is required." if error is None else f"The bearer token is not valid ({error.reason})."
    )
    return Problem(401, detail, slug="invalid-token", headers={"WWW-Authenticate": _challenge(error)})


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), if any."""
    authorization = request.headers.get("authorization")
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


async def authenticate(request: Request) -> Caller:
    """The verified caller of the request, counted against its rate limit; a Problem otherwise."""
    dependencies = gateway_dependencies(request)
    token = bearer_token(request)
    if token is None:
        raise unauthorized(None)
    try:
        verified = await dependencies.verifier.verified(token)
    except InvalidToken as exc:
        if exc.reason is InvalidTokenReason.KEYS_UNAVAILABLE:
            raise Problem(
                503,
                "Tokens cannot be verified now; try again shortly.",
                slug="keys-unavailable",
                headers={"Retry-After": "5"},
            ) from None
        raise unauthorized(exc) from None
    principal = verified.principal
    retry_after = await dependencies.rate_limiter.retry_after(principal)
    if retry_after is not None:
        raise Problem(
            429,
            "Too many requests; slow down.",
            slug="rate-limited",
            headers={"Retry-After": str(retry_after)},
        )
    expires = verified.claims.get("exp")
    scope = request.scope
    client = scope.get("client")
    return Caller(
        principal=principal,
        token=token,
        request_id=request_id_of(request) or "",
        method=scope["method"],
        path=scope["path"],
        client_address=client[0] if client else None,
        expires_at=datetime.fromtimestamp(expires, UTC) if isinstance(expires, int | float) else None,
    )


class RoleRequirement:
    """A dependency admitting callers holding at least one of `roles` (403 otherwise).

    It authenticates the request itself rather than through sub-dependencies: each dependency FastAPI
    solves costs as much as verifying a cached token, on every request.
    """

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles = frozenset(roles)
        if not self.roles:
            raise ValueError("a route must admit at least one role")

    async def __call__(self, request: Request) -> Caller:
        """The authenticated caller, if one of its roles is admitted."""
        caller = await authenticate(request)
        if not caller.principal.any_role(*self.roles):
            raise Problem(403, "Your role may not use this operation.", slug="forbidden")
        return caller


def require_roles(*roles: Role) -> Any:
    """`Depends` admitting only these roles; use it as the route's Caller parameter or in `dependencies=`."""
    return Depends(RoleRequirement(roles))


ALL_ROLES: tuple[Role, ...] = tuple(Role)
