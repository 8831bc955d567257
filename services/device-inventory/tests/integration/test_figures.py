"""Dashboard figures through gRPC: online and compliance rates, offline critical devices, within scope."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from device_inventory.service.sweep import sweep_once
from neibao.deviceinventory.v1 import device_pb2, figures_pb2, figures_pb2_grpc

from .conftest import DALIAN_EXPRESS, HEPING_EXPRESS, HEPING_SHOP, Running

ALARM = device_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM
VIDEO = device_pb2.DEVICE_TYPE_VIDEO_CAMERA


async def figures(running: Running, user: str, **criteria: object) -> figures_pb2.GetFiguresResponse:
    stub = figures_pb2_grpc.FiguresServiceStub(running.channel)  # type: ignore[no-untyped-call]
    return await stub.GetFigures(figures_pb2.GetFiguresRequest(**criteria), metadata=running.auth(user))  # type: ignore[arg-type]


@pytest.fixture
async def equipped(running: Running) -> Running:
    """Shop: a camera online, an alarm faulty; Heping express: a camera unheard; Dalian: a camera online."""
    shop_camera = await running.register(
        "security-chief-demo", HEPING_SHOP, VIDEO, "摄像机", retention_days=30
    )
    shop_alarm = await running.register("security-chief-demo", HEPING_SHOP, ALARM, "一键报警")
    await running.register("police-heping", HEPING_EXPRESS, VIDEO, "摄像机")
    dalian = await running.register("police-dalian", DALIAN_EXPRESS, VIDEO, "摄像机")
    now = datetime.now(UTC)
    beats = []
    for device_id, status in (
        (shop_camera.id, 0),
        (shop_alarm.id, device_pb2.HEARTBEAT_STATUS_FAULT),
        (dalian.id, 0),
    ):
        beat = device_pb2.Heartbeat(device_id=device_id, status=status)
        beat.at.FromDatetime(now)
        beats.append(beat)
    await running.devices.RecordHeartbeats(
        device_pb2.RecordHeartbeatsRequest(heartbeats=beats), metadata=running.auth("admin")
    )
    await sweep_once(running.inventory)  # every unit's compliance evaluated
    return running


async def test_the_admin_sees_the_province_by_city(equipped: Running) -> None:
    answer = await figures(equipped, "admin")
    rows = {row.key: row for row in answer.rows}
    assert set(rows) == {"210100", "210200"}
    shenyang = rows["210100"]
    assert (shenyang.devices, shenyang.online, shenyang.fault, shenyang.unknown) == (3, 1, 1, 1)
    assert shenyang.online_rate == pytest.approx(0.5)
    assert shenyang.offline_critical == 1
    assert (shenyang.units, shenyang.units_evaluated) == (2, 2)
    # The shop (nothing required) is compliant; the Heping express company lacks its alarm and X-ray.
    assert shenyang.units_compliant == 1
    assert shenyang.compliance_rate == pytest.approx(0.5)
    assert answer.total.devices == 4
    assert answer.total.online == 2
    assert answer.total.units == 3


async def test_figures_hold_only_the_callers_scope(equipped: Running) -> None:
    heping = await figures(equipped, "police-heping")
    assert [row.key for row in heping.rows] == ["210102"]
    assert heping.total.devices == 3
    dalian = await figures(equipped, "police-dalian")
    assert dalian.total.devices == 1
    assert dalian.total.units == 1
    postal = await figures(equipped, "regulator-postal", group_by=figures_pb2.FIGURE_GROUPING_SECTOR)
    assert [row.key for row in postal.rows] == ["postal"]
    assert postal.total.devices == 2
    assert postal.total.units == 2
    mine = await figures(equipped, "security-chief-demo")
    assert mine.total.devices == 2
    assert mine.total.units == 1
    nothing = await figures(equipped, "regulator-commerce-dalian")
    assert (nothing.total.devices, nothing.total.units) == (0, 0)
    assert nothing.total.online_rate == 0.0


async def test_figures_for_one_district_and_sector(equipped: Running) -> None:
    district = await figures(equipped, "admin", jurisdiction="210102")
    assert [row.key for row in district.rows] == ["210102"]
    assert district.total.devices == 3
    postal = await figures(equipped, "admin", sector="postal", group_by=figures_pb2.FIGURE_GROUPING_SECTOR)
    assert postal.total.units == 2
