"""Fixtures: the echo service running in-process on 127.0.0.1 port 0, with telemetry and metrics."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import grpc
import pytest
import structlog
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry

from neibao_runtime import GrpcServer, GrpcServerMetrics, configure_logging, configure_telemetry

ECHO_APP_PATH = Path(__file__).with_name("echo_app.py")


def _load_echo_app() -> ModuleType:
    spec = importlib.util.spec_from_file_location("neibao_runtime_tests_echo_app", ECHO_APP_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def echo_app() -> Any:  # the echo_app module
    return _load_echo_app()


@dataclass
class Running:
    server: GrpcServer
    channel: grpc.aio.Channel
    registry: CollectorRegistry
    spans: InMemorySpanExporter
    logs: io.StringIO


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    stream = io.StringIO()
    configure_logging("echo", "INFO", stream=stream)
    yield stream
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture
def interceptors() -> list[grpc.aio.ServerInterceptor]:  # type: ignore[type-arg]
    """A test overrides this to pass a service's own interceptors."""
    return []


@pytest.fixture
async def running(
    echo_app: Any,
    log_stream: io.StringIO,
    interceptors: list[grpc.aio.ServerInterceptor],  # type: ignore[type-arg]
) -> AsyncIterator[Running]:
    echo_app.slow_started = asyncio.Event()  # bound to this test's event loop
    spans = InMemorySpanExporter()
    provider = configure_telemetry("echo", extra_processors=[SimpleSpanProcessor(spans)], set_global=False)
    registry = CollectorRegistry()
    server = GrpcServer(
        echo_app.register,
        host="127.0.0.1",
        port=0,
        interceptors=interceptors,
        metrics=GrpcServerMetrics(registry),
        tracer_provider=provider,
    )
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Running(server, channel, registry, spans, log_stream)
    finally:
        await channel.close(None)
        await server.stop(0)
        provider.shutdown()
