"""gRPC calls to the platform's services: the caller's token, request id and trace go along, a deadline
bounds every call, and a failed call becomes a problem the client can act on (never a hang, never
an internal detail)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
import grpc.aio
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped,unused-ignore]
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider

from gateway.domain.caller import Caller
from gateway.domain.problems import FieldViolation, Problem, pointer_from_field_path
from neibao_identity import bearer_metadata

logger = logging.getLogger(__name__)

REQUEST_ID_METADATA = "x-request-id"
# The google.rpc.PreconditionFailure violation type of a stale version (the services' convention).
VERSION_PRECONDITION = "VERSION"
_MAX_DETAIL = 500

RequestT = TypeVar("RequestT")
ResponseT = TypeVar("ResponseT")
StubT = TypeVar("StubT")

if TYPE_CHECKING:
    UnaryMethod = grpc.aio.UnaryUnaryMultiCallable[RequestT, ResponseT]
else:
    UnaryMethod = grpc.aio.UnaryUnaryMultiCallable


def rpc_name(method: object) -> str:
    """ "package.Service/Method" of a grpc.aio multicallable (it keeps "/package.Service/Method")."""
    raw = getattr(method, "_method", b"")
    return (raw.decode() if isinstance(raw, bytes) else str(raw)).lstrip("/") or "grpc"


class UpstreamNotConfigured(LookupError):
    """A route asked for a service the gateway has no address for (a deployment error)."""


def problem_from_status(  # noqa: PLR0911 - one return per status family reads best
    code: grpc.StatusCode,
    details: str | None,
    violations: Sequence[FieldViolation] = (),
    *,
    conditional: bool = False,
) -> Problem:
    """The problem a client gets for an upstream status (`conditional`: the request had If-Match)."""
    message = (details or "").strip()[:_MAX_DETAIL] or None
    match code:
        case grpc.StatusCode.INVALID_ARGUMENT | grpc.StatusCode.OUT_OF_RANGE:
            return Problem(400, message, slug="invalid-argument", errors=tuple(violations))
        case grpc.StatusCode.NOT_FOUND:
            return Problem(404, message, slug="not-found")
        case grpc.StatusCode.ALREADY_EXISTS:
            return Problem(409, message, slug="already-exists")
        case grpc.StatusCode.FAILED_PRECONDITION if conditional:
            return Problem(412, message, slug="precondition-failed")
        case grpc.StatusCode.FAILED_PRECONDITION | grpc.StatusCode.ABORTED:
            return Problem(409, message, slug="conflict")
        case grpc.StatusCode.PERMISSION_DENIED:
            return Problem(403, "You may not do this.", slug="forbidden")
        case grpc.StatusCode.UNAUTHENTICATED:
            return Problem(
                401,
                "The service did not accept your credentials.",
                slug="invalid-token",
                headers={"WWW-Authenticate": 'Bearer realm="neibao", error="invalid_token"'},
            )
        case grpc.StatusCode.UNAVAILABLE | grpc.StatusCode.DEADLINE_EXCEEDED:
            return Problem(
                503,
                "A service needed for this request is not available now; try again shortly.",
                slug="upstream-unavailable",
                headers={"Retry-After": "1"},
            )
        case _:
            return Problem(502, "A service needed for this request failed.", slug="bad-gateway")


def field_violations(status: status_pb2.Status | None) -> list[FieldViolation]:
    """The google.rpc.BadRequest field violations in a rich status, as JSON pointers."""
    if status is None:
        return []
    violations: list[FieldViolation] = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations.extend(
                FieldViolation(pointer_from_field_path(v.field), v.description)
                for v in bad_request.field_violations
            )
    return violations


def precondition_types(status: status_pb2.Status | None) -> set[str]:
    """The types of the google.rpc.PreconditionFailure violations in a rich status ("VERSION", ...)."""
    if status is None:
        return set()
    types: set[str] = set()
    for detail in status.details:
        if detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
            failure = error_details_pb2.PreconditionFailure()
            detail.Unpack(failure)
            types.update(violation.type for violation in failure.violations)
    return types


def problem_from_rpc_error(error: grpc.aio.AioRpcError, *, conditional: bool = False) -> Problem:
    """The problem for a failed call, with the field violations its trailers carry.

    With If-Match, FAILED_PRECONDITION is a 412 unless its details say the failed precondition is the
    resource's state rather than its version (then 409: GETting it again will not help).
    """
    try:
        rich = rpc_status.from_call(error)  # type: ignore[arg-type]  # AioRpcError has the Call methods
    except ValueError:
        rich = None  # a status proto that contradicts the call's own status: ignore its details
    if conditional and error.code() == grpc.StatusCode.FAILED_PRECONDITION:
        types = precondition_types(rich)
        conditional = not types or VERSION_PRECONDITION in types
    return problem_from_status(error.code(), error.details(), field_violations(rich), conditional=conditional)


class Upstreams:
    """One grpc.aio channel per configured service, made on first use (on the serving loop).

    Channels connect lazily too: a service that is down makes its calls fail fast, never the start.
    """

    def __init__(
        self,
        targets: Mapping[str, str],
        *,
        deadline: float,
        health_timeout: float = 1.0,
        tracer_provider: TracerProvider | None = None,
        options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        self.deadline = deadline
        self._targets = dict(targets)
        self._health_timeout = health_timeout
        self._tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        self._options = tuple(options)
        self._channels: dict[str, grpc.aio.Channel] = {}
        self._stubs: dict[tuple[str, object], Any] = {}

    @property
    def names(self) -> tuple[str, ...]:
        """The configured services."""
        return tuple(self._targets)

    def channel(self, name: str) -> grpc.aio.Channel:
        """The channel to service `name`, for building its stub."""
        channel = self._channels.get(name)
        if channel is None:
            target = self._targets.get(name)
            if target is None:
                raise UpstreamNotConfigured(f"no upstream named {name!r} is configured")
            # No interceptors: grpc.aio's intercepted calls cost ~150 µs each; `call` traces instead.
            channel = grpc.aio.insecure_channel(target, options=self._options)
            self._channels[name] = channel
        return channel

    def stub(self, name: str, stub_type: Callable[[grpc.aio.Channel], StubT]) -> StubT:
        """The stub of service `name` (made once: its methods are reused by every request)."""
        key = (name, stub_type)
        stub: StubT | None = self._stubs.get(key)
        if stub is None:
            stub = stub_type(self.channel(name))
            self._stubs[key] = stub
        return stub

    @staticmethod
    def metadata(caller: Caller) -> tuple[tuple[str, str | bytes], ...]:
        """What every upstream call carries: the caller's bearer token and the request id."""
        return (*bearer_metadata(caller.token), (REQUEST_ID_METADATA, caller.request_id))

    async def call(
        self,
        method: UnaryMethod[RequestT, ResponseT],
        request: RequestT,
        caller: Caller,
        *,
        deadline: float | None = None,
        conditional: bool = False,
    ) -> ResponseT:
        """Call a unary method as `caller` within `deadline` seconds (default: the configured one).

        A client span covers the call and its `traceparent` goes along. A failure raises the matching
        Problem; `conditional` says the request carried If-Match, so a FAILED_PRECONDITION answer is a 412.
        """
        name = rpc_name(method)
        service, _, rpc = name.partition("/")
        with self._tracer.start_as_current_span(
            name,
            kind=SpanKind.CLIENT,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": rpc},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
            metadata = (*self.metadata(caller), *carrier.items())
            try:
                response: ResponseT = await method(
                    request, timeout=deadline or self.deadline, metadata=metadata
                )
            except grpc.aio.AioRpcError as error:
                code = error.code()
                span.set_attribute("rpc.grpc.status_code", code.value[0])
                span.set_status(Status(StatusCode.ERROR, code.name))
                problem = problem_from_rpc_error(error, conditional=conditional)
                log = logger.warning if problem.status >= 500 else logger.info
                log("upstream call failed: %s %s", code.name, error.details())
                raise problem from None
            span.set_attribute("rpc.grpc.status_code", grpc.StatusCode.OK.value[0])
        return response

    async def health(self) -> dict[str, bool]:
        """Whether each service answers SERVING to a gRPC health check, checked concurrently."""
        names = list(self._targets)
        results = await asyncio.gather(*(self._serving(self.channel(name)) for name in names))
        return dict(zip(names, results, strict=True))

    async def _serving(self, channel: grpc.aio.Channel) -> bool:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            response = await stub.Check(health_pb2.HealthCheckRequest(), timeout=self._health_timeout)
        except grpc.aio.AioRpcError:
            return False
        return bool(response.status == health_pb2.HealthCheckResponse.SERVING)

    async def close(self) -> None:
        """Close every channel."""
        channels, self._channels = list(self._channels.values()), {}
        self._stubs = {}
        await asyncio.gather(*(channel.close(None) for channel in channels))
