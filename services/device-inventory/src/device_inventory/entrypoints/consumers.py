"""Kafka consumers: the unit read model (idempotent, one event per transaction, dead-lettered when it
keeps failing) and heartbeats (batches: one poll, one statement, offsets committed after the commit)."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from operator import attrgetter
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
from device_inventory.domain.heartbeats import HeartbeatColumns, RejectedHeartbeat, check_columns
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


# What the heartbeat consumer reads of each heartbeat, in one C-level call.
_FIELDS = attrgetter("device_id", "at.seconds", "at.nanos", "status")


def heartbeat_columns(batch: device_pb2.HeartbeatBatch) -> tuple[list[str], list[int | None], list[bool]]:
    """A batch's heartbeats as columns: device ids as sent, microseconds since the Unix epoch (None when
    `at` is missing), fault flags; no Python object per heartbeat beyond the values themselves."""
    heartbeats = batch.heartbeats
    if not heartbeats:
        return [], [], []
    ids, seconds, nanos, statuses = zip(*map(_FIELDS, heartbeats), strict=True)
    micros: list[int | None] = [s * 1_000_000 + n // 1000 for s, n in zip(seconds, nanos, strict=True)]
    if 0 in micros:  # an unset `at` reads as the epoch itself: tell the two apart
        micros = [
            None if m == 0 and not h.HasField("at") else m for m, h in zip(micros, heartbeats, strict=True)
        ]
    return list(ids), micros, [status == device_pb2.HEARTBEAT_STATUS_FAULT for status in statuses]


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
            # Bounds what one poll holds (a 100 kB record carries ~2000 heartbeats) and so the memory.
            "fetch_max_bytes": 8 * 1024 * 1024,
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
        ids: list[str] = []
        micros: list[int | None] = []
        faults: list[bool] = []
        for record in records:
            try:
                event = decode(record, HEARTBEAT_PAYLOADS)
            except (PoisonMessage, UnknownEventType) as exc:
                self._dead_letter(record.key, record.value, record.headers or [], str(exc))
                continue
            record_ids, record_micros, record_faults = heartbeat_columns(
                event.payload(device_pb2.HeartbeatBatch)
            )
            ids += record_ids
            micros += record_micros
            faults += record_faults
        valid, rejected = check_columns(ids, micros, faults, now)
        refused: dict[str, str] = {}
        # Bounded transactions whatever the records carry (heartbeats are idempotent: a crash between
        # two of them only means the first is applied again).
        for first in range(0, len(valid), self._max_items):
            refused |= self._write_retrying(valid.slice(first, first + self._max_items), now)
        self._dead_letter_items(valid, rejected, refused)
        if not refused:
            return len(valid)
        return sum(1 for device_id in valid.device_ids if device_id not in refused)

    def _write_retrying(self, valid: HeartbeatColumns, now: datetime) -> dict[str, str]:
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                return self._write(valid, now)
            except OperationalError as error:
                # Two batches holding heartbeats of the same devices may lock them in opposite orders.
                if not isinstance(error.orig, DeadlockDetected) or attempt == DEADLOCK_ATTEMPTS:
                    raise
                log.warning("heartbeat batch deadlocked with another (attempt %d); again", attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, valid: HeartbeatColumns, now: datetime) -> dict[str, str]:
        """One transaction: the heartbeats, the status-change events; the devices refused, with why."""
        with Session(self._engine) as session, session.begin():
            row = session.execute(liveness.RECORD, liveness.record_params(valid, now)).one()
            updated, changes = liveness.recorded(row)
            if changes:
                details = session.execute(liveness.change_details(changes)).all()
                for change in liveness.status_events(changes, details, now):
                    Outbox.add(session, self._events_topic, cloud_event(change))
            wanted = set(valid.device_ids)
            if updated == len(wanted):
                return {}
            # Some took no heartbeat: older than the one kept (fine), or unknown or retired (refused).
            found = session.execute(liveness.known_devices(map(uuid.UUID, wanted), None)).all()
        supervised = {str(device_id) for device_id, watched in found if watched}
        known = {str(device_id) for device_id, _ in found}
        return {
            device_id: "device_id: RETIRED" if device_id in known else "device_id: NOT_FOUND"
            for device_id in wanted - supervised
        }

    def _dead_letter_items(
        self, valid: HeartbeatColumns, rejected: list[RejectedHeartbeat], refused: dict[str, str]
    ) -> None:
        dead: list[tuple[device_pb2.Heartbeat, str]] = []
        for item in rejected:
            reasons = "; ".join(f"{v.field}: {v.reason}" for v in item.violations)
            dead.append((device_pb2.Heartbeat(device_id=item.device_id), reasons))
        if refused:
            for device_id, micros in zip(valid.device_ids, valid.at_micros, strict=True):
                if device_id in refused:
                    message = device_pb2.Heartbeat(device_id=device_id)
                    message.at.FromMicroseconds(micros)
                    dead.append((message, refused[device_id]))
        if not dead:
            return
        batch = device_pb2.HeartbeatBatch(heartbeats=[h for h, _ in dead])
        reason = "; ".join(sorted({r for _, r in dead}))
        key, value, headers = encode(
            Event.create(type=HEARTBEAT_BATCH, source=SOURCE, data=batch, key=b"refused")
        )
        self._dead_letter(key, value, headers, f"{len(dead)} heartbeats refused: {reason}")

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
