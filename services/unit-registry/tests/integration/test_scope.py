"""Object scope with real tokens: each demo account sees exactly its part of the province."""

from __future__ import annotations

import grpc
import pytest

from neibao.unitregistry.v1 import unit_pb2

from .conftest import DALIAN_EXPRESS, HEPING_EXPRESS, HEPING_SHOP, Registry

EVERYONE = {HEPING_SHOP, HEPING_EXPRESS, DALIAN_EXPRESS}
VISIBLE = {
    "admin": EVERYONE,
    "police-shenyang": {HEPING_SHOP, HEPING_EXPRESS},
    "police-heping": {HEPING_SHOP, HEPING_EXPRESS},
    "police-dalian": {DALIAN_EXPRESS},
    "regulator-postal": {HEPING_EXPRESS, DALIAN_EXPRESS},
    "regulator-commerce-dalian": set(),
    "security-chief-demo": {HEPING_SHOP},
}


async def listed(registry: Registry, user: str, **query: object) -> set[str]:
    response = await registry.units.ListUnits(
        unit_pb2.ListUnitsRequest(**query), metadata=registry.auth(user)
    )
    return {unit.uscc for unit in response.items}


@pytest.mark.parametrize("user", sorted(VISIBLE))
async def test_each_account_lists_and_gets_only_its_scope(populated: Registry, user: str) -> None:
    assert await listed(populated, user) == VISIBLE[user]
    for uscc in EVERYONE:
        if uscc in VISIBLE[user]:
            response = await populated.units.GetUnit(
                unit_pb2.GetUnitRequest(uscc=uscc), metadata=populated.auth(user)
            )
            assert response.unit.uscc == uscc
        else:
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await populated.units.GetUnit(
                    unit_pb2.GetUnitRequest(uscc=uscc), metadata=populated.auth(user)
                )
            # A foreign unit is not found: its existence is not revealed.
            assert caught.value.code() is grpc.StatusCode.NOT_FOUND


async def test_filters_never_widen_the_scope(populated: Registry) -> None:
    assert await listed(populated, "police-heping", uscc=DALIAN_EXPRESS) == set()
    assert await listed(populated, "police-heping", jurisdiction="210200") == set()
    assert await listed(populated, "police-heping", sector=unit_pb2.SECTOR_POSTAL) == {HEPING_EXPRESS}
    assert await listed(populated, "regulator-postal", jurisdiction="210200") == {DALIAN_EXPRESS}


async def test_a_regulator_sees_units_whose_further_sectors_include_its_own(populated: Registry) -> None:
    # The Dalian express company is also under transport; the postal regulator sees it via its lead sector,
    # and a filter on the other sector still finds it for the province.
    assert await listed(populated, "admin", sector=unit_pb2.SECTOR_TRANSPORT) == {DALIAN_EXPRESS}
    assert await listed(populated, "regulator-postal", sector=unit_pb2.SECTOR_TRANSPORT) == {DALIAN_EXPRESS}


async def test_foreign_history_and_designations_are_not_found(populated: Registry) -> None:
    for call, request in (
        (populated.units.ListUnitChanges, unit_pb2.ListUnitChangesRequest(uscc=DALIAN_EXPRESS)),
        (
            populated.units.ListKeyUnitDesignations,
            unit_pb2.ListKeyUnitDesignationsRequest(uscc=DALIAN_EXPRESS),
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call(request, metadata=populated.auth("police-heping"))  # type: ignore[operator]
        assert caught.value.code() is grpc.StatusCode.NOT_FOUND


async def test_calls_without_a_valid_token_are_unauthenticated(registry: Registry) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.units.ListUnits(unit_pb2.ListUnitsRequest())
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.units.ListUnits(
            unit_pb2.ListUnitsRequest(), metadata=(("authorization", "Bearer x.y.z"),)
        )
    assert caught.value.code() is grpc.StatusCode.UNAUTHENTICATED
