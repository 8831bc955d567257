"""Fixtures on the real PostgreSQL and Kafka: a database with the messaging tables, topics with their
dead-letter topics, producers, consumers tuned to join and fetch fast, and bounded waits."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest
from google.protobuf.struct_pb2 import Struct
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.structs import TopicPartition
from sqlalchemy import Engine, create_engine, text

from neibao_messaging import (
    IdempotentConsumer,
    PayloadRegistry,
    Producer,
    create_messaging_tables,
    idempotent_producer,
)
from neibao_testkit import StackEndpoints

from .support import FAST_CONSUMER, UNIT_REGISTERED, UNIT_RENAMED, count, record_applied, wait_until


@pytest.fixture
def engine(pg_database: str) -> Iterator[Engine]:
    """A fresh database with the messaging tables, a business table and the handler's table."""
    engine = create_engine(pg_database)
    create_messaging_tables(engine)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE unit (uscc text PRIMARY KEY, name text NOT NULL)"))
        connection.execute(
            text(
                "CREATE TABLE applied (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " event_id uuid NOT NULL, uscc text NOT NULL, seq int NOT NULL)"
            )
        )
    yield engine
    engine.dispose()


@pytest.fixture
def registry() -> PayloadRegistry:
    return PayloadRegistry({UNIT_REGISTERED: Struct, UNIT_RENAMED: Struct})


@pytest.fixture
def admin(kafka: StackEndpoints) -> Iterator[KafkaAdminClient]:
    client = KafkaAdminClient(bootstrap_servers=kafka.kafka_bootstrap, request_timeout_ms=30_000)
    yield client
    client.close()


@pytest.fixture
def create_topic(admin: KafkaAdminClient) -> Iterator[Callable[..., str]]:
    """Creates a topic by name (a dead-letter topic, a topic that was missing); deleted afterwards."""
    created: list[str] = []

    def create(name: str, partitions: int = 1) -> str:
        admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
        created.append(name)
        return name

    yield create
    if created:
        admin.delete_topics(created)


@pytest.fixture
def new_topic(kafka_topic: Callable[..., str], create_topic: Callable[..., str]) -> Callable[..., str]:
    """A factory of fresh topics, each with its `<topic>.dlq` unless told otherwise."""

    def make(partitions: int = 1, dlq: bool = True) -> str:
        topic = kafka_topic("messaging", partitions)
        if dlq:
            create_topic(f"{topic}.dlq")
        return topic

    return make


@pytest.fixture
def producer_factory(kafka: StackEndpoints) -> Callable[[], Producer]:
    return partial(idempotent_producer, kafka.kafka_bootstrap, client_id="messaging-tests")


@pytest.fixture
def producer(producer_factory: Callable[[], Producer]) -> Iterator[Producer]:
    made = producer_factory()
    yield made
    made.close(timeout=10)


@pytest.fixture
def make_consumer(
    engine: Engine, kafka: StackEndpoints, registry: PayloadRegistry, producer: Producer
) -> Iterator[Callable[..., IdempotentConsumer]]:
    """A factory of idempotent consumers on the test database; closed afterwards."""
    made: list[IdempotentConsumer] = []

    def make(topic: str, group_id: str | None = None, **options: Any) -> IdempotentConsumer:
        options.setdefault("handlers", {UNIT_REGISTERED: record_applied})
        options.setdefault("registry", registry)
        options.setdefault("dlq_producer", producer)
        options.setdefault("consumer_config", FAST_CONSUMER)
        consumer = IdempotentConsumer(
            engine, kafka.kafka_bootstrap, group_id or f"test-{uuid.uuid4().hex[:12]}", [topic], **options
        )
        made.append(consumer)
        return consumer

    yield make
    for consumer in made:
        consumer.close()


@pytest.fixture
def read_topic(kafka: StackEndpoints) -> Callable[[str], list[Any]]:
    """Every record a topic holds, from the beginning to the current end, outside any group."""

    def read(topic: str) -> list[Any]:
        reader = KafkaConsumer(
            bootstrap_servers=kafka.kafka_bootstrap, enable_auto_commit=False, **FAST_CONSUMER
        )
        try:
            partitions = [TopicPartition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or [])]
            assert partitions, f"topic {topic} has no partitions"
            reader.assign(partitions)
            reader.seek_to_beginning(*partitions)
            end = reader.end_offsets(partitions)
            records: list[Any] = []

            def caught_up() -> bool:
                return all(reader.position(p) >= end[p] for p in partitions)

            def fetch() -> None:
                for batch in reader.poll(timeout_ms=200).values():
                    records.extend(batch)

            wait_until(caught_up, timeout=30, step=fetch)
            return records
        finally:
            reader.close()

    return read


@pytest.fixture
def committed_offset(kafka: StackEndpoints) -> Callable[[str, str], int | None]:
    """The offset a group has committed on partition 0 of a topic, or None."""

    def committed(group_id: str, topic: str) -> int | None:
        reader = KafkaConsumer(
            bootstrap_servers=kafka.kafka_bootstrap, group_id=group_id, enable_auto_commit=False
        )
        try:
            offset: int | None = reader.committed(TopicPartition(topic, 0))
            return offset
        finally:
            reader.close(autocommit=False)

    return committed


@pytest.fixture
def count_rows(engine: Engine) -> Callable[[str], int]:
    return partial(count, engine)
