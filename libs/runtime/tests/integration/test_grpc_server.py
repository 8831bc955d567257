"""The gRPC server in-process: health, reflection, interceptors, traces, logs, metrics, shutdown."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from opentelemetry.trace import SpanKind
from prometheus_client.parser import text_string_to_metric_families

from neibao_runtime import GrpcServer, start_metrics_server, wait_for_shutdown_signal

from .conftest import Running

SERVICE = "neibao.test.v1.EchoService"
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


def raw(value: bytes) -> bytes:
    return value


def call(running: Running, method: str) -> grpc.aio.UnaryUnaryMultiCallable[bytes, bytes]:
    return running.channel.unary_unary(f"/{SERVICE}/{method}", raw, raw)


def stream(running: Running, method: str) -> grpc.aio.UnaryStreamMultiCallable[bytes, bytes]:
    return running.channel.unary_stream(f"/{SERVICE}/{method}", raw, raw)


async def check(running: Running, service: str) -> int:
    stub = health_pb2_grpc.HealthStub(running.channel)
    response = await stub.Check(health_pb2.HealthCheckRequest(service=service))
    return int(response.status)


async def test_listens_on_a_free_port_and_serves_calls(running: Running) -> None:
    assert running.server.port > 0
    assert running.server.service_names == (SERVICE,)
    assert await call(running, "Echo")(b"ping") == b"ping"
    items = [item async for item in stream(running, "Count")(b"3")]
    assert items == [b"0", b"1", b"2"]


async def test_health_reports_serving_for_server_and_each_service(running: Running) -> None:
    assert await check(running, "") == SERVING
    assert await check(running, SERVICE) == SERVING
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await check(running, "neibao.other.v1.Nothing")
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND


async def test_reflection_lists_the_services(running: Running) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(running.channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    responses = [response async for response in stub.ServerReflectionInfo(iter([request]))]
    names = {service.name for service in responses[0].list_services_response.service}
    assert names == {SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"}


async def test_server_span_continues_the_callers_trace_and_logs_carry_it(running: Running) -> None:
    trace_id, parent_id = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
    metadata = (("traceparent", f"00-{trace_id}-{parent_id}-01"),)
    assert await call(running, "Echo")(b"x", metadata=metadata) == b"x"
    [span] = running.spans.get_finished_spans()
    assert span.name == f"/{SERVICE}/Echo"
    assert span.kind is SpanKind.SERVER
    assert format(span.context.trace_id, "032x") == trace_id
    assert span.parent is not None
    assert format(span.parent.span_id, "016x") == parent_id
    records = [json.loads(line) for line in running.logs.getvalue().splitlines()]
    inside = [record for record in records if record["logger"] in {"echo", "echo.stdlib"}]
    assert {record["event"] for record in inside} == {"echo called", "stdlib inside the handler"}
    for record in inside:
        assert record["trace_id"] == trace_id
        assert record["span_id"] == format(span.context.span_id, "016x")


async def test_health_checks_are_not_traced(running: Running) -> None:
    await check(running, "")
    assert running.spans.get_finished_spans() == ()


def samples(running: Running, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    from prometheus_client import generate_latest

    found = {}
    for family in text_string_to_metric_families(generate_latest(running.registry).decode()):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


def labels(method: str, code: str | None = None, rpc_type: str = "unary") -> tuple[tuple[str, str], ...]:
    result = {"grpc_method": method, "grpc_service": SERVICE, "grpc_type": rpc_type}
    if code is not None:
        result["grpc_code"] = code
    return tuple(sorted(result.items()))


async def test_metrics_count_calls_by_method_and_code(running: Running) -> None:
    await call(running, "Echo")(b"a")
    await call(running, "Echo")(b"b")
    with pytest.raises(grpc.aio.AioRpcError):
        await call(running, "Fail")(b"")
    _ = [item async for item in stream(running, "Count")(b"2")]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(running, "Invented")(b"")
    assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED

    handled = samples(running, "grpc_server_handled_total")
    assert handled[labels("Echo", "OK")] == 2
    assert handled[labels("Fail", "NOT_FOUND")] == 1
    assert handled[labels("Count", "OK", "server_stream")] == 1
    assert not any(dict(key)["grpc_method"] == "Invented" for key in handled)
    assert samples(running, "grpc_server_started_total")[labels("Echo")] == 2
    assert samples(running, "grpc_server_handling_seconds_count")[labels("Echo")] == 2


async def test_metrics_endpoint_serves_the_counters_over_http(running: Running) -> None:
    await call(running, "Echo")(b"a")
    endpoint = start_metrics_server(0, host="127.0.0.1", registry=running.registry)
    try:
        url = f"http://127.0.0.1:{endpoint.port}/metrics"

        def fetch() -> str:
            with urllib.request.urlopen(url, timeout=5) as response:
                return str(response.read().decode())

        body = await asyncio.to_thread(fetch)
    finally:
        endpoint.stop()
    assert (
        'grpc_server_handled_total{grpc_code="OK",grpc_method="Echo",'
        f'grpc_service="{SERVICE}",grpc_type="unary"}} 1.0'
    ) in body
    with pytest.raises(urllib.error.URLError, match="refused"):
        await asyncio.to_thread(urllib.request.urlopen, url, None, 2)


class RequireToken(grpc.aio.ServerInterceptor):  # type: ignore[type-arg]
    """Stands in for the identity interceptor a service passes."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        metadata = dict(handler_call_details.invocation_metadata or ())
        if metadata.get("authorization") == "Bearer good":
            return await continuation(handler_call_details)

        async def deny(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
            await context.abort(grpc.StatusCode.UNAUTHENTICATED, "token required")

        return grpc.unary_unary_rpc_method_handler(deny)


class TestWithAServiceInterceptor:
    @pytest.fixture
    def interceptors(self) -> list[grpc.aio.ServerInterceptor]:  # type: ignore[type-arg]
        return [RequireToken()]

    async def test_passed_interceptors_guard_the_service(self, running: Running) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(running, "Echo")(b"x")
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
        assert await call(running, "Echo")(b"x", metadata=(("authorization", "Bearer good"),)) == b"x"

    async def test_rejections_are_counted_and_traced(self, running: Running) -> None:
        with pytest.raises(grpc.aio.AioRpcError):
            await call(running, "Echo")(b"x")
        # The client has its status before the server's interceptors finish: wait for them (bounded).
        key = labels("Echo", "UNAUTHENTICATED")
        for _ in range(100):
            if key in samples(running, "grpc_server_handled_total") and running.spans.get_finished_spans():
                break
            await asyncio.sleep(0.05)
        assert samples(running, "grpc_server_handled_total")[key] == 1
        [span] = running.spans.get_finished_spans()
        assert span.name == f"/{SERVICE}/Echo"

    async def test_health_probes_need_no_token(self, running: Running) -> None:
        assert await check(running, "") == SERVING


async def shutdown_on_signal(server: GrpcServer, grace: float) -> None:
    """What serve() does once started."""
    await wait_for_shutdown_signal()
    await server.stop(grace)


async def send_sigterm_when_listening(runner: asyncio.Task[None]) -> None:
    await asyncio.sleep(0)  # let the runner install its handlers
    assert not runner.done()
    # Guard: without the loop's handler, SIGTERM would end the test process.
    assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN, None)
    os.kill(os.getpid(), signal.SIGTERM)


