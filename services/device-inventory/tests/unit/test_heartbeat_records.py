"""What the heartbeat consumer reads of a batch from Kafka: columns, a missing time told from the epoch."""

from __future__ import annotations

from datetime import UTC, datetime

from device_inventory.domain.heartbeats import to_micros
from device_inventory.entrypoints.consumers import heartbeat_columns
from neibao.deviceinventory.v1 import device_pb2

AT = datetime(2026, 11, 24, 8, 0, 0, 123456, tzinfo=UTC)


def test_a_batch_reads_as_columns_with_exact_microseconds_and_faults() -> None:
    batch = device_pb2.HeartbeatBatch()
    batch.heartbeats.add(device_id="a").at.FromDatetime(AT)
    batch.heartbeats.add(device_id="b", status=device_pb2.HEARTBEAT_STATUS_FAULT).at.FromDatetime(AT)
    batch.heartbeats.add(device_id="c", status=device_pb2.HEARTBEAT_STATUS_OK)  # no time
    batch.heartbeats.add(device_id="d").at.FromSeconds(0)  # the epoch itself, set
    ids, micros, faults = heartbeat_columns(device_pb2.HeartbeatBatch.FromString(batch.SerializeToString()))
    assert ids == ["a", "b", "c", "d"]
    assert micros == [to_micros(AT), to_micros(AT), None, 0]
    assert faults == [False, True, False, False]


def test_an_empty_batch_reads_as_empty_columns() -> None:
    assert heartbeat_columns(device_pb2.HeartbeatBatch()) == ([], [], [])
