"""JSON logs on one stream, structlog and stdlib alike, with trace ids inside a span."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from neibao_runtime import configure_logging, configure_telemetry, get_logger


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    buffer = io.StringIO()
    configure_logging("unit-registry", "INFO", stream=buffer)
    yield buffer
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()


def lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_structlog_event_is_one_json_line(stream: io.StringIO) -> None:
    get_logger("neibao.test").info("unit created", uscc="91210102MA0LN001X3", count=2)
    [record] = lines(stream)
    assert record["event"] == "unit created"
    assert record["uscc"] == "91210102MA0LN001X3"
    assert record["count"] == 2
    assert record["level"] == "info"
    assert record["logger"] == "neibao.test"
    assert record["service"] == "unit-registry"
    assert record["timestamp"].endswith("Z")
    assert "trace_id" not in record


def test_chinese_text_stays_readable(stream: io.StringIO) -> None:
    get_logger().info("单位已创建", name="沈阳市和平区")
    assert "单位已创建" in stream.getvalue()


def test_trace_and_span_ids_inside_a_span(stream: io.StringIO) -> None:
    exporter = InMemorySpanExporter()
    provider = configure_telemetry(
        "unit-registry", extra_processors=[SimpleSpanProcessor(exporter)], set_global=False
    )
    with provider.get_tracer("test").start_as_current_span("create unit") as span:
        get_logger("neibao.test").info("inside")
        logging.getLogger("sqlalchemy.engine").warning("stdlib %s", "inside")
    get_logger("neibao.test").info("outside")
    inside_structlog, inside_stdlib, outside = lines(stream)
    context = span.get_span_context()
    for record in (inside_structlog, inside_stdlib):
        assert record["trace_id"] == format(context.trace_id, "032x")
        assert record["span_id"] == format(context.span_id, "016x")
    assert inside_stdlib["event"] == "stdlib inside"
    assert inside_stdlib["logger"] == "sqlalchemy.engine"
    assert inside_stdlib["level"] == "warning"
    assert inside_stdlib["service"] == "unit-registry"
    assert "trace_id" not in outside
    [finished] = exporter.get_finished_spans()
    assert finished.name == "create unit"


def test_stdlib_extra_fields_are_kept(stream: io.StringIO) -> None:
    logging.getLogger("kafka").info("rebalanced", extra={"partitions": 3})
    [record] = lines(stream)
    assert record["partitions"] == 3


def test_level_filters_both_kinds() -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    buffer = io.StringIO()
    try:
        configure_logging("unit-registry", "warning", stream=buffer)
        get_logger("a").info("dropped")
        logging.getLogger("b").info("dropped")
        get_logger("a").warning("kept")
        assert [record["event"] for record in lines(buffer)] == ["kept"]
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)
        structlog.reset_defaults()


def test_exceptions_are_structured(stream: io.StringIO) -> None:
    try:
        raise ValueError("bad uscc")
    except ValueError:
        get_logger().exception("failed")
    [record] = lines(stream)
    [frame] = record["exception"]
    assert frame["exc_type"] == "ValueError"
    assert frame["exc_value"] == "bad uscc"


def test_configuring_again_does_not_duplicate_lines(stream: io.StringIO) -> None:
    configure_logging("unit-registry", stream=stream)
    get_logger().info("once")
    assert len(lines(stream)) == 1
