"""Silences through gRPC on the real database: suppressed alarms are taken in, kept visible and routed to
nobody; device-scoped windows; life-safety silences only with a second person's approval; scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from neibao.alarmrouting.v1 import alarm_pb2, silence_pb2, silence_pb2_grpc

from .conftest import DALIAN_EXPRESS, HEPING_SHOP, Running, field_violations

INTRUSION = alarm_pb2.ALARM_KIND_INTRUSION
PANIC = alarm_pb2.ALARM_KIND_PANIC


def stub(service: Running) -> silence_pb2_grpc.SilenceServiceStub:
    return silence_pb2_grpc.SilenceServiceStub(service.channel)


def in_hours(hours: float) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(datetime.now(UTC) + timedelta(hours=hours))
    return stamp


async def create(service: Running, user: str, **fields: object) -> silence_pb2.Silence:
    request = silence_pb2.CreateSilenceRequest(
        **{"uscc": HEPING_SHOP, "ends_at": in_hours(2), "reason": "消防系统检修", **fields}  # type: ignore[arg-type]
    )
    return (await stub(service).CreateSilence(request, metadata=service.auth(user))).silence


async def test_a_silenced_alarm_is_kept_visible_and_routed_to_nobody(service: Running) -> None:
    window = await create(service, "security-chief-demo")
    assert window.state == silence_pb2.SILENCE_STATE_ACTIVE
    assert window.created_by.name == "security-chief-demo"
    quiet = (
        await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    assert quiet.silence_id == window.id
    assert list(quiet.routes) == []
    assert quiet.status == alarm_pb2.ALARM_STATUS_RECEIVED
    assert quiet.timeline[-1].type == alarm_pb2.TIMELINE_ENTRY_TYPE_SUPPRESSED
    assert "消防系统检修" in quiet.timeline[-1].detail
    assert service.rows("SELECT count(*) FROM escalation_timer") == [(0,)]
    assert service.event_types() == [
        "neibao.alarm-routing.silence.created.v1",
        "neibao.alarm-routing.alarm.raised.v1",
    ]
    # Police still see it, as suppressed.
    listed = await service.alarms.ListAlarms(
        alarm_pb2.ListAlarmsRequest(), metadata=service.auth("police-heping")
    )
    assert [(a.id, a.silence_id) for a in listed.items] == [(quiet.id, window.id)]
    # A panic alarm is never silenced by a silence that does not say so.
    panic = (await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=PANIC, priority=1)).alarm
    assert panic.silence_id == ""
    assert panic.routes
    # Cancelled: alarms go out again.
    cancelled = await stub(service).CancelSilence(
        silence_pb2.CancelSilenceRequest(id=window.id), metadata=service.auth("security-chief-demo")
    )
    assert cancelled.silence.state == silence_pb2.SILENCE_STATE_CANCELLED
    loud = (
        await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    assert loud.silence_id == ""
    assert loud.routes


async def test_a_device_window_silences_that_device_only(service: Running) -> None:
    await create(service, "police-heping", device_id="panel-9", reason="维保")
    silenced = await service.raise_alarm(
        "police-heping", uscc=HEPING_SHOP, kind=INTRUSION, priority=3, device_id="panel-9"
    )
    other = await service.raise_alarm(
        "police-heping", uscc=HEPING_SHOP, kind=INTRUSION, priority=3, device_id="x"
    )
    assert silenced.alarm.silence_id
    assert not other.alarm.silence_id


async def test_silencing_panic_alarms_needs_a_second_person(service: Running) -> None:
    pending = await create(service, "police-heping", includes_life_safety=True, reason="一键报警系统改造")
    assert pending.state == silence_pb2.SILENCE_STATE_PENDING_APPROVAL
    panic = (await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=PANIC, priority=1)).alarm
    assert not panic.silence_id
    approve = silence_pb2.ApproveSilenceRequest(id=pending.id)
    for user, code in (
        ("police-heping", grpc.StatusCode.PERMISSION_DENIED),  # its author
        ("security-chief-demo", grpc.StatusCode.PERMISSION_DENIED),  # not police
        ("police-dalian", grpc.StatusCode.NOT_FOUND),  # outside its scope
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await stub(service).ApproveSilence(approve, metadata=service.auth(user))
        assert raised.value.code() is code, user
    approved = (await stub(service).ApproveSilence(approve, metadata=service.auth("police-shenyang"))).silence
    assert approved.state == silence_pb2.SILENCE_STATE_ACTIVE
    assert approved.approved_by.name == "police-shenyang"
    silenced = (
        await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=PANIC, priority=1)
    ).alarm
    assert silenced.silence_id == pending.id
    # Each change announced on the alarm stream, with the unit's scope for the live stream's filter.
    announced = service.rows(
        "SELECT headers->>'ce_type', headers->>'ce_subject', headers->>'ce_jurisdiction' FROM outbox"
        " WHERE headers->>'ce_type' LIKE 'neibao.alarm-routing.silence.%%' ORDER BY id"
    )
    assert announced == [
        ("neibao.alarm-routing.silence.created.v1", pending.id, "210102"),
        ("neibao.alarm-routing.silence.approved.v1", pending.id, "210102"),
    ]


async def test_silences_are_scoped_and_validated(service: Running) -> None:
    mine = await create(service, "security-chief-demo")
    for user, expected in (("police-heping", [mine.id]), ("police-dalian", []), ("admin", [mine.id])):
        listed = await stub(service).ListSilences(
            silence_pb2.ListSilencesRequest(), metadata=service.auth(user)
        )
        assert [s.id for s in listed.items] == expected, user
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub(service).CreateSilence(
            silence_pb2.CreateSilenceRequest(uscc=DALIAN_EXPRESS, ends_at=in_hours(1), reason="x"),
            metadata=service.auth("security-chief-demo"),
        )
    assert raised.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub(service).CreateSilence(
            silence_pb2.CreateSilenceRequest(uscc=HEPING_SHOP), metadata=service.auth("police-heping")
        )
    assert field_violations(raised.value) == {"reason": "REQUIRED", "ends_at": "REQUIRED"}
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await create(service, "regulator-postal")
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
