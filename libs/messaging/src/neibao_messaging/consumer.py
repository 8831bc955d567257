"""The idempotent consumer: each event applied once per consumer group, failures dead-lettered.

For every record, in partition order: decode it (a malformed record goes to `<topic>.dlq` at once);
in ONE database transaction insert (group, event id) into processed_event and, unless it was already
there, call the handler; commit; only then commit the Kafka offset. A handler that keeps failing sends
the record to the dead-letter topic after `max_attempts`; if even that publish fails, the offset stays
where it is and the error is raised: nothing is dropped silently.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, cast

from kafka import KafkaConsumer
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata, TopicPartition
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider
from sqlalchemy import Engine, delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from .backoff import Backoff
from .envelope import (
    Event,
    KafkaHeaders,
    PayloadRegistry,
    PoisonMessage,
    UnknownEventType,
    decode,
    format_time,
    trace_context,
)
from .producer import Producer
from .tables import ProcessedEvent

log = logging.getLogger(__name__)

Handler = Callable[[Session, Event], None]
"""Applies one event using the session; must not commit: the consumer commits it with the dedupe row."""

DLQ_SUFFIX = ".dlq"
DLQ_REASON = "dlq_reason"
DLQ_ERROR_TYPE = "dlq_error_type"
DLQ_ORIGINAL_TOPIC = "dlq_original_topic"
DLQ_ORIGINAL_PARTITION = "dlq_original_partition"
DLQ_ORIGINAL_OFFSET = "dlq_original_offset"
DLQ_CONSUMER_GROUP = "dlq_consumer_group"
DLQ_FAILED_AT = "dlq_failed_at"

_MAX_REASON_LENGTH = 2000


class UnknownTypePolicy(enum.Enum):
    """What to do with a well-formed event whose ce_type this consumer has no handler for."""

    SKIP = "skip"
    """Commit its offset without handling it (logged at debug): the stream carries types we ignore."""
    DEAD_LETTER = "dead_letter"
    """Send it to the dead-letter topic with the reason: every type on the stream is expected."""


class DeadLetterPublishError(Exception):
    """A record could not be written to its dead-letter topic; its offset was not committed."""


class HandlingStalled(Exception):
    """An infrastructure error outlasted every attempt; the offset was not committed, the record stays."""


class ConsumerMetrics:
    """Hooks the consumer calls; subclass and override what you record (the default records nothing)."""

    def handled(self, event_type: str, seconds: float) -> None:
        """An event was applied and committed."""

    def duplicate(self, event_type: str) -> None:
        """An event this group had already applied was skipped."""

    def retried(self, event_type: str, attempt: int) -> None:
        """Attempt number `attempt` of a handler failed and will be retried."""

    def skipped(self, event_type: str) -> None:
        """An event of a type this consumer does not handle was committed unhandled."""

    def dead_lettered(self, topic: str, error_type: str) -> None:
        """A record of `topic` was written to the dead-letter topic."""


class _Interrupted(Exception):
    """Stop was requested while a record waited for a retry."""


class IdempotentConsumer:
    """Consumes CloudEvents from Kafka and applies each one exactly once per group."""

    def __init__(
        self,
        engine: Engine,
        bootstrap: str,
        group_id: str,
        topics: Collection[str],
        *,
        handlers: Mapping[str, Handler],
        registry: PayloadRegistry,
        dlq_producer: Producer,
        max_attempts: int = 5,
        backoff: Backoff | None = None,
        unknown_type: UnknownTypePolicy = UnknownTypePolicy.SKIP,
        infrastructure_errors: tuple[type[BaseException], ...] = (OperationalError, InterfaceError),
        dlq_timeout: float = 30.0,
        poll_timeout: float = 1.0,
        consumer_config: Mapping[str, Any] | None = None,
        tracer_provider: TracerProvider | None = None,
        metrics: ConsumerMetrics | None = None,
    ) -> None:
        """`infrastructure_errors` are blamed on the platform, not the event: retried, then raised."""
        if not topics:
            raise ValueError("a consumer needs at least one topic")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        unregistered = sorted(set(handlers) - registry.types())
        if unregistered:
            raise ValueError(f"handlers for types without a registered payload class: {unregistered}")
        config = dict(consumer_config or {})
        if config.pop("enable_auto_commit", False):
            raise ValueError("the idempotent consumer commits offsets itself: enable_auto_commit must be off")
        self._engine = engine
        self._group_id = group_id
        self._topics = tuple(topics)
        self._handlers = dict(handlers)
        self._registry = registry
        self._dlq_producer = dlq_producer
        self._max_attempts = max_attempts
        self._backoff = backoff or Backoff(initial=0.1, maximum=5.0)
        self._unknown_type = unknown_type
        self._infrastructure_errors = infrastructure_errors
        self._dlq_timeout = dlq_timeout
        self._poll_timeout = poll_timeout
        self._kafka_config: dict[str, Any] = {
            "bootstrap_servers": bootstrap,
            "group_id": group_id,
            "auto_offset_reset": "earliest",
            **config,
            "enable_auto_commit": False,
        }
        self._tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        self._metrics = metrics or ConsumerMetrics()
        self._consumer: Any = None
        self._stop_event = threading.Event()

    @property
    def group_id(self) -> str:
        """The consumer group, also the dedupe scope in processed_event."""
        return self._group_id

    def run(self, stop_event: threading.Event) -> None:
        """Poll and apply until `stop_event` is set, then close; errors that must stop it propagate."""
        self._stop_event = stop_event
        try:
            while not stop_event.is_set():
                self.poll_once(self._poll_timeout)
        finally:
            self.close()

    def poll_once(self, timeout: float = 1.0) -> int:
        """Fetch once (waiting up to `timeout` seconds) and process what came; how many records were done."""
        consumer = self._get_consumer()
        batches: dict[TopicPartition, list[Any]] = consumer.poll(timeout_ms=int(timeout * 1000))
        done: dict[TopicPartition, OffsetAndMetadata] = {}
        count = 0
        try:
            for partition, records in batches.items():
                for index, record in enumerate(records):
                    try:
                        self._process(record)
                    except BaseException:
                        self._rewind(consumer, batches, partition, index)
                        raise
                    done[partition] = OffsetAndMetadata(record.offset + 1, "", record.leader_epoch)
                    count += 1
        except _Interrupted:
            log.info("stopping: the record waiting for a retry stays for the next run")
        finally:
            self._commit(consumer, done)
        return count

    def purge_processed(self, older_than: timedelta) -> int:
        """Forget this group's dedupe rows older than `older_than`: redeliveries older than that re-apply."""
        with self._engine.begin() as connection:
            return connection.execute(
                delete(ProcessedEvent).where(
                    ProcessedEvent.consumer_group == self._group_id,
                    ProcessedEvent.processed_at < func.now() - older_than,
                )
            ).rowcount

    def close(self) -> None:
        """Leave the group and close the Kafka consumer (the dead-letter producer is the caller's)."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close(autocommit=False)

    def __enter__(self) -> IdempotentConsumer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _get_consumer(self) -> Any:
        if self._consumer is None:
            self._consumer = KafkaConsumer(*self._topics, **self._kafka_config)
        return self._consumer

    def _process(self, record: Any) -> None:
        try:
            event = decode(record, self._registry)
        except UnknownEventType as exc:
            self._unknown(record, exc.event_type)
            return
        except PoisonMessage as exc:
            log.warning(
                "poison message at %s[%d]@%d: %s", record.topic, record.partition, record.offset, exc.reason
            )
            self._dead_letter(record, exc.reason, "PoisonMessage")
            return
        handler = self._handlers.get(event.type)
        if handler is None:
            self._unknown(record, event.type)
            return
        self._handle(record, event, handler)

    def _unknown(self, record: Any, event_type: str) -> None:
        if self._unknown_type is UnknownTypePolicy.SKIP:
            log.debug("no handler for %r at %s[%d]@%d: skipped", event_type, *_where(record))
            self._metrics.skipped(event_type)
            return
        self._dead_letter(record, f"no handler for ce_type {event_type!r}", "UnknownEventType")

    def _handle(self, record: Any, event: Event, handler: Handler) -> None:
        with self._tracer.start_as_current_span(
            f"{record.topic} process",
            context=trace_context(event),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.operation.type": "process",
                "messaging.destination.name": record.topic,
                "messaging.destination.partition.id": str(record.partition),
                "messaging.kafka.offset": record.offset,
                "messaging.consumer.group.name": self._group_id,
                "messaging.message.id": str(event.id),
                "cloudevents.event_id": str(event.id),
                "cloudevents.event_type": event.type,
                "cloudevents.event_source": event.source,
            },
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            started = time.monotonic()
            for attempt in range(1, self._max_attempts + 1):
                try:
                    applied = self._apply(handler, event)
                except Exception as exc:
                    span.record_exception(exc, attributes={"attempt": attempt})
                    error = exc
                else:
                    span.set_attribute("neibao.messaging.duplicate", not applied)
                    if applied:
                        self._metrics.handled(event.type, time.monotonic() - started)
                    else:
                        log.debug("event %s already applied by %s: skipped", event.id, self._group_id)
                        self._metrics.duplicate(event.type)
                    return
                if attempt < self._max_attempts:
                    delay = self._backoff.delay(attempt)
                    log.warning(
                        "handling event %s (%s) failed on attempt %d of %d; retrying in %.2fs",
                        event.id,
                        event.type,
                        attempt,
                        self._max_attempts,
                        delay,
                        exc_info=error,
                    )
                    self._metrics.retried(event.type, attempt)
                    if self._stop_event.wait(delay):
                        raise _Interrupted
            span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
            if isinstance(error, self._infrastructure_errors):
                raise HandlingStalled(
                    f"event {event.id} at {record.topic}[{record.partition}]@{record.offset}: "
                    f"{self._max_attempts} attempts failed on infrastructure"
                ) from error
            log.error(
                "handling event %s (%s) failed %d times: dead-lettered",
                event.id,
                event.type,
                self._max_attempts,
                exc_info=error,
            )
            self._dead_letter(
                record,
                f"handler failed after {self._max_attempts} attempts: {error}",
                _qualified_name(type(error)),
            )

    def _apply(self, handler: Handler, event: Event) -> bool:
        """Record the event as processed and apply it in one transaction; False for a duplicate."""
        with Session(self._engine) as session, session.begin():
            first_time = session.execute(
                insert(ProcessedEvent)
                .values(consumer_group=self._group_id, event_id=event.id)
                .on_conflict_do_nothing()
                .returning(ProcessedEvent.event_id)
            ).first()
            if first_time is None:
                return False
            handler(session, event)
        return True

    def _dead_letter(self, record: Any, reason: str, error_type: str) -> None:
        topic = f"{record.topic}{DLQ_SUFFIX}"
        headers: KafkaHeaders = [
            (name, value if value is not None else b"")
            for name, value in (record.headers or [])
            if not name.startswith("dlq_")
        ]
        headers += [
            (DLQ_REASON, reason[:_MAX_REASON_LENGTH].encode()),
            (DLQ_ERROR_TYPE, error_type.encode()),
            (DLQ_ORIGINAL_TOPIC, record.topic.encode()),
            (DLQ_ORIGINAL_PARTITION, str(record.partition).encode()),
            (DLQ_ORIGINAL_OFFSET, str(record.offset).encode()),
            (DLQ_CONSUMER_GROUP, self._group_id.encode()),
            (DLQ_FAILED_AT, format_time(datetime.now(UTC)).encode()),
        ]
        try:
            self._dlq_producer.send(topic, value=record.value, key=record.key, headers=headers).get(
                timeout=self._dlq_timeout
            )
        except Exception as exc:
            raise DeadLetterPublishError(
                f"could not dead-letter {record.topic}[{record.partition}]@{record.offset} to {topic}"
            ) from exc
        log.warning("dead-lettered %s[%d]@%d to %s: %s", *_where(record), topic, reason)
        self._metrics.dead_lettered(record.topic, error_type)

    def _rewind(
        self, consumer: Any, batches: Mapping[TopicPartition, list[Any]], failed: TopicPartition, index: int
    ) -> None:
        """Seek every partition back to its first unprocessed record, so a caller that goes on re-reads it."""
        partitions = list(batches)
        positions = {failed: batches[failed][index].offset}
        for later in partitions[partitions.index(failed) + 1 :]:
            positions[later] = batches[later][0].offset
        for partition, offset in positions.items():
            try:
                consumer.seek(partition, offset)
            except Exception:
                log.warning("could not seek %s back to %d", partition, offset, exc_info=True)

    def _commit(self, consumer: Any, offsets: dict[TopicPartition, OffsetAndMetadata]) -> None:
        if not offsets:
            return
        try:
            consumer.commit(offsets)
        except CommitFailedError:
            # The group rebalanced: the new owner re-reads these records and the dedupe table skips them.
            log.warning("offset commit failed after a rebalance; records will be redelivered", exc_info=True)


def _where(record: Any) -> tuple[str, int, int]:
    return cast(str, record.topic), cast(int, record.partition), cast(int, record.offset)


def _qualified_name(kind: type[BaseException]) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"