async def test_sigterm_drains_in_flight_calls_and_reports_not_serving(
    running: Running, echo_app: ModuleType
) -> None:
    runner = asyncio.create_task(shutdown_on_signal(running.server, grace=5))
    watch = health_pb2_grpc.HealthStub(running.channel).Watch(health_pb2.HealthCheckRequest(service=SERVICE))
    assert (await watch.read()).status == SERVING
    in_flight = asyncio.ensure_future(call(running, "Slow")(b"0.5"))
    await asyncio.wait_for(echo_app.slow_started.wait(), 5)

    started = time.monotonic()
    await send_sigterm_when_listening(runner)
    assert (await watch.read()).status == NOT_SERVING
    watch.cancel()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call(running, "Echo")(b"late", timeout=2)
    assert refused.value.code() is grpc.StatusCode.UNAVAILABLE

    assert await in_flight == b"done"
    await asyncio.wait_for(runner, 5)
    # it stopped when the last call finished, not at the end of the grace period
    assert time.monotonic() - started < 4
    # handlers are removed: the default disposition is back for a second signal
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


async def test_calls_still_running_after_the_grace_period_are_cancelled(
    running: Running, echo_app: ModuleType
) -> None:
    in_flight = asyncio.ensure_future(call(running, "Slow")(b"30"))
    await asyncio.wait_for(echo_app.slow_started.wait(), 5)
    started = time.monotonic()
    await running.server.stop(0.2)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await in_flight
    assert caught.value.code() in {grpc.StatusCode.CANCELLED, grpc.StatusCode.UNAVAILABLE}
    assert time.monotonic() - started < 5


async def test_start_twice_is_refused(running: Running) -> None:
    with pytest.raises(RuntimeError, match="already started"):
        await running.server.start()


def test_port_is_unknown_before_start(echo_app: ModuleType) -> None:
    with pytest.raises(RuntimeError, match="not been started"):
        _ = GrpcServer(echo_app.register).port
