"""Early warnings on the real servers: fuel sales and shipments submitted through the handlers raise each
finding once, as EarlyWarningRaised in the outbox (keyed by the unit's USCC) and on Kafka, without personal
data in clear."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from kafka import KafkaConsumer
from sqlalchemy import create_engine

from neibao.sectorexchange.v1 import events_pb2
from neibao_messaging import OutboxRelay, decode, idempotent_producer
from neibao_testkit.endpoints import StackEndpoints
from sector_exchange.adapters.events import PAYLOADS, WARNING_RAISED
from sector_exchange.domain.early_warnings import warning_id
from sector_exchange.service import handlers

from .conftest import HEPING_ID, POSTAL_ORG, SECTOR_CLIENT, Running, shipment
from .test_fuel_sales import COMMERCE, STATION, STATION_SYSTEM, sale

OTHER_STATIONS = ("91210103MA0FT0025A", "91210104MA0FT0033K")


def warning_rows(running: Running) -> list[tuple[Any, ...]]:
    return running.rows(
        "SELECT rule_id, uscc, jurisdiction, priority, cardinality(record_ids)"
        " FROM early_warning ORDER BY rule_id"
    )


def outbox_warnings(running: Running) -> list[tuple[Any, ...]]:
    return running.rows(
        "SELECT convert_from(key, 'UTF8'), payload FROM outbox WHERE headers->>'ce_type' = %s ORDER BY id",
        WARNING_RAISED,
    )


async def submit_sales(
    running: Running, batch_id: str, sales: list[dict[str, object]]
) -> handlers.BatchOutcome:
    exchange = dataclasses.replace(running.exchange, submitters=COMMERCE)
    command = handlers.SubmitBatch("commerce", "fuel-sales", batch_id, json.dumps(sales).encode())
    return await handlers.submit_batch(command, STATION_SYSTEM, exchange)


async def test_one_buyer_at_three_stations_raises_one_warning_once(running: Running) -> None:
    first = [
        sale(station_uscc=OTHER_STATIONS[0], station_region_code="210103", sold_at="2026-11-24T01:00:00Z"),
        sale(station_uscc=OTHER_STATIONS[1], station_region_code="210104", sold_at="2026-11-24T05:00:00Z"),
    ]
    assert (await submit_sales(running, "fuel-a", first)).batch.accepted == 2
    assert warning_rows(running) == []
    third = sale(sold_at="2026-11-24T20:00:00Z", certificate_no="SY2026-000999")
    outcome = await submit_sales(running, "fuel-b", [third])
    assert outcome.batch.accepted == 1
    assert warning_rows(running) == [("fuel-buyer-many-stations", STATION, "210102", 2, 3)]
    ((key, payload),) = outbox_warnings(running)
    assert key == STATION
    message = events_pb2.EarlyWarningRaised.FromString(bytes(payload))
    assert (message.rule_id, message.uscc, message.jurisdiction, message.sector, message.dataset) == (
        "fuel-buyer-many-stations",
        STATION,
        "210102",
        "commerce",
        "fuel-sales",
    )
    assert sorted(message.batch_ids) == ["fuel-a", "fuel-b"]
    assert message.rules_version == running.exchange.rules.version
    assert HEPING_ID not in str(message)
    assert HEPING_ID.encode() not in bytes(payload)

    # The same batch again, and another sale in the same window: nothing raised twice.
    await submit_sales(running, "fuel-b", [third])
    await submit_sales(
        running, "fuel-c", [sale(station_uscc=OTHER_STATIONS[0], sold_at="2026-11-24T21:00:00Z")]
    )
    assert len(outbox_warnings(running)) == 1
    # Another buyer at the same stations raises nothing.
    other_buyer = "11010519491231002X"
    await submit_sales(
        running,
        "fuel-d",
        [
            sale(buyer_id_number=other_buyer, station_uscc=s, sold_at="2026-11-24T22:00:00Z")
            for s in OTHER_STATIONS
        ],
    )
    assert len(outbox_warnings(running)) == 1


async def test_a_certificate_overdrawn_or_used_late_raises_its_warnings(running: Running) -> None:
    certificate = {
        "certificate_no": "SY2026-000555",
        "certificate_litres": 30,
        "certificate_issued_at": "2026-11-20T08:00:00+08:00",
    }
    await submit_sales(running, "cert-1", [sale(litres=20, sold_at="2026-11-21T02:00:00Z", **certificate)])
    assert warning_rows(running) == []
    await submit_sales(running, "cert-2", [sale(litres=15, sold_at="2026-11-24T02:00:00Z", **certificate)])
    assert [row[0] for row in warning_rows(running)] == [
        "fuel-certificate-expired",
        "fuel-certificate-litres-exceeded",
    ]
    ids = {row[0] for row in running.rows("SELECT warning_id FROM early_warning")}
    assert ids == {
        warning_id("fuel-certificate-expired", "SY2026-000555"),
        warning_id("fuel-certificate-litres-exceeded", "SY2026-000555"),
    }


async def test_shipments_without_xray_or_with_a_prohibited_item_warn_the_express_company(
    running: Running, stack: StackEndpoints
) -> None:
    response = await running.submit(
        "ship-1",
        [
            shipment("SFW1", xray_screened=False),
            shipment("SFW2", xray_screened=False),
            shipment("SFW3", prohibited_item_found=True),
            shipment("SFW4"),
        ],
    )
    assert response.accepted == 4
    assert warning_rows(running) == [
        ("express-prohibited-item", POSTAL_ORG, "210102", 2, 1),
        ("express-site-xray-below-100", POSTAL_ORG, "210102", 3, 2),
    ]
    await running.submit("ship-2", [shipment("SFW5", xray_screened=False)], SECTOR_CLIENT)
    assert len(outbox_warnings(running)) == 2  # the same site and day: the same warning

    engine = create_engine(running.database_url)
    try:
        relay = OutboxRelay(engine, lambda: idempotent_producer(stack.kafka_bootstrap), send_timeout=30)
        with relay:
            while relay.run_once():
                pass
    finally:
        engine.dispose()
    consumer = KafkaConsumer(
        running.settings.events_topic,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=5_000,
    )
    try:
        events = [decode(record, PAYLOADS) for record in consumer]
    finally:
        consumer.close()
    warnings = [e for e in events if e.type == WARNING_RAISED]
    assert len(warnings) == 2
    assert {e.key for e in warnings} == {POSTAL_ORG.encode()}
    assert {e.payload(events_pb2.EarlyWarningRaised).rule_id for e in warnings} == {
        "express-prohibited-item",
        "express-site-xray-below-100",
    }
