"""Heartbeat items are checked one by one; the status a heartbeat leads to."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from device_inventory.domain.enums import DeviceStatus
from device_inventory.domain.heartbeats import (
    HeartbeatItem,
    check_items,
    is_overdue,
    status_after_heartbeat,
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
