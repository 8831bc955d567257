"""Compliance and quality figures through gRPC on the real servers: express "三个100%", rejection and late
rates per submitter and site, fuel sales against valid certificates, each reader's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from neibao.sectorexchange.v1 import exchange_pb2

from .conftest import OTHER_ID, POSTAL_ORG, Running, shipment
from .test_early_warnings import submit_sales
from .test_fuel_sales import STATION, sale


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


async def figures(running: Running, principal: str, **request: Any) -> exchange_pb2.GetFiguresResponse:
    message = exchange_pb2.GetFiguresRequest(**{"sector": "postal", "dataset": "shipments", **request})
    answer: exchange_pb2.GetFiguresResponse = await running.stub.GetFigures(
        message, metadata=running.auth(principal)
    )
    return answer


async def test_express_figures_by_site_in_each_readers_scope(running: Running) -> None:
    await running.submit(
        "fig-1",
        [
            shipment("SFF1", accepted_at=ago(1)),
            shipment("SFF2", accepted_at=ago(2), xray_screened=False),
            shipment("SFF3", accepted_at=ago(30), inspected=False),  # late
            shipment("SFF4", accepted_at=ago(1), sender_id_number="210102199003071234"),  # identity
            shipment("SFF5", accepted_at=ago(1), receiver_phone="12"),  # rejected, not for identity
            shipment("SFF6", accepted_at=ago(1), sender_id_number=OTHER_ID, site_region_code="210202"),
        ],
    )
    heping = await figures(running, "police-heping", group_by="site")
    assert heping.group_by == "site"
    (site,) = heping.items
    assert (site.organisation, site.site, site.jurisdiction) == (POSTAL_ORG, "和平区南京北街营业部", "210102")
    assert (site.received, site.rejected, site.late, site.identity_rejected) == (3, 2, 1, 1)
    assert (site.inspected, site.xray_screened) == (2, 2)
    assert site.rejection_rate == pytest.approx(2 / 5)
    assert site.late_rate == pytest.approx(1 / 3)
    assert site.inspected_rate == pytest.approx(2 / 3)
    assert site.xray_rate == pytest.approx(2 / 3)
    assert site.real_name_rate == pytest.approx(3 / 4)
    assert not site.HasField("certificate_rate")

    (whole,) = (await figures(running, "regulator-postal", group_by="submitter")).items
    assert (whole.organisation, whole.received, whole.rejected) == (POSTAL_ORG, 4, 2)
    assert [i.jurisdiction for i in (await figures(running, "police-dalian", group_by="site")).items] == [
        "210202"
    ]
    assert (await figures(running, "regulator-commerce-dalian")).items == []
    (sector,) = (await figures(running, "admin", group_by="sector")).items
    assert (sector.organisation, sector.received) == ("", 4)
    await running.submit(
        "fig-2", [shipment("SFF7", accepted_at=ago(1)), shipment("SFF8", accepted_at=ago(1))]
    )
    (again,) = (await figures(running, "police-heping", group_by="site")).items
    assert (again.received, again.rejected, again.xray_screened) == (5, 2, 4)
    yesterday = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    assert (await figures(running, "admin", since=yesterday, until=yesterday)).items == []


async def test_fuel_sales_against_valid_certificates(running: Running) -> None:
    valid = {"certificate_litres": 20, "certificate_issued_at": ago(5)}
    await submit_sales(
        running,
        "fig-fuel",
        [
            sale(sold_at=ago(2), **valid),
            sale(sold_at=ago(2), litres=25, **valid),  # beyond the certificate
            sale(sold_at=ago(2)),  # no certificate facts
        ],
    )
    (station,) = (
        await figures(running, "admin", sector="commerce", dataset="fuel-sales", group_by="site")
    ).items
    assert (station.site, station.received, station.certificate_valid) == (STATION, 3, 1)
    assert station.certificate_rate == pytest.approx(1 / 3)
    assert not station.HasField("xray_rate")


@pytest.mark.parametrize(
    ("principal", "request_", "code"),
    [
        ("sector-postal-demo", {}, grpc.StatusCode.PERMISSION_DENIED),
        ("admin", {"group_by": "unit"}, grpc.StatusCode.INVALID_ARGUMENT),
        ("admin", {"since": "2026-13-01"}, grpc.StatusCode.INVALID_ARGUMENT),
        ("admin", {"since": "2024-01-01", "until": "2026-01-01"}, grpc.StatusCode.INVALID_ARGUMENT),
        ("admin", {"dataset": "parcels"}, grpc.StatusCode.NOT_FOUND),
    ],
)
async def test_bad_figure_requests_are_refused(
    running: Running, principal: str, request_: dict[str, str], code: grpc.StatusCode
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await figures(running, principal, **request_)
    assert raised.value.code() == code
