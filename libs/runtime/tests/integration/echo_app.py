"""A test service on generic handlers (no proto), and a runnable app around `serve()`.

Methods of neibao.test.v1.EchoService (requests and responses are raw bytes):
  Echo   returns the request, logging inside the handler;
  Slow   sleeps for the request's number of seconds, then returns b"done";
  Fail   aborts with NOT_FOUND;
  Count  streams b"0", b"1", ... up to the request's number.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import grpc
from pydantic_settings import SettingsConfigDict

from neibao_runtime import ServiceSettings, get_logger, serve

SERVICE = "neibao.test.v1.EchoService"
SLOW_STARTED = "slow call started"

# In-process tests wait on this to know a slow call is in flight.
slow_started = asyncio.Event()


async def echo(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    get_logger("echo").info("echo called", size=len(request))
    logging.getLogger("echo.stdlib").info("stdlib inside the handler")
    return request


async def slow(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    slow_started.set()
    get_logger("echo").info(SLOW_STARTED)
    await asyncio.sleep(float(request.decode()))
    return b"done"


async def fail(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    await context.abort(grpc.StatusCode.NOT_FOUND, "no such unit")
    raise AssertionError("abort returns never")


async def count(request: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[bytes]:
    for number in range(int(request.decode())):
        yield str(number).encode()


def register(server: grpc.aio.Server) -> Sequence[str]:
    """Add the echo service; its name is what health and reflection report."""
    handlers = {
        "Echo": grpc.unary_unary_rpc_method_handler(echo),
        "Slow": grpc.unary_unary_rpc_method_handler(slow),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
        "Count": grpc.unary_stream_rpc_method_handler(count),
    }
    server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(SERVICE, handlers)])
    return [SERVICE]


class EchoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NEIBAO_ECHO_")

    service_name: str = "echo"


if __name__ == "__main__":
    asyncio.run(serve(EchoSettings(), register))
