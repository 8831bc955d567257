"""Submitter health, record search by a person's ID number and daily figures, through gRPC on the real
servers: each reader sees the submitters of its scope; a feed is late, failing or healthy by what it sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from neibao.sectorexchange.v1 import exchange_pb2

from .conftest import HEPING_ID, OTHER_ID, POSTAL_ORG, Running, shipment

COMMERCE_ORG = "91210100MA0YJ6Q701"


def ago(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


async def health(
    running: Running, principal: str, sector: str = ""
) -> dict[str, exchange_pb2.SubmitterHealth]:
    answer: exchange_pb2.ListSubmittersResponse = await running.stub.ListSubmitters(
        exchange_pb2.ListSubmittersRequest(sector=sector), metadata=running.auth(principal)
    )
    return {item.client_id: item for item in answer.items}


async def test_each_reader_sees_the_submitters_of_its_scope(running: Running) -> None:
    assert set(await health(running, "admin")) == {"sector-postal-demo", "sector-commerce-demo"}
    assert set(await health(running, "admin", sector="postal")) == {"sector-postal-demo"}
    # Regulators: their sector; police: the submitters registered in their jurisdiction.
    assert set(await health(running, "regulator-postal")) == {"sector-postal-demo"}
    assert set(await health(running, "regulator-commerce-dalian")) == set()
    assert set(await health(running, "police-dalian")) == {"sector-postal-demo"}
    assert set(await health(running, "police-shenyang")) == {"sector-commerce-demo"}
    assert set(await health(running, "police-heping")) == set()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await health(running, "sector-postal-demo")
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_feed_is_late_failing_or_healthy_by_what_it_sent(running: Running) -> None:
    silent = (await health(running, "regulator-postal"))["sector-postal-demo"]
    assert silent.status == exchange_pb2.SUBMITTER_STATUS_LATE
    assert not silent.HasField("last_batch_at")
    assert not silent.HasField("rejection_rate")
    assert (silent.organisation, silent.sector, list(silent.datasets)) == (
        POSTAL_ORG,
        "postal",
        ["postal/shipments"],
    )
    assert silent.name
    assert silent.expected_interval_hours == 24

    await running.submit(
        "health-1",
        [
            shipment("SFH1", accepted_at=ago(1)),
            shipment("SFH2", accepted_at=ago(30)),  # late
            shipment("SFH3", accepted_at=ago(1), receiver_phone="12"),  # rejected
            shipment("SFH4", accepted_at=ago(1), sender_id_number="210102199003071234"),  # rejected
        ],
    )
    failing = (await health(running, "regulator-postal"))["sector-postal-demo"]
    assert failing.status == exchange_pb2.SUBMITTER_STATUS_FAILING
    assert (failing.batches_24h, failing.records_24h, failing.batches_7d, failing.records_7d) == (1, 4, 1, 4)
    assert failing.rejected_7d == 2
    assert failing.rejection_rate == pytest.approx(0.5)
    assert failing.late_rate == pytest.approx(0.5)
    assert abs(failing.last_batch_at.ToDatetime(UTC) - datetime.now(UTC)) < timedelta(minutes=1)

    await running.submit("health-2", [shipment(f"SFH{n}", accepted_at=ago(1)) for n in range(10, 20)])
    # An older batch: in the week's figures, not in the last day's.
    await running.submit("health-old", [shipment("SFH30", accepted_at=ago(2))])
    running.execute(
        "UPDATE batch SET received_at = now() - interval '3 days' WHERE batch_id = %s", "health-old"
    )
    healthy = (await health(running, "admin"))["sector-postal-demo"]
    assert healthy.status == exchange_pb2.SUBMITTER_STATUS_HEALTHY
    assert (healthy.batches_24h, healthy.records_24h) == (2, 14)
    assert (healthy.batches_7d, healthy.records_7d, healthy.rejected_7d) == (3, 15, 2)
    assert healthy.rejection_rate == pytest.approx(2 / 15, abs=1e-6)

    # Nothing within the expected interval: late again.
    running.execute("UPDATE batch SET received_at = received_at - interval '2 days'")
    stale = (await health(running, "admin"))["sector-postal-demo"]
    assert stale.status == exchange_pb2.SUBMITTER_STATUS_LATE
    assert (stale.batches_24h, stale.batches_7d) == (0, 3)
    commerce = (await health(running, "admin"))["sector-commerce-demo"]
    assert (commerce.organisation, commerce.status, commerce.batches_7d) == (
        COMMERCE_ORG,
        exchange_pb2.SUBMITTER_STATUS_LATE,
        0,
    )


async def search(running: Running, principal: str, id_number: str) -> exchange_pb2.ListRecordsResponse:
    request = exchange_pb2.ListRecordsRequest(sector="postal", dataset="shipments", id_number=id_number)
    answer: exchange_pb2.ListRecordsResponse = await running.stub.ListRecords(
        request, metadata=running.auth(principal)
    )
    return answer


async def test_police_find_a_persons_shipments_by_the_id_number(running: Running) -> None:
    await running.submit(
        "search-1",
        [
            shipment("SFS1", accepted_at=ago(1)),
            shipment("SFS2", accepted_at=ago(1), sender_id_number=OTHER_ID),
            shipment("SFS3", accepted_at=ago(2)),
        ],
    )
    found = await search(running, "police-heping", HEPING_ID)
    assert sorted(item.record_index for item in found.items) == [0, 2]
    assert found.disclosure == exchange_pb2.DISCLOSURE_MASKED
    assert all(HEPING_ID.encode() not in item.fields_json for item in found.items)
    assert [item.record_index for item in (await search(running, "admin", OTHER_ID)).items] == [1]
    # Out of scope: Dalian's police find nothing of Heping's sites.
    assert (await search(running, "police-dalian", HEPING_ID)).items == []
    for principal, id_number, code in (
        ("regulator-postal", HEPING_ID, grpc.StatusCode.PERMISSION_DENIED),
        ("police-heping", "210102199003071234", grpc.StatusCode.INVALID_ARGUMENT),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await search(running, principal, id_number)
        assert refused.value.code() == code, principal


async def day_figures(running: Running, principal: str) -> exchange_pb2.GetFiguresResponse:
    answer: exchange_pb2.GetFiguresResponse = await running.stub.GetFigures(
        exchange_pb2.GetFiguresRequest(sector="postal", dataset="shipments", group_by="day"),
        metadata=running.auth(principal),
    )
    return answer


async def test_figures_by_receipt_day_with_the_warnings_raised(running: Running) -> None:
    await running.submit(
        "day-1",
        [shipment("SFD1", accepted_at=ago(1)), shipment("SFD2", accepted_at=ago(1), xray_screened=False)],
    )
    answer = await day_figures(running, "regulator-postal")
    (today,) = answer.items
    assert today.day == answer.until
    assert (today.received, today.organisation) == (2, "")
    assert today.xray_rate == pytest.approx(0.5)
    # The site's X-ray rate fell below 100%: one early warning, in Heping's scope only.
    (warning,) = answer.warnings
    assert (warning.rule_id, warning.count) == ("express-site-xray-below-100", 1)
    assert abs(warning.last_raised_at.ToDatetime(UTC) - datetime.now(UTC)) < timedelta(minutes=1)
    assert [w.count for w in (await day_figures(running, "police-heping")).warnings] == [1]
    assert list((await day_figures(running, "police-dalian")).warnings) == []
