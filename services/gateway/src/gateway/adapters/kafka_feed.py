"""A live feed: a background thread reading one topic from its latest offsets into an EventBuffer.

Each gateway replica reads in a consumer group of its own and commits nothing: a live stream shows
what happens from now on, and the buffer (not Kafka) is what Last-Event-ID resumes from.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from kafka import KafkaConsumer
from kafka.errors import KafkaError

from gateway.domain.live import EventBuffer, LiveEvent, stream_id
from neibao_messaging import PayloadRegistry, PoisonMessage, UnknownEventType, decode
from neibao_messaging.envelope import (
    H_ID,
    H_JURISDICTION,
    H_SECTOR,
    H_SUBJECT,
    H_TIME,
    H_TYPE,
    H_UNIT,
)

logger = logging.getLogger(__name__)

Render = Callable[[Message], Mapping[str, Any]]
"""Makes a decoded payload into the `data` a reader receives (the REST spelling of a stream's events)."""

_REQUIRED = (H_ID, H_TYPE, H_TIME)


def live_event_from_record(
    record: Any, registry: PayloadRegistry | None = None, render: Render | None = None
) -> LiveEvent | None:
    """The live event in a consumed record, from its CloudEvents headers; None if it is not a CloudEvent, or
    (with a `registry`) not of a type the registry names.

    With a `registry` the payload is decoded and shown as `data` (by `render` or as protobuf JSON), and the
    stream carries only those types (an alarm stream shows alarm changes, not the silences beside them);
    without one, a relay that only filters by scope never needs to understand the payload.
    """
    headers: dict[str, str] = {}
    for name, value in record.headers or ():
        if name.startswith("ce_") and value is not None and name not in headers:
            headers[name] = bytes(value).decode("utf-8", errors="replace")
    if any(not headers.get(name) for name in _REQUIRED):
        return None
    if registry is not None and headers[H_TYPE] not in registry:
        return None
    data: Mapping[str, Any] | None = None
    if registry is not None and headers[H_TYPE] in registry:
        try:
            message = decode(record, registry).data
            data = render(message) if render else MessageToDict(message, preserving_proto_field_name=True)
        except (PoisonMessage, UnknownEventType) as exc:
            logger.warning("live event %s has an undecodable payload: %s", headers[H_ID], exc)
    return LiveEvent(
        id=stream_id(record.partition, record.offset),
        event_id=headers[H_ID],
        type=headers[H_TYPE],
        time=headers[H_TIME],
        subject=headers.get(H_SUBJECT) or None,
        jurisdiction=headers.get(H_JURISDICTION) or None,
        sector=headers.get(H_SECTOR) or None,
        unit=headers.get(H_UNIT) or None,
        data=data,
    )


class KafkaLiveFeed:
    """Reads `topic` on a daemon thread into `buffer`, calling `on_new` after events were added."""

    def __init__(
        self,
        bootstrap: str,
        topic: str,
        buffer: EventBuffer,
        *,
        group_id: str,
        on_new: Callable[[], None],
        registry: PayloadRegistry | None = None,
        render: Render | None = None,
        poll_timeout: float = 0.5,
        retry_after: float = 2.0,
    ) -> None:
        self.topic = topic
        self.buffer = buffer
        self.positioned = threading.Event()
        """Set once partitions are assigned and positioned at their end (tests wait for it)."""
        self._bootstrap = bootstrap
        self._group_id = group_id
        self._on_new = on_new
        self._registry = registry
        self._render = render
        self._poll_timeout_ms = int(poll_timeout * 1000)
        self._retry_after = retry_after
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"live-feed-{topic}", daemon=True)

    @classmethod
    def group_for(cls, prefix: str, instance_id: str) -> str:
        """A consumer group of this replica alone (its instance id plus a start-up nonce)."""
        return f"{prefix}.{instance_id}.{uuid.uuid4().hex[:8]}"

    def start(self) -> None:
        """Start reading in the background."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop reading and leave the group."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._consume()
            except KafkaError as exc:
                logger.warning(
                    "live feed of %s: %r; reconnecting in %.0f s", self.topic, exc, self._retry_after
                )
                self.positioned.clear()
                self._stop.wait(self._retry_after)
            except Exception:
                logger.exception(
                    "live feed of %s failed; reconnecting in %.0f s", self.topic, self._retry_after
                )
                self.positioned.clear()
                self._stop.wait(self._retry_after)

    def _consume(self) -> None:
        consumer = KafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=self._group_id,
            client_id=self._group_id,
            auto_offset_reset="latest",
            enable_auto_commit=False,
            bootstrap_timeout_ms=int(self._retry_after * 1000) + 3000,
        )
        try:
            consumer.subscribe([self.topic])
            while not self._stop.is_set():
                batches = consumer.poll(timeout_ms=self._poll_timeout_ms)
                if not self.positioned.is_set() and consumer.assignment():
                    # Resolve "latest" now: whatever is published from here on will be read.
                    for partition in consumer.assignment():
                        consumer.position(partition)
                    self.positioned.set()
                events = [
                    event
                    for records in batches.values()
                    for record in records
                    if (event := self._event(record)) is not None
                ]
                if events and self.buffer.append(events):
                    self._on_new()
        finally:
            consumer.close(autocommit=False)

    def _event(self, record: Any) -> LiveEvent | None:
        event = live_event_from_record(record, self._registry, self._render)
        if event is None:
            logger.warning(
                "skipping a record without CloudEvents headers at %s-%d-%d",
                self.topic,
                record.partition,
                record.offset,
            )
            return None
        event.document_json()  # encoded here, once, rather than on the event loop
        return event
