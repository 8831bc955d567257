"""OpenTelemetry tracing set up once per process, in the composition root."""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import propagate, trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_NAMESPACE, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator


def configure_telemetry(
    service_name: str,
    otlp_endpoint: str | None = None,
    extra_processors: Sequence[SpanProcessor] = (),
    *,
    set_global: bool = True,
) -> TracerProvider:
    """Build the tracer provider (OTLP gRPC export only when an endpoint is given) and make it global.

    Tests pass `extra_processors=[SimpleSpanProcessor(InMemorySpanExporter())]`, and `set_global=False`
    when they need a provider of their own rather than the process-wide one.
    """
    # Resource.create also merges OTEL_RESOURCE_ATTRIBUTES (e.g. deployment.environment, k8s.pod.name).
    resource = Resource.create({SERVICE_NAME: service_name, SERVICE_NAMESPACE: "neibao"})
    # Spans nobody receives are not recorded (recording one costs ~0.1 ms a call), yet still get ids: the
    # trace id keeps reaching logs, responses and downstream calls. With a receiver, the sampler is the
    # SDK's (OTEL_TRACES_SAMPLER, parent-based always-on by default).
    sampler = None if otlp_endpoint or extra_processors else ALWAYS_OFF
    provider = TracerProvider(resource=resource, sampler=sampler)
    if otlp_endpoint:
        # An http:// endpoint means a plaintext channel, https:// a TLS one (the exporter's rule).
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    for processor in extra_processors:
        provider.add_span_processor(processor)
    if set_global:
        # W3C traceparent/tracestate (and baggage) across HTTP, gRPC and Kafka headers.
        propagate.set_global_textmap(
            CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])
        )
        trace.set_tracer_provider(provider)
        if trace.get_tracer_provider() is not provider:
            # OpenTelemetry only warns and keeps the first provider; spans would silently go elsewhere.
            raise RuntimeError(
                "a global tracer provider is already set: configure telemetry once per process"
            )
    return provider
