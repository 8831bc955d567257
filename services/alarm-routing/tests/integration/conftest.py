"""The alarm routing on the real servers: a freshly migrated database per test, an in-process gRPC server
on port 0 with the real token verifier, real tokens of the demo accounts, units in the read model applied
by the consumer's own handlers."""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import psycopg
import pytest
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from alarm_routing import bootstrap
from alarm_routing.adapters.db.personal_data import PersonalDataCipher
from alarm_routing.adapters.db.read_model import DossierContextProjection, apply_unit_described
from alarm_routing.adapters.events import UNIT_REGISTERED
from alarm_routing.config import Settings
from neibao.alarmrouting.v1 import alarm_pb2, alarm_pb2_grpc
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from neibao.unitregistry.v1 import unit_pb2
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
HEPING_STATION = "210102003"
HEPING_EXPRESS = "91210102000000001A"  # an express company in Heping, postal, no station on record
DALIAN_EXPRESS = "91210200MA0YP3D80R"  # Zhongshan (Dalian), postal


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


def unit_registered(
    uscc: str, name: str, jurisdiction: str, sector: int, police_station: str = "", version: int = 1
) -> Event:
    """A registry event as the registry writes it."""
    return Event.create(
        type=UNIT_REGISTERED,
        source="/neibao/unit-registry",
        subject=uscc,
        data=unit_events_pb2.UnitRegistered(
            uscc=uscc,
            name=name,
            jurisdiction=jurisdiction,
            police_station=police_station,
            sector=sector,  # type: ignore[arg-type]
            version=version,
        ),
    )


TEST_UNITS = (
    unit_registered(
        HEPING_SHOP, "沈阳太原街商贸中心有限公司", "210102", unit_pb2.SECTOR_COMMERCE, HEPING_STATION
    ),
    unit_registered(HEPING_EXPRESS, "沈阳和平快捷速递有限公司", "210102", unit_pb2.SECTOR_POSTAL),
    unit_registered(DALIAN_EXPRESS, "大连顺捷速递有限公司", "210202", unit_pb2.SECTOR_POSTAL, "210202001"),
)


def load_units(database_url: str) -> None:
    """The test units in the read model, applied by the consumer's handler."""
    engine = create_engine(database_url)
    with Session(engine) as session, session.begin():
        for event in TEST_UNITS:
            apply_unit_described(session, event)
    engine.dispose()


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


# Personal-data keys made fresh for this test run (never a fixed key in code), shared by every process
# of it: the consumer seals what the server opens.
PII_KEYS = {"pii_keys": f"k1:{_key()},k2:{_key()}", "pii_active_key": "k2", "pii_index_key": _key()}


def settings_for(database_url: str, stack: StackEndpoints, **more: Any) -> Settings:
    """Settings as the local stack would pass them."""
    return Settings(  # type: ignore[call-arg]
        database_url=database_url,
        kafka_bootstrap=stack.kafka_bootstrap,
        keycloak_url=stack.keycloak_url,
        keycloak_realm=stack.realm,
        grpc_port=0,
        **{**PII_KEYS, **more},
    )


def dossier_context(settings: Settings) -> DossierContextProjection:
    """The consumer's projection of dossier events: phones opened and sealed at rest with the run's keys."""
    return DossierContextProjection(PersonalDataCipher.from_keys(settings.privacy_keys()))


@dataclass
class Running:
    """A running alarm service and helpers to call it as one of the demo users."""

    channel: grpc.aio.Channel
    tokens: dict[str, str]
    database_url: str

    @property
    def alarms(self) -> alarm_pb2_grpc.AlarmServiceStub:
        return alarm_pb2_grpc.AlarmServiceStub(self.channel)

    def auth(self, user: str) -> tuple[tuple[str, str | bytes], ...]:
        return bearer_metadata(self.tokens[user])

    async def raise_alarm(self, user: str, **fields: Any) -> alarm_pb2.RaiseAlarmResponse:
        request = alarm_pb2.RaiseAlarmRequest(**fields)
        if not request.HasField("occurred_at"):
            request.occurred_at.GetCurrentTime()
        return await self.alarms.RaiseAlarm(request, metadata=self.auth(user))

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(conninfo(self.database_url)) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    def event_types(self) -> list[str]:
        """The CloudEvents types in the outbox, oldest first."""
        return [row[0] for row in self.rows("SELECT headers->>'ce_type' FROM outbox ORDER BY id")]


async def start_service(settings: Settings, tokens: dict[str, str]) -> AsyncIterator[Running]:
    """The gRPC server as `serve` builds it (auth interceptor, health), on a free port."""
    app = bootstrap.build(settings)
    server = GrpcServer(app.register, port=0, interceptors=app.interceptors)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Running(channel, tokens, settings.database_url.get_secret_value())
    finally:
        await channel.close()
        await server.stop(0)
        await app.close()


@pytest.fixture
async def service(database: str, stack: StackEndpoints, tokens: dict[str, str]) -> AsyncIterator[Running]:
    """The service on a fresh database with the test units known."""
    load_units(database)
    async for running in start_service(settings_for(database, stack), tokens):
        yield running


FAST_RULES = """
version: "test-fast"
rules:
  - {id: station, party: police_station, role: respond, reason: station}
  - {id: command, party: city_command, role: respond, priorities: [1], reason: command}
  - {id: security, party: unit_security, role: respond, reason: security}
acknowledge_seconds:
  police_station: {1: 2, 2: 2, 3: 2, 4: 2}
  district_branch: {1: 2, 2: 2, 3: 2, 4: 2}
  city_command: {1: 2, 2: 2, 3: 2, 4: 2}
  unit_security: {1: 60, 2: 60, 3: 60, 4: 60}
escalation:
  chain: [police_station, district_branch, city_command]
  repeat_limit: 1
"""


@pytest.fixture
def fast_rules(tmp_path: Path) -> Path:
    """A rules file with 2-second deadlines."""
    path = tmp_path / "rules.yaml"
    path.write_text(FAST_RULES)
    return path


def field_violations(error: grpc.aio.AioRpcError) -> dict[str, str]:
    """field -> reason of the BadRequest detail."""
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            for detail in status_pb2.Status.FromString(value).details:
                bad_request = error_details_pb2.BadRequest()
                if detail.Unpack(bad_request):
                    return {v.field: v.reason for v in bad_request.field_violations}
    raise AssertionError("no BadRequest detail")
