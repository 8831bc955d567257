"""Intake, reads, acknowledgement, dispatch and resolution through gRPC, with real tokens and PostgreSQL."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from neibao.alarmrouting.v1 import alarm_pb2

from .conftest import DALIAN_EXPRESS, HEPING_EXPRESS, HEPING_SHOP, HEPING_STATION, Running, field_violations

PANIC = alarm_pb2.ALARM_KIND_PANIC
INTRUSION = alarm_pb2.ALARM_KIND_INTRUSION


def parties(alarm: alarm_pb2.Alarm) -> dict[int, str]:
    return {route.party: route.target for route in alarm.routes}


async def test_an_alarm_is_committed_routed_and_announced_before_the_answer(service: Running) -> None:
    answer = await service.raise_alarm(
        "security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2, description="后门红外报警"
    )
    alarm = answer.alarm
    assert not answer.duplicate
    assert alarm.status == alarm_pb2.ALARM_STATUS_ROUTED
    assert parties(alarm) == {
        alarm_pb2.PARTY_KIND_POLICE_STATION: HEPING_STATION,
        alarm_pb2.PARTY_KIND_UNIT_SECURITY: HEPING_SHOP,
        alarm_pb2.PARTY_KIND_SECTOR_REGULATOR: "commerce",
    }
    assert all(route.reason and route.rule_id and route.rules_version for route in alarm.routes)
    assert service.rows("SELECT status, jurisdiction, sector FROM alarm WHERE id = %s", alarm.id) == [
        ("routed", "210102", "commerce")
    ]
    # One event for the intake, with the routes.
    assert service.event_types() == ["neibao.alarm-routing.alarm.raised.v1"]
    # A durable timer at each responding party's deadline: the station's escalates, the security office's
    # is announced when missed.
    timers = service.rows(
        "SELECT r.party, t.due_at = r.acknowledge_by"
        " FROM escalation_timer t JOIN alarm_route r ON r.id = t.route_id"
    )
    assert sorted(timers) == [("police_station", True), ("unit_security", True)]
    fetched = await service.alarms.GetAlarm(
        alarm_pb2.GetAlarmRequest(id=alarm.id), metadata=service.auth("police-heping")
    )
    assert [e.type for e in fetched.alarm.timeline][:2] == [
        alarm_pb2.TIMELINE_ENTRY_TYPE_RECEIVED,
        alarm_pb2.TIMELINE_ENTRY_TYPE_ROUTED,
    ]
    assert fetched.alarm.unit.name == "沈阳太原街商贸中心有限公司"


async def test_a_panic_alarm_is_priority_1_and_reaches_the_city_command_centre(service: Running) -> None:
    alarm = (await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=PANIC, priority=3)).alarm
    assert alarm.priority == 1
    assert parties(alarm)[alarm_pb2.PARTY_KIND_CITY_COMMAND] == "210100"
    assert alarm_pb2.TIMELINE_ENTRY_TYPE_PRIORITY_RAISED in [e.type for e in alarm.timeline]


async def test_retransmits_are_the_same_alarm(service: Running) -> None:
    fields = {
        "uscc": HEPING_SHOP,
        "kind": INTRUSION,
        "priority": 2,
        "source": "panel-7",
        "source_id": "seq-41",
    }
    answers = await asyncio.gather(*(service.raise_alarm("security-chief-demo", **fields) for _ in range(5)))
    assert len({answer.alarm.id for answer in answers}) == 1
    assert sorted(answer.duplicate for answer in answers) == [False, True, True, True, True]
    assert service.rows("SELECT count(*) FROM alarm") == [(1,)]
    assert service.event_types().count("neibao.alarm-routing.alarm.raised.v1") == 1
    # Another sender's identical id is another alarm.
    other = await service.raise_alarm("police-heping", **fields)
    assert not other.duplicate


async def test_invalid_input_names_the_fields(service: Running) -> None:
    request = alarm_pb2.RaiseAlarmRequest(uscc="91210102MA0LN001X4", priority=7)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.alarms.RaiseAlarm(request, metadata=service.auth("admin"))
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(raised.value) == {
        "uscc": "INVALID_USCC",
        "kind": "REQUIRED",
        "priority": "OUT_OF_RANGE",
        "occurred_at": "REQUIRED",
    }


async def test_scope_hides_foreign_alarms_and_units(service: Running) -> None:
    shop = (
        await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    dalian = (await service.raise_alarm("admin", uscc=DALIAN_EXPRESS, kind=INTRUSION, priority=2)).alarm
    express = (
        await service.raise_alarm("police-heping", uscc=HEPING_EXPRESS, kind=INTRUSION, priority=3)
    ).alarm

    async def visible(user: str) -> set[str]:
        page = await service.alarms.ListAlarms(alarm_pb2.ListAlarmsRequest(), metadata=service.auth(user))
        return {a.id for a in page.items}

    assert await visible("police-heping") == {shop.id, express.id}
    assert await visible("police-dalian") == {dalian.id}
    assert await visible("police-shenyang") == {shop.id, express.id}
    assert await visible("regulator-postal") == {dalian.id, express.id}
    assert await visible("regulator-commerce-dalian") == set()
    assert await visible("security-chief-demo") == {shop.id}
    assert await visible("admin") == {shop.id, dalian.id, express.id}
    for user, alarm_id in (("police-dalian", shop.id), ("security-chief-demo", express.id)):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await service.alarms.GetAlarm(alarm_pb2.GetAlarmRequest(id=alarm_id), metadata=service.auth(user))
        assert raised.value.code() is grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await service.alarms.AcknowledgeAlarm(
                alarm_pb2.AcknowledgeAlarmRequest(id=alarm_id), metadata=service.auth(user)
            )
        assert raised.value.code() is grpc.StatusCode.NOT_FOUND
    # A unit's security staff raise alarms for their own unit only; a foreign unit does not exist for them.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.raise_alarm("security-chief-demo", uscc=DALIAN_EXPRESS, kind=INTRUSION, priority=2)
    assert raised.value.code() is grpc.StatusCode.NOT_FOUND
    # Regulators are informed; they do not raise alarms.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.raise_alarm("regulator-postal", uscc=DALIAN_EXPRESS, kind=INTRUSION, priority=2)
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_list_filters_and_pages(service: Running) -> None:
    ids = [
        (await service.raise_alarm("admin", uscc=HEPING_SHOP, kind=INTRUSION, priority=3)).alarm.id
        for _ in range(5)
    ]
    await service.raise_alarm("admin", uscc=DALIAN_EXPRESS, kind=INTRUSION, priority=3)
    seen: list[str] = []
    cursor = ""
    while True:
        page = await service.alarms.ListAlarms(
            alarm_pb2.ListAlarmsRequest(uscc=HEPING_SHOP, page_size=2, cursor=cursor),
            metadata=service.auth("admin"),
        )
        seen += [a.id for a in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == list(reversed(ids))
    resolved = await service.alarms.ListAlarms(
        alarm_pb2.ListAlarmsRequest(status=alarm_pb2.ALARM_STATUS_RESOLVED), metadata=service.auth("admin")
    )
    assert list(resolved.items) == []
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.alarms.ListAlarms(
            alarm_pb2.ListAlarmsRequest(cursor="nonsense"), metadata=service.auth("admin")
        )
    assert field_violations(raised.value) == {"cursor": "INVALID_CURSOR"}


async def test_each_party_acknowledges_for_itself_then_police_dispatch_and_resolve(service: Running) -> None:
    alarm = (
        await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    request = alarm_pb2.AcknowledgeAlarmRequest(id=alarm.id, note="保卫科已到场")
    acked = (
        await service.alarms.AcknowledgeAlarm(request, metadata=service.auth("security-chief-demo"))
    ).alarm
    by_party = {r.party: r for r in acked.routes}
    assert by_party[alarm_pb2.PARTY_KIND_UNIT_SECURITY].acknowledged_by.name == "security-chief-demo"
    assert by_party[alarm_pb2.PARTY_KIND_UNIT_SECURITY].acknowledgement_note == "保卫科已到场"
    assert not by_party[alarm_pb2.PARTY_KIND_POLICE_STATION].HasField("acknowledged_at")
    police = (
        await service.alarms.AcknowledgeAlarm(
            alarm_pb2.AcknowledgeAlarmRequest(id=alarm.id), metadata=service.auth("police-heping")
        )
    ).alarm
    station = next(r for r in police.routes if r.party == alarm_pb2.PARTY_KIND_POLICE_STATION)
    assert station.acknowledged_by.name == "police-heping"
    assert police.status == alarm_pb2.ALARM_STATUS_ACKNOWLEDGED
    # Neither a regulator nor a unit's staff dispatch police.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.alarms.DispatchAlarm(
            alarm_pb2.DispatchAlarmRequest(id=alarm.id), metadata=service.auth("security-chief-demo")
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    dispatched = await service.alarms.DispatchAlarm(
        alarm_pb2.DispatchAlarmRequest(id=alarm.id, note="巡逻车已出发"),
        metadata=service.auth("police-heping"),
    )
    assert dispatched.alarm.status == alarm_pb2.ALARM_STATUS_DISPATCHED
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.alarms.ResolveAlarm(
            alarm_pb2.ResolveAlarmRequest(id=alarm.id), metadata=service.auth("police-heping")
        )
    assert field_violations(raised.value) == {"outcome": "REQUIRED"}
    resolved = await service.alarms.ResolveAlarm(
        alarm_pb2.ResolveAlarmRequest(id=alarm.id, outcome=alarm_pb2.OUTCOME_FALSE, note="误报"),
        metadata=service.auth("police-heping"),
    )
    assert resolved.alarm.status == alarm_pb2.ALARM_STATUS_RESOLVED
    assert resolved.alarm.outcome == alarm_pb2.OUTCOME_FALSE
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.alarms.DispatchAlarm(
            alarm_pb2.DispatchAlarmRequest(id=alarm.id), metadata=service.auth("police-heping")
        )
    assert raised.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert service.event_types()[1:] == [
        "neibao.alarm-routing.alarm.acknowledged.v1",
        "neibao.alarm-routing.alarm.acknowledged.v1",
        "neibao.alarm-routing.alarm.dispatched.v1",
        "neibao.alarm-routing.alarm.resolved.v1",
    ]
    timeline = [e.type for e in resolved.alarm.timeline]
    assert timeline[-4:] == [
        alarm_pb2.TIMELINE_ENTRY_TYPE_ACKNOWLEDGED,
        alarm_pb2.TIMELINE_ENTRY_TYPE_ACKNOWLEDGED,
        alarm_pb2.TIMELINE_ENTRY_TYPE_DISPATCHED,
        alarm_pb2.TIMELINE_ENTRY_TYPE_RESOLVED,
    ]
    headers = service.rows("SELECT headers->>'ce_jurisdiction', headers->>'ce_unit', key FROM outbox LIMIT 1")
    assert headers == [("210102", HEPING_SHOP, HEPING_SHOP.encode())]


async def test_a_unit_the_registry_never_announced_is_not_found(service: Running) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.raise_alarm("admin", uscc="91210102MA0LN9990M", kind=INTRUSION, priority=2)
    assert raised.value.code() is grpc.StatusCode.NOT_FOUND
    assert service.rows("SELECT count(*) FROM alarm") == [(0,)]


async def test_responders_on_scene_then_the_case_is_closed(service: Running) -> None:
    alarm = (
        await service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.alarms.ArriveAlarm(
            alarm_pb2.ArriveAlarmRequest(id=alarm.id), metadata=service.auth("security-chief-demo")
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    arrived = await service.alarms.ArriveAlarm(
        alarm_pb2.ArriveAlarmRequest(id=alarm.id, note="民警到场"), metadata=service.auth("police-heping")
    )
    assert arrived.alarm.status == alarm_pb2.ALARM_STATUS_ON_SCENE
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.alarms.CloseAlarm(
            alarm_pb2.CloseAlarmRequest(id=alarm.id), metadata=service.auth("police-heping")
        )
    assert raised.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    await service.alarms.ResolveAlarm(
        alarm_pb2.ResolveAlarmRequest(id=alarm.id, outcome=alarm_pb2.OUTCOME_REAL),
        metadata=service.auth("police-heping"),
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await service.alarms.CloseAlarm(
            alarm_pb2.CloseAlarmRequest(id=alarm.id), metadata=service.auth("security-chief-demo")
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    closed = await service.alarms.CloseAlarm(
        alarm_pb2.CloseAlarmRequest(id=alarm.id, note="结案"), metadata=service.auth("police-heping")
    )
    assert closed.alarm.status == alarm_pb2.ALARM_STATUS_CLOSED
    assert [e.type for e in closed.alarm.timeline][-3:] == [
        alarm_pb2.TIMELINE_ENTRY_TYPE_ON_SCENE,
        alarm_pb2.TIMELINE_ENTRY_TYPE_RESOLVED,
        alarm_pb2.TIMELINE_ENTRY_TYPE_CLOSED,
    ]
    assert service.event_types()[-3:] == [
        "neibao.alarm-routing.alarm.on-scene.v1",
        "neibao.alarm-routing.alarm.resolved.v1",
        "neibao.alarm-routing.alarm.closed.v1",
    ]
    assert service.rows("SELECT status FROM alarm WHERE id = %s", alarm.id) == [("closed",)]
