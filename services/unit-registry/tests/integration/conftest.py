"""The registry on the real servers: a freshly migrated database per test, an in-process gRPC server on
port 0 with the real token verifier, and real tokens of the demo accounts."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import psycopg
import pytest
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]

from neibao.unitregistry.v1 import (
    dossier_pb2_grpc,
    informant_pb2_grpc,
    inspection_pb2_grpc,
    jurisdiction_pb2_grpc,
    staff_pb2_grpc,
    unit_pb2,
    unit_pb2_grpc,
)
from neibao_identity import Principal, bearer_metadata
from neibao_runtime import GrpcServer
from neibao_testkit.endpoints import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens
from unit_registry import bootstrap
from unit_registry.adapters.events import TOPIC
from unit_registry.config import Settings
from unit_registry.demo.load import conninfo, load_police_stations
from unit_registry.service.handlers import Requester
from unit_registry.service.unit_of_work import UnitOfWork

DEMO_USERS = (
    "admin",
    "police-shenyang",
    "police-heping",
    "police-dalian",
    "regulator-postal",
    "regulator-commerce-dalian",
    "security-chief-demo",
)
# Valid USCCs (check characters computed with python-stdnum).
HEPING_SHOP = "91210102MA0LN001X3"  # security-chief-demo's unit, Heping (Shenyang), commerce
DALIAN_EXPRESS = "91210200MA0YP3D80R"  # the demo express company, Zhongshan (Dalian), postal
HEPING_EXPRESS = "91210102000000001A"  # an express company in Heping, postal


@pytest.fixture(scope="module")
def tokens(keycloak_tokens: KeycloakTokens) -> dict[str, str]:
    """One real access token per demo user (they live 5 minutes: fresh per module)."""
    return {user: keycloak_tokens.password(user)["access_token"] for user in DEMO_USERS}


def _key(size: int = 32) -> str:
    return base64.b64encode(os.urandom(size)).decode()


@pytest.fixture(scope="session")
def pii_keys() -> dict[str, str]:
    """Personal-data keys made fresh for the test run (never a fixed key in code): two keys, k2 active."""
    return {
        "pii_keys": f"k1:{_key()},k2:{_key()}",
        "pii_active_key": "k2",
        "pii_index_key": _key(),
    }


@pytest.fixture
def database(pg_database: str) -> str:
    """A fresh database migrated to head, with the police stations loaded."""
    bootstrap.migrate(pg_database)
    with psycopg.connect(conninfo(pg_database)) as conn:
        load_police_stations(conn)
    return pg_database


def settings_for(
    database_url: str, stack: StackEndpoints, pii_keys: dict[str, str], topic: str = TOPIC
) -> Settings:
    """Settings as the local stack would pass them, for the test's database, keys and topic."""
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        keycloak_url=stack.keycloak_url,
        keycloak_realm=stack.realm,
        events_topic=topic,
        grpc_port=0,
        **pii_keys,
    )


