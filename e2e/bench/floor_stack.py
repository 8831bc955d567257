"""The floor of the gateway benchmark's path: the same stack with none of the platform's work in it.

`grpc` serves UnitService.GetUnit from a bare grpc.aio server reading the unit's row with psycopg (an
autocommit pool, a prepared statement); `http` serves GET /api/v1/units/{uscc} from a bare FastAPI app on
uvicorn (uvloop, httptools) calling it. No token, scope, rate limit, audit, log line, trace, metric or
conversion rule: what remains is what FastAPI, grpc.aio and psycopg cost on this machine, so the
benchmark can print how far the platform is from the ceiling of its own stack.

    python e2e/bench/floor_stack.py grpc --port 50999 --dsn postgresql://...
    python e2e/bench/floor_stack.py http --port 18998 --upstream 127.0.0.1:50999
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import grpc
import uvicorn
from fastapi import FastAPI
from psycopg_pool import AsyncConnectionPool

from neibao.unitregistry.v1 import unit_pb2, unit_pb2_grpc

_READ = "SELECT uscc, name, jurisdiction, address, version FROM unit WHERE uscc = %s"


class FloorUnitService(unit_pb2_grpc.UnitServiceServicer):
    """GetUnit as one row read and nothing else (every other method answers UNIMPLEMENTED)."""

    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def GetUnit(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:  # noqa: N802 (gRPC's name)
        async with self._pool.connection() as connection:
            cursor = await connection.execute(_READ, (request.uscc,), prepare=True)
            row = await cursor.fetchone()
        if row is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such unit")
        uscc, name, jurisdiction, address, version = row
        unit = unit_pb2.Unit(
            uscc=uscc, name=name, jurisdiction=jurisdiction, address=address, version=version
        )
        return unit_pb2.GetUnitResponse(unit=unit)


async def serve_grpc(port: int, dsn: str) -> None:
    """The bare gRPC server until killed."""
    async with AsyncConnectionPool(dsn, min_size=4, max_size=8, kwargs={"autocommit": True}) as pool:
        server = grpc.aio.server()
        unit_pb2_grpc.add_UnitServiceServicer_to_server(FloorUnitService(pool), server)  # type: ignore[abstract]
        server.add_insecure_port(f"127.0.0.1:{port}")
        await server.start()
        await server.wait_for_termination()


def http_app(upstream: str) -> FastAPI:
    """The bare FastAPI app: one route, one gRPC call, the answer as JSON."""
    app = FastAPI()
    stubs: dict[str, Any] = {}

    @app.get("/api/v1/units/{uscc}")
    async def get_unit(uscc: str) -> dict[str, Any]:
        stub = stubs.get("unit")
        if stub is None:
            stub = stubs["unit"] = unit_pb2_grpc.UnitServiceStub(grpc.aio.insecure_channel(upstream))
        answer = await stub.GetUnit(unit_pb2.GetUnitRequest(uscc=uscc), timeout=5)
        unit = answer.unit
        return {
            "uscc": unit.uscc,
            "name": unit.name,
            "jurisdiction": unit.jurisdiction,
            "version": unit.version,
        }

    @app.get("/readyz")
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    return app


def main() -> None:
    """Run one of the two floor servers."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="part", required=True)
    grpc_part = sub.add_parser("grpc")
    grpc_part.add_argument("--port", type=int, required=True)
    grpc_part.add_argument(
        "--dsn", required=True, help="a libpq connection string of the registry's database"
    )
    http_part = sub.add_parser("http")
    http_part.add_argument("--port", type=int, required=True)
    http_part.add_argument("--upstream", required=True)
    args = parser.parse_args()
    if args.part == "grpc":
        asyncio.run(serve_grpc(args.port, args.dsn))
    else:
        uvicorn.run(
            http_app(args.upstream),
            host="127.0.0.1",
            port=args.port,
            loop="uvloop",
            http="httptools",
            access_log=False,
            log_level="warning",
        )


if __name__ == "__main__":
    main()
