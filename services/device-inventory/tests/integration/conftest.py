"""The inventory on the real servers: a freshly migrated database per test, the unit read model fed
through the real event handlers, an in-process gRPC server with the real token verifier, real tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
import psycopg
import pytest
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]
from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from device_inventory import bootstrap
from device_inventory.adapters.events import (
    DOSSIER_UPDATED,
    KEY_UNIT_DESIGNATED,
    UNIT_REGISTERED,
)
from device_inventory.config import Settings
from device_inventory.service.handlers import Inventory
from neibao.deviceinventory.v1 import compliance_pb2_grpc, device_pb2, device_pb2_grpc
from neibao.unitregistry.v1 import dossier_pb2, events_pb2, unit_pb2
from neibao_identity import bearer_metadata
from neibao_messaging import Event
from neibao_runtime import GrpcServer
from neibao_testkit.endpoints import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens

DEMO_USERS = (
    "admin",
    "police-shenyang",
    "police-heping",
    "police-dalian",
    "regulator-postal",
    "regulator-commerce-dalian",
    "security-chief-demo",
)
HEPING_SHOP = "91210102MA0LN001X3"  # security-chief-demo's unit, Heping (Shenyang), commerce
DALIAN_EXPRESS = "91210200MA0YP3D80R"  # Zhongshan (Dalian), postal (+ transport)
HEPING_EXPRESS = "91210102000000001A"  # Heping, postal
SHOP_KEY_PART = uuid.UUID("7f7a2d4c-1111-4a4a-9b9b-000000000001")


@pytest.fixture(scope="module")
def tokens(keycloak_tokens: KeycloakTokens) -> dict[str, str]:
    """One real access token per demo user (they live 5 minutes: fresh per module)."""
    return {user: keycloak_tokens.password(user)["access_token"] for user in DEMO_USERS}


def conninfo(url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def database(pg_database: str) -> str:
    """A fresh database migrated to head."""
    bootstrap.migrate(pg_database)
    return pg_database


def settings_for(database_url: str, stack: StackEndpoints, **more: Any) -> Settings:
    """Settings as the local stack would pass them, for the test's database and topics."""
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        keycloak_url=stack.keycloak_url,
        keycloak_realm=stack.realm,
        grpc_port=0,
        **more,
    )


def unit_event(event_type: str, message: Any) -> Event:
    """A registry event as the registry's relay would publish it."""
    return Event.create(
        type=event_type,
        source="/neibao/unit-registry",
        data=message,
        subject=message.uscc,
        jurisdiction=message.jurisdiction,
        unit=message.uscc,
    )


def registered(uscc: str, name: str, jurisdiction: str, unit_type: int, sector: int, *more: int) -> Event:
    """UnitRegistered."""
    return unit_event(
        UNIT_REGISTERED,
        events_pb2.UnitRegistered(
            uscc=uscc,
            name=name,
            jurisdiction=jurisdiction,
            unit_type=unit_type,
            sector=sector,
            sectors=[sector, *more],
            version=1,
        ),
    )


def designated(uscc: str, jurisdiction: str, unit_type: int, sector: int, version: int = 2) -> Event:
    """KeyUnitDesignated."""
    return unit_event(
        KEY_UNIT_DESIGNATED,
        events_pb2.KeyUnitDesignated(
            uscc=uscc,
            jurisdiction=jurisdiction,
            unit_type=unit_type,
            sector=sector,
            sectors=[sector],
            version=version,
        ),
    )


def key_part_added(
    uscc: str,
    jurisdiction: str,
    part: uuid.UUID,
    name: str | None = None,
    change: int = dossier_pb2.CHANGE_KIND_ADDED,
) -> Event:
    """DossierUpdated: a key part added (or `change`d); carrying the key part itself when `name` is given."""
    item = (
        {"key_part": dossier_pb2.KeyPart(id=str(part), uscc=uscc, name=name, location="一楼东侧")}
        if name is not None
        else {}
    )
    return unit_event(
        DOSSIER_UPDATED,
        events_pb2.DossierUpdated(
            uscc=uscc,
            jurisdiction=jurisdiction,
            section=dossier_pb2.DOSSIER_SECTION_KEY_PARTS,
            item_id=str(part),
            change=change,
            **item,
        ),
    )


