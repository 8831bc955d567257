"""Service runtime: settings base, JSON logs with trace ids, OpenTelemetry, gRPC aio server bootstrap,
graceful shutdown, Prometheus metrics."""

from neibao_runtime.grpc_server import HEALTH_SERVICE, REFLECTION_SERVICE, GrpcServer, Register, serve
from neibao_runtime.logging import add_trace_context, configure_logging, get_logger
from neibao_runtime.metrics import GrpcServerMetrics, MetricsInterceptor, MetricsServer, start_metrics_server
from neibao_runtime.settings import ServiceSettings
from neibao_runtime.shutdown import stop_event_on_signals, wait_for_shutdown_signal
from neibao_runtime.telemetry import configure_telemetry

__all__ = [
    "HEALTH_SERVICE",
    "REFLECTION_SERVICE",
    "GrpcServer",
    "GrpcServerMetrics",
    "MetricsInterceptor",
    "MetricsServer",
    "Register",
    "ServiceSettings",
    "add_trace_context",
    "configure_logging",
    "configure_telemetry",
    "get_logger",
    "serve",
    "start_metrics_server",
    "stop_event_on_signals",
    "wait_for_shutdown_signal",
]
