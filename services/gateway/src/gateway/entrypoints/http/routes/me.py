"""GET /api/v1/me: who the caller is, as the platform understands it."""

from __future__ import annotations

from typing import Annotated

from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import ALL_ROLES, require_roles
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.schemas import PrincipalRead

router = gateway_router(tags=["identity"])


@router.get("/me", summary="The caller's principal", operation_id="get_me")
async def get_me(caller: Annotated[Caller, require_roles(*ALL_ROLES)]) -> PrincipalRead:
    """The caller's roles, jurisdiction (with its name), sector, unit and client, from the verified token."""
    return PrincipalRead.of(caller)
