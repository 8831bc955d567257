"""configure_telemetry's process-wide effects, checked in a fresh interpreter each."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60, check=False
    )


def test_sets_the_global_provider_and_w3c_propagation() -> None:
    result = run(
        """
        from opentelemetry import propagate, trace
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        from neibao_runtime import configure_telemetry

        spans = InMemorySpanExporter()
        provider = configure_telemetry("unit-registry", extra_processors=[SimpleSpanProcessor(spans)])
        assert trace.get_tracer_provider() is provider
        with trace.get_tracer("t").start_as_current_span("work") as span:
            carrier = {}
            propagate.inject(carrier)
        context = span.get_span_context()
        version, trace_id, span_id, flags = carrier["traceparent"].split("-")
        assert (version, trace_id, span_id) == ("00", f"{context.trace_id:032x}", f"{context.span_id:016x}")
        assert int(flags, 16) & 1, "sampled"
        [finished] = spans.get_finished_spans()
        assert finished.resource.attributes["service.name"] == "unit-registry"
        assert finished.resource.attributes["service.namespace"] == "neibao"
        try:
            configure_telemetry("again")
        except RuntimeError as error:
            assert "once per process" in str(error)
        else:
            raise AssertionError("a second global configuration must fail")
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_otlp_exporter_only_when_an_endpoint_is_set() -> None:
    result = run(
        """
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from neibao_runtime import configure_telemetry

        def exporters(provider):
            processors = provider._active_span_processor._span_processors
            return [p._batch_processor._exporter for p in processors if isinstance(p, BatchSpanProcessor)]

        without = configure_telemetry("a", set_global=False)
        assert exporters(without) == []
        with_endpoint = configure_telemetry("a", "http://127.0.0.1:4317", set_global=False)
        [exporter] = exporters(with_endpoint)
        assert isinstance(exporter, OTLPSpanExporter)
        with_endpoint.shutdown()
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
