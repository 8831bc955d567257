"""Alarm figures over gRPC with real PostgreSQL: per day in China time, outcomes, police acknowledgement
times and open alarms per priority, each caller counting only the alarms in its scope."""

from __future__ import annotations

import grpc
import pytest

from neibao.alarmrouting.v1 import alarm_pb2

from .conftest import DALIAN_EXPRESS, HEPING_SHOP, Running, field_violations

INTRUSION = alarm_pb2.ALARM_KIND_INTRUSION


async def figures(service: Running, user: str, days: int = 7) -> alarm_pb2.GetAlarmFiguresResponse:
    return await service.alarms.GetAlarmFigures(
        alarm_pb2.GetAlarmFiguresRequest(days=days), metadata=service.auth(user)
    )


async def test_figures_count_each_callers_alarms_by_day_outcome_and_acknowledgement(service: Running) -> None:
    acknowledged = (
        await service.raise_alarm("police-heping", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    await service.raise_alarm("police-heping", uscc=HEPING_SHOP, kind=INTRUSION, priority=3)
    await service.raise_alarm("police-dalian", uscc=DALIAN_EXPRESS, kind=INTRUSION, priority=1)
    await service.alarms.AcknowledgeAlarm(
        alarm_pb2.AcknowledgeAlarmRequest(id=acknowledged.id), metadata=service.auth("police-heping")
    )
    await service.alarms.ResolveAlarm(
        alarm_pb2.ResolveAlarmRequest(id=acknowledged.id, outcome=alarm_pb2.OUTCOME_FALSE),
        metadata=service.auth("police-heping"),
    )

    heping = await figures(service, "police-heping")
    assert len(heping.days) == 7
    assert [d.raised for d in heping.days[:-1]] == [0] * 6
    today = heping.days[-1]
    assert (today.raised, today.real, today.false_alarms) == (2, 0, 1)
    assert {(c.priority, c.count) for c in today.by_priority} == {(2, 1), (3, 1)}
    assert today.median_acknowledge_seconds > 0
    assert {(c.priority, c.count) for c in heping.open_by_priority} == {(3, 1)}

    admin = await figures(service, "admin", days=0)
    assert len(admin.days) == 30
    assert admin.days[-1].raised == 3
    assert {(c.priority, c.count) for c in admin.open_by_priority} == {(1, 1), (3, 1)}
    dalian = await figures(service, "police-dalian")
    assert dalian.days[-1].raised == 1
    assert dalian.days[-1].median_acknowledge_seconds == 0

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await figures(service, "admin", days=91)
    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(raised.value) == {"days": "OUT_OF_RANGE"}
