"""Kafka consumers: the unit read model (idempotent, one event per transaction, dead-lettered when it
keeps failing) and heartbeats (batches: one poll, one statement, offsets committed after the commit)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer
from kafka.structs import OffsetAndMetadata, TopicPartition
from psycopg.errors import DeadlockDetected
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from device_inventory.adapters.db import liveness, read_model
from device_inventory.adapters.events import (
    DOSSIER_UPDATED,
    HEARTBEAT_BATCH,
    HEARTBEAT_PAYLOADS,
    KEY_UNIT_DESIGNATED,
    KEY_UNIT_WITHDRAWN,
    SOURCE,
    UNIT_CLOSED,
    UNIT_PAYLOADS,
    UNIT_REGISTERED,
    UNIT_UPDATED,
    cloud_event,
)
from device_inventory.domain.heartbeats import HeartbeatItem, RejectedHeartbeat, ValidHeartbeat, check_items
from neibao.deviceinventory.v1 import device_pb2
from neibao_messaging import (
    Event,
    IdempotentConsumer,
    Outbox,
    PoisonMessage,
    Producer,
    UnknownEventType,
    decode,
    encode,
)
from neibao_messaging.consumer import DLQ_REASON, DLQ_SUFFIX

log = logging.getLogger(__name__)
DEADLOCK_ATTEMPTS = 5

UNIT_HANDLERS: dict[str, Callable[[Session, Event], None]] = {
    UNIT_REGISTERED: read_model.apply_unit_described,
    UNIT_UPDATED: read_model.apply_unit_described,
    UNIT_CLOSED: read_model.apply_unit_closed,
    KEY_UNIT_DESIGNATED: read_model.apply_key_unit,
    KEY_UNIT_WITHDRAWN: read_model.apply_key_unit,
    DOSSIER_UPDATED: read_model.apply_dossier_updated,
}


def unit_events_consumer(
    engine: Engine, bootstrap: str, group: str, topic: str, dlq_producer: Producer, **options: Any
) -> IdempotentConsumer:
    """The unit read model's consumer: the registry's other event types are skipped."""
    return IdempotentConsumer(
        engine,
        bootstrap,
        group,
        [topic],
        handlers=UNIT_HANDLERS,
        registry=UNIT_PAYLOADS,
        dlq_producer=dlq_producer,
        **options,
    )


def _items(batch: device_pb2.HeartbeatBatch) -> list[HeartbeatItem]:
    items: list[HeartbeatItem] = []
    for heartbeat in batch.heartbeats:
        at = heartbeat.at.ToDatetime(tzinfo=UTC) if heartbeat.HasField("at") else None
        status = {device_pb2.HEARTBEAT_STATUS_FAULT: "fault"}.get(heartbeat.status, "ok")
        items.append(HeartbeatItem(heartbeat.device_id, at, status))
    return items


class HeartbeatConsumer:
    """Applies heartbeat batches from Kafka: all records of a poll in one transaction and one UPDATE.

    Heartbeats are idempotent (only a newer one changes a device), so no dedupe table is needed: a
    redelivered batch changes nothing. Malformed records and items (unknown or retired devices, bad
    fields) go to `<topic>.dlq` with their reasons; the valid items of the same records are kept.
    """

    def __init__(
        self,
        engine: Engine,
        bootstrap: str,
        group: str,
        topic: str,
        *,
        events_topic: str,
        dlq_producer: Producer,
        max_records: int = 5000,
        max_items: int = 20_000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        consumer_config: dict[str, Any] | None = None,
    ) -> None:
        self._engine = engine
        self._topic = topic
        self._events_topic = events_topic
        self._dlq = dlq_producer
        self._clock = clock
        self._max_records = max_records
        self._max_items = max_items
        self._config = {
            "bootstrap_servers": bootstrap,
            "group_id": group,
            "auto_offset_reset": "earliest",
            "enable_auto_commit": False,
            "max_poll_records": max_records,
            "fetch_max_bytes": 64 * 1024 * 1024,
            **(consumer_config or {}),
        }
        self._consumer: Any = None

    def run(self, stop: threading.Event, poll_timeout: float = 0.5) -> None:
        """Poll and apply until `stop` is set."""
        try:
            while not stop.is_set():
                self.poll_once(poll_timeout)
        finally:
            self.close()

    def poll_once(self, timeout: float = 0.5) -> int:
        """One poll applied and committed; how many heartbeats were kept."""
        if self._consumer is None:
            self._consumer = KafkaConsumer(self._topic, **self._config)
        batches: dict[TopicPartition, list[Any]] = self._consumer.poll(
            timeout_ms=int(timeout * 1000), max_records=self._max_records
        )
        records = [record for partition in batches.values() for record in partition]
        if not records:
            return 0
        kept = self.apply(records)
        self._consumer.commit(
            {
                tp: OffsetAndMetadata(rs[-1].offset + 1, "", rs[-1].leader_epoch)
                for tp, rs in batches.items()
                if rs
            }
        )
        return kept

    def apply(self, records: list[Any]) -> int:
        """Apply the records' heartbeats in one transaction; dead-letter what cannot be kept."""
        now = self._clock()
        items: list[HeartbeatItem] = []
        for record in records:
            try:
                event = decode(record, HEARTBEAT_PAYLOADS)
            except (PoisonMessage, UnknownEventType) as exc:
                self._dead_letter(record.key, record.value, record.headers or [], str(exc))
                continue
            items += _items(event.payload(device_pb2.HeartbeatBatch))
        valid, rejected = check_items(items, now)
        supervised: set[Any] = set()
        known: set[Any] = set()
        # Bounded transactions whatever the records carry (heartbeats are idempotent: a crash between
        # two of them only means the first is applied again).
        for first in range(0, len(valid), self._max_items):
            chunk_supervised, chunk_known = self._write_retrying(valid[first : first + self._max_items], now)
            supervised |= chunk_supervised
            known |= chunk_known
        self._dead_letter_items(valid, rejected, supervised, known)
        return sum(1 for h in valid if h.device_id in supervised)

    def _write_retrying(self, valid: list[ValidHeartbeat], now: datetime) -> tuple[set[Any], set[Any]]:
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                return self._write(valid, now)
            except OperationalError as error:
                # Two batches holding heartbeats of the same devices may lock them in opposite orders.
                if not isinstance(error.orig, DeadlockDetected) or attempt == DEADLOCK_ATTEMPTS:
                    raise
                log.warning("heartbeat batch deadlocked with another (attempt %d); again", attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, valid: list[ValidHeartbeat], now: datetime) -> tuple[set[Any], set[Any]]:
        """One transaction: the heartbeats, the status-change events; the supervised and known devices."""
        wanted = {h.device_id for h in valid}
        with Session(self._engine) as session, session.begin():
            updated = 0
            if valid:
                row = session.execute(liveness.RECORD, liveness.record_params(valid, now)).one()
                updated, changes = liveness.recorded(row)
                if changes:
                    details = session.execute(liveness.change_details(changes)).all()
                    for change in liveness.status_events(changes, details, now):
                        Outbox.add(session, self._events_topic, cloud_event(change))
            if updated == len(wanted):
                return wanted, wanted
            # Some took no heartbeat: older than the one kept (fine), or unknown or retired (refused).
            found = session.execute(liveness.known_devices(wanted, None)).all()
        return {device_id for device_id, watched in found if watched}, {device_id for device_id, _ in found}

    def _dead_letter_items(
        self,
        valid: list[ValidHeartbeat],
        rejected: list[RejectedHeartbeat],
        supervised: set[Any],
        known: set[Any],
    ) -> None:
        refused: list[tuple[device_pb2.Heartbeat, str]] = []
        for item in rejected:
            reasons = "; ".join(f"{v.field}: {v.reason}" for v in item.violations)
            refused.append((device_pb2.Heartbeat(device_id=item.device_id), reasons))
        for heartbeat in valid:
            if heartbeat.device_id in supervised:
                continue
            reason = "device_id: RETIRED" if heartbeat.device_id in known else "device_id: NOT_FOUND"
            message = device_pb2.Heartbeat(device_id=str(heartbeat.device_id))
            message.at.FromDatetime(heartbeat.at)
            refused.append((message, reason))
        if not refused:
            return
        batch = device_pb2.HeartbeatBatch(heartbeats=[h for h, _ in refused])
        reason = "; ".join(sorted({r for _, r in refused}))
        key, value, headers = encode(
            Event.create(type=HEARTBEAT_BATCH, source=SOURCE, data=batch, key=b"refused")
        )
        self._dead_letter(key, value, headers, f"{len(refused)} heartbeats refused: {reason}")

    def _dead_letter(self, key: bytes | None, value: bytes | None, headers: Any, reason: str) -> None:
        topic = f"{self._topic}{DLQ_SUFFIX}"
        out = [(n, v if v is not None else b"") for n, v in headers if not n.startswith("dlq_")]
        out.append((DLQ_REASON, reason[:2000].encode()))
        self._dlq.send(topic, value=value, key=key, headers=out).get(timeout=30)
        log.warning("dead-lettered to %s: %s", topic, reason)

    def close(self) -> None:
        """Leave the group."""
        consumer, self._consumer = self._consumer, None
        if consumer is not None:
            consumer.close(autocommit=False)
