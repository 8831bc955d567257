"""The outbox and its relay on the real PostgreSQL and Kafka."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text

from neibao_messaging import (
    OutboxRelay,
    PayloadRegistry,
    Producer,
    RelayPublishError,
    decode,
    idempotent_producer,
)
from neibao_messaging.outbox import RELAY_LOCK_ID
from neibao_testkit import StackEndpoints

from .support import (
    BusinessRuleFailed,
    headers_of,
    outbox_unpublished,
    wait_until,
    write_then_fail,
    write_unit_event,
)

USCC = "91210102MA0LN001X3"


def outbox_rows(engine: Engine) -> dict[uuid.UUID, Any]:
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, event_id, published_at, attempts, last_error FROM outbox ORDER BY id")
        )
        return {row.event_id: row for row in rows}


def test_relay_publishes_committed_events_oldest_first_and_marks_them(
    engine: Engine,
    new_topic: Callable[..., str],
    producer_factory: Callable[[], Producer],
    read_topic: Callable[[str], list[Any]],
    registry: PayloadRegistry,
) -> None:
    topic = new_topic()
    events = [write_unit_event(engine, topic, USCC, seq) for seq in range(5)]
    with pytest.raises(BusinessRuleFailed):
        write_then_fail(engine, topic, "91210100MA0000000X", 99)

    with OutboxRelay(engine, producer_factory, batch_size=2) as relay:
        counts = [relay.run_once() for _ in range(4)]

    assert counts == [2, 2, 1, 0]
    records = read_topic(topic)
    assert [decode(record, registry) for record in records] == events
    assert {record.key for record in records} == {USCC.encode()}
    rows = outbox_rows(engine)
    assert set(rows) == {event.id for event in events}
    assert all(row.published_at is not None and row.attempts == 0 for row in rows.values())


def test_a_kafka_failure_is_recorded_and_only_acknowledged_rows_are_marked(
    engine: Engine,
    new_topic: Callable[..., str],
    create_topic: Callable[..., str],
    kafka: StackEndpoints,
    read_topic: Callable[[str], list[Any]],
) -> None:
    topic = new_topic()
    missing = f"messaging.missing.{uuid.uuid4().hex[:12]}"
    first = write_unit_event(engine, topic, USCC, 1)
    refused = [write_unit_event(engine, missing, USCC, 2), write_unit_event(engine, missing, USCC, 3)]
    last = write_unit_event(engine, topic, USCC, 4)
    # The topic does not exist and may not be created: metadata for it never comes.
    factory = partial(
        idempotent_producer, kafka.kafka_bootstrap, allow_auto_create_topics=False, max_block_ms=1500
    )

    with OutboxRelay(engine, factory, batch_size=10) as relay:
        with pytest.raises(RelayPublishError) as raised:
            relay.run_once()
        rows = outbox_rows(engine)
        assert raised.value.published == 2
        assert set(raised.value.failures) == {rows[event.id].id for event in refused}
        for event in refused:
            assert rows[event.id].published_at is None
            assert rows[event.id].attempts == 1
            assert "KafkaTimeoutError" in rows[event.id].last_error
        assert rows[first.id].published_at is not None
        assert rows[last.id].published_at is not None
        assert [headers_of(r)["ce_id"] for r in read_topic(topic)] == [
            str(first.id).encode(),
            str(last.id).encode(),
        ]

        create_topic(missing)
        assert relay.run_once() == 2

    rows = outbox_rows(engine)
    assert all(rows[event.id].published_at is not None and rows[event.id].attempts == 1 for event in refused)
    assert [headers_of(r)["ce_id"] for r in read_topic(missing)] == [str(e.id).encode() for e in refused]


def test_an_unreachable_broker_leaves_every_row_unpublished_with_its_error(
    engine: Engine, new_topic: Callable[..., str]
) -> None:
    topic = new_topic()
    events = [write_unit_event(engine, topic, USCC, seq) for seq in range(3)]
    nowhere = partial(idempotent_producer, "127.0.0.1:1", bootstrap_timeout_ms=1000)

    with OutboxRelay(engine, nowhere) as relay:
        with pytest.raises(RelayPublishError) as raised:
            relay.run_once()
        with pytest.raises(RelayPublishError):
            relay.run_once()

    assert raised.value.published == 0
    rows = outbox_rows(engine)
    assert all(rows[e.id].published_at is None and rows[e.id].attempts == 2 for e in events)
    assert all(rows[e.id].last_error for e in events)


def test_only_one_relay_publishes_at_a_time(
    engine: Engine, new_topic: Callable[..., str], producer_factory: Callable[[], Producer]
) -> None:
    topic = new_topic()
    write_unit_event(engine, topic, USCC, 1)

    with OutboxRelay(engine, producer_factory) as relay:
        with engine.connect() as other_relay, other_relay.begin():
            other_relay.execute(select(func.pg_advisory_xact_lock(RELAY_LOCK_ID)))
            assert relay.run_once() == 0
            assert outbox_unpublished(engine) == 1
        assert relay.run_once() == 1


def test_rows_locked_by_another_relay_are_skipped_not_waited_for(
    engine: Engine, new_topic: Callable[..., str], producer_factory: Callable[[], Producer]
) -> None:
    topic = new_topic()
    locked = write_unit_event(engine, topic, USCC, 1)
    free = write_unit_event(engine, topic, USCC, 2)

    with OutboxRelay(engine, producer_factory, exclusive=False) as relay:
        with engine.connect() as other_relay, other_relay.begin():
            other_relay.execute(
                text("SELECT 1 FROM outbox WHERE event_id = :id FOR UPDATE"), {"id": locked.id}
            )
            assert relay.run_once() == 1
            assert outbox_rows(engine)[free.id].published_at is not None
        assert relay.run_once() == 1
    assert outbox_rows(engine)[locked.id].published_at is not None


def test_purge_deletes_only_rows_published_long_ago(
    engine: Engine, new_topic: Callable[..., str], producer_factory: Callable[[], Producer]
) -> None:
    topic = new_topic()
    old, recent = write_unit_event(engine, topic, USCC, 1), write_unit_event(engine, topic, USCC, 2)
    with OutboxRelay(engine, producer_factory) as relay:
        assert relay.run_once() == 2
        pending = write_unit_event(engine, topic, USCC, 3)
        with engine.begin() as connection:
            connection.execute(
                text("UPDATE outbox SET published_at = now() - interval '8 days' WHERE event_id = :id"),
                {"id": old.id},
            )

        assert relay.purge_published(timedelta(days=7)) == 1

    assert set(outbox_rows(engine)) == {recent.id, pending.id}


def test_relay_process_publishes_and_stops_cleanly_on_sigterm(
    engine: Engine,
    pg_database: str,
    kafka: StackEndpoints,
    new_topic: Callable[..., str],
    read_topic: Callable[[str], list[Any]],
) -> None:
    topic = new_topic()
    events = [write_unit_event(engine, topic, USCC, seq) for seq in range(3)]
    env = {**os.environ, "NEIBAO_RELAY_DB_URL": pg_database}
    command = [sys.executable, "-m", "neibao_messaging.relay", "--bootstrap", kafka.kafka_bootstrap]
    relay = subprocess.Popen(
        [*command, "--poll-interval", "0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: outbox_unpublished(engine) == 0 or relay.poll() is not None)
        assert relay.poll() is None, relay.communicate()[1]
        events.append(write_unit_event(engine, topic, USCC, 3))
        wait_until(lambda: outbox_unpublished(engine) == 0)

        relay.send_signal(signal.SIGTERM)
        out, err = relay.communicate(timeout=30)
    finally:
        if relay.poll() is None:
            relay.kill()
            relay.wait()

    assert relay.returncode == 0, err
    logs = [json.loads(line) for line in out.splitlines()]
    assert logs[-1]["event"] == "outbox relay stopped on SIGTERM"
    assert {entry["service"] for entry in logs} == {"outbox-relay"}
    assert [headers_of(r)["ce_id"] for r in read_topic(topic)] == [str(e.id).encode() for e in events]
