"""Accepted records on their own stream, through the outbox and Kafka: every kept record once, in messages
of at most 100, the dataset in the CloudEvents type, personal data only sealed (and opening to the record)."""

from __future__ import annotations

import json
import uuid

from kafka import KafkaConsumer
from sqlalchemy import create_engine

from neibao.sectorexchange.v1 import events_pb2
from neibao_messaging import OutboxRelay, decode, idempotent_producer
from neibao_testkit.endpoints import StackEndpoints
from sector_exchange.adapters.db.personal_data import PersonalDataCipher
from sector_exchange.adapters.events import PAYLOADS

from .conftest import HEPING_ID, POSTAL_ORG, Running, shipment

SHIPMENTS_ACCEPTED = "neibao.sector-exchange.postal.shipments.accepted.v1"


async def test_every_kept_record_reaches_the_records_stream_sealed(
    running: Running, stack: StackEndpoints
) -> None:
    records = [shipment(f"SFR{n:04d}") for n in range(250)]
    records[7]["sender_id_number"] = "210102199003071234"  # wrong check character: not kept
    records[9]["item_name"] = 'C:\\书\\"引号" \\N'  # backslashes and quotes survive the COPY
    response = await running.submit("b-records", records)
    assert response.accepted == 249
    engine = create_engine(running.database_url)
    try:
        relay = OutboxRelay(engine, lambda: idempotent_producer(stack.kafka_bootstrap), send_timeout=30)
        with relay:
            while relay.run_once():
                pass
    finally:
        engine.dispose()
    consumer = KafkaConsumer(
        running.settings.records_topic,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=5_000,
    )
    try:
        raw = list(consumer)
    finally:
        consumer.close()
    events = [decode(record, PAYLOADS) for record in raw]
    assert {e.type for e in events} == {SHIPMENTS_ACCEPTED}
    assert {e.key for e in events} == {POSTAL_ORG.encode()}
    chunks = [e.payload(events_pb2.RecordsAccepted) for e in events]
    assert sorted(len(c.records) for c in chunks) == [49, 100, 100]
    kept = sorted((r for c in chunks for r in c.records), key=lambda r: r.record_index)
    assert [r.record_index for r in kept] == [n for n in range(250) if n != 7]
    assert {(c.batch_id, c.organisation, c.sector, c.dataset, c.schema_version) for c in chunks} == {
        ("b-records", POSTAL_ORG, "postal", "shipments", 1)
    }
    for record in raw:
        assert HEPING_ID.encode() not in record.value
        assert "张三".encode() not in record.value
    first = kept[0]
    fields = json.loads(first.fields_json)
    assert fields["waybill_no"] == "SFR0000"
    assert "sender_id_number" not in fields
    cipher = PersonalDataCipher.from_keys(running.settings.privacy_keys())
    opened = cipher.open(uuid.UUID(first.id), first.personal_sealed)
    assert (opened["sender_id_number"], opened["sender_name"]) == (HEPING_ID, "张三")
    assert cipher.resident_id_index(HEPING_ID) in list(first.person_index)
    stored = running.rows("SELECT id::text FROM record WHERE record_index = 0")
    assert stored == [(first.id,)]
    assert running.rows("SELECT fields->>'item_name' FROM record WHERE record_index = 9") == [
        ('C:\\书\\"引号" \\N',)
    ]
    assert (
        json.loads(next(r for r in kept if r.record_index == 9).fields_json)["item_name"]
        == 'C:\\书\\"引号" \\N'
    )
    assert running.rows("SELECT personal IS NOT NULL, cardinality(person_index) FROM record LIMIT 1") == [
        (True, 3)
    ]