THREE_UNITS = (
    registered(
        HEPING_SHOP,
        "沈阳太原街商贸中心",
        "210102",
        unit_pb2.UNIT_TYPE_RESERVE_OR_TRADE_CENTRE,
        unit_pb2.SECTOR_COMMERCE,
    ),
    registered(
        HEPING_EXPRESS,
        "沈阳和平快捷速递",
        "210102",
        unit_pb2.UNIT_TYPE_POSTAL_EXPRESS,
        unit_pb2.SECTOR_POSTAL,
    ),
    registered(
        DALIAN_EXPRESS,
        "大连顺捷速递",
        "210202",
        unit_pb2.UNIT_TYPE_POSTAL_EXPRESS,
        unit_pb2.SECTOR_POSTAL,
        unit_pb2.SECTOR_TRANSPORT,
    ),
    key_part_added(HEPING_SHOP, "210102", SHOP_KEY_PART),
)


def apply_unit_events(database_url: str, events: tuple[Event, ...] | list[Event]) -> None:
    """Feed the read model through the consumer's own handlers, in one transaction each."""
    from device_inventory.entrypoints.consumers import UNIT_HANDLERS

    engine = create_engine(database_url)
    try:
        for event in events:
            with Session(engine) as session, session.begin():
                UNIT_HANDLERS[event.type](session, event)
    finally:
        engine.dispose()


@dataclass
class Running:
    """A running inventory and helpers to call it as one of the demo users."""

    channel: grpc.aio.Channel
    tokens: dict[str, str]
    database_url: str
    inventory: Inventory
    registered: list[str] = field(default_factory=list)

    @property
    def devices(self) -> device_pb2_grpc.DeviceServiceStub:
        return device_pb2_grpc.DeviceServiceStub(self.channel)  # type: ignore[no-untyped-call]

    @property
    def compliance(self) -> compliance_pb2_grpc.ComplianceServiceStub:
        return compliance_pb2_grpc.ComplianceServiceStub(self.channel)  # type: ignore[no-untyped-call]

    def auth(self, user: str) -> tuple[tuple[str, str | bytes], ...]:
        return bearer_metadata(self.tokens[user])

    async def register(
        self, user: str, uscc: str, device_type: int, name: str, **fields: Any
    ) -> device_pb2.Device:
        response = await self.devices.RegisterDevice(
            device_pb2.RegisterDeviceRequest(uscc=uscc, device_type=device_type, name=name, **fields),
            metadata=self.auth(user),
        )
        return response.device

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(conninfo(self.database_url)) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def event_types(self) -> list[str]:
        """The CloudEvents types in the outbox, oldest first."""
        return [row[0] for row in self.rows("SELECT headers->>'ce_type' FROM outbox ORDER BY id")]


async def start(settings: Settings, tokens: dict[str, str]) -> AsyncIterator[Running]:
    """The gRPC server as `serve` builds it (auth interceptor, health), on a free port."""
    app = bootstrap.build(settings)
    server = GrpcServer(app.register, port=0, interceptors=app.interceptors)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Running(channel, tokens, settings.database_url.get_secret_value(), app.inventory)
    finally:
        await channel.close()
        await server.stop(0)
        await app.close()


@pytest.fixture
def settings(database: str, stack: StackEndpoints) -> Settings:
    """Settings of the test's inventory; alarm devices supervised every 1 s (offline tests)."""
    apply_unit_events(database, THREE_UNITS)
    return settings_for(database, stack, supervision_seconds={"one_button_alarm": 1})


@pytest.fixture
async def running(settings: Settings, tokens: dict[str, str]) -> AsyncIterator[Running]:
    """An inventory on a fresh database that knows the three test units."""
    async for app in start(settings, tokens):
        yield app


@pytest.fixture
def topics(kafka_topic: Callable[..., str], kafka: StackEndpoints) -> Iterator[Callable[[str], str]]:
    """A factory of fresh topics, each with its `<topic>.dlq`."""
    admin = KafkaAdminClient(bootstrap_servers=kafka.kafka_bootstrap, request_timeout_ms=30_000)
    dlqs: list[str] = []

    def make(prefix: str) -> str:
        topic = kafka_topic(prefix)
        admin.create_topics([NewTopic(f"{topic}.dlq", num_partitions=1, replication_factor=1)])
        dlqs.append(f"{topic}.dlq")
        return topic

    try:
        yield make
    finally:
        if dlqs:
            admin.delete_topics(dlqs)
        admin.close()


def rpc_details(error: grpc.aio.AioRpcError) -> status_pb2.Status:
    """The google.rpc.Status carried in the trailers."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            return status_pb2.Status.FromString(value)
    raise AssertionError("no grpc-status-details-bin trailer")


def field_violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    """field -> reason of the BadRequest detail."""
    for detail in rpc_details(error).details:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            return {v.field: v.reason for v in bad_request.field_violations}
    raise AssertionError("no BadRequest detail")
