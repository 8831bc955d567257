"""Switching receipts to SM2 and the chain to SM3 on a live log: new receipts carry algorithm and key id,
old Ed25519/SHA-256 receipts and entries still verify, the offline verifier checks both, tampering fails."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import grpc

from neibao.sectorexchange.v1 import exchange_pb2, exchange_pb2_grpc
from neibao_runtime import GrpcServer
from sector_exchange import bootstrap
from sector_exchange.__main__ import main

from .conftest import POSTAL_ORG, SECTOR_CLIENT, Running, shipment


def answer_of(batch_id: str, response: exchange_pb2.SubmitBatchResponse) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "accepted": response.accepted,
        "rejected": [{"index": r.index} for r in response.rejected],
        "receipt": {
            "hash": response.receipt.hash,
            "signature": response.receipt.signature,
            "algorithm": response.receipt.algorithm,
            "key_id": response.receipt.key_id,
            "signed_at": response.receipt.signed_at.ToDatetime().strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }


def verifies(tmp_path: Path, batch: dict[str, Any], answer: dict[str, Any], public_key: str) -> bool:
    (tmp_path / "batch.json").write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "answer.json").write_text(json.dumps(answer), encoding="utf-8")
    files = [str(tmp_path / "batch.json"), str(tmp_path / "answer.json"), "--public-key", public_key]
    return main(["verify-receipt", *files]) == 0


async def test_sm2_and_sm3_take_over_and_old_receipts_still_verify(running: Running, tmp_path: Path) -> None:
    old_records = [shipment("SFSM1")]
    old = await running.submit("b-ed25519", old_records)
    assert (old.receipt.algorithm, old.receipt.hash[:7]) == ("Ed25519", "sha256:")

    sm2_key = base64.b64encode(os.urandom(32)).decode()
    settings = running.settings.model_copy(
        update={
            "signing_keys": type(running.settings.signing_keys)(
                f"{running.settings.signing_keys.get_secret_value()},g1:sm2:{sm2_key}"
            ),
            "signing_active_key": "g1",
            "hash_algorithm": "sm3",
        }
    )
    app = bootstrap.build(settings)
    server = GrpcServer(app.register, port=0, interceptors=app.interceptors)
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
            stub = exchange_pb2_grpc.ExchangeServiceStub(channel)  # type: ignore[no-untyped-call]
            new_records = [shipment("SFSM2"), shipment("SFSM3", receiver_phone="12")]
            new = await stub.SubmitBatch(
                exchange_pb2.SubmitBatchRequest(
                    sector="postal",
                    dataset="shipments",
                    batch_id="b-sm2",
                    records_json=json.dumps(new_records, ensure_ascii=False).encode(),
                ),
                metadata=running.auth(SECTOR_CLIENT),
            )
            keys = await stub.ListSigningKeys(
                exchange_pb2.ListSigningKeysRequest(), metadata=running.auth(SECTOR_CLIENT)
            )
    finally:
        await server.stop(0)
        await app.close()
    assert (new.receipt.algorithm, new.receipt.key_id, new.receipt.hash[:4]) == ("SM2", "g1", "sm3:")
    public = {k.key_id: (k.algorithm, k.public_key, k.active) for k in keys.keys}
    assert public["g1"][0] == "SM2"
    assert public["g1"][2]
    assert public["s1"][0] == "Ed25519"
    assert running.rows("SELECT algorithm, key_id FROM batch WHERE batch_id = 'b-sm2'") == [("SM2", "g1")]

    new_batch = {
        "batch_id": "b-sm2",
        "dataset": "postal/shipments",
        "organisation": POSTAL_ORG,
        "records": new_records,
    }
    assert verifies(tmp_path, new_batch, answer_of("b-sm2", new), public["g1"][1])
    assert not verifies(tmp_path, new_batch, answer_of("b-sm2", new), public["s1"][1])
    tampered = {**new_batch, "records": [shipment("SFSM2", quantity=3), new_records[1]]}
    assert not verifies(tmp_path, tampered, answer_of("b-sm2", new), public["g1"][1])
    old_batch = {
        "batch_id": "b-ed25519",
        "dataset": "postal/shipments",
        "organisation": POSTAL_ORG,
        "records": old_records,
    }
    assert verifies(tmp_path, old_batch, answer_of("b-ed25519", old), public["s1"][1])

    lines = await bootstrap.export_log(running.settings)
    assert [json.loads(line)["entry_hash"].partition(":")[0] for line in lines] == ["sha256", "sm3"]
    log_file = tmp_path / "log.jsonl"
    log_file.write_text("\n".join(lines), encoding="utf-8")
    assert main(["verify-log", str(log_file)]) == 0
    forged = json.loads(lines[1])
    forged["batch_id"] = "b-other"
    log_file.write_text("\n".join([lines[0], json.dumps(forged)]), encoding="utf-8")
    assert main(["verify-log", str(log_file)]) == 1
