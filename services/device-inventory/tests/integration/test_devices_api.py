"""Devices through gRPC with real tokens: registration, reads and lists in scope, bad input, changes."""

from __future__ import annotations

import uuid

import grpc
import pytest

from neibao.deviceinventory.v1 import device_pb2

from .conftest import (
    DALIAN_EXPRESS,
    HEPING_EXPRESS,
    HEPING_SHOP,
    SHOP_KEY_PART,
    Running,
    field_violations,
)

VIDEO = device_pb2.DEVICE_TYPE_VIDEO_CAMERA
ALARM = device_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM


async def test_unit_security_registers_a_device_of_its_own_unit(running: Running) -> None:
    device = await running.register(
        "security-chief-demo",
        HEPING_SHOP,
        VIDEO,
        "金库门口摄像机",
        key_part=str(SHOP_KEY_PART),
        retention_days=30,
        networked_to_police=True,
        resolution="1920x1080",
    )
    assert device.id
    assert device.lifecycle == device_pb2.LIFECYCLE_INSTALLED
    assert device.status == device_pb2.DEVICE_STATUS_UNKNOWN
    assert device.retention_days == 30
    assert device.jurisdiction == "210102"
    assert device.supervision_interval_seconds == 120
    got = await running.devices.GetDevice(
        device_pb2.GetDeviceRequest(id=device.id), metadata=running.auth("police-heping")
    )
    assert got.device == device
    # The change and its effect on compliance are announced in the same transaction.
    assert running.event_types() == [
        "neibao.device-inventory.device.registered.v1",
        "neibao.device-inventory.compliance.changed.v1",
    ]


async def test_a_foreign_unit_or_device_is_not_found(running: Running) -> None:
    dalian = await running.register("police-dalian", DALIAN_EXPRESS, VIDEO, "分拣中心摄像机")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register("security-chief-demo", DALIAN_EXPRESS, VIDEO, "x")
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    for user in ("security-chief-demo", "police-heping", "regulator-commerce-dalian"):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await running.devices.GetDevice(
                device_pb2.GetDeviceRequest(id=dalian.id), metadata=running.auth(user)
            )
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND, user


async def test_an_unknown_unit_answers_like_a_foreign_one(running: Running) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register("admin", "91210102MA0LN00775", VIDEO, "x")
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register("admin", "not-a-uscc", VIDEO, "x")
    assert field_violations(caught.value) == {"uscc": "INVALID_FORMAT"}