@dataclass
class Registry:
    """A running registry and helpers to call it as one of the demo users."""

    channel: grpc.aio.Channel
    tokens: dict[str, str]
    database_url: str
    unit_of_work: Callable[[], UnitOfWork]

    @property
    def units(self) -> unit_pb2_grpc.UnitServiceStub:
        return unit_pb2_grpc.UnitServiceStub(self.channel)  # type: ignore[no-untyped-call]

    @property
    def dossier(self) -> dossier_pb2_grpc.DossierServiceStub:
        return dossier_pb2_grpc.DossierServiceStub(self.channel)  # type: ignore[no-untyped-call]

    @property
    def staff(self) -> staff_pb2_grpc.StaffServiceStub:
        return staff_pb2_grpc.StaffServiceStub(self.channel)  # type: ignore[no-untyped-call]

    @property
    def informants(self) -> informant_pb2_grpc.InformantServiceStub:
        return informant_pb2_grpc.InformantServiceStub(self.channel)  # type: ignore[no-untyped-call]

    @property
    def inspections(self) -> inspection_pb2_grpc.InspectionServiceStub:
        return inspection_pb2_grpc.InspectionServiceStub(self.channel)  # type: ignore[no-untyped-call]

    @property
    def jurisdictions(self) -> jurisdiction_pb2_grpc.JurisdictionServiceStub:
        return jurisdiction_pb2_grpc.JurisdictionServiceStub(self.channel)  # type: ignore[no-untyped-call]

    def auth(self, user: str) -> tuple[tuple[str, str | bytes], ...]:
        return bearer_metadata(self.tokens[user])

    async def create(self, user: str, **fields: Any) -> unit_pb2.Unit:
        response = await self.units.CreateUnit(unit_pb2.CreateUnitRequest(**fields), metadata=self.auth(user))
        return response.unit

    def count(self, sql: str, *params: object) -> int:
        with psycopg.connect(conninfo(self.database_url)) as conn:
            row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
        return int(row[0]) if row else 0

    def execute(self, sql: str, *params: object) -> None:
        with psycopg.connect(conninfo(self.database_url)) as conn:
            conn.execute(sql, params)  # type: ignore[arg-type]

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(conninfo(self.database_url)) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def event_types(self) -> list[str]:
        """The CloudEvents types in the outbox, oldest first."""
        return [row[0] for row in self.rows("SELECT headers->>'ce_type' FROM outbox ORDER BY id")]


async def start_registry(settings: Settings, tokens: dict[str, str]) -> AsyncIterator[Registry]:
    """The gRPC server as `serve` builds it (auth interceptor, health), on a free port."""
    app = bootstrap.build(settings)
    await app.start()
    server = GrpcServer(app.register, port=0, interceptors=app.interceptors)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Registry(channel, tokens, settings.database_url.get_secret_value(), app.unit_of_work)
    finally:
        await channel.close()
        await server.stop(0)
        await app.close()


@pytest.fixture
async def registry(
    database: str, stack: StackEndpoints, tokens: dict[str, str], pii_keys: dict[str, str]
) -> AsyncIterator[Registry]:
    """A registry on a fresh database."""
    async for running in start_registry(settings_for(database, stack, pii_keys), tokens):
        yield running


def unit_fields(
    uscc: str, name: str, jurisdiction: str, unit_type: int, sector: int, **more: Any
) -> dict[str, Any]:
    """CreateUnitRequest fields."""
    return {
        "uscc": uscc,
        "name": name,
        "jurisdiction": jurisdiction,
        "unit_type": unit_type,
        "sector": sector,
        "address": f"辽宁省{name}地址1号",
        **more,
    }


@pytest.fixture
async def populated(registry: Registry) -> Registry:
    """Three units: a Heping shop (commerce), a Heping express company and a Dalian one (postal)."""
    return await populate(registry)


async def populate(registry: Registry) -> Registry:
    """Register the three test units."""
    await registry.create(
        "admin",
        **unit_fields(
            HEPING_SHOP,
            "沈阳太原街商贸中心有限公司",
            "210102",
            unit_pb2.UNIT_TYPE_RESERVE_OR_TRADE_CENTRE,
            unit_pb2.SECTOR_COMMERCE,
        ),
    )
    await registry.create(
        "police-heping",
        **unit_fields(
            HEPING_EXPRESS,
            "沈阳和平快捷速递有限公司",
            "210102",
            unit_pb2.UNIT_TYPE_POSTAL_EXPRESS,
            unit_pb2.SECTOR_POSTAL,
        ),
    )
    await registry.create(
        "police-dalian",
        **unit_fields(
            DALIAN_EXPRESS,
            "大连顺捷速递有限公司",
            "210202",
            unit_pb2.UNIT_TYPE_POSTAL_EXPRESS,
            unit_pb2.SECTOR_POSTAL,
            sectors=[unit_pb2.SECTOR_TRANSPORT],
        ),
    )
    return registry


def unit_security_of(uscc: str, jurisdiction: str) -> Requester:
    """The security staff of a unit that has no demo account (to write its dossier in a test's setup)."""
    principal = Principal(
        subject=f"security-{uscc}",
        username=f"security-{uscc}",
        roles=frozenset({"unit-security"}),
        jurisdiction=jurisdiction,
        unit=uscc,
    )
    return Requester.from_principal(principal)


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
