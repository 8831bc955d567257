"""The relay woken by the outbox's NOTIFY on the real PostgreSQL and Kafka, polling only as a fallback."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from neibao_messaging import Outbox, OutboxRelay, Producer
from neibao_messaging.notify import OutboxNotifications

from .support import outbox_unpublished, unit_event, wait_until, write_unit_event

USCC = "91210102MA0LN001X3"


@pytest.fixture
def notifications(engine: Engine) -> Iterator[OutboxNotifications]:
    listener = OutboxNotifications(engine)
    assert listener.listening()
    yield listener
    listener.close()


def listening_backends(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query = 'LISTEN neibao_outbox'"
                )
            )
            or 0
        )


def test_a_commit_with_outbox_rows_notifies_once_and_a_rollback_never(
    engine: Engine, notifications: OutboxNotifications
) -> None:
    with Session(engine) as session, session.begin():
        Outbox.add(session, "messaging.never", unit_event(USCC, 1))
        session.flush()  # the NOTIFY is sent with the row ...
        session.rollback()  # ... and discarded with it
    assert not notifications.wait(0.5)

    with Session(engine) as session, session.begin():
        for seq in range(3):  # three rows, two flushes, one transaction: one wake-up
            Outbox.add(session, "messaging.test", unit_event(USCC, seq))
            if seq == 1:
                session.flush()
    assert notifications.wait(10)
    assert not notifications.wait(0.3)

    with Session(engine) as session, session.begin():
        session.execute(text("INSERT INTO unit (uscc, name) VALUES ('x', 'no event')"))
    assert not notifications.wait(0.3)  # a transaction without outbox rows wakes nobody


def test_an_async_session_notifies_at_commit(pg_database: str, notifications: OutboxNotifications) -> None:
    async def write() -> None:
        engine = create_async_engine(pg_database)
        try:
            async with async_sessionmaker(engine)() as session:
                # As the services' units of work do: the outbox API takes the sync side of the session.
                Outbox.add(session.sync_session, "messaging.test", unit_event(USCC, 1))
                await session.commit()
        finally:
            await engine.dispose()

    asyncio.run(write())

    assert notifications.wait(10)


def test_a_batch_insert_writes_the_rows_add_would_and_notifies_once_at_commit(
    engine: Engine, pg_database: str, notifications: OutboxNotifications
) -> None:
    events = [unit_event(USCC, seq) for seq in range(3)]

    async def write(commit: bool) -> None:
        async_engine = create_async_engine(pg_database)
        try:
            async with async_sessionmaker(async_engine)() as session:
                await session.execute(*Outbox.insert_statement("messaging.batch", events))
                await (session.commit() if commit else session.rollback())
        finally:
            await async_engine.dispose()

    asyncio.run(write(commit=False))
    assert not notifications.wait(0.5)  # rolled back: no rows, no wake-up
    asyncio.run(write(commit=True))
    assert notifications.wait(10)
    assert not notifications.wait(0.3)  # three rows, one transaction: one wake-up

    with Session(engine) as session:
        staged = [Outbox.add(session, "messaging.batch", event) for event in events]
        expected = [(m.event_id, m.topic, m.key, m.headers, m.payload) for m in staged]
        session.rollback()
        rows = session.execute(
            text("SELECT event_id, topic, key, headers, payload FROM outbox WHERE topic = 'messaging.batch'")
        ).all()
    assert sorted((str(r[0]), r[1], r[2], r[3], bytes(r[4])) for r in rows) == sorted(
        (str(e[0]), e[1], e[2], e[3], bytes(e[4])) for e in expected
    )
    with pytest.raises(ValueError, match="no events"):
        Outbox.insert_statement("messaging.batch", [])


def test_a_listening_relay_publishes_at_once_rather_than_at_its_poll_interval(
    engine: Engine,
    new_topic: Callable[..., str],
    producer_factory: Callable[[], Producer],
    read_topic: Callable[[str], list[Any]],
) -> None:
    topic = new_topic()
    write_unit_event(engine, topic, USCC, 0)  # published by the first batch, and the producer is made
    stop = threading.Event()
    relay = OutboxRelay(engine, producer_factory, poll_interval=60, listen=True, linger=0.01)
    runner = threading.Thread(target=relay.run_forever, args=(stop,), daemon=True)
    runner.start()
    try:
        wait_until(lambda: outbox_unpublished(engine) == 0 and listening_backends(engine) == 1)
        time.sleep(0.2)  # the relay is asleep now, for up to 60 s unless woken

        started = time.monotonic()
        events = [write_unit_event(engine, topic, USCC, seq) for seq in (1, 2)]
        wait_until(lambda: outbox_unpublished(engine) == 0, timeout=20)
        took = time.monotonic() - started
    finally:
        stop.set()
        runner.join(30)

    assert not runner.is_alive()
    assert took < 20  # far below the 60 s poll interval: woken by the commits
    published = [r for r in read_topic(topic) if dict(r.headers)["ce_id"] != b""]
    assert [dict(r.headers)["ce_id"] for r in published][-2:] == [str(e.id).encode() for e in events]
    assert listening_backends(engine) == 0  # the listening connection is closed with the relay


def test_without_its_listening_connection_the_relay_polls(
    engine: Engine,
    new_topic: Callable[..., str],
    producer_factory: Callable[[], Producer],
) -> None:
    topic = new_topic()
    stop = threading.Event()
    relay = OutboxRelay(engine, producer_factory, poll_interval=0.2, listen=True)
    runner = threading.Thread(target=relay.run_forever, args=(stop,), daemon=True)
    runner.start()
    try:
        wait_until(lambda: listening_backends(engine) == 1)
        with engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query = 'LISTEN neibao_outbox'"
                )
            )
        write_unit_event(engine, topic, USCC, 1)
        wait_until(lambda: outbox_unpublished(engine) == 0, timeout=20)
    finally:
        stop.set()
        runner.join(30)

    assert not runner.is_alive()
