"""The scoring on the real servers: a freshly migrated database and fresh topics per test, the facts
consumer reading them, an in-process gRPC server with the real token verifier and real demo tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import grpc
import psycopg
import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import Engine, create_engine

from neibao.scoring.v1 import scoring_pb2_grpc
from neibao_identity import bearer_metadata
from neibao_messaging import Event, IdempotentConsumer, Producer, encode, idempotent_producer
from neibao_runtime import GrpcServer
from neibao_testkit.endpoints import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens
from safe_unit_scoring import bootstrap
from safe_unit_scoring.config import Settings
from safe_unit_scoring.domain.periods import china_day
from safe_unit_scoring.entrypoints.consumers import PendingRescoring, events_consumer

DEMO_USERS = (
    "admin",
    "police-shenyang",
    "police-heping",
    "police-dalian",
    "regulator-postal",
    "regulator-commerce-dalian",
    "security-chief-demo",
)
HEPING_SHOP = "91210102MA0TC0001D"  # 和平区, commerce
DALIAN_SHOP = "91210202MA0TC0002M"  # 大连中山区, commerce
SHENHE_POST = "91210103MA0TC00032"  # 沈河区, postal


@pytest.fixture(scope="module")
def tokens(keycloak_tokens: KeycloakTokens) -> dict[str, str]:
    """One real access token per demo principal (they live 5 minutes: fresh per module)."""
    return {user: keycloak_tokens.password(user)["access_token"] for user in DEMO_USERS}


def conninfo(url: str) -> str:
    """A libpq connection string from a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def topic_with_dlq(kafka_topic: Callable[..., str], kafka: StackEndpoints) -> Iterator[Callable[[str], str]]:
    """A factory of fresh topics, each with its `<topic>.dlq` (where the consumer sends poison)."""
    admin = KafkaAdminClient(bootstrap_servers=kafka.kafka_bootstrap, request_timeout_ms=30_000)
    dlqs: list[str] = []

    def make(prefix: str) -> str:
        name = kafka_topic(prefix)
        admin.create_topics([NewTopic(f"{name}.dlq", num_partitions=1, replication_factor=1)])
        dlqs.append(f"{name}.dlq")
        return name

    try:
        yield make
    finally:
        if dlqs:
            admin.delete_topics(dlqs)
        admin.close()


@pytest.fixture
def settings(
    pg_database: str,
    stack: StackEndpoints,
    kafka_topic: Callable[..., str],
    topic_with_dlq: Callable[[str], str],
) -> Settings:
    """Settings as the local stack would pass them: a fresh migrated database and fresh topics."""
    bootstrap.migrate(pg_database)
    return Settings(  # type: ignore[call-arg]
        database_url=pg_database,
        kafka_bootstrap=stack.kafka_bootstrap,
        keycloak_url=stack.keycloak_url,
        keycloak_realm=stack.realm,
        grpc_port=0,
        events_topic=kafka_topic("scoring.events"),
        unit_events_topic=topic_with_dlq("unit-registry.events"),
        device_events_topic=topic_with_dlq("device-inventory.events"),
        alarm_events_topic=topic_with_dlq("alarm-routing.events"),
        facts_group="scoring-test",
    )


def today() -> date:
    """Today in Liaoning (the consumer scores as of it)."""
    return china_day(datetime.now(UTC))


def days_ago(days: int) -> date:
    return today() - timedelta(days=days)


def stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def at(day: date) -> datetime:
    """Noon of a day in Liaoning, as an aware datetime."""
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


@dataclass
class Harness:
    """Publishes events to the test's topics and runs the facts consumer over them."""

    settings: Settings
    producer: Producer
    consumer: IdempotentConsumer
    rescoring: PendingRescoring
    engine: Engine

    def publish(
        self, topic: str, event_type: str, data: Message, uscc: str, when: datetime | None = None
    ) -> Event:
        """Publish one event (keyed by the unit) and return it."""
        event = Event(
            type=event_type, source="/test", data=data, key=uscc.encode(), time=when or datetime.now(UTC)
        )
        self.send(topic, event)
        return event

    def send(self, topic: str, event: Event) -> None:
        key, value, headers = encode(event)
        self.producer.send(topic, value=value, key=key, headers=headers).get(timeout=30)

    def consume(self, expected: int, polls: int = 30) -> int:
        """Poll (rescoring the marked units after each poll, as `consume` does) until `expected` records
        were handled or `polls` polls passed; how many were."""
        done = 0
        for _ in range(polls):
            done += self.consumer.poll_once(1.0)
            self.rescoring.run_once()
            if done >= expected:
                break
        return done

    def rows(self, sql: str, *params: object) -> list[tuple[Any, ...]]:
        with psycopg.connect(conninfo(self.settings.database_url.get_secret_value())) as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


@pytest.fixture
def harness(settings: Settings, stack: StackEndpoints) -> Iterator[Harness]:
    """The consumer as `consume` builds it, over the test's database and topics."""
    engine = create_engine(settings.database_url.get_secret_value(), pool_size=2)
    producer = idempotent_producer(stack.kafka_bootstrap)
    consumer = events_consumer(
        engine,
        settings.kafka_bootstrap,
        settings.facts_group,
        settings.topics(),
        producer,
        projection=bootstrap.projection_for(settings),
    )
    try:
        yield Harness(settings, producer, consumer, bootstrap.rescoring_for(engine, settings), engine)
    finally:
        consumer.close()
        producer.close(timeout=10)
        engine.dispose()


@dataclass
class Running:
    """A running scoring gRPC server and the demo principals' credentials."""

    channel: grpc.aio.Channel
    tokens: dict[str, str]

    @property
    def stub(self) -> scoring_pb2_grpc.ScoringServiceStub:
        return scoring_pb2_grpc.ScoringServiceStub(self.channel)  # type: ignore[no-untyped-call]

    def auth(self, principal: str) -> tuple[tuple[str, str | bytes], ...]:
        return bearer_metadata(self.tokens[principal])


@pytest.fixture
async def running(settings: Settings, tokens: dict[str, str]) -> AsyncIterator[Running]:
    """The gRPC server as `serve` builds it (auth interceptor, health), on a free port."""
    app = bootstrap.build(settings)
    server = GrpcServer(app.register, port=0, interceptors=app.interceptors)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{server.port}")
    try:
        yield Running(channel, tokens)
    finally:
        await channel.close()
        await server.stop(0)
        await app.close()
