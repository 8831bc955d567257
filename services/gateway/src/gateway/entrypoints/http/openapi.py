"""The OpenAPI document: FastAPI's, plus what the gateway knows about every route.

Routes are declared on routers with `route_class=GatewayRoute` (`gateway_router()`), which documents
the problem responses each operation can give (401/429/503 when authenticated, 403 when its roles
are limited, 400 when it takes parameters or a body, 413 when it takes a body) as application/problem+json,
and its admitted roles as `x-roles`, read from the `require_roles` it depends on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from gateway.entrypoints.http.auth import BEARER_SCHEME, BEARER_SCHEME_NAME, RoleRequirement
from gateway.entrypoints.http.paging import page_size
from gateway.entrypoints.http.problems import problem_response, problem_schemas

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def dependant_roles(dependant: Dependant) -> frozenset[str] | None:
    """The roles admitted (the intersection of every requirement), or None when nothing is required."""
    admitted: frozenset[str] | None = None
    for call in _calls(dependant):
        if isinstance(call, RoleRequirement):
            roles = frozenset(role.value for role in call.roles)
            admitted = roles if admitted is None else admitted & roles
    return admitted


def _has_parameters(dependant: Dependant) -> bool:
    if dependant.query_params or dependant.path_params or dependant.header_params:
        return True
    return any(_has_parameters(dependency) for dependency in dependant.dependencies)


def dependant_authenticates(dependant: Dependant) -> bool:
    """Whether a bearer token is needed (every role requirement authenticates)."""
    return any(isinstance(call, RoleRequirement) for call in _calls(dependant))


class GatewayRoute(APIRoute):
    """An APIRoute documenting its roles (`x-roles`) and the problems it can answer with."""

    def __init__(self, path: str, endpoint: Any, **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        roles = dependant_roles(self.dependant)
        statuses: set[int] = set()
        if dependant_authenticates(self.dependant):
            statuses |= {401, 429, 503}
            self.openapi_extra = {**(self.openapi_extra or {}), "security": [{BEARER_SCHEME_NAME: []}]}
        if roles is not None:
            statuses.add(403)
            self.openapi_extra = {**(self.openapi_extra or {}), "x-roles": sorted(roles)}
        if _has_parameters(self.dependant) or any(call is page_size for call in _calls(self.dependant)):
            statuses.add(400)
        if self.body_field is not None or (self.methods or set()) & _BODY_METHODS:
            statuses |= {400, 413}
        for status in sorted(statuses):
            self.responses.setdefault(status, problem_response(status))

    @property
    def roles(self) -> frozenset[str] | None:
        """The roles this route admits (None: any authenticated or anonymous caller)."""
        return dependant_roles(self.dependant)


def gateway_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes document their roles and problems."""
    return APIRouter(route_class=GatewayRoute, **kwargs)


def install_openapi(app: FastAPI) -> None:
    """Make `app.openapi()` add the problem schemas (and drop FastAPI's unused validation schemas)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            # FastAPI documents a 422 for every operation with inputs; the gateway answers 400 instead.
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            schemas = schema.setdefault("components", {}).setdefault("schemas", {})
            if "HTTPValidationError" not in str(schema.get("paths")):
                for name in _FASTAPI_VALIDATION_SCHEMAS:
                    schemas.pop(name, None)
            schemas.update(problem_schemas())
            schema["components"].setdefault("securitySchemes", {})[BEARER_SCHEME_NAME] = BEARER_SCHEME
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
