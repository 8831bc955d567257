"""Spans nobody receives are not recorded, yet carry trace ids; with a receiver they are recorded."""

from __future__ import annotations

from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from neibao_runtime import configure_telemetry


def test_without_a_receiver_spans_are_not_recorded_but_have_ids() -> None:
    provider = configure_telemetry("quiet", set_global=False)
    with provider.get_tracer(__name__).start_as_current_span("call") as span:
        context = span.get_span_context()
        assert not span.is_recording()
        assert context.is_valid
        assert context.trace_id != 0
        assert not context.trace_flags.sampled


def test_with_a_receiver_spans_are_recorded() -> None:
    exporter = InMemorySpanExporter()
    provider = configure_telemetry("loud", extra_processors=[SimpleSpanProcessor(exporter)], set_global=False)
    with provider.get_tracer(__name__).start_as_current_span("call") as span:
        assert span.is_recording()
    assert [finished.name for finished in exporter.get_finished_spans()] == ["call"]