async def test_a_regulator_sees_but_may_not_register(running: Running) -> None:
    device = await running.register("police-heping", HEPING_EXPRESS, VIDEO, "营业厅摄像机")
    got = await running.devices.GetDevice(
        device_pb2.GetDeviceRequest(id=device.id), metadata=running.auth("regulator-postal")
    )
    assert got.device.id == device.id
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register("regulator-postal", HEPING_EXPRESS, VIDEO, "x")
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_bad_input_answers_field_violations_and_writes_nothing(running: Running) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register(
            "security-chief-demo",
            HEPING_SHOP,
            device_pb2.DEVICE_TYPE_ACCESS_CONTROL,
            "",
            retention_days=-3,
            key_part="not-a-uuid",
            install_date="yesterday",
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(caught.value) == {
        "name": "REQUIRED",
        "retention_days": "OUT_OF_RANGE",
        "key_part": "INVALID_FORMAT",
        "install_date": "INVALID_FORMAT",
    }
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register("security-chief-demo", HEPING_SHOP, 0, "无类型")
    assert field_violations(caught.value) == {"device_type": "REQUIRED"}
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.register("security-chief-demo", HEPING_SHOP, 999, "未知类型")
    assert field_violations(caught.value) == {"device_type": "UNKNOWN_VALUE"}
    assert running.rows("SELECT count(*) FROM device") == [(0,)]
    assert running.event_types() == []


async def test_lists_hold_only_the_callers_scope_and_page_by_cursor(running: Running) -> None:
    shop = [await running.register("security-chief-demo", HEPING_SHOP, VIDEO, f"摄像机{i}") for i in range(3)]
    express = await running.register("police-heping", HEPING_EXPRESS, ALARM, "一键报警")
    dalian = await running.register("police-dalian", DALIAN_EXPRESS, VIDEO, "摄像机")

    async def ids(user: str, **criteria: object) -> set[str]:
        seen: set[str] = set()
        cursor = ""
        while True:
            page = await running.devices.ListDevices(
                device_pb2.ListDevicesRequest(limit=2, cursor=cursor, **criteria),
                metadata=running.auth(user),  # type: ignore[arg-type]
            )
            assert len(page.items) <= 2
            seen |= {d.id for d in page.items}
            if not page.next_cursor:
                return seen
            cursor = page.next_cursor

    everyone = {d.id for d in (*shop, express, dalian)}
    assert await ids("admin") == everyone
    assert await ids("police-shenyang") == {d.id for d in (*shop, express)}
    assert await ids("police-dalian") == {dalian.id}
    assert await ids("security-chief-demo") == {d.id for d in shop}
    assert await ids("regulator-postal") == {express.id, dalian.id}
    assert await ids("regulator-commerce-dalian") == set()
    assert await ids("admin", device_type=ALARM) == {express.id}
    assert await ids("admin", uscc=HEPING_SHOP) == {d.id for d in shop}
    assert await ids("police-dalian", uscc=HEPING_SHOP) == set()


async def test_a_change_needs_the_current_version_and_is_announced(running: Running) -> None:
    device = await running.register("security-chief-demo", HEPING_SHOP, VIDEO, "摄像机", retention_days=15)
    changed = await running.devices.UpdateDevice(
        device_pb2.UpdateDeviceRequest(
            id=device.id, version=device.version, retention_days=45, lifecycle=device_pb2.LIFECYCLE_IN_SERVICE
        ),
        metadata=running.auth("security-chief-demo"),
    )
    assert changed.device.retention_days == 45
    assert changed.device.lifecycle == device_pb2.LIFECYCLE_IN_SERVICE
    assert changed.device.version == device.version + 1
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.devices.UpdateDevice(
            device_pb2.UpdateDeviceRequest(id=device.id, version=device.version, name="旧版本"),
            metadata=running.auth("security-chief-demo"),
        )
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "neibao.device-inventory.device.updated.v1" in running.event_types()


async def test_protection_quantities_per_unit_and_key_part(running: Running) -> None:
    response = await running.devices.SetProtection(
        device_pb2.SetProtectionRequest(
            uscc=HEPING_SHOP,
            key_part=str(SHOP_KEY_PART),
            items=[
                device_pb2.ProtectionItem(kind=device_pb2.PROTECTION_KIND_SAFE, quantity=2),
                device_pb2.ProtectionItem(
                    kind=device_pb2.PROTECTION_KIND_STEEL_FORK, quantity=4, note="值班室"
                ),
            ],
        ),
        metadata=running.auth("security-chief-demo"),
    )
    kinds = {(i.kind, i.quantity, i.category) for i in response.items}
    assert kinds == {
        (device_pb2.PROTECTION_KIND_SAFE, 2, device_pb2.PROTECTION_CATEGORY_PHYSICAL),
        (device_pb2.PROTECTION_KIND_STEEL_FORK, 4, device_pb2.PROTECTION_CATEGORY_GUARD_EQUIPMENT),
    }
    await running.devices.SetProtection(
        device_pb2.SetProtectionRequest(
            uscc=HEPING_SHOP,
            key_part=str(SHOP_KEY_PART),
            items=[device_pb2.ProtectionItem(kind=device_pb2.PROTECTION_KIND_SAFE, quantity=0)],
        ),
        metadata=running.auth("security-chief-demo"),
    )
    listed = await running.devices.ListProtection(
        device_pb2.ListProtectionRequest(uscc=HEPING_SHOP), metadata=running.auth("police-heping")
    )
    assert [(i.kind, i.quantity) for i in listed.items] == [(device_pb2.PROTECTION_KIND_STEEL_FORK, 4)]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.devices.ListProtection(
            device_pb2.ListProtectionRequest(uscc=HEPING_SHOP), metadata=running.auth("police-dalian")
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await running.devices.SetProtection(
            device_pb2.SetProtectionRequest(
                uscc=HEPING_SHOP,
                items=[device_pb2.ProtectionItem(kind=device_pb2.PROTECTION_KIND_BATON, quantity=-1)],
            ),
            metadata=running.auth("security-chief-demo"),
        )
    assert field_violations(caught.value) == {"items[0].quantity": "OUT_OF_RANGE"}


async def test_optional_fields_are_cleared_and_a_device_detached_from_its_key_part(running: Running) -> None:
    device = await running.register(
        "security-chief-demo",
        HEPING_SHOP,
        VIDEO,
        "摄像机",
        key_part=str(SHOP_KEY_PART),
        make="海康",
        serial="SN1",
    )
    assert device.key_part == str(SHOP_KEY_PART)
    # Present but empty: cleared (absent fields are left as they are).
    changed = await running.devices.UpdateDevice(
        device_pb2.UpdateDeviceRequest(id=device.id, version=device.version, key_part="", make=""),
        metadata=running.auth("security-chief-demo"),
    )
    assert (changed.device.key_part, changed.device.make, changed.device.serial) == ("", "", "SN1")
    [row] = running.rows("SELECT key_part, make FROM device WHERE id = %s", uuid.UUID(device.id))
    assert row == (None, "")
