"""AuthInterceptor on a real grpc.aio server, with real realm tokens; token forwarding between servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import grpc.aio
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from neibao_identity import (
    AuthInterceptor,
    ForwardCallerToken,
    TokenVerifier,
    bearer_metadata,
    current_principal,
)

SERVICE = "neibao.test.v1.WhoAmI"


def who() -> bytes:
    principal = current_principal()
    return f"{principal.username}|{','.join(sorted(principal.roles))}".encode()


async def unary(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    return who()


async def server_stream(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[bytes]:
    for _ in range(3):
        yield who()


async def server_stream_by_write(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> None:
    await context.write(who())
    await context.write(who())


async def client_stream(requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    count = sum([1 async for _ in requests])
    return who() + f"|{count}".encode()


async def bidi(
    requests: AsyncIterator[bytes], context: grpc.aio.ServicerContext[Any, Any]
) -> AsyncIterator[bytes]:
    async for request in requests:
        yield request + b":" + who()


def handlers(relay_to: str | None = None) -> grpc.GenericRpcHandler[Any, Any]:
    methods = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "ServerStream": grpc.unary_stream_rpc_method_handler(server_stream),
        "ServerStreamByWrite": grpc.unary_stream_rpc_method_handler(server_stream_by_write),
        "ClientStream": grpc.stream_unary_rpc_method_handler(client_stream),
        "Bidi": grpc.stream_stream_rpc_method_handler(bidi),
    }
    if relay_to is not None:

        async def relay(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
            # Calls the next service with the caller's token, forwarded by the client interceptor.
            async with grpc.aio.insecure_channel(relay_to, interceptors=[ForwardCallerToken()]) as channel:
                answer: bytes = await channel.unary_unary(f"/{SERVICE}/Unary")(request)
                return b"relayed:" + answer

        methods["Relay"] = grpc.unary_unary_rpc_method_handler(relay)
    return grpc.method_handlers_generic_handler(SERVICE, methods)


ServerFactory = Callable[..., Any]


@pytest.fixture
async def start_server(verifier: TokenVerifier) -> AsyncIterator[ServerFactory]:
    servers: list[grpc.aio.Server] = []

    async def start(relay_to: str | None = None) -> str:
        server = grpc.aio.server(interceptors=[AuthInterceptor(verifier)])
        server.add_generic_rpc_handlers((handlers(relay_to),))
        health_servicer = health.aio.HealthServicer()
        await health_servicer.set(SERVICE, health_pb2.HealthCheckResponse.SERVING)
        health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        servers.append(server)
        return f"127.0.0.1:{port}"

    yield start
    for server in servers:
        await server.stop(grace=None)


@pytest.fixture
async def channel(start_server: ServerFactory) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(await start_server()) as channel:
        yield channel


async def test_a_real_token_reaches_the_handler_with_its_principal(
    channel: grpc.aio.Channel, access_tokens: dict[str, str]
) -> None:
    call = channel.unary_unary(f"/{SERVICE}/Unary")
    assert (
        await call(b"", metadata=bearer_metadata(access_tokens["police-dalian"])) == b"police-dalian|police"
    )
    machine = await call(b"", metadata=bearer_metadata(access_tokens["sector-postal-demo"]))
    assert machine == b"service-account-sector-postal-demo|sector-system"


async def test_every_streaming_kind_sees_the_principal(
    channel: grpc.aio.Channel, access_tokens: dict[str, str]
) -> None:
    metadata = bearer_metadata(access_tokens["regulator-postal"])
    expected = b"regulator-postal|regulator"

    server_stream = channel.unary_stream(f"/{SERVICE}/ServerStream")(b"", metadata=metadata)
    assert [message async for message in server_stream] == [expected] * 3

    by_write = channel.unary_stream(f"/{SERVICE}/ServerStreamByWrite")(b"", metadata=metadata)
    assert [message async for message in by_write] == [expected] * 2

    async def requests() -> AsyncIterator[bytes]:
        for part in (b"a", b"b", b"c", b"d"):
            yield part

    assert await channel.stream_unary(f"/{SERVICE}/ClientStream")(requests(), metadata=metadata) == (
        expected + b"|4"
    )

    bidi = channel.stream_stream(f"/{SERVICE}/Bidi")(requests(), metadata=metadata)
    assert [message async for message in bidi] == [
        part + b":" + expected for part in (b"a", b"b", b"c", b"d")
    ]


async def unauthenticated(call: Any) -> grpc.aio.AioRpcError:
    async def complete() -> None:
        result = call()
        if hasattr(result, "__aiter__"):
            _ = [message async for message in result]
        else:
            await result

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await complete()
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    return caught.value


async def test_no_token_is_unauthenticated_on_every_kind(channel: grpc.aio.Channel) -> None:
    async def requests() -> AsyncIterator[bytes]:
        yield b"x"

    error = await unauthenticated(lambda: channel.unary_unary(f"/{SERVICE}/Unary")(b""))
    assert "missing bearer token" in (error.details() or "")
    await unauthenticated(lambda: channel.unary_stream(f"/{SERVICE}/ServerStream")(b""))
    await unauthenticated(lambda: channel.stream_unary(f"/{SERVICE}/ClientStream")(requests()))
    await unauthenticated(lambda: channel.stream_stream(f"/{SERVICE}/Bidi")(requests()))


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-jwt",
        "Basic cG9saWNlOm5laWJhby1kZW1v",
        "Bearer eyJhbGciOiJub25lIiwia2lkIjoieCJ9.eyJzdWIiOiJhZG1pbiJ9.",
    ],
)
async def test_an_invalid_token_is_unauthenticated(channel: grpc.aio.Channel, authorization: str) -> None:
    call = channel.unary_unary(f"/{SERVICE}/Unary")
    error = await unauthenticated(lambda: call(b"", metadata=(("authorization", authorization),)))
    assert "invalid bearer token" in (error.details() or "")
    trailers = dict(error.trailing_metadata() or ())
    assert str(trailers.get("www-authenticate", "")).startswith('Bearer error="invalid_token"')


async def test_a_tampered_real_token_is_unauthenticated(
    channel: grpc.aio.Channel, access_tokens: dict[str, str], forge: Any
) -> None:
    forged = forge.tamper(access_tokens["police-heping"], jurisdiction="210000")
    call = channel.unary_unary(f"/{SERVICE}/Unary")
    error = await unauthenticated(lambda: call(b"", metadata=bearer_metadata(forged)))
    assert "bad_signature" in (error.details() or "")


async def test_health_is_public(channel: grpc.aio.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    response = await stub.Check(health_pb2.HealthCheckRequest(service=SERVICE))
    assert response.status == health_pb2.HealthCheckResponse.SERVING


async def test_unknown_methods_stay_unimplemented(channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await channel.unary_unary(f"/{SERVICE}/Nope")(b"")
    assert caught.value.code() is grpc.StatusCode.UNIMPLEMENTED


async def test_the_callers_token_is_forwarded_downstream(
    start_server: ServerFactory, access_tokens: dict[str, str]
) -> None:
    downstream = await start_server()
    upstream = await start_server(relay_to=downstream)
    async with grpc.aio.insecure_channel(upstream) as channel:
        relay = channel.unary_unary(f"/{SERVICE}/Relay")
        answer = await relay(b"", metadata=bearer_metadata(access_tokens["security-chief-demo"]))
        assert answer == b"relayed:security-chief-demo|unit-security"
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await relay(b"")
        assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
