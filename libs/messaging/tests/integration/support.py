"""Helpers of the integration tests: event factories, the test handler, counters and bounded waits."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf.struct_pb2 import Struct
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from neibao_messaging import ConsumerMetrics, Event, Outbox, ProcessedEvent

UNIT_REGISTERED = "neibao.test.unit.registered.v1"
UNIT_RENAMED = "neibao.test.unit.renamed.v1"
SOURCE = "/neibao/test"

# Consumers tuned for tests: join fast, fetch without waiting long, notice a dead member fast.
FAST_CONSUMER = {
    "session_timeout_ms": 6000,
    "heartbeat_interval_ms": 500,
    "fetch_max_wait_ms": 50,
    "retry_backoff_ms": 50,
    "metadata_max_age_ms": 5000,
}


def wait_until(
    condition: Callable[[], bool], timeout: float = 30.0, step: Callable[[], object] | None = None
) -> None:
    """Run `step` (or sleep briefly) until `condition` holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout}s")
        if step is None:
            time.sleep(0.05)
        else:
            step()


class CountingMetrics(ConsumerMetrics):
    """Counts what the consumer reports, so a test knows when every record has been dealt with."""

    def __init__(self) -> None:
        self.handled_count = 0
        self.duplicates = 0
        self.retries = 0
        self.skipped_count = 0
        self.dead_letters = 0

    @property
    def records(self) -> int:
        return self.handled_count + self.duplicates + self.skipped_count + self.dead_letters

    def handled(self, event_type: str, seconds: float) -> None:
        self.handled_count += 1

    def duplicate(self, event_type: str) -> None:
        self.duplicates += 1

    def retried(self, event_type: str, attempt: int) -> None:
        self.retries += 1

    def skipped(self, event_type: str) -> None:
        self.skipped_count += 1

    def dead_lettered(self, topic: str, error_type: str) -> None:
        self.dead_letters += 1


def unit_event(uscc: str, seq: int, event_type: str = UNIT_REGISTERED) -> Event:
    """A unit event whose Struct payload carries the unit's USCC and a sequence number."""
    data = Struct()
    data.update({"uscc": uscc, "seq": seq})
    return Event.create(type=event_type, source=SOURCE, data=data, subject=uscc)


def record_applied(session: Session, event: Event) -> None:
    """The test handler: one row per application, deliberately without a unique constraint."""
    data = event.payload(Struct)
    session.execute(
        text("INSERT INTO applied (event_id, uscc, seq) VALUES (:event_id, :uscc, :seq)"),
        {"event_id": event.id, "uscc": data["uscc"], "seq": int(data["seq"])},
    )


def applied_rows(engine: Engine) -> list[tuple[uuid.UUID, str, int]]:
    """Every application of an event, in the order the handler ran."""
    with engine.connect() as connection:
        return [
            (row.event_id, row.uscc, row.seq)
            for row in connection.execute(text("SELECT event_id, uscc, seq FROM applied ORDER BY id"))
        ]


def processed_ids(engine: Engine, group_id: str) -> set[uuid.UUID]:
    with Session(engine) as session:
        return set(
            session.scalars(select(ProcessedEvent.event_id).where(ProcessedEvent.consumer_group == group_id))
        )


def count(engine: Engine, sql: str) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(sql)).scalar_one())


def outbox_unpublished(engine: Engine) -> int:
    return count(engine, "SELECT count(*) FROM outbox WHERE published_at IS NULL")


def write_unit_event(
    engine: Engine, topic: str, uscc: str, seq: int, event_type: str = UNIT_REGISTERED
) -> Event:
    """A business transaction: change the unit and stage its event in the outbox, committed together."""
    event = unit_event(uscc, seq, event_type)
    with Session(engine) as session, session.begin():
        session.execute(
            text(
                "INSERT INTO unit (uscc, name) VALUES (:uscc, :name)"
                " ON CONFLICT (uscc) DO UPDATE SET name = excluded.name"
            ),
            {"uscc": uscc, "name": f"单位 {uscc} v{seq}"},
        )
        Outbox.add(session, topic, event)
    return event


def headers_of(record: Any) -> dict[str, bytes]:
    """A consumed record's headers by name."""
    return dict(record.headers or [])


class BusinessRuleFailed(Exception):
    """Raised by `write_then_fail` after the event was staged."""


def write_then_fail(engine: Engine, topic: str, uscc: str, seq: int) -> Event:
    """A business transaction that stages its event and then fails: it rolls back, event and all."""
    event = unit_event(uscc, seq)
    with Session(engine) as session, session.begin():
        session.execute(text("INSERT INTO unit (uscc, name) VALUES (:uscc, 'never')"), {"uscc": uscc})
        Outbox.add(session, topic, event)
        raise BusinessRuleFailed(str(event.id))
