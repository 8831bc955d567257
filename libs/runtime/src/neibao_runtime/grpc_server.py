"""The grpc.aio server every service runs: health, reflection, tracing, metrics, graceful shutdown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.instrumentation.grpc import aio_server_interceptor
from opentelemetry.instrumentation.grpc.filters import health_check, negate
from opentelemetry.trace import TracerProvider
from prometheus_client import REGISTRY, CollectorRegistry

from neibao_runtime.logging import configure_logging, get_logger
from neibao_runtime.metrics import GrpcServerMetrics, MetricsInterceptor, start_metrics_server
from neibao_runtime.settings import ServiceSettings
from neibao_runtime.shutdown import wait_for_shutdown_signal
from neibao_runtime.telemetry import configure_telemetry

Register = Callable[[grpc.aio.Server], Sequence[str]]
"""Adds a service's servicers to the server and returns their full names ("neibao.unit.v1.UnitService")."""

HEALTH_SERVICE: Final[str] = health.SERVICE_NAME
REFLECTION_SERVICE: Final[str] = reflection.SERVICE_NAME
_HEALTH_METHOD_PREFIX: Final = f"/{HEALTH_SERVICE}/"

_log = get_logger(__name__)


class _HealthBypass(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Runs a service's own interceptor for every call except health checks.

    Kubernetes and load balancers probe health without a token; an identity interceptor must not
    turn those probes away, or no pod would ever become ready.
    """

    def __init__(self, inner: grpc.aio.ServerInterceptor) -> None:  # type: ignore[type-arg]
        self._inner = inner

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        if handler_call_details.method.startswith(_HEALTH_METHOD_PREFIX):
            return await continuation(handler_call_details)
        return await self._inner.intercept_service(continuation, handler_call_details)


class GrpcServer:
    """A grpc.aio server with the standard services; `start()`, then `stop(grace)`."""

    def __init__(
        self,
        register: Register,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),  # type: ignore[type-arg]
        metrics: GrpcServerMetrics | None = None,
        tracer_provider: TracerProvider | None = None,
        options: Sequence[tuple[str, Any]] = (),
    ) -> None:
        self._register = register
        self._address = f"{host}:{port}"
        self._interceptors = tuple(interceptors)
        self._metrics = metrics
        self._tracer_provider = tracer_provider
        self._options = tuple(options)
        self._server: grpc.aio.Server | None = None
        # The asyncio servicer: its set() and enter_graceful_shutdown() are coroutines. Stubs lack it.
        self._health: Any = health.aio.HealthServicer()  # type: ignore[attr-defined]
        self._port: int | None = None
        self._service_names: tuple[str, ...] = ()

    @property
    def port(self) -> int:
        """The bound port; known once started (the point of starting on port 0)."""
        if self._port is None:
            raise RuntimeError("the server has not been started")
        return self._port

    @property
    def service_names(self) -> tuple[str, ...]:
        """The services registered by the callback."""
        return self._service_names

    async def start(self) -> None:
        """Build the server, register every service, bind, start, and report SERVING."""
        if self._server is not None:
            raise RuntimeError("the server was already started")
        # Order matters: the first interceptor is the outermost. The span covers everything, metrics
        # count what identity rejects, and the service's own interceptors run last.
        interceptors: list[grpc.aio.ServerInterceptor] = [  # type: ignore[type-arg]
            # Probes every few seconds would drown real traces: health checks are not traced.
            aio_server_interceptor(  # type: ignore[no-untyped-call]
                tracer_provider=self._tracer_provider, filter_=negate(health_check())
            ),
        ]
        if self._metrics is not None:
            interceptors.append(MetricsInterceptor(self._metrics))
        interceptors.extend(_HealthBypass(interceptor) for interceptor in self._interceptors)
        server = grpc.aio.server(interceptors=interceptors, options=self._options)
        self._service_names = tuple(self._register(server))
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        reflection.enable_server_reflection(
            (*self._service_names, HEALTH_SERVICE, REFLECTION_SERVICE), server
        )
        port = server.add_insecure_port(self._address)
        if port == 0:
            raise RuntimeError(f"could not bind the gRPC server to {self._address}")
        await server.start()
        self._server, self._port = server, port
        for name in ("", *self._service_names):
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float) -> None:
        """Report NOT_SERVING, refuse new calls, give in-flight calls `grace` seconds, then cancel them."""
        if self._server is None:
            return
        await self._health.enter_graceful_shutdown()
        await self._server.stop(grace)

    async def wait_for_termination(self) -> None:
        """Return when the server has stopped."""
        if self._server is not None:
            await self._server.wait_for_termination()


async def serve(
    settings: ServiceSettings,
    register: Register,
    interceptors: Sequence[grpc.aio.ServerInterceptor] = (),  # type: ignore[type-arg]
    *,
    registry: CollectorRegistry = REGISTRY,
) -> None:
    """Run a service's gRPC server with logs, traces and metrics until SIGTERM or SIGINT, then drain."""
    configure_logging(settings.service_name, settings.log_level)
    provider = configure_telemetry(
        settings.service_name, str(settings.otlp_endpoint) if settings.otlp_endpoint else None
    )
    metrics_server = start_metrics_server(
        settings.metrics_port, host=settings.metrics_host, registry=registry
    )
    server = GrpcServer(
        register,
        host=settings.grpc_host,
        port=settings.grpc_port,
        interceptors=interceptors,
        metrics=GrpcServerMetrics(registry),
        tracer_provider=provider,
    )
    try:
        await server.start()
        _log.info(
            "grpc server started",
            port=server.port,
            metrics_port=metrics_server.port,
            services=list(server.service_names),
        )
        received = await wait_for_shutdown_signal()
        _log.info("shutting down", signal=received.name, grace_seconds=settings.shutdown_grace_seconds)
    finally:
        await server.stop(settings.shutdown_grace_seconds)
        metrics_server.stop()
        provider.shutdown()
    _log.info("grpc server stopped")
