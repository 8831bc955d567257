"""Prometheus: the /metrics HTTP endpoint and standard gRPC server metrics."""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Final
from wsgiref.simple_server import WSGIServer

import grpc
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, start_http_server

from neibao_runtime.settings import ALL_INTERFACES

_STOP_TIMEOUT_SECONDS: Final = 5.0


class MetricsServer:
    """A running metrics endpoint; `stop()` closes it."""

    def __init__(self, httpd: WSGIServer, thread: threading.Thread) -> None:
        self._httpd = httpd
        self._thread = thread

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        return int(self._httpd.server_address[1])

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(_STOP_TIMEOUT_SECONDS)


def start_metrics_server(
    port: int, *, host: str = ALL_INTERFACES, registry: CollectorRegistry = REGISTRY
) -> MetricsServer:
    """Serve `registry` in Prometheus text format on http://host:port/ from a daemon thread."""
    httpd, thread = start_http_server(port, addr=host, registry=registry)
    return MetricsServer(httpd, thread)


class GrpcServerMetrics:
    """The gRPC server series, named as go-grpc-prometheus names them so dashboards carry over."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        labels = ("grpc_type", "grpc_service", "grpc_method")
        self.started = Counter(
            "grpc_server_started", "RPCs started on the server.", labels, registry=registry
        )
        self.handled = Counter(
            "grpc_server_handled",
            "RPCs completed on the server, whatever their status code.",
            (*labels, "grpc_code"),
            registry=registry,
        )
        self.handling_seconds = Histogram(
            "grpc_server_handling_seconds",
            "Time from the start of an RPC to its completion by the server.",
            labels,
            registry=registry,
        )


def _rpc_type(handler: grpc.RpcMethodHandler[Any, Any]) -> str:
    if handler.request_streaming and handler.response_streaming:
        return "bidi_stream"
    if handler.request_streaming:
        return "client_stream"
    if handler.response_streaming:
        return "server_stream"
    return "unary"


def _final_code(context: grpc.aio.ServicerContext[Any, Any], error: BaseException | None) -> grpc.StatusCode:
    """The status the client sees: what abort/set_code chose, else OK, UNKNOWN or CANCELLED."""
    # grpc.aio answers None until abort() or set_code() chose a code (the stubs say otherwise).
    code: grpc.StatusCode | None = context.code()
    if code is not None:
        return code
    if error is None:
        return grpc.StatusCode.OK
    if isinstance(error, asyncio.CancelledError | GeneratorExit):
        return grpc.StatusCode.CANCELLED
    return grpc.StatusCode.UNKNOWN


class MetricsInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """A grpc.aio server interceptor that counts RPCs by method and code and times them."""

    def __init__(self, metrics: GrpcServerMetrics) -> None:
        self._metrics = metrics

    # The stubs promise a handler; grpc gives None for a method no servicer has.
    async def intercept_service(  # type: ignore[override]
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any] | None:
        handler: grpc.RpcMethodHandler[Any, Any] | None = await continuation(handler_call_details)
        # Unknown methods are answered UNIMPLEMENTED by grpc; not recording them keeps label
        # cardinality bounded whatever method names a client invents.
        if handler is None:
            return None
        service, _, method = handler_call_details.method.lstrip("/").rpartition("/")
        labels = (_rpc_type(handler), service, method)
        if handler.response_streaming:
            behaviour = handler.stream_stream if handler.request_streaming else handler.unary_stream
            wrapped_stream = self._wrap_streaming(behaviour, labels)
            streaming_factory = grpc.unary_stream_rpc_method_handler
            if handler.request_streaming:
                streaming_factory = grpc.stream_stream_rpc_method_handler
            return streaming_factory(
                wrapped_stream,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        behaviour = handler.stream_unary if handler.request_streaming else handler.unary_unary
        wrapped_unary = self._wrap_unary(behaviour, labels)
        factory = (
            grpc.stream_unary_rpc_method_handler
            if handler.request_streaming
            else grpc.unary_unary_rpc_method_handler
        )
        return factory(
            wrapped_unary,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    def _record(
        self,
        labels: tuple[str, str, str],
        started: float,
        context: grpc.aio.ServicerContext[Any, Any],
        error: BaseException | None,
    ) -> None:
        self._metrics.handling_seconds.labels(*labels).observe(time.perf_counter() - started)
        self._metrics.handled.labels(*labels, _final_code(context, error).name).inc()

    def _wrap_unary(
        self, behaviour: Any, labels: tuple[str, str, str]
    ) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]:
        async def observed(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            self._metrics.started.labels(*labels).inc()
            started = time.perf_counter()
            try:
                response = behaviour(request, context)
                if inspect.isawaitable(response):
                    response = await response
            except BaseException as error:
                self._record(labels, started, context, error)
                raise
            self._record(labels, started, context, None)
            return response

        return observed

    def _wrap_streaming(
        self, behaviour: Any, labels: tuple[str, str, str]
    ) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], AsyncIterator[Any]]:
        async def observed(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[Any]:
            self._metrics.started.labels(*labels).inc()
            started = time.perf_counter()
            try:
                result = behaviour(request, context)
                # A streaming handler is either an async generator or a coroutine that writes
                # through context.write(); both are supported by grpc.aio, so both are here.
                if hasattr(result, "__aiter__"):
                    async for response in result:
                        yield response
                else:
                    await result
            except BaseException as error:
                self._record(labels, started, context, error)
                raise
            self._record(labels, started, context, None)

        return observed
