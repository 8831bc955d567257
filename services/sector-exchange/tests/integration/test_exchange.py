"""Submitting batches on the real servers: partial acceptance, signed receipts, replays, refusals,
personal data sealed at rest, the hash-chained message log, the outbox event through Kafka, scoped lists."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import grpc
import pytest
from kafka import KafkaConsumer
from sqlalchemy import create_engine

from neibao.sectorexchange.v1 import events_pb2, exchange_pb2
from neibao_messaging import OutboxRelay, decode, idempotent_producer
from neibao_testkit.endpoints import StackEndpoints
from sector_exchange import bootstrap
from sector_exchange.__main__ import main
from sector_exchange.adapters.db.personal_data import PersonalDataCipher
from sector_exchange.adapters.events import BATCH_ACCEPTED, PAYLOADS
from sector_exchange.adapters.signing import verify
from sector_exchange.domain.receipts import LogEntry, Receipt, Statement, batch_hash, broken_links

from .conftest import HEPING_ID, OTHER_ID, POSTAL_ORG, Running, shipment

MIXED = [
    shipment("SF0001"),
    shipment("SF0002", sender_id_number="210102199003071234"),  # wrong check character
    shipment("SF0003", sender_id_number=OTHER_ID, site_region_code="210202"),
    shipment("SF0004", accepted_at="2099-01-01T00:00:00Z", receiver_phone="12"),
]


async def test_a_mixed_batch_is_partially_accepted_with_a_verifiable_receipt(running: Running) -> None:
    answer = await running.submit("b-mixed", MIXED)
    assert answer.accepted == 2
    assert not answer.replayed
    assert [(r.index, [e.pointer for e in r.errors]) for r in answer.rejected] == [
        (1, ["/records/1/sender_id_number"]),
        (3, ["/records/3/accepted_at", "/records/3/receiver_phone"]),
    ]
    receipt = answer.receipt
    assert receipt.algorithm == "Ed25519"
    assert receipt.key_id == "s1"
    assert receipt.hash == batch_hash(
        batch_id="b-mixed", dataset="postal/shipments", organisation=POSTAL_ORG, records=MIXED
    )
    keys = await running.stub.ListSigningKeys(
        exchange_pb2.ListSigningKeysRequest(), metadata=running.auth("sector-postal-demo")
    )
    public = {k.key_id: k.public_key for k in keys.keys}
    signed_at = receipt.signed_at.ToDatetime().strftime("%Y-%m-%dT%H:%M:%SZ")
    statement = Statement(
        "b-mixed", "postal/shipments", POSTAL_ORG, receipt.hash, 2, (1, 3), signed_at, "s1", "Ed25519"
    )
    assert verify(public["s1"], statement.to_bytes(), receipt.signature)
    tampered = [dict(MIXED[0], quantity=9), *MIXED[1:]]
    tampered_hash = batch_hash(
        batch_id="b-mixed", dataset="postal/shipments", organisation=POSTAL_ORG, records=tampered
    )
    assert tampered_hash != receipt.hash
    forged = Statement(
        "b-mixed", "postal/shipments", POSTAL_ORG, tampered_hash, 2, (1, 3), signed_at, "s1", "Ed25519"
    )
    assert not verify(public["s1"], forged.to_bytes(), receipt.signature)
    assert running.rows("SELECT record_index, jurisdiction FROM record ORDER BY record_index") == [
        (0, "210102"),
        (2, "210202"),
    ]

    stored = await running.stub.GetReceipt(
        exchange_pb2.GetReceiptRequest(batch_id="b-mixed"), metadata=running.auth("sector-postal-demo")
    )
    assert stored.batch.receipt == receipt
    assert stored.batch.accepted == 2
    assert [r.index for r in stored.batch.rejected] == [1, 3]


async def test_the_same_batch_again_answers_the_same_receipt_and_stores_nothing(running: Running) -> None:
    first = await running.submit("b-replay", MIXED)
    again = await running.submit("b-replay", MIXED)
    assert again.replayed
    assert again.receipt == first.receipt
    assert list(again.rejected) == list(first.rejected)
    assert running.rows("SELECT count(*) FROM record") == [(2,)]
    assert running.rows("SELECT count(*) FROM message_log") == [(1,)]
    assert running.rows("SELECT topic, count(*) FROM outbox GROUP BY topic ORDER BY topic") == [
        (running.settings.events_topic, 1),
        (running.settings.records_topic, 1),
    ]
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await running.submit("b-replay", MIXED[:1])
    assert raised.value.code() == grpc.StatusCode.ALREADY_EXISTS


@pytest.mark.parametrize(
    ("principal", "sector", "dataset", "code"),
    [
        ("sector-postal-demo", "commerce", "fuel-sales", grpc.StatusCode.PERMISSION_DENIED),
        ("police-heping", "postal", "shipments", grpc.StatusCode.PERMISSION_DENIED),
        ("admin", "postal", "shipments", grpc.StatusCode.PERMISSION_DENIED),
        ("sector-postal-demo", "postal", "parcels", grpc.StatusCode.NOT_FOUND),
    ],
)
async def test_anything_but_its_own_datasets_is_refused(
    running: Running, principal: str, sector: str, dataset: str, code: grpc.StatusCode
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await running.submit(
            "b-refused", [shipment("SF1")], principal=principal, sector=sector, dataset=dataset
        )
    assert raised.value.code() == code
    assert running.rows("SELECT count(*) FROM batch") == [(0,)]


async def test_a_malformed_batch_is_invalid(running: Running) -> None:
    request = exchange_pb2.SubmitBatchRequest(
        sector="postal", dataset="shipments", batch_id="b/1", records_json=b"[]"
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await running.stub.SubmitBatch(request, metadata=running.auth("sector-postal-demo"))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    request = exchange_pb2.SubmitBatchRequest(
        sector="postal", dataset="shipments", batch_id="b1", records_json=b'{"records": 1}'
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await running.stub.SubmitBatch(request, metadata=running.auth("sector-postal-demo"))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_personal_data_is_sealed_at_rest_and_found_by_blind_index(running: Running) -> None:
    await running.submit("b-sealed", [shipment("SF0001"), shipment("SF0002", sender_id_number=OTHER_ID)])
    rows = running.rows("SELECT id, fields::text, personal, person_index FROM record ORDER BY record_index")
    cipher = PersonalDataCipher.from_keys(running.settings.privacy_keys())
    for row_id, fields, personal, _index in rows:
        assert "sender_id_number" not in fields
        assert "13812345678" not in fields
        assert HEPING_ID.encode() not in bytes(personal)
        assert "张三".encode() not in bytes(personal)
        assert cipher.open(row_id, personal)["sender_name"] == "张三"
    wanted = cipher.resident_id_index(HEPING_ID.lower()[:-1] + HEPING_ID[-1])
    assert running.rows("SELECT record_index FROM record WHERE person_index @> ARRAY[%s::bytea]", wanted) == [
        (0,)
    ]
    # A ciphertext moved to another row does not open.
    running.execute("UPDATE record SET personal = (SELECT personal FROM record WHERE record_index = 0)")
    moved = running.rows("SELECT id, personal FROM record WHERE record_index = 1")[0]
    with pytest.raises(Exception, match="authentication failed"):
        cipher.open(moved[0], moved[1])


LOG_QUERY = (
    "SELECT sequence, previous, batch_id, organisation, receipt_hash, signature, algorithm, key_id,"
    " signed_at, entry_hash FROM message_log ORDER BY sequence"
)


def _log(running: Running) -> list[LogEntry]:
    entries = []
    for row in running.rows(LOG_QUERY):
        sequence, previous, batch_id, organisation, *receipt, entry_hash = row
        entries.append(LogEntry(sequence, previous, batch_id, organisation, Receipt(*receipt), entry_hash))
    return entries


async def test_the_message_log_is_a_hash_chain(running: Running) -> None:
    for n in range(3):
        await running.submit(f"b-chain-{n}", [shipment(f"SF{n}")])
    entries = _log(running)
    assert [e.sequence for e in entries] == [1, 2, 3]
    assert [e.batch_id for e in entries] == ["b-chain-0", "b-chain-1", "b-chain-2"]
    assert entries[1].previous == entries[0].entry_hash
    assert broken_links(entries) == []
    running.execute("UPDATE message_log SET receipt_hash = 'sha256:' || repeat('0', 64) WHERE sequence = 2")
    assert broken_links(_log(running)) == [2]


async def test_the_batch_event_reaches_kafka(running: Running, stack: StackEndpoints) -> None:
    await running.submit("b-event", MIXED)
    engine = create_engine(running.database_url)
    try:
        relay = OutboxRelay(engine, lambda: idempotent_producer(stack.kafka_bootstrap), send_timeout=30)
        with relay:
            assert relay.run_once() == 2  # the batch, and its records on their own stream
    finally:
        engine.dispose()
    consumer = KafkaConsumer(
        running.settings.events_topic,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    try:
        event = decode(next(iter(consumer)), PAYLOADS)
    finally:
        consumer.close()
    assert event.type == BATCH_ACCEPTED
    assert event.key == POSTAL_ORG.encode()
    payload = event.payload(events_pb2.BatchAccepted)
    assert (payload.batch_id, payload.accepted, payload.rejected) == ("b-event", 2, 2)
    assert list(payload.jurisdictions) == ["210102", "210202"]
    assert HEPING_ID not in str(payload)


async def test_records_are_listed_in_scope_and_masked(running: Running) -> None:
    await running.submit("b-list", MIXED)

    async def listed(principal: str, **criteria: object) -> exchange_pb2.ListRecordsResponse:
        request = exchange_pb2.ListRecordsRequest(sector="postal", dataset="shipments", **criteria)  # type: ignore[arg-type]
        answer: exchange_pb2.ListRecordsResponse = await running.stub.ListRecords(
            request, metadata=running.auth(principal)
        )
        return answer

    heping = await listed("police-heping")
    assert [r.record_index for r in heping.items] == [0]
    fields = json.loads(heping.items[0].fields_json)
    assert fields["sender_id_number"] == "210102********1233"
    assert fields["sender_phone"] == "138****5678"
    assert fields["waybill_no"] == "SF0001"
    assert heping.disclosure == exchange_pb2.DISCLOSURE_MASKED
    assert "resident_id" in heping.personal_kinds
    assert [r.record_index for r in (await listed("police-dalian")).items] == [2]
    assert [r.record_index for r in (await listed("regulator-postal")).items] == [2, 0]
    assert (await listed("regulator-commerce-dalian")).items == []
    assert [r.record_index for r in (await listed("admin", jurisdiction="210200")).items] == [2]
    first = await listed("admin", limit=1)
    assert first.next_cursor
    second = await listed("admin", limit=1, cursor=first.next_cursor)
    assert [r.record_index for r in second.items] == [0]
    assert not second.next_cursor
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await listed("sector-postal-demo")
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_exported_log_and_a_receipt_verify_offline(running: Running, tmp_path: Path) -> None:
    answers = [await running.submit(f"b-offline-{n}", [shipment(f"SF{n}")]) for n in range(3)]
    lines = await bootstrap.export_log(running.settings)
    log_file = tmp_path / "log.jsonl"
    log_file.write_text("\n".join(lines), encoding="utf-8")
    assert main(["verify-log", str(log_file)]) == 0
    forged = json.loads(lines[1])
    forged["receipt"]["hash"] = "sha256:" + "0" * 64
    log_file.write_text("\n".join([lines[0], json.dumps(forged), lines[2]]), encoding="utf-8")
    assert main(["verify-log", str(log_file)]) == 1

    public_key = running.exchange.public_keys[0].public_key
    batch = {
        "batch_id": "b-offline-0",
        "dataset": "postal/shipments",
        "organisation": POSTAL_ORG,
        "records": [shipment("SF0")],
    }
    answer = {
        "batch_id": "b-offline-0",
        "accepted": answers[0].accepted,
        "rejected": [],
        "receipt": {
            "hash": answers[0].receipt.hash,
            "signature": answers[0].receipt.signature,
            "algorithm": answers[0].receipt.algorithm,
            "key_id": answers[0].receipt.key_id,
            "signed_at": answers[0].receipt.signed_at.ToDatetime().strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }
    (tmp_path / "batch.json").write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "receipt.json").write_text(json.dumps(answer), encoding="utf-8")
    files = [str(tmp_path / "batch.json"), str(tmp_path / "receipt.json"), "--public-key", public_key]
    assert main(["verify-receipt", *files]) == 0
    batch["records"] = [shipment("SF0", quantity=2)]
    (tmp_path / "batch.json").write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    assert main(["verify-receipt", *files]) == 1


async def test_concurrent_submissions_store_once_and_keep_the_chain(running: Running) -> None:
    same = await asyncio.gather(*(running.submit("b-race", MIXED) for _ in range(3)))
    assert len({answer.receipt.signature for answer in same}) == 1
    assert sorted(answer.replayed for answer in same) == [False, True, True]
    await asyncio.gather(*(running.submit(f"b-many-{n}", [shipment(f"SF{n}")]) for n in range(5)))
    assert running.rows("SELECT count(*) FROM record") == [(7,)]
    entries = _log(running)
    assert [e.sequence for e in entries] == [1, 2, 3, 4, 5, 6]
    assert broken_links(entries) == []
