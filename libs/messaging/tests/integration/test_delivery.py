"""End to end on the real servers: business transactions → outbox → relay → Kafka → idempotent consumer,
including a relay killed between Kafka's acknowledgement and its commit."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from neibao_messaging import IdempotentConsumer, OutboxRelay, Producer
from neibao_testkit import StackEndpoints

from .support import (
    BusinessRuleFailed,
    CountingMetrics,
    applied_rows,
    count,
    headers_of,
    outbox_unpublished,
    processed_ids,
    wait_until,
    write_then_fail,
    write_unit_event,
)

UNITS = [f"9121010{n}MA0LN00{n}X3" for n in range(5)]
CRASHING_RELAY = Path(__file__).with_name("crashing_relay.py")


@contextmanager
def running(target: Callable[[threading.Event], None]) -> Iterator[list[BaseException]]:
    """Run `target(stop_event)` in a thread for the block; errors it raised are in the yielded list."""
    stop, errors = threading.Event(), []

    def run() -> None:
        try:
            target(stop)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield errors
    finally:
        stop.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the loop did not stop"


def test_events_written_in_business_transactions_are_applied_exactly_once_in_order(
    *,
    engine: Engine,
    new_topic: Callable[..., str],
    producer_factory: Callable[[], Producer],
    make_consumer: Callable[..., IdempotentConsumer],
    read_topic: Callable[[str], list[Any]],
) -> None:
    topic = new_topic(partitions=3)
    events = [write_unit_event(engine, topic, uscc, seq) for seq in range(5) for uscc in UNITS]
    with pytest.raises(BusinessRuleFailed) as failed:
        write_then_fail(engine, topic, "91210100MA0000000X", 0)
    metrics = CountingMetrics()
    consumer = make_consumer(topic, metrics=metrics)
    relay = OutboxRelay(engine, producer_factory, batch_size=10, poll_interval=0.05)

    with running(relay.run_forever) as relay_errors, running(consumer.run) as consumer_errors:
        wait_until(lambda: metrics.records >= len(events) or bool(relay_errors or consumer_errors))

    assert relay_errors == consumer_errors == []
    assert metrics.records == metrics.handled_count == len(events)
    applied = applied_rows(engine)
    assert len(applied) == len(events)
    assert {row[0] for row in applied} == {event.id for event in events}
    assert processed_ids(engine, consumer.group_id) == {event.id for event in events}
    # One unit's events share a key, hence a partition, hence their order.
    for uscc in UNITS:
        assert [seq for _, unit, seq in applied if unit == uscc] == list(range(5))
    records = read_topic(topic)
    assert len(records) == len(events)
    assert all(record.key == headers_of(record)["ce_subject"] for record in records)
    assert str(failed.value).encode() not in {headers_of(record)["ce_id"] for record in records}
    assert count(engine, "SELECT count(*) FROM unit") == len(UNITS)
    assert outbox_unpublished(engine) == 0


def test_a_relay_killed_after_sending_before_committing_republishes_and_each_event_applies_once(
    *,
    engine: Engine,
    pg_database: str,
    kafka: StackEndpoints,
    new_topic: Callable[..., str],
    producer_factory: Callable[[], Producer],
    make_consumer: Callable[..., IdempotentConsumer],
    read_topic: Callable[[str], list[Any]],
) -> None:
    topic = new_topic()
    events = [write_unit_event(engine, topic, UNITS[seq % 2], seq) for seq in range(20)]

    crashed = subprocess.run(
        [sys.executable, str(CRASHING_RELAY), pg_database, kafka.kafka_bootstrap, "8"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert crashed.returncode == -9, crashed.stderr
    # Batch one committed; batch two reached Kafka but its rows are still unpublished.
    assert outbox_unpublished(engine) == 12
    assert len(read_topic(topic)) == 16

    with OutboxRelay(engine, producer_factory, batch_size=8) as relay:
        assert relay.run_once() + relay.run_once() + relay.run_once() == 12
    assert outbox_unpublished(engine) == 0
    records = read_topic(topic)
    ids = [headers_of(record)["ce_id"] for record in records]
    assert len(ids) == 28
    assert len(set(ids)) == 20  # the topic really holds the 8 events of the killed batch twice

    metrics = CountingMetrics()
    consumer = make_consumer(topic, metrics=metrics)
    wait_until(lambda: metrics.records == 28, step=lambda: consumer.poll_once(0.2))

    assert (metrics.handled_count, metrics.duplicates) == (20, 8)
    applied = applied_rows(engine)
    assert sorted(row[2] for row in applied) == list(range(20))
    assert {row[0] for row in applied} == {event.id for event in events}
