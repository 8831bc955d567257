"""Probes: /healthz (the process answers) and /readyz (keys held, every upstream SERVING)."""

from __future__ import annotations

from gateway.domain.problems import Problem
from gateway.entrypoints.http.dependencies import Dependencies
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.schemas import HealthRead, ReadinessRead
from neibao_identity import JwksUnavailable

SIGNING_KEYS = "signing-keys"

router = gateway_router(tags=["operations"])


@router.get("/healthz", summary="Liveness", operation_id="get_health")
async def get_health() -> HealthRead:
    """The process is alive and serving HTTP."""
    return HealthRead()


@router.get("/readyz", summary="Readiness", operation_id="get_readiness", responses=problem_responses(503))
async def get_readiness(dependencies: Dependencies) -> ReadinessRead:
    """Ready when the realm's signing keys are held and every configured upstream answers gRPC health."""
    checks: dict[str, bool] = {}
    try:
        await dependencies.jwks.ensure_usable()
        checks[SIGNING_KEYS] = True
    except JwksUnavailable:
        checks[SIGNING_KEYS] = False
    checks.update({f"upstream:{name}": up for name, up in (await dependencies.upstreams.health()).items()})
    if not all(checks.values()):
        failing = ", ".join(sorted(name for name, ok in checks.items() if not ok))
        raise Problem(
            503,
            f"Not ready: {failing}.",
            slug="not-ready",
            headers={"Retry-After": "5"},
            extensions={"checks": checks},
        )
    return ReadinessRead(checks=checks)
