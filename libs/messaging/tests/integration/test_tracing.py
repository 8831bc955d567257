"""One trace from a gRPC call through the outbox, the relay and Kafka to the consumer's handler."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct
from opentelemetry.instrumentation.grpc import aio_client_interceptors, aio_server_interceptor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from neibao_messaging import Event, IdempotentConsumer, Outbox, OutboxRelay, Producer

from .support import SOURCE, UNIT_REGISTERED, CountingMetrics, applied_rows, wait_until

USCC = "91210102MA0LN001X3"
METHOD = "/neibao.test.v1.UnitTestService/RegisterUnit"


@pytest.fixture
def spans() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    """A tracer provider of this test only (the global one is left alone), recording in memory."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider, exporter
    provider.shutdown()


def register_unit_server(engine: Engine, topic: str, provider: TracerProvider) -> grpc.aio.Server:
    """A gRPC server whose one method writes a unit event into the outbox, like a service would."""

    def write_event() -> None:
        data = Struct()
        data.update({"uscc": USCC, "seq": 1})
        with Session(engine) as session, session.begin():
            Outbox.add(
                session, topic, Event.create(type=UNIT_REGISTERED, source=SOURCE, data=data, subject=USCC)
            )

    async def register_unit(request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]) -> bytes:
        # to_thread copies the context, so the event captures the server span as its parent.
        await asyncio.to_thread(write_event)
        return b"registered"

    server = grpc.aio.server(interceptors=[aio_server_interceptor(tracer_provider=provider)])
    service, method = METHOD.strip("/").split("/")
    server.add_generic_rpc_handlers(
        [
            grpc.method_handlers_generic_handler(
                service, {method: grpc.unary_unary_rpc_method_handler(register_unit)}
            )
        ]
    )
    return server


def only(spans: list[ReadableSpan], kind: SpanKind, name: str | None = None) -> ReadableSpan:
    [span] = [s for s in spans if s.kind == kind and (name is None or s.name == name)]
    return span


async def test_one_trace_crosses_a_grpc_call_and_a_kafka_hop(
    *,
    engine: Engine,
    new_topic: Callable[..., str],
    producer_factory: Callable[[], Producer],
    make_consumer: Callable[..., IdempotentConsumer],
    spans: tuple[TracerProvider, InMemorySpanExporter],
) -> None:
    provider, exporter = spans
    topic = new_topic()
    server = register_unit_server(engine, topic, provider)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(
            f"127.0.0.1:{port}", interceptors=aio_client_interceptors(tracer_provider=provider)
        ) as channel:
            register_unit = channel.unary_unary(METHOD)
            with provider.get_tracer("console").start_as_current_span("console click"):
                assert await register_unit(b"91210102MA0LN001X3", timeout=10) == b"registered"
    finally:
        await server.stop(grace=None)

    # Kafka clients are synchronous: they run in threads, as they would in their own process.
    relay = OutboxRelay(engine, producer_factory, tracer_provider=provider)
    assert await asyncio.to_thread(relay.run_once) == 1
    relay.close()
    metrics = CountingMetrics()
    consumer = make_consumer(topic, tracer_provider=provider, metrics=metrics)
    await asyncio.to_thread(wait_until, lambda: metrics.records == 1, 30, lambda: consumer.poll_once(0.2))
    assert len(applied_rows(engine)) == 1

    finished: list[Any] = list(exporter.get_finished_spans())
    root = only(finished, SpanKind.INTERNAL, "console click")
    client = only(finished, SpanKind.CLIENT)
    server_span = only(finished, SpanKind.SERVER)
    publish = only(finished, SpanKind.PRODUCER, "outbox publish")
    handled = only(finished, SpanKind.CONSUMER)
    trace_id = root.context.trace_id
    assert {client.context.trace_id, server_span.context.trace_id, handled.context.trace_id} == {trace_id}

    by_id = {span.context.span_id: span for span in finished}
    chain = [handled]
    while chain[-1].parent is not None:
        chain.append(by_id[chain[-1].parent.span_id])
    assert chain == [handled, server_span, client, root]
    assert handled.parent is not None
    assert handled.parent.is_remote
    assert handled.name == f"{topic} process"
    assert handled.attributes is not None
    assert handled.attributes["messaging.destination.name"] == topic
    assert handled.attributes["cloudevents.event_type"] == UNIT_REGISTERED
    # The relay's batch span is a trace of its own, linked to the context the event was written in.
    assert [link.context.span_id for link in publish.links] == [server_span.context.span_id]
