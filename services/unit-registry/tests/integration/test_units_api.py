"""Units over gRPC: field violations, uniqueness, optimistic concurrency, write rules, search, key units."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from neibao.unitregistry.v1 import unit_pb2

from .conftest import DALIAN_EXPRESS, HEPING_EXPRESS, HEPING_SHOP, Registry, field_violations, unit_fields

SHOP = unit_fields(
    HEPING_SHOP,
    "沈阳太原街商贸中心有限公司",
    "210102",
    unit_pb2.UNIT_TYPE_RESERVE_OR_TRADE_CENTRE,
    unit_pb2.SECTOR_COMMERCE,
)


def written(registry: Registry) -> tuple[int, int, int]:
    return (
        registry.count("SELECT count(*) FROM unit"),
        registry.count("SELECT count(*) FROM unit_change"),
        registry.count("SELECT count(*) FROM outbox"),
    )


async def create_error(registry: Registry, user: str, **fields: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.create(user, **fields)
    return caught.value


async def test_create_answers_the_unit_with_its_version(registry: Registry) -> None:
    unit = await registry.create(
        "police-heping",
        **SHOP,
        location=unit_pb2.Location(
            latitude=41.798, longitude=123.406, coordinate_system=unit_pb2.COORDINATE_SYSTEM_GCJ02
        ),
        legal_representative="赵建国",
    )
    assert (unit.uscc, unit.jurisdiction, unit.jurisdiction_name) == (HEPING_SHOP, "210102", "和平区")
    assert (unit.version, unit.etag, unit.status) == (1, '"1"', unit_pb2.UNIT_STATUS_ACTIVE)
    assert list(unit.sectors) == [unit_pb2.SECTOR_COMMERCE]
    assert unit.location.coordinate_system == unit_pb2.COORDINATE_SYSTEM_GCJ02
    assert written(registry) == (1, 1, 1)


async def test_bad_input_names_every_field_and_writes_nothing(registry: Registry) -> None:
    error = await create_error(
        registry, "admin", **{**SHOP, "uscc": "91210102MA0LN001X4", "name": "", "jurisdiction": "210100"}
    )
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(error) == {
        "uscc": "INVALID_USCC",
        "name": "REQUIRED",
        "jurisdiction": "NOT_COUNTY_LEVEL",
    }
    error = await create_error(registry, "admin", **{**SHOP, "jurisdiction": "210199"})
    assert field_violations(error) == {"jurisdiction": "UNKNOWN_JURISDICTION"}
    error = await create_error(registry, "admin", **{**SHOP, "police_station": "210202001"})
    assert field_violations(error) == {"police_station": "UNKNOWN_POLICE_STATION"}
    error = await create_error(registry, "admin", **{**SHOP, "unit_type": 99})
    assert field_violations(error) == {"unit_type": "UNKNOWN_VALUE"}
    assert written(registry) == (0, 0, 0)


async def test_a_duplicate_uscc_already_exists_and_writes_nothing(registry: Registry) -> None:
    await registry.create("admin", **SHOP)
    error = await create_error(registry, "police-heping", **{**SHOP, "name": "另一个名称"})
    assert error.code() is grpc.StatusCode.ALREADY_EXISTS
    assert field_violations(error) == {"uscc": "ALREADY_EXISTS"}
    assert written(registry) == (1, 1, 1)


async def test_police_register_only_inside_their_jurisdiction(registry: Registry) -> None:
    for user in ("police-dalian", "regulator-postal", "security-chief-demo"):
        error = await create_error(registry, user, **SHOP)
        assert error.code() is grpc.StatusCode.PERMISSION_DENIED
    assert written(registry) == (0, 0, 0)


def update(uscc: str, version: int, **fields: object) -> unit_pb2.UpdateUnitRequest:
    return unit_pb2.UpdateUnitRequest(
        uscc=uscc, version=version, update_mask=FieldMask(paths=list(fields)), **fields
    )  # type: ignore[arg-type]


async def test_update_needs_the_current_version(populated: Registry) -> None:
    stub, auth = populated.units, populated.auth("police-heping")
    renamed = (
        await stub.UpdateUnit(update(HEPING_SHOP, 1, name="沈阳太原街购物中心有限公司"), metadata=auth)
    ).unit
    assert (renamed.version, list(renamed.former_names)) == (2, ["沈阳太原街商贸中心有限公司"])
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.UpdateUnit(update(HEPING_SHOP, 1, address="辽宁省沈阳市和平区新地址1号"), metadata=auth)
    assert caught.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert populated.count("SELECT version FROM unit WHERE uscc = %s", HEPING_SHOP) == 2
    # The old name still finds the unit.
    found = await stub.ListUnits(unit_pb2.ListUnitsRequest(q="商贸中心"), metadata=auth)
    assert [u.uscc for u in found.items] == [HEPING_SHOP]
    history = await stub.ListUnitChanges(unit_pb2.ListUnitChangesRequest(uscc=HEPING_SHOP), metadata=auth)
    assert [(e.version, e.change_type) for e in history.items] == [(2, "updated"), (1, "registered")]
    assert {c.field for c in history.items[0].changes} == {"name", "former_names"}
    assert history.items[0].actor.name == "police-heping"


async def test_unit_security_changes_only_its_own_basic_fields(populated: Registry) -> None:
    stub, auth = populated.units, populated.auth("security-chief-demo")
    changed = await stub.UpdateUnit(update(HEPING_SHOP, 1, legal_representative="钱明"), metadata=auth)
    assert changed.unit.legal_representative == "钱明"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.UpdateUnit(update(HEPING_SHOP, 2, sector=unit_pb2.SECTOR_HOUSING), metadata=auth)
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.UpdateUnit(update(HEPING_EXPRESS, 1, name="别人的单位"), metadata=auth)
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND


async def test_regulators_read_only(populated: Registry) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await populated.units.UpdateUnit(
            update(DALIAN_EXPRESS, 1, name="改名"), metadata=populated.auth("regulator-postal")
        )
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_close(populated: Registry) -> None:
    stub, auth = populated.units, populated.auth("police-dalian")
    closed = await stub.CloseUnit(
        unit_pb2.CloseUnitRequest(uscc=DALIAN_EXPRESS, version=1, reason="注销"), metadata=auth
    )
    assert (closed.unit.status, closed.unit.version) == (unit_pb2.UNIT_STATUS_CLOSED, 2)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.CloseUnit(unit_pb2.CloseUnitRequest(uscc=DALIAN_EXPRESS, version=2), metadata=auth)
    assert caught.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    active = await stub.ListUnits(
        unit_pb2.ListUnitsRequest(status=unit_pb2.UNIT_STATUS_ACTIVE), metadata=auth
    )
    assert list(active.items) == []


async def test_name_search_with_two_characters_and_more(populated: Registry) -> None:
    stub, auth = populated.units, populated.auth("admin")

    async def search(q: str) -> set[str]:
        return {u.uscc for u in (await stub.ListUnits(unit_pb2.ListUnitsRequest(q=q), metadata=auth)).items}

    assert await search("速递") == {HEPING_EXPRESS, DALIAN_EXPRESS}
    assert await search("和平") == {HEPING_EXPRESS}
    assert await search("大连") == {DALIAN_EXPRESS}
    assert await search("递") == {HEPING_EXPRESS, DALIAN_EXPRESS}
    assert await search("顺捷速递") == {DALIAN_EXPRESS}
    assert await search("ＴＡＩＹＵＡＮ") == set()
    assert await search("太原街商贸") == {HEPING_SHOP}
    assert await search("连顺和") == set()
    assert await search("和平") == await search(" 和 平 ")


async def test_a_three_character_query_is_checked_in_one_piece(registry: Registry) -> None:
    await registry.create(
        "admin",
        **unit_fields(
            HEPING_SHOP, "和平区平和商店", "210102", unit_pb2.UNIT_TYPE_ENTERPRISE, unit_pb2.SECTOR_COMMERCE
        ),
    )
    auth = registry.auth("admin")
    # 和平 and 平和 are both in the name, but 和平和 is not.
    assert (
        list((await registry.units.ListUnits(unit_pb2.ListUnitsRequest(q="和平和"), metadata=auth)).items)
        == []
    )
    assert (
        len((await registry.units.ListUnits(unit_pb2.ListUnitsRequest(q="区平和"), metadata=auth)).items) == 1
    )


async def test_keyset_pages_cover_everything_once(populated: Registry) -> None:
    seen: list[str] = []
    cursor = ""
    while True:
        page = await populated.units.ListUnits(
            unit_pb2.ListUnitsRequest(limit=2, cursor=cursor), metadata=populated.auth("admin")
        )
        seen += [u.uscc for u in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    assert seen == sorted({HEPING_SHOP, HEPING_EXPRESS, DALIAN_EXPRESS})
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await populated.units.ListUnits(
            unit_pb2.ListUnitsRequest(cursor="nonsense"), metadata=populated.auth("admin")
        )
    assert field_violations(caught.value) == {"cursor": "INVALID_CURSOR"}


async def test_key_unit_proposed_by_district_police_confirmed_by_the_city_bureau(populated: Registry) -> None:
    stub = populated.units
    proposal = await stub.ProposeKeyUnit(
        unit_pb2.ProposeKeyUnitRequest(
            uscc=HEPING_SHOP,
            category=unit_pb2.KEY_UNIT_CATEGORY_RESERVE_OR_TRADE_CENTRE,
            reason="大型商贸中心",
        ),
        metadata=populated.auth("police-heping"),
    )
    assert proposal.designation.state == unit_pb2.DESIGNATION_STATE_PROPOSED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.ConfirmKeyUnit(
            unit_pb2.ConfirmKeyUnitRequest(uscc=HEPING_SHOP), metadata=populated.auth("police-heping")
        )
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED
    confirmed = await stub.ConfirmKeyUnit(
        unit_pb2.ConfirmKeyUnitRequest(uscc=HEPING_SHOP, version=1, designated_on="2025-03-01"),
        metadata=populated.auth("police-shenyang"),
    )
    assert confirmed.unit.key_unit
    assert confirmed.unit.version == 2
    assert confirmed.designation.designated_on == "2025-03-01"
    key_units = await stub.ListUnits(
        unit_pb2.ListUnitsRequest(key_unit=True), metadata=populated.auth("admin")
    )
    assert [u.uscc for u in key_units.items] == [HEPING_SHOP]
    others = await stub.ListUnits(unit_pb2.ListUnitsRequest(key_unit=False), metadata=populated.auth("admin"))
    assert HEPING_SHOP not in {u.uscc for u in others.items}
    withdrawn = await stub.WithdrawKeyUnit(
        unit_pb2.WithdrawKeyUnitRequest(uscc=HEPING_SHOP, reason="经营范围调整"),
        metadata=populated.auth("admin"),
    )
    assert not withdrawn.unit.key_unit
    history = await stub.ListKeyUnitDesignations(
        unit_pb2.ListKeyUnitDesignationsRequest(uscc=HEPING_SHOP),
        metadata=populated.auth("security-chief-demo"),
    )
    assert [d.state for d in history.items] == [unit_pb2.DESIGNATION_STATE_WITHDRAWN]
    assert history.items[0].proposed_by.name == "police-heping"
    assert history.items[0].confirmed_by.name == "police-shenyang"


async def test_bad_list_filters_are_field_violations_not_server_errors(populated: Registry) -> None:
    """Filters the database could not even take (a NUL byte) or that can never match are refused by name."""
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await populated.units.ListUnits(
            unit_pb2.ListUnitsRequest(
                q="商\x00贸", uscc="î~ãy\x00", police_station="21010\x00", jurisdiction="210102"
            ),
            metadata=populated.auth("police-heping"),
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(refused.value) == {
        "q": "INVALID_CHARACTERS",
        "uscc": "INVALID_USCC",
        "police_station": "INVALID_FORMAT",
    }
    found = await populated.units.ListUnits(
        unit_pb2.ListUnitsRequest(uscc=HEPING_SHOP.lower()), metadata=populated.auth("police-heping")
    )
    assert [unit.uscc for unit in found.items] == [HEPING_SHOP]
