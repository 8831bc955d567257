"""The transactional outbox: events written with the change they announce, published by a relay.

Delivery is at least once: a relay that dies after Kafka acknowledged a batch but before its
transaction committed publishes that batch again; consumers dedupe by event id. A relay that listens
(`listen=True`) is woken by the NOTIFY each outbox write sends at commit (neibao_messaging.notify) and
polls only as a fallback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any, Protocol

from opentelemetry import propagate, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode, TracerProvider
from sqlalchemy import BigInteger, Engine, Executable, any_, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from .backoff import Backoff
from .envelope import Event, KafkaHeaders, encode
from .notify import OUTBOX_CHANNEL, OutboxNotifications, announce_on_flush
from .producer import Producer, RecordFuture
from .tables import OutboxMessage, outbox_table

log = logging.getLogger(__name__)

# One relay publishes at a time (per database), so that a key's events keep their order across
# batches even when several relay replicas run for availability. Any fixed bigint would do.
RELAY_LOCK_ID = 0x6E6569_62616F  # "neibao"

_MAX_ERROR_LENGTH = 2000
_MAX_LINKS = 128
_STOP_CHECK_SECONDS = 0.5


class _OutboxRow(Protocol):
    """The columns of an outbox row the relay reads."""

    id: int
    topic: str
    key: bytes
    headers: dict[str, str]
    payload: bytes


_outbox = outbox_table
_TRY_LOCK = select(func.pg_try_advisory_xact_lock(RELAY_LOCK_ID))
_UNPUBLISHED = (
    select(_outbox.c.id, _outbox.c.topic, _outbox.c.key, _outbox.c.headers, _outbox.c.payload)
    .where(_outbox.c.published_at.is_(None))
    .order_by(_outbox.c.id)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_MARK_PUBLISHED = (
    update(_outbox)
    .where(_outbox.c.id == any_(bindparam("ids", type_=ARRAY(BigInteger))))
    .values(published_at=func.now())
)
_MARK_FAILED = (
    update(_outbox)
    .where(_outbox.c.id == bindparam("row_id"))
    .values(attempts=_outbox.c.attempts + 1, last_error=bindparam("error_text"))
)


def _outbox_values(topic: str, event: Event) -> dict[str, Any]:
    if not topic:
        raise ValueError("an outbox event needs a topic")
    key, value, headers = encode(event)
    return {
        "event_id": event.id,
        "topic": topic,
        "key": key,
        "headers": {name: raw.decode() for name, raw in headers},
        "payload": value,
    }


# All of a transaction's events in one statement (compiled once), with the notification that wakes the
# relay: pg_notify in a transaction is delivered once, at its commit, and never after a rollback.
_INSERT_OUTBOX = insert(_outbox).returning(func.pg_notify(OUTBOX_CHANNEL, ""))


class Outbox:
    """Writes events into the outbox table inside the caller's transaction."""

    @staticmethod
    def add(session: Session, topic: str, event: Event) -> OutboxMessage:
        """Stage `event` for `topic` in `session`'s transaction; the caller commits (or rolls back)."""
        row = OutboxMessage(**_outbox_values(topic, event))
        session.add(row)
        announce_on_flush(session)
        return row

    @staticmethod
    def insert_statement(topic: str, events: Sequence[Event]) -> tuple[Executable, list[dict[str, Any]]]:
        """One INSERT for `events` and its parameters, to execute in the caller's transaction (with an
        async session too: `await session.execute(*Outbox.insert_statement(topic, events))`), cheaper
        than `add` per event; the relay is woken at the commit."""
        if not events:
            raise ValueError("no events to write")
        return _INSERT_OUTBOX, [_outbox_values(topic, event) for event in events]

    @staticmethod
    def insert_rows(topic: str, events: Sequence[Event]) -> tuple[Executable, list[dict[str, Any]]]:
        """What `insert_statement` gives, for a caller that runs the statement on its own driver connection
        (the statement compiled once, the rows per transaction; `headers` is a dict for a JSONB column)."""
        return _INSERT_OUTBOX, [_outbox_values(topic, event) for event in events]


