"""The transactional outbox: events written with the change they announce, published by a relay.

Delivery is at least once: a relay that dies after Kafka acknowledged a batch but before its
transaction committed publishes that batch again; consumers dedupe by event id.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from types import TracebackType

from opentelemetry import propagate, trace
from opentelemetry.trace import Link, SpanKind, Status, StatusCode, TracerProvider
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from .backoff import Backoff
from .envelope import Event, KafkaHeaders, encode
from .producer import Producer, RecordFuture
from .tables import OutboxMessage

log = logging.getLogger(__name__)

# One relay publishes at a time (per database), so that a key's events keep their order across
# batches even when several relay replicas run for availability. Any fixed bigint would do.
RELAY_LOCK_ID = 0x6E6569_62616F  # "neibao"

_MAX_ERROR_LENGTH = 2000
_MAX_LINKS = 128


class Outbox:
    """Writes events into the outbox table inside the caller's transaction."""

    @staticmethod
    def add(session: Session, topic: str, event: Event) -> OutboxMessage:
        """Stage `event` for `topic` in `session`'s transaction; the caller commits (or rolls back)."""
        if not topic:
            raise ValueError("an outbox event needs a topic")
        key, value, headers = encode(event)
        row = OutboxMessage(
            event_id=event.id,
            topic=topic,
            key=key,
            headers={name: raw.decode() for name, raw in headers},
            payload=value,
        )
        session.add(row)
        return row


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
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if poll_interval <= 0 or send_timeout <= 0:
            raise ValueError("poll_interval and send_timeout must be positive")
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

    def run_once(self) -> int:
        """Publish one batch; the number of rows published. RelayPublishError if Kafka refused any."""
        started = time.monotonic()
        with Session(self._engine) as session, session.begin():
            if self._exclusive and not session.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_ID))):
                log.debug("another relay holds the outbox lock")
                return 0
            rows = session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.published_at.is_(None))
                .order_by(OutboxMessage.id)
                .limit(self._batch_size)
                .with_for_update(skip_locked=True)
            ).all()
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
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_(published))
                    .values(published_at=func.now())
                    .execution_options(synchronize_session=False)
                )
            for row_id, error in failures.items():
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row_id)
                    .values(attempts=OutboxMessage.attempts + 1, last_error=repr(error)[:_MAX_ERROR_LENGTH])
                    .execution_options(synchronize_session=False)
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
                    stop_event.wait(self._poll_interval)
        finally:
            self.close()

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
        """Flush and close the producer, if one was made."""
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=self._send_timeout)

    def __enter__(self) -> OutboxRelay:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _publish_batch(self, rows: Sequence[OutboxMessage]) -> dict[int, BaseException]:
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


def _links(rows: Sequence[OutboxMessage]) -> list[Link]:
    """Links from the publish span to the contexts the events were written in."""
    links = []
    for row in rows[:_MAX_LINKS]:
        context = trace.get_current_span(propagate.extract(row.headers)).get_span_context()
        if context.is_valid:
            links.append(Link(context))
    return links
