"""The FastAPI application: routes, error rendering, middleware, telemetry and lifespan, from its parts."""

from __future__ import annotations

from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gateway.config import Settings
from gateway.entrypoints.http.dependencies import GatewayDependencies
from gateway.entrypoints.http.middleware import (
    REQUEST_ID_HEADER,
    BodyLimitMiddleware,
    ProblemCORSMiddleware,
    RequestContextMiddleware,
    console_csp,
)
from gateway.entrypoints.http.openapi import install_openapi
from gateway.entrypoints.http.problems import install_problem_handlers
from gateway.entrypoints.http.routes import alarms as alarm_routes
from gateway.entrypoints.http.routes import devices as device_routes
from gateway.entrypoints.http.routes import (
    dossier,
    health,
    informants,
    inspections,
    jurisdictions,
    me,
    scores,
    staff,
    unit_figures,
    units,
)
from gateway.entrypoints.http.routes import exchange as exchange_routes
from gateway.entrypoints.http.routes.site import ConsoleFiles, install_site

API_PREFIX = "/api/v1"
PROBES = frozenset({"/healthz", "/readyz"})

DESCRIPTION = """\
The public API of Neibao (内保), Liaoning's platform for supervising the internal security work of
enterprises and public institutions.

Every `/api/v1` operation needs a bearer access token of Keycloak realm `neibao` (audience
`neibao-gateway`); `x-roles` lists the realm roles an operation admits. Objects outside the caller's
scope answer 404 and never appear in lists. Errors are RFC 9457 `application/problem+json`, with
invalid fields (found by the gateway or by a service alike) as a 400 with
`errors: [{"pointer": "/uscc", "detail": "..."}]`.

Units carry a strong ETag (`"<version>"`); changes need `If-Match` with it (428 without, 412 when stale).
Answers carrying people's personal data (staff, responsible persons, informants) say in `disclosure`
whether resident IDs and phones are clear or masked, and are audited before they are sent (503 when the
audit record cannot be written).
Lists answer `{"items": [...], "next_cursor": "..."}`: pass `next_cursor` as `cursor` for the next page
(null on the last page). Enumerations are snake_case strings; an unset one is null.
"""


def api_routers() -> tuple[APIRouter, ...]:
    """The routers of every route under /api/v1 (each included at the app's top level, with the prefix:
    FastAPI walks nested includes on every request)."""
    return (
        me.router,
        units.router,
        jurisdictions.router,
        device_routes.router,
        unit_figures.router,
        dossier.router,
        staff.router,
        informants.router,
        inspections.router,
        alarm_routes.router,
        exchange_routes.router,
        scores.router,
    )


def _is_probe(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in PROBES


def create_app(settings: Settings, dependencies: GatewayDependencies) -> FastAPI:
    """The gateway app over already-built dependencies (started and closed by the app's lifespan)."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await dependencies.start()
        try:
            yield
        finally:
            await dependencies.close()

    app = FastAPI(
        # FastAPI's own OpenTelemetry: a server span per request (continuing an incoming traceparent),
        # probes excepted. Its per-operation spans, metrics and log records are off: they cost more than
        # the request's own work, and the access log and Prometheus cover the rest.
        telemetry={
            "tracer_provider": dependencies.tracer_provider,
            "tracing": True,
            "operation_spans": False,
            "metrics": False,
            "logs": False,
            "exclude": _is_probe,
        },
        title="Neibao gateway",
        version="1.0.0",
        summary="The one public door of Neibao: REST and live events over Keycloak identity.",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_tags=[
            {"name": "identity", "description": "Who the caller is."},
            {
                "name": "units",
                "description": "Units, their key-unit designations, history and live events.",
            },
            {
                "name": "jurisdictions",
                "description": "GB/T 2260 divisions of Liaoning and their police stations.",
            },
            {
                "name": "dossier",
                "description": "A unit's dossier: filing with the police, responsible persons, key parts, "
                "emergency plans, drills, police workstations.",
            },
            {"name": "staff", "description": "A unit's security staff, their trainings and certificates."},
            {"name": "informants", "description": "Informants and their reports (police only)."},
            {"name": "inspections", "description": "Inspections, hazards, rectification and verification."},
            {"name": "operations", "description": "Probes for the orchestrator."},
        ],
    )
    app.state.gateway = dependencies
    app.include_router(health.router)
    for router in api_routers():
        app.include_router(router, prefix=API_PREFIX)
    install_site(app, ConsoleFiles(settings.console_dir), settings.keycloak_origin)
    install_problem_handlers(app)
    install_openapi(app)

    # Added innermost first: the last added runs first on a request.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(
        ProblemCORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["authorization", "content-type", "if-match", "last-event-id", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER, "traceparent", "retry-after", "etag", "location"],
        max_age=600,
    )
    app.add_middleware(
        RequestContextMiddleware,
        csp=console_csp(settings.keycloak_origin),
        hsts_max_age=settings.hsts_max_age_seconds,
    )
    # Client address and scheme from X-Forwarded-* of trusted proxies only (HSTS, audit, logs).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    return app