class RelayPublishError(Exception):
    """Kafka refused part of a batch; the failed rows stay unpublished with attempts and last_error."""

    def __init__(self, published: int, failures: dict[int, BaseException]) -> None:
        first_id = min(failures)
        super().__init__(
            f"{len(failures)} outbox rows not published (first: id {first_id}: {failures[first_id]!r}); "
            f"{published} published"
        )
        self.published = published
        self.failures = failures


class RelayMetrics:
    """Hooks the relay calls; subclass and override what you record (the default records nothing)."""

    def published(self, count: int, seconds: float) -> None:
        """A batch was published: `count` rows acknowledged, in `seconds`."""

    def failed(self, count: int) -> None:
        """`count` rows of a batch were not acknowledged and stay unpublished."""


class OutboxRelay:
    """Publishes unpublished outbox rows, oldest first, with an idempotent producer; marks them published."""

    def __init__(
        self,
        engine: Engine,
        producer_factory: Callable[[], Producer],
        batch_size: int = 100,
        poll_interval: float = 0.5,
        *,
        send_timeout: float = 30.0,
        backoff: Backoff | None = None,
        exclusive: bool = True,
        retention: timedelta | None = None,
        tracer_provider: TracerProvider | None = None,
        metrics: RelayMetrics | None = None,
        listen: bool = False,
        linger: float = 0.0,
    ) -> None:
        """`listen`: wake on the outbox's NOTIFY (PostgreSQL with psycopg), `poll_interval` then being
        the fallback; `linger`: when woken, the least time from one batch's start to the next, so that
        under load a batch takes what many commits wrote (a lone event goes at once)."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if poll_interval <= 0 or send_timeout <= 0:
            raise ValueError("poll_interval and send_timeout must be positive")
        if linger < 0:
            raise ValueError("linger must not be negative")
        self._engine = engine
        self._producer_factory = producer_factory
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._send_timeout = send_timeout
        self._backoff = backoff or Backoff(initial=0.5, maximum=30.0)
        self._exclusive = exclusive
        self._retention = retention
        self._tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        self._metrics = metrics or RelayMetrics()
        self._producer: Producer | None = None
        self._notifications = OutboxNotifications(engine) if listen else None
        self._linger = linger
        self._last_batch = 0.0

    def run_once(self) -> int:
        """Publish one batch; the number of rows published. RelayPublishError if Kafka refused any."""
        started = time.monotonic()
        self._last_batch = started
        # Core statements built once (the relay runs up to every few milliseconds: no ORM per batch).
        with self._engine.begin() as connection:
            if self._exclusive and not connection.execute(_TRY_LOCK).scalar():
                log.debug("another relay holds the outbox lock")
                return 0
            rows = connection.execute(_UNPUBLISHED, {"limit": self._batch_size}).all()
            if not rows:
                return 0
            with self._tracer.start_as_current_span(
                "outbox publish",
                kind=SpanKind.PRODUCER,
                links=_links(rows),
                attributes={"messaging.system": "kafka", "messaging.batch.message_count": len(rows)},
            ) as span:
                failures = self._publish_batch(rows)
                if failures:
                    span.set_status(
                        Status(StatusCode.ERROR, f"{len(failures)} of {len(rows)} not acknowledged")
                    )
            published = [row.id for row in rows if row.id not in failures]
            if published:
                connection.execute(_MARK_PUBLISHED, {"ids": published})
            for row_id, error in failures.items():
                connection.execute(
                    _MARK_FAILED, {"row_id": row_id, "error_text": repr(error)[:_MAX_ERROR_LENGTH]}
                )
        if published:
            self._metrics.published(len(published), time.monotonic() - started)
        if failures:
            self._metrics.failed(len(failures))
            raise RelayPublishError(len(published), failures)
        return len(published)

    def run_forever(self, stop_event: threading.Event) -> None:
        """Publish until `stop_event` is set, backing off after failures; closes the producer at the end."""
        failures = 0
        next_purge = time.monotonic()
        try:
            while not stop_event.is_set():
                try:
                    count = self.run_once()
                    if self._retention is not None and time.monotonic() >= next_purge:
                        self.purge_published(self._retention)
                        next_purge = time.monotonic() + 3600
                except Exception:
                    failures += 1
                    delay = self._backoff.delay(failures)
                    log.exception(
                        "outbox relay failed %d time(s) in a row; retrying in %.1fs", failures, delay
                    )
                    stop_event.wait(delay)
                    continue
                failures = 0
                if count < self._batch_size:
                    # A full batch means more rows are probably waiting: go again at once.
                    self._idle(stop_event)
        finally:
            self.close()

    def _idle(self, stop_event: threading.Event) -> None:
        """Until an event is committed (when listening), the poll interval has passed, or `stop_event`."""
        deadline = time.monotonic() + self._poll_interval
        notifications = self._notifications
        while (remaining := deadline - time.monotonic()) > 0 and not stop_event.is_set():
            if notifications is None or not notifications.listening():
                stop_event.wait(remaining)
                return
            # In slices, so that a stop request is seen however long the poll interval.
            if notifications.wait(min(remaining, _STOP_CHECK_SECONDS)):
                # Under load, batches start at most every `linger` s and gather what came meanwhile.
                delay = self._last_batch + self._linger - time.monotonic()
                if delay > 0:
                    stop_event.wait(delay)
                return

    def purge_published(self, older_than: timedelta) -> int:
        """Delete rows published more than `older_than` ago; how many were deleted."""
        with self._engine.begin() as connection:
            deleted = connection.execute(
                delete(OutboxMessage).where(OutboxMessage.published_at < func.now() - older_than)
            ).rowcount
        if deleted:
            log.info("purged %d published outbox rows older than %s", deleted, older_than)
        return deleted

    def close(self) -> None:
        """Flush and close the producer, if one was made; stop listening."""
        if self._notifications is not None:
            self._notifications.close()
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=self._send_timeout)

    def __enter__(self) -> OutboxRelay:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _publish_batch(self, rows: Sequence[_OutboxRow]) -> dict[int, BaseException]:
        """Send every row, flush, check every future; the rows Kafka did not acknowledge, by id."""
        try:
            producer = self._get_producer()
        except Exception as exc:
            # No producer (no broker answered): every row of the batch failed to go.
            return {row.id: exc for row in rows}
        failures: dict[int, BaseException] = {}
        futures: list[tuple[int, RecordFuture]] = []
        refused_topics: dict[str, BaseException] = {}
        for row in rows:
            refused = refused_topics.get(row.topic)
            if refused is not None:
                # Keep the topic's order: nothing after a refused row goes before it.
                failures[row.id] = refused
                continue
            headers: KafkaHeaders = [(name, value.encode()) for name, value in row.headers.items()]
            try:
                futures.append(
                    (row.id, producer.send(row.topic, value=row.payload, key=row.key, headers=headers))
                )
            except Exception as exc:
                failures[row.id] = exc
                refused_topics[row.topic] = exc
        try:
            producer.flush(timeout=self._send_timeout)
        except Exception:
            log.warning("flushing the outbox batch failed", exc_info=True)
        for row_id, future in futures:
            try:
                # After flush every future is done; one that is not counts as a failure (timeout).
                future.get(timeout=0)
            except Exception as exc:
                failures[row_id] = exc
        if failures:
            # An idempotent producer may be left fenced or with records in limbo: start afresh.
            self._discard_producer()
        return failures

    def _get_producer(self) -> Producer:
        if self._producer is None:
            self._producer = self._producer_factory()
        return self._producer

    def _discard_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                producer.close(timeout=0)
            except Exception:
                log.warning("closing a failed producer failed", exc_info=True)


def _links(rows: Sequence[_OutboxRow]) -> list[Link]:
    """Links from the publish span to the contexts the events were written in."""
    links = []
    for row in rows[:_MAX_LINKS]:
        context = trace.get_current_span(propagate.extract(row.headers)).get_span_context()
        if context.is_valid:
            links.append(Link(context))
    return links
