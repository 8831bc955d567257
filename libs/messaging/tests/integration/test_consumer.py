"""The idempotent consumer on the real PostgreSQL and Kafka: dedupe, retries, the dead-letter topic."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from neibao_messaging import (
    Backoff,
    DeadLetterPublishError,
    Event,
    HandlingStalled,
    IdempotentConsumer,
    Producer,
    UnknownTypePolicy,
    encode,
    idempotent_producer,
)
from neibao_testkit import StackEndpoints

from .support import (
    UNIT_REGISTERED,
    UNIT_RENAMED,
    CountingMetrics,
    applied_rows,
    headers_of,
    processed_ids,
    record_applied,
    unit_event,
    wait_until,
)

USCC = "91210102MA0LN001X3"
QUICK = Backoff(initial=0.01, maximum=0.05)


def publish(producer: Producer, topic: str, event: Event) -> None:
    key, value, headers = encode(event)
    producer.send(topic, value=value, key=key, headers=headers).get(timeout=10)


def consume(consumer: IdempotentConsumer, done: Callable[[], bool], timeout: float = 30) -> None:
    """Poll until `done` holds (bounded)."""
    wait_until(done, timeout=timeout, step=lambda: consumer.poll_once(0.2))


def consume_until_raises(consumer: IdempotentConsumer) -> None:
    """Poll until poll_once raises (bounded: the test fails if it never does)."""
    wait_until(lambda: False, timeout=30, step=lambda: consumer.poll_once(0.2))


def test_the_same_event_delivered_twice_or_replayed_is_applied_once_per_group(
    *,
    engine: Engine,
    kafka: StackEndpoints,
    new_topic: Callable[..., str],
    producer: Producer,
    make_consumer: Callable[..., IdempotentConsumer],
    committed_offset: Callable[[str, str], int | None],
) -> None:
    topic = new_topic()
    first, second = unit_event(USCC, 1), unit_event(USCC, 2)
    for event in (first, first, second):
        publish(producer, topic, event)
    group = f"test-{uuid.uuid4().hex[:12]}"

    metrics = CountingMetrics()
    consumer = make_consumer(topic, group, metrics=metrics)
    consume(consumer, lambda: metrics.records == 3)
    consumer.close()

    assert (metrics.handled_count, metrics.duplicates) == (2, 1)
    assert [row[0] for row in applied_rows(engine)] == [first.id, second.id]
    assert processed_ids(engine, group) == {first.id, second.id}
    assert committed_offset(group, topic) == 3

    # Rewind the group to the beginning: everything comes again, nothing is applied again.
    rewinder = KafkaConsumer(
        bootstrap_servers=kafka.kafka_bootstrap, group_id=group, enable_auto_commit=False
    )
    rewinder.commit({TopicPartition(topic, 0): OffsetAndMetadata(0, "", -1)})
    rewinder.close(autocommit=False)
    assert committed_offset(group, topic) == 0
    replay = CountingMetrics()
    consumer = make_consumer(topic, group, metrics=replay)
    consume(consumer, lambda: replay.records == 3)

    assert (replay.handled_count, replay.duplicates) == (0, 3)
    assert [row[0] for row in applied_rows(engine)] == [first.id, second.id]
    assert committed_offset(group, topic) == 3

    # Dedupe is per group: another group applies the events for its own read model.
    other = CountingMetrics()
    consume(make_consumer(topic, metrics=other), lambda: other.records == 3)
    assert (other.handled_count, other.duplicates) == (2, 1)
    assert len(applied_rows(engine)) == 4


def test_poison_messages_are_dead_lettered_with_their_reason_and_the_consumer_goes_on(
    *,
    engine: Engine,
    new_topic: Callable[..., str],
    producer: Producer,
    make_consumer: Callable[..., IdempotentConsumer],
    read_topic: Callable[[str], list[Any]],
    committed_offset: Callable[[str, str], int | None],
) -> None:
    topic = new_topic()
    key, value, headers = encode(unit_event(USCC, 1))
    old_spec = [(n, b"0.3" if n == "ce_specversion" else v) for n, v in headers]
    producer.send(topic, value=b"\xff\xff\xff\xff", key=key, headers=headers).get(timeout=10)
    producer.send(topic, value=value, key=key).get(timeout=10)
    producer.send(topic, value=value, key=key, headers=old_spec).get(timeout=10)
    good = unit_event(USCC, 2)
    publish(producer, topic, good)

    metrics = CountingMetrics()
    consumer = make_consumer(topic, metrics=metrics)
    consume(consumer, lambda: metrics.records == 4)

    assert (metrics.dead_letters, metrics.handled_count) == (3, 1)
    assert [row[0] for row in applied_rows(engine)] == [good.id]
    assert committed_offset(consumer.group_id, topic) == 4
    dead = read_topic(f"{topic}.dlq")
    reasons = [headers_of(record)["dlq_reason"].decode() for record in dead]
    assert "payload is not a valid google.protobuf.Struct" in reasons[0]
    assert "missing CloudEvents headers" in reasons[1]
    assert "unsupported ce_specversion '0.3'" in reasons[2]
    for offset, record in enumerate(dead):
        h = headers_of(record)
        assert h["dlq_error_type"] == b"PoisonMessage"
        assert h["dlq_original_topic"] == topic.encode()
        assert h["dlq_original_partition"] == b"0"
        assert h["dlq_original_offset"] == str(offset).encode()
        assert h["dlq_consumer_group"] == consumer.group_id.encode()
        assert datetime.fromisoformat(h["dlq_failed_at"].decode()).tzinfo is not None
        assert record.key == key
    # The original record travels untouched: its value and its CloudEvents headers.
    assert dead[0].value == b"\xff\xff\xff\xff"
    assert {n: v for n, v in headers_of(dead[0]).items() if not n.startswith("dlq_")} == dict(headers)


def test_a_handler_that_always_fails_is_dead_lettered_after_max_attempts(
    *,
    engine: Engine,
    new_topic: Callable[..., str],
    producer: Producer,
    make_consumer: Callable[..., IdempotentConsumer],
    read_topic: Callable[[str], list[Any]],
    committed_offset: Callable[[str, str], int | None],
) -> None:
    topic = new_topic()
    calls: list[uuid.UUID] = []

    def reject(session: Session, event: Event) -> None:
        calls.append(event.id)
        record_applied(session, event)  # written, then rolled back with the failed attempt
        raise ValueError("jurisdiction 999999 does not exist")

    renamed, registered = unit_event(USCC, 1, UNIT_RENAMED), unit_event(USCC, 2)
    publish(producer, topic, renamed)
    publish(producer, topic, registered)
    metrics = CountingMetrics()
    consumer = make_consumer(
        topic,
        handlers={UNIT_RENAMED: reject, UNIT_REGISTERED: record_applied},
        max_attempts=3,
        backoff=QUICK,
        metrics=metrics,
    )
    consume(consumer, lambda: metrics.records == 2)

    assert calls == [renamed.id] * 3
    assert (metrics.retries, metrics.dead_letters, metrics.handled_count) == (2, 1, 1)
    assert [row[0] for row in applied_rows(engine)] == [registered.id]
    assert processed_ids(engine, consumer.group_id) == {registered.id}
    assert committed_offset(consumer.group_id, topic) == 2
    [dead] = read_topic(f"{topic}.dlq")
    h = headers_of(dead)
    assert h["ce_id"] == str(renamed.id).encode()
    assert h["ce_type"] == UNIT_RENAMED.encode()
    assert h["dlq_error_type"] == b"builtins.ValueError"
    assert h["dlq_reason"] == b"handler failed after 3 attempts: jurisdiction 999999 does not exist"
    assert h["dlq_original_offset"] == b"0"


def test_a_transient_failure_succeeds_on_retry_and_its_failed_attempts_leave_nothing(
    engine: Engine,
    new_topic: Callable[..., str],
    producer: Producer,
    make_consumer: Callable[..., IdempotentConsumer],
    read_topic: Callable[[str], list[Any]],
) -> None:
    topic = new_topic()
    calls: list[int] = []

    def flaky(session: Session, event: Event) -> None:
        calls.append(1)
        record_applied(session, event)
        if len(calls) < 3:
            raise TimeoutError("the jurisdiction service did not answer")

    event = unit_event(USCC, 1)
    publish(producer, topic, event)
    metrics = CountingMetrics()
    consumer = make_consumer(
        topic, handlers={UNIT_REGISTERED: flaky}, max_attempts=3, backoff=QUICK, metrics=metrics
    )
    consume(consumer, lambda: metrics.records == 1)

    assert len(calls) == 3
    assert (metrics.retries, metrics.handled_count, metrics.dead_letters) == (2, 1, 0)
    assert [row[0] for row in applied_rows(engine)] == [event.id]
    assert read_topic(f"{topic}.dlq") == []


def test_unknown_types_are_skipped_by_default_and_dead_lettered_when_asked(
    new_topic: Callable[..., str],
    producer: Producer,
    make_consumer: Callable[..., IdempotentConsumer],
    read_topic: Callable[[str], list[Any]],
    committed_offset: Callable[[str, str], int | None],
) -> None:
    topic = new_topic()
    unregistered = unit_event(USCC, 1, "neibao.test.unit.dissolved.v1")
    unhandled = unit_event(USCC, 2, UNIT_RENAMED)  # has a payload class, but no handler here
    publish(producer, topic, unregistered)
    publish(producer, topic, unhandled)

    ignoring = CountingMetrics()
    consumer = make_consumer(topic, metrics=ignoring)
    consume(consumer, lambda: ignoring.records == 2)
    assert ignoring.skipped_count == 2
    assert committed_offset(consumer.group_id, topic) == 2
    assert read_topic(f"{topic}.dlq") == []

    strict = CountingMetrics()
    consumer = make_consumer(topic, unknown_type=UnknownTypePolicy.DEAD_LETTER, metrics=strict)
    consume(consumer, lambda: strict.records == 2)
    assert strict.dead_letters == 2
    dead = [headers_of(record) for record in read_topic(f"{topic}.dlq")]
    assert [h["dlq_error_type"] for h in dead] == [b"UnknownEventType", b"UnknownEventType"]
    assert [h["ce_id"] for h in dead] == [str(unregistered.id).encode(), str(unhandled.id).encode()]
    assert b"neibao.test.unit.dissolved.v1" in dead[0]["dlq_reason"]


def test_when_the_dead_letter_publish_fails_the_offset_stays_and_the_record_comes_back(
    *,
    kafka: StackEndpoints,
    new_topic: Callable[..., str],
    create_topic: Callable[..., str],
    producer: Producer,
    make_consumer: Callable[..., IdempotentConsumer],
    read_topic: Callable[[str], list[Any]],
    committed_offset: Callable[[str, str], int | None],
) -> None:
    topic = new_topic(dlq=False)
    producer.send(topic, value=b"not an event", key=USCC.encode()).get(timeout=10)
    group = f"test-{uuid.uuid4().hex[:12]}"
    # The dead-letter topic is missing and may not be created: the publish times out.
    no_dlq = idempotent_producer(kafka.kafka_bootstrap, allow_auto_create_topics=False, max_block_ms=1500)
    try:
        consumer = make_consumer(topic, group, dlq_producer=no_dlq)
        with pytest.raises(DeadLetterPublishError, match=r"\.dlq"):
            consume_until_raises(consumer)
        consumer.close()
    finally:
        no_dlq.close(timeout=5)
    assert committed_offset(group, topic) is None

    create_topic(f"{topic}.dlq")
    metrics = CountingMetrics()
    consume(make_consumer(topic, group, metrics=metrics), lambda: metrics.records == 1)

    assert committed_offset(group, topic) == 1
    [dead] = read_topic(f"{topic}.dlq")
    assert dead.value == b"not an event"


def test_infrastructure_errors_are_not_dead_lettered_the_record_waits_for_the_platform(
    *,
    engine: Engine,
    new_topic: Callable[..., str],
    producer: Producer,
    make_consumer: Callable[..., IdempotentConsumer],
    read_topic: Callable[[str], list[Any]],
    committed_offset: Callable[[str, str], int | None],
) -> None:
    topic = new_topic()
    database_down = True

    def handler(session: Session, event: Event) -> None:
        if database_down:
            raise OperationalError("INSERT INTO applied", {}, ConnectionRefusedError("connection refused"))
        record_applied(session, event)

    event = unit_event(USCC, 1)
    publish(producer, topic, event)
    metrics = CountingMetrics()
    consumer = make_consumer(
        topic, handlers={UNIT_REGISTERED: handler}, max_attempts=2, backoff=QUICK, metrics=metrics
    )

    with pytest.raises(HandlingStalled):
        consume_until_raises(consumer)
    assert committed_offset(consumer.group_id, topic) is None
    assert processed_ids(engine, consumer.group_id) == set()

    # The same consumer goes on once the platform is back: the record was not skipped.
    database_down = False
    consume(consumer, lambda: metrics.handled_count == 1)
    assert [row[0] for row in applied_rows(engine)] == [event.id]
    assert committed_offset(consumer.group_id, topic) == 1
    assert read_topic(f"{topic}.dlq") == []
