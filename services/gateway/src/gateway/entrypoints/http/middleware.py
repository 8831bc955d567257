"""ASGI middleware of the gateway: request context and security headers, body cap, CORS as problems.

Plain ASGI (not BaseHTTPMiddleware) so streaming responses (SSE) pass through untouched and cheaply.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from opentelemetry import trace
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.contextvars import bound_contextvars

from gateway.domain.problems import Problem
from gateway.entrypoints.http.problems import render_problem

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("gateway.access")

REQUEST_ID_HEADER = "x-request-id"
# Accepted from clients as is: short, and nothing that could forge a log line or a header.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def request_id_from(headers: Headers) -> str:
    """The client's X-Request-ID when it is sane, else a new one."""
    candidate = headers.get(REQUEST_ID_HEADER)
    if candidate is not None and _SANE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return uuid.uuid4().hex


def traceparent_of_current_span() -> str | None:
    """The W3C traceparent of the current span (the request's server span), if it is valid."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def console_csp(keycloak_origin: str) -> str:
    """The Content-Security-Policy of the console (a React app from this origin, signing in at Keycloak)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            # Component libraries insert <style> elements at run time.
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            f"connect-src 'self' {keycloak_origin}",
            # keycloak-js checks the session in a hidden iframe of the Keycloak origin.
            f"frame-src {keycloak_origin}",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self' {keycloak_origin}",
        )
    )


def security_headers(csp: str) -> dict[str, str]:
    """The headers every response carries (HSTS is added only over TLS)."""
    return {
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    }


class RequestContextMiddleware:
    """Gives each request an id, returns it with the trace context and the security headers, logs it.

    It also turns an unhandled error into a bare 500 problem (logged with its traceback, never sent).
    """

    def __init__(self, app: ASGIApp, *, csp: str, hsts_max_age: int, access_log: bool = True) -> None:
        self.app = app
        self._headers = security_headers(csp)
        self._hsts = f"max-age={hsts_max_age}; includeSubDomains" if hsts_max_age > 0 else None
        self._access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = request_id_from(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = request_id
        traceparent = traceparent_of_current_span()
        # Proxy headers were applied before us: "https" means TLS up to us or to a trusted proxy.
        over_tls = scope.get("scheme") == "https"
        is_api = scope["path"].startswith("/api/")
        status = 500
        response_started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                if traceparent is not None:
                    headers["traceparent"] = traceparent
                for name, value in self._headers.items():
                    if name not in headers:  # a route may set a stricter or a page-specific policy
                        headers[name] = value
                if over_tls and self._hsts is not None:
                    headers["strict-transport-security"] = self._hsts
                if is_api and "cache-control" not in headers:
                    headers["cache-control"] = "no-store"  # API answers may carry personal data
            await send(message)

        with bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_headers)
            except Exception:
                logger.exception("unhandled error in %s %s", scope["method"], scope["path"])
                if response_started:
                    raise
                problem = Problem(500, "The gateway failed to handle the request.", slug="internal")
                await render_problem(problem, Request(scope))(scope, receive, send_with_headers)
            finally:
                if self._access_log:
                    access_logger.info(
                        "%s %s %d",
                        scope["method"],
                        scope["path"],
                        status,
                        extra={
                            "http_method": scope["method"],
                            "http_path": scope["path"],
                            "http_status": status,
                            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                            "client": (scope.get("client") or ("", 0))[0],
                        },
                    )


class ContentTooLarge(HTTPException):
    """The request body exceeds the cap (raised from `receive`, rendered as a 413 problem)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body exceeds {limit} bytes.")


class BodyLimitMiddleware:
    """Refuses request bodies above `max_bytes`: at once by Content-Length, else as they stream in."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = False

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise ContentTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, capped_receive, tracking_send)
        except ContentTooLarge:
            # Readers other than FastAPI's body parsing let it escape: answer here if we still can.
            if response_started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = Problem(
            413,
            f"The request body exceeds {self.max_bytes} bytes.",
            slug="content-too-large",
            # The client may still be sending: close the connection rather than read what we refused.
            headers={"connection": "close"},
        )
        await render_problem(problem, Request(scope))(scope, receive, send)


class ProblemCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered as a problem rather than plain text."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await super().__call__(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if "origin" not in headers or "access-control-request-method" not in headers:
            await super().__call__(scope, receive, send)
            return
        response = self.preflight_response(request_headers=headers)
        if response.status_code >= 400:
            kept = {
                name: value
                for name, value in response.headers.items()
                if name.lower() not in {"content-length", "content-type"}
            }
            detail = bytes(response.body).decode(errors="replace")
            problem = Problem(response.status_code, detail, slug="cors-refused", headers=kept)
            response = render_problem(problem, Request(scope))
        await response(scope, receive, send)
