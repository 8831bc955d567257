"""Heartbeat items are checked one by one; the status a heartbeat leads to."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from device_inventory.domain.enums import DeviceStatus
from device_inventory.domain.heartbeats import (
    HeartbeatColumns,
    HeartbeatItem,
    check_columns,
    check_items,
    from_micros,
    is_overdue,
    status_after_heartbeat,
    to_micros,
)

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
DEVICE = str(uuid.uuid4())


def test_valid_items_pass_and_bad_ones_are_rejected_with_their_reasons() -> None:
    items = [
        HeartbeatItem(DEVICE, NOW, "ok"),
        HeartbeatItem("not-a-uuid", NOW),
        HeartbeatItem(DEVICE, None),
        HeartbeatItem(DEVICE, NOW + timedelta(hours=1)),
        HeartbeatItem(DEVICE, NOW, "sleepy"),
        HeartbeatItem("", datetime(2026, 11, 24, 8, 0)),
        HeartbeatItem(DEVICE, NOW - timedelta(seconds=1), "fault"),
    ]
    valid, rejected = check_items(items, NOW)
    assert [v.index for v in valid] == [0, 6]
    assert valid[1].fault
    reasons = {r.index: {(v.field, v.reason) for v in r.violations} for r in rejected}
    assert reasons == {
        1: {("device_id", "INVALID_FORMAT")},
        2: {("at", "REQUIRED")},
        3: {("at", "IN_FUTURE")},
        4: {("status", "UNKNOWN_VALUE")},
        5: {("device_id", "REQUIRED"), ("at", "INVALID_FORMAT")},
    }


def test_a_small_clock_skew_is_accepted() -> None:
    valid, rejected = check_items([HeartbeatItem(DEVICE, NOW + timedelta(minutes=4))], NOW)
    assert len(valid) == 1
    assert not rejected


def test_a_fresh_heartbeat_brings_a_device_online_or_reports_its_fault() -> None:
    assert status_after_heartbeat(DeviceStatus.OFFLINE, NOW, False, 60, NOW) is DeviceStatus.ONLINE
    assert status_after_heartbeat(DeviceStatus.UNKNOWN, NOW, False, 60, NOW) is DeviceStatus.ONLINE
    assert status_after_heartbeat(DeviceStatus.ONLINE, NOW, True, 60, NOW) is DeviceStatus.FAULT


def test_an_old_heartbeat_does_not_bring_an_offline_device_back() -> None:
    old = NOW - timedelta(seconds=120)
    assert status_after_heartbeat(DeviceStatus.OFFLINE, old, False, 60, NOW) is DeviceStatus.OFFLINE


def test_overdue_after_the_interval_plus_grace() -> None:
    assert not is_overdue(NOW - timedelta(seconds=62), 60, NOW)
    assert is_overdue(NOW - timedelta(seconds=64), 60, NOW)
    assert not is_overdue(None, 60, NOW)


def test_a_batch_in_columns_passes_whole_when_every_item_is_well_formed() -> None:
    ids = [str(uuid.uuid4()) for _ in range(3)]
    micros = [to_micros(NOW) - 1, to_micros(NOW), to_micros(NOW + timedelta(minutes=4))]
    valid, rejected = check_columns(ids, list(micros), [False, True, False], NOW)
    assert (valid.device_ids, valid.at_micros, valid.faults) == (ids, micros, [False, True, False])
    assert not rejected


def test_columns_are_checked_item_by_item_by_the_same_rules_when_one_is_not() -> None:
    upper = str(uuid.uuid4()).upper()
    ids = [DEVICE, "not-a-uuid", DEVICE, DEVICE, upper, DEVICE]
    micros: list[int | None] = [
        to_micros(NOW),
        to_micros(NOW),
        None,
        to_micros(NOW + timedelta(hours=1)),
        to_micros(NOW - timedelta(seconds=1)),
        10**18,  # past year 9999
    ]
    valid, rejected = check_columns(ids, micros, [False, False, False, False, True, False], NOW)
    assert valid.device_ids == [DEVICE, upper.lower()]
    assert valid.at_micros == [to_micros(NOW), to_micros(NOW - timedelta(seconds=1))]
    assert valid.faults == [False, True]
    reasons = {r.index: {(v.field, v.reason) for v in r.violations} for r in rejected}
    assert reasons == {
        1: {("device_id", "INVALID_FORMAT")},
        2: {("at", "REQUIRED")},
        3: {("at", "IN_FUTURE")},
        5: {("at", "INVALID_FORMAT")},
    }


def test_columns_of_checked_heartbeats_and_microseconds_round_trip() -> None:
    [heartbeat], _ = check_items(
        [HeartbeatItem(DEVICE.upper(), NOW + timedelta(microseconds=7), "fault")], NOW
    )
    columns = HeartbeatColumns.of([heartbeat])
    assert (columns.device_ids, columns.faults) == ([DEVICE], [True])
    assert from_micros(columns.at_micros[0]) == NOW + timedelta(microseconds=7)
    assert len(columns.slice(0, 1)) == 1
    assert len(columns.slice(1, 2)) == 0
