"""The exchange on the real servers: a freshly migrated database per test, an in-process gRPC server with
the real token verifier, real tokens of the demo users and of the `sector-postal-demo` machine client."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import grpc
import psycopg
import pytest

from neibao.sectorexchange.v1 import exchange_pb2, exchange_pb2_grpc
from neibao_identity import bearer_metadata
from neibao_runtime import GrpcServer
from neibao_testkit.endpoints import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens
from sector_exchange import bootstrap
from sector_exchange.config import Settings
from sector_exchange.service.handlers import Exchange

DEMO_USERS = (
    "admin",
    "police-shenyang",
    "police-heping",
    "police-dalian",
    "regulator-postal",
    "regulator-commerce-dalian",
)
SECTOR_CLIENT = "sector-postal-demo"
SECTOR_SECRET = "neibao-demo-secret"
POSTAL_ORG = "91210200MA0YP3D80R"


@pytest.fixture(scope="module")
def tokens(keycloak_tokens: KeycloakTokens) -> dict[str, str]:
    """One real access token per demo principal (they live 5 minutes: fresh per module)."""
    found = {user: keycloak_tokens.password(user)["access_token"] for user in DEMO_USERS}
    found[SECTOR_CLIENT] = keycloak_tokens.client_credentials(SECTOR_CLIENT, SECTOR_SECRET)["access_token"]
    return found


def conninfo(url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def settings(pg_database: str, stack: StackEndpoints, kafka_topic: Any) -> Settings:
    """Settings as the local stack would pass them: a fresh migrated database, fresh keys and topic."""
    bootstrap.migrate(pg_database)
    return Settings(  # type: ignore[call-arg]
        database_url=pg_database,
        kafka_bootstrap=stack.kafka_bootstrap,
        keycloak_url=stack.keycloak_url,
        keycloak_realm=stack.realm,
        grpc_port=0,
        events_topic=kafka_topic("sector-exchange.events"),
        records_topic=kafka_topic("sector-exchange.records"),
        pii_keys=f"t1:{_key()}",
        pii_active_key="t1",
        pii_index_key=_key(),
        signing_keys=f"s1:{_key()}",
        signing_active_key="s1",
    )


@dataclass
class Running:
    """A running exchange and helpers to call it as one of the demo principals."""

    channel: grpc.aio.Channel
    tokens: dict[str, str]
    database_url: str
    exchange: Exchange
    settings: Settings

    @property
    def stub(self) -> exchange_pb2_grpc.ExchangeServiceStub:
        return exchange_pb2_grpc.ExchangeServiceStub(self.channel)  # type: ignore[no-untyped-call]

    def auth(self, principal: str) -> tuple[tuple[str, str | bytes], ...]:
        return bearer_metadata(self.tokens[principal])

    async def submit(
        self,
        batch_id: str,
        records: list[Any],
        principal: str = SECTOR_CLIENT,
        sector: str = "postal",
        dataset: str = "shipments",
    ) -> exchange_pb2.SubmitBatchResponse:
        request = exchange_pb2.SubmitBatchRequest(
            sector=sector,
            dataset=dataset,
            batch_id=batch_id,
            records_json=json.dumps(records, ensure_ascii=False).encode(),
        )
        return await self.stub.SubmitBatch(request, metadata=self.auth(principal))

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(conninfo(self.database_url)) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def execute(self, sql: str, *params: object) -> None:
        with psycopg.connect(conninfo(self.database_url)) as conn:
            conn.execute(sql, params)  # type: ignore[arg-type]


@pytest.fixture
async def running(settings: Settings, tokens: dict[str, str]) -> AsyncIterator[Running]:
    """The gRPC server as `serve` builds it (auth interceptor, health), on a free port."""
    app = bootstrap.build(settings)
    server = GrpcServer(app.register, port=0, interceptors=app.interceptors)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Running(channel, tokens, settings.database_url.get_secret_value(), app.exchange, settings)
    finally:
        await channel.close()
        await server.stop(0)
        await app.close()


HEPING_ID = "210102199003071233"
OTHER_ID = "11010519491231002X"


def shipment(waybill: str, **changes: Any) -> dict[str, Any]:
    """A valid express real-name receipt accepted at a site in 和平区 (210102)."""
    record: dict[str, Any] = {
        "waybill_no": waybill,
        "accepted_at": "2026-11-24T15:30:00+08:00",
        "site_name": "和平区南京北街营业部",
        "site_region_code": "210102",
        "sender_name": "张三",
        "sender_id_type": "resident_id",
        "sender_id_number": HEPING_ID,
        "sender_phone": "13812345678",
        "sender_address": "辽宁省沈阳市和平区南京北街1号",
        "receiver_name": "李四",
        "receiver_phone": "13912345678",
        "receiver_address": "大连市中山区人民路5号",
        "item_name": "书籍",
        "quantity": 1,
        "inspected": True,
        "xray_screened": True,
    }
    record.update(changes)
    return record
