"""Heartbeats through the batch method, and the offline sweep with a short supervision interval."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp

from device_inventory.service.sweep import sweep_once
from neibao.deviceinventory.v1 import device_pb2, events_pb2

from .conftest import DALIAN_EXPRESS, HEPING_SHOP, Running

ALARM = device_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM
STATUS_CHANGED = "neibao.device-inventory.device.status-changed.v1"


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


def beat(device_id: str, moment: datetime | None = None, status: int = 0) -> device_pb2.Heartbeat:
    heartbeat = device_pb2.Heartbeat(device_id=device_id, status=status)
    heartbeat.at.CopyFrom(stamp(moment or datetime.now(UTC)))
    return heartbeat


def status_events(running: Running) -> list[events_pb2.DeviceStatusChanged]:
    rows = running.rows(
        "SELECT payload FROM outbox WHERE headers->>'ce_type' = %s ORDER BY id", STATUS_CHANGED
    )
    return [events_pb2.DeviceStatusChanged.FromString(bytes(row[0])) for row in rows]


async def status_of(running: Running, device_id: str) -> int:
    got = await running.devices.GetDevice(
        device_pb2.GetDeviceRequest(id=device_id), metadata=running.auth("admin")
    )
    return got.device.status


async def test_each_item_is_answered_and_valid_ones_are_kept(running: Running) -> None:
    mine = await running.register(
        "security-chief-demo", HEPING_SHOP, ALARM, "收银台一键报警", networked_to_police=True
    )
    other = await running.register("security-chief-demo", HEPING_SHOP, ALARM, "金库一键报警")
    foreign = await running.register("police-dalian", DALIAN_EXPRESS, ALARM, "大连一键报警")
    now = datetime.now(UTC)
    no_time = device_pb2.Heartbeat(device_id=mine.id)
    response = await running.devices.RecordHeartbeats(
        device_pb2.RecordHeartbeatsRequest(
            heartbeats=[
                beat(mine.id, now - timedelta(milliseconds=200)),
                beat("nonsense"),
                beat(foreign.id),
                beat(str(uuid.uuid4())),
                no_time,
                beat(other.id, now, device_pb2.HEARTBEAT_STATUS_FAULT),
                beat(mine.id, now),
                beat(mine.id, now + timedelta(hours=2)),
            ]
        ),
        metadata=running.auth("security-chief-demo"),
    )
    results = {r.index: (r.accepted, [(v.field, v.reason) for v in r.violations]) for r in response.results}
    assert results == {
        0: (True, []),
        1: (False, [("device_id", "INVALID_FORMAT")]),
        2: (False, [("device_id", "NOT_FOUND")]),
        3: (False, [("device_id", "NOT_FOUND")]),
        4: (False, [("at", "REQUIRED")]),
        5: (True, []),
        6: (True, []),
        7: (False, [("at", "IN_FUTURE")]),
    }
    assert (response.accepted, response.rejected) == (3, 5)
    assert await status_of(running, mine.id) == device_pb2.DEVICE_STATUS_ONLINE
    assert await status_of(running, other.id) == device_pb2.DEVICE_STATUS_FAULT
    assert await status_of(running, foreign.id) == device_pb2.DEVICE_STATUS_UNKNOWN
    # The latest of the two heartbeats of `mine` is kept.
    got = await running.devices.GetDevice(
        device_pb2.GetDeviceRequest(id=mine.id), metadata=running.auth("admin")
    )
    assert got.device.last_heartbeat_at.ToDatetime(tzinfo=UTC) == now.replace(microsecond=now.microsecond)
    # A first heartbeat is no news; a fault is.
    changes = {(e.device_id, e.previous, e.status) for e in status_events(running)}
    assert changes == {(other.id, device_pb2.DEVICE_STATUS_UNKNOWN, device_pb2.DEVICE_STATUS_FAULT)}
    # An older heartbeat changes nothing, and is still accepted (it is valid).
    again = await running.devices.RecordHeartbeats(
        device_pb2.RecordHeartbeatsRequest(heartbeats=[beat(mine.id, now - timedelta(seconds=1))]),
        metadata=running.auth("security-chief-demo"),
    )
    assert again.accepted == 1
    got = await running.devices.GetDevice(
        device_pb2.GetDeviceRequest(id=mine.id), metadata=running.auth("admin")
    )
    assert got.device.last_heartbeat_at.ToDatetime(tzinfo=UTC) == now


async def test_a_retired_device_refuses_heartbeats(running: Running) -> None:
    device = await running.register("security-chief-demo", HEPING_SHOP, ALARM, "旧报警")
    await running.devices.UpdateDevice(
        device_pb2.UpdateDeviceRequest(
            id=device.id, version=device.version, lifecycle=device_pb2.LIFECYCLE_RETIRED
        ),
        metadata=running.auth("security-chief-demo"),
    )
    response = await running.devices.RecordHeartbeats(
        device_pb2.RecordHeartbeatsRequest(heartbeats=[beat(device.id)]),
        metadata=running.auth("security-chief-demo"),
    )
    assert [(v.field, v.reason) for v in response.results[0].violations] == [("device_id", "RETIRED")]


async def test_a_silent_device_goes_offline_and_comes_back_with_a_fresh_heartbeat(running: Running) -> None:
    # one_button_alarm is supervised every 1 s in these tests: offline after 1 s + 3 s grace.
    device = await running.register(
        "security-chief-demo", HEPING_SHOP, ALARM, "一键报警", networked_to_police=True
    )
    quiet = await running.register("security-chief-demo", HEPING_SHOP, ALARM, "从未上线")
    await running.devices.RecordHeartbeats(
        device_pb2.RecordHeartbeatsRequest(heartbeats=[beat(device.id)]),
        metadata=running.auth("security-chief-demo"),
    )
    last_beat = time.monotonic()
    assert (await sweep_once(running.inventory)).offline == 0
    assert await status_of(running, device.id) == device_pb2.DEVICE_STATUS_ONLINE
    # Sweep as the sweep process does (every 2 s by default) until it goes offline.
    while (await sweep_once(running.inventory)).offline == 0:
        assert time.monotonic() - last_beat < 1 + 10, "offline not detected within interval + 10 s"
        await asyncio.sleep(0.5)
    lag = time.monotonic() - last_beat
    assert lag >= 1 + 3 - 0.5  # not before interval + grace
    assert await status_of(running, device.id) == device_pb2.DEVICE_STATUS_OFFLINE
    assert await status_of(running, quiet.id) == device_pb2.DEVICE_STATUS_UNKNOWN
    offline = status_events(running)[-1]
    assert (offline.device_id, offline.previous, offline.status) == (
        device.id,
        device_pb2.DEVICE_STATUS_ONLINE,
        device_pb2.DEVICE_STATUS_OFFLINE,
    )
    assert offline.uscc == HEPING_SHOP
    assert offline.jurisdiction == "210102"
    assert offline.networked_to_police
    # The next sweep announces nothing new.
    assert (await sweep_once(running.inventory)).offline == 0
    # A stale heartbeat (older than interval + grace) does not bring it back; a fresh one does.
    await running.devices.RecordHeartbeats(
        device_pb2.RecordHeartbeatsRequest(
            heartbeats=[beat(device.id, datetime.now(UTC) - timedelta(seconds=6))]
        ),
        metadata=running.auth("security-chief-demo"),
    )
    assert await status_of(running, device.id) == device_pb2.DEVICE_STATUS_OFFLINE
    await running.devices.RecordHeartbeats(
        device_pb2.RecordHeartbeatsRequest(heartbeats=[beat(device.id)]),
        metadata=running.auth("security-chief-demo"),
    )
    assert await status_of(running, device.id) == device_pb2.DEVICE_STATUS_ONLINE
    back = status_events(running)[-1]
    assert (back.previous, back.status) == (device_pb2.DEVICE_STATUS_OFFLINE, device_pb2.DEVICE_STATUS_ONLINE)


async def test_listing_by_status(running: Running) -> None:
    online = await running.register("security-chief-demo", HEPING_SHOP, ALARM, "在线")
    await running.register("security-chief-demo", HEPING_SHOP, ALARM, "未知")
    await running.devices.RecordHeartbeats(
        device_pb2.RecordHeartbeatsRequest(heartbeats=[beat(online.id)]),
        metadata=running.auth("security-chief-demo"),
    )
    page = await running.devices.ListDevices(
        device_pb2.ListDevicesRequest(status=device_pb2.DEVICE_STATUS_ONLINE),
        metadata=running.auth("police-heping"),
    )
    assert [d.id for d in page.items] == [online.id]
