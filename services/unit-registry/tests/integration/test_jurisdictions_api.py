"""The division tree with police stations through gRPC."""

from __future__ import annotations

import grpc
import pytest

from neibao.unitregistry.v1 import jurisdiction_pb2

from .conftest import Registry


async def test_the_province_tree_has_cities_districts_and_stations(registry: Registry) -> None:
    response = await registry.jurisdictions.ListJurisdictions(
        jurisdiction_pb2.ListJurisdictionsRequest(), metadata=registry.auth("regulator-postal")
    )
    (province,) = response.items
    assert (province.code, province.name, province.level) == (
        "210000",
        "辽宁省",
        jurisdiction_pb2.DIVISION_LEVEL_PROVINCE,
    )
    assert len(province.children) == 14
    counties = [county for city in province.children for county in city.children]
    assert len(counties) > 90
    assert all(3 <= len(county.police_stations) <= 8 for county in counties)
    hunnan = next(c for c in counties if c.code == "210112")
    assert (hunnan.name, hunnan.valid_from, hunnan.valid_to) == ("浑南区", "2014-01-01", "")


async def test_a_past_date_gives_the_names_then_in_force(registry: Registry) -> None:
    response = await registry.jurisdictions.ListJurisdictions(
        jurisdiction_pb2.ListJurisdictionsRequest(parent="210100", as_of="2010-06-01"),
        metadata=registry.auth("admin"),
    )
    names = {county.name for county in response.items[0].children}
    assert "东陵区" in names
    assert "浑南区" not in names


async def test_get_one_jurisdiction(registry: Registry) -> None:
    response = await registry.jurisdictions.GetJurisdiction(
        jurisdiction_pb2.GetJurisdictionRequest(code="210102"), metadata=registry.auth("police-dalian")
    )
    heping = response.jurisdiction
    assert (heping.name, heping.parent) == ("和平区", "210100")
    assert all(s.jurisdiction == "210102" and s.name.endswith("派出所") for s in heping.police_stations)
    for code, status in (("210199", grpc.StatusCode.NOT_FOUND), ("21", grpc.StatusCode.INVALID_ARGUMENT)):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await registry.jurisdictions.GetJurisdiction(
                jurisdiction_pb2.GetJurisdictionRequest(code=code), metadata=registry.auth("admin")
            )
        assert caught.value.code() is status
