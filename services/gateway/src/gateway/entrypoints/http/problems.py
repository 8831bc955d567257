"""Every error leaves the gateway as RFC 9457 application/problem+json: rendering, handlers, OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from gateway.domain.problems import PROBLEM_MEDIA_TYPE, FieldViolation, Problem, pointer_from_location

NotFoundFallback = Callable[[Request], Awaitable[Response | None]]


class ProblemResponse(Response):
    """An application/problem+json response."""

    media_type = PROBLEM_MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        """Compact UTF-8 JSON (Chinese text stays readable)."""
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def request_id_of(request: Request) -> str | None:
    """The request id the request-context middleware gave this request."""
    value = request.scope.get("state", {}).get("request_id")
    return value if isinstance(value, str) else None


def render_problem(problem: Problem, request: Request | None = None) -> ProblemResponse:
    """The response for a problem raised while serving `request`."""
    instance = request.url.path if request is not None else None
    request_id = request_id_of(request) if request is not None else None
    return ProblemResponse(
        problem.body(instance=instance, request_id=request_id),
        status_code=problem.status,
        headers=dict(problem.headers),
    )


_HTTP_SLUGS = {
    401: "invalid-token",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "content-too-large",
    429: "rate-limited",
}


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)  # noqa: S101 - registered for Problem only
    return render_problem(exc, request)


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101 - registered for HTTPException only
    if exc.status_code == 404:
        fallback: NotFoundFallback | None = getattr(request.app.state, "not_found_fallback", None)
        if fallback is not None and (response := await fallback(request)) is not None:
            return response
    # Starlette's and FastAPI's own details are fixed phrases ("Not Found"); anything else stays internal.
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else None
    if detail == HTTPStatus(exc.status_code).phrase:
        detail = None
    problem = Problem(
        exc.status_code,
        detail,
        slug=_HTTP_SLUGS.get(exc.status_code),
        headers=dict(exc.headers or {}),
    )
    return render_problem(problem, request)


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for validation errors only
    errors: Sequence[dict[str, Any]] = exc.errors()
    if any(error.get("type") == "json_invalid" for error in errors):
        problem = Problem(400, "The request body is not valid JSON.", slug="malformed-request")
    else:
        # The same answer as a service's field violations: where a field was found wrong does not matter.
        problem = Problem(
            400,
            "The request has invalid fields.",
            slug="invalid-argument",
            errors=[
                FieldViolation(pointer_from_location(error.get("loc", ())), str(error.get("msg", "invalid")))
                for error in errors
            ],
        )
    return render_problem(problem, request)


def install_problem_handlers(app: FastAPI) -> None:
    """Render problems, HTTP errors (404, 405, ...) and validation errors as problem+json."""
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(RequestValidationError, _on_validation_error)


# --- OpenAPI ---------------------------------------------------------------------------------------


class FieldViolationDocument(BaseModel):
    """One invalid field of the request."""

    pointer: str = Field(description="JSON pointer (RFC 6901) to the field, e.g. /uscc", examples=["/uscc"])
    detail: str = Field(description="What is wrong with it.")


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(
        default="about:blank",
        description="A URI naming the kind of problem (urn:neibao:problem:<name>, or about:blank).",
        examples=["urn:neibao:problem:invalid-argument"],
    )
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.", ge=100, le=599)
    detail: str | None = Field(default=None, description="What happened in this occurrence.")
    instance: str | None = Field(default=None, description="The request path.")
    errors: list[FieldViolationDocument] | None = Field(default=None, description="Invalid fields.")
    request_id: str | None = Field(default=None, description="The request id (X-Request-ID), for support.")


PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "The request is malformed or has invalid fields (each in `errors`, with its JSON pointer).",
    401: "No valid bearer token (see the WWW-Authenticate header).",
    403: "The caller's role may not use this operation.",
    404: "No such resource (or it lies outside the caller's scope).",
    405: "The method is not allowed on this path.",
    409: "The request conflicts with the resource's current state.",
    412: "A precondition of the request (If-Match) does not hold.",
    413: "The request body is larger than the gateway accepts.",
    428: "The change needs If-Match with the resource's ETag.",
    429: "Too many requests from this caller; retry after the Retry-After header's seconds.",
    502: "A service behind the gateway failed.",
    503: "A service, the signing keys or the audit trail is unavailable; retry shortly.",
}


PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"


def problem_response(status: int) -> dict[str, Any]:
    """The OpenAPI response object of a problem with this status code."""
    return {
        "description": PROBLEM_DESCRIPTIONS[status],
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}},
    }


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries documenting problem responses with these status codes."""
    return {status: problem_response(status) for status in statuses}


def problem_schemas() -> dict[str, Any]:
    """The component schemas `Problem` and `FieldViolation` that problem responses refer to."""
    schema = ProblemDocument.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions = schema.pop("$defs", {})
    schema["title"] = "Problem"
    violation = definitions.pop("FieldViolationDocument")
    violation["title"] = "FieldViolation"
    text = json.dumps(schema).replace(
        "#/components/schemas/FieldViolationDocument", "#/components/schemas/FieldViolation"
    )
    return {"Problem": json.loads(text), "FieldViolation": violation, **definitions}
