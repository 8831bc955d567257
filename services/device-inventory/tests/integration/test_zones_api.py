"""An intrusion panel's zones (防区) through gRPC and PostgreSQL: kept with the device, replaced, cleared."""

from __future__ import annotations

import grpc
import pytest

from neibao.deviceinventory.v1 import device_pb2

from .conftest import HEPING_SHOP, SHOP_KEY_PART, Running, field_violations

PANEL = device_pb2.DEVICE_TYPE_INTRUSION_PANEL
DOOR = device_pb2.ZONE_DETECTOR_DOOR_CONTACT
PIR = device_pb2.ZONE_DETECTOR_PASSIVE_INFRARED
GLASS = device_pb2.ZONE_DETECTOR_GLASS_BREAK


async def test_a_panels_zones_are_registered_read_back_replaced_and_cleared(running: Running) -> None:
    zones = [
        device_pb2.Zone(number=2, name="金库红外", key_part=str(SHOP_KEY_PART), detector=PIR),
        device_pb2.Zone(number=1, name="前门门磁", detector=DOOR),
    ]
    device = await running.register("security-chief-demo", HEPING_SHOP, PANEL, "入侵报警主机", zones=zones)
    assert [(z.number, z.name, z.key_part, z.detector) for z in device.zones] == [
        (1, "前门门磁", "", DOOR),
        (2, "金库红外", str(SHOP_KEY_PART), PIR),
    ]

    async def update(user: str = "police-heping", **fields: object) -> device_pb2.Device:
        current = await running.devices.GetDevice(
            device_pb2.GetDeviceRequest(id=device.id), metadata=running.auth(user)
        )
        answer = await running.devices.UpdateDevice(
            device_pb2.UpdateDeviceRequest(id=device.id, version=current.device.version, **fields),  # type: ignore[arg-type]
            metadata=running.auth(user),
        )
        return answer.device

    got = await running.devices.GetDevice(
        device_pb2.GetDeviceRequest(id=device.id), metadata=running.auth("police-heping")
    )
    assert got.device.zones == device.zones

    # Without replace_zones the zones stay as they are.
    kept = await update(location="一楼")
    assert kept.zones == device.zones
    assert kept.location == "一楼"

    replaced = await update(zones=[device_pb2.Zone(number=9, name="窗", detector=GLASS)], replace_zones=True)
    assert [(z.number, z.name, z.detector) for z in replaced.zones] == [(9, "窗", GLASS)]
    assert replaced.version == kept.version + 1
    listed = await running.devices.ListDevices(
        device_pb2.ListDevicesRequest(uscc=HEPING_SHOP, device_type=PANEL), metadata=running.auth("admin")
    )
    assert [d.zones for d in listed.items if d.id == device.id] == [replaced.zones]

    cleared = await update(replace_zones=True)
    assert list(cleared.zones) == []
    [row] = running.rows("SELECT zones FROM device WHERE id = %s::uuid", device.id)
    assert row == ([],)
    assert running.event_types().count("neibao.device-inventory.device.updated.v1") == 3


async def test_bad_zones_answer_field_violations_and_write_nothing(running: Running) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register(
            "security-chief-demo",
            HEPING_SHOP,
            device_pb2.DEVICE_TYPE_VIDEO_CAMERA,
            "摄像机",
            zones=[device_pb2.Zone(number=1, name="前门", detector=DOOR)],
        )
    assert field_violations(caught.value) == {"zones": "NOT_APPLICABLE"}
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register(
            "security-chief-demo",
            HEPING_SHOP,
            PANEL,
            "主机",
            zones=[
                device_pb2.Zone(number=1, name="前门", detector=DOOR),
                device_pb2.Zone(
                    number=1, name="后门", key_part="0b6c3f3e-8d7a-4f3c-9a51-2f0e4d6b7a10", detector=99
                ),
            ],
        )
    assert field_violations(caught.value) == {
        "zones[1].number": "DUPLICATE",
        "zones[1].key_part": "UNKNOWN_KEY_PART",
        "zones[1].detector": "UNKNOWN_VALUE",
    }
    assert running.rows("SELECT count(*) FROM device") == [(0,)]
