"""Unit routes; so far the live stream of unit events (the gRPC-backed routes come with the registry)."""

from __future__ import annotations

from gateway.entrypoints.http.live import mount_live_stream
from gateway.entrypoints.http.openapi import gateway_router
from neibao_identity import Role

UNITS_STREAM = "units"

router = gateway_router(tags=["units"])

mount_live_stream(
    router,
    "/units/stream",
    stream=UNITS_STREAM,
    # Sector systems submit data; they do not watch the registry.
    roles=(Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY),
    summary="Live unit events in the caller's scope (Server-Sent Events)",
)
