"""Sector data exchange end to end through the running gateway, with the real `sector-postal-demo`
client-credentials token: a mixed batch partially accepted with per-record pointers and a receipt that
verifies (and fails for a tampered record), a replay answered with the same receipt, a foreign dataset
refused, records listed in each reader's scope with personal data masked.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .conftest import TokenBook
from .support import DEMO_POSTAL, SECTOR_CLIENT, assert_problem

EXCHANGE = "/api/v1/exchange"
SHIPMENTS = f"{EXCHANGE}/postal/shipments"
HEPING_ID = "210102199003071233"


def shipment(waybill: str, **changes: Any) -> dict[str, Any]:
    """A valid express real-name receipt at a site in 和平区 (210102)."""
    record: dict[str, Any] = {
        "waybill_no": waybill,
        "accepted_at": "2026-11-24T15:30:00+08:00",
        "site_name": "和平区南京北街营业部",
        "site_region_code": "210102",
        "sender_name": "张三",
        "sender_id_type": "resident_id",
        "sender_id_number": HEPING_ID,
        "sender_phone": "13812345678",
        "sender_address": "辽宁省沈阳市和平区南京北街1号",
        "receiver_name": "李四",
        "receiver_phone": "13912345678",
        "receiver_address": "大连市中山区人民路5号",
        "item_name": "书籍",
        "quantity": 1,
        "weight_kg": 0.8,
        "inspected": True,
        "xray_screened": True,
    }
    record.update(changes)
    return record


def canonical(value: Any) -> bytes:
    """The receipt's canonical JSON: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def batch_hash(batch_id: str, records: list[Any]) -> str:
    document = {
        "batch_id": batch_id,
        "dataset": "postal/shipments",
        "organisation": DEMO_POSTAL,
        "records": records,
    }
    return "sha256:" + hashlib.sha256(canonical(document)).hexdigest()


def signature_holds(public_key: str, statement: dict[str, Any], signature: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(
            base64.b64decode(signature), canonical(statement)
        )
    except InvalidSignature:
        return False
    return True


@pytest.fixture(scope="module")
def mixed() -> tuple[str, list[dict[str, Any]]]:
    """A fresh batch id and four records: 0 and 2 valid, 1 and 3 not."""
    run = uuid.uuid4().hex[:10]
    return f"e2e-{run}", [
        shipment(f"E2E{run}A"),
        shipment(f"E2E{run}B", sender_id_number="210102199003071234"),  # wrong check character
        shipment(f"E2E{run}C", sender_id_number="11010519491231002X", site_region_code="210202"),
        shipment(f"E2E{run}D", accepted_at="2099-01-01T00:00:00Z", receiver_phone="12"),
    ]


@pytest.fixture(scope="module")
def submitted(
    api: httpx.Client, tokens: TokenBook, mixed: tuple[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    batch_id, records = mixed
    response = api.post(
        SHIPMENTS, json={"batch_id": batch_id, "records": records}, headers=tokens.bearer(SECTOR_CLIENT)
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_a_mixed_batch_is_partially_accepted_with_pointers(
    submitted: dict[str, Any], mixed: tuple[str, list[dict[str, Any]]]
) -> None:
    assert submitted["batch_id"] == mixed[0]
    assert submitted["accepted"] == 2
    assert submitted["replayed"] is False
    rejected = {r["index"]: {e["pointer"] for e in r["errors"]} for r in submitted["rejected"]}
    assert rejected == {
        1: {"/records/1/sender_id_number"},
        3: {"/records/3/accepted_at", "/records/3/receiver_phone"},
    }
    for rejection in submitted["rejected"]:
        for error in rejection["errors"]:
            assert error["detail"]
            assert HEPING_ID[:-1] not in error["detail"]  # the value is never echoed


def test_the_receipt_verifies_and_a_tampered_record_does_not(
    api: httpx.Client, tokens: TokenBook, submitted: dict[str, Any], mixed: tuple[str, list[dict[str, Any]]]
) -> None:
    batch_id, records = mixed
    receipt = submitted["receipt"]
    assert set(receipt) == {"hash", "signature", "algorithm", "key_id", "signed_at"}
    assert receipt["algorithm"] == "Ed25519"
    assert receipt["hash"] == batch_hash(batch_id, records)
    keys = api.get(f"{EXCHANGE}/keys", headers=tokens.bearer(SECTOR_CLIENT))
    assert keys.status_code == 200, keys.text
    public = {k["key_id"]: k["public_key"] for k in keys.json()["keys"]}
    statement = {
        "v": 1,
        "batch_id": batch_id,
        "dataset": "postal/shipments",
        "organisation": DEMO_POSTAL,
        "hash": receipt["hash"],
        "accepted": 2,
        "rejected": [1, 3],
        "signed_at": receipt["signed_at"],
        "key_id": receipt["key_id"],
        "algorithm": "Ed25519",
    }
    assert signature_holds(public[receipt["key_id"]], statement, receipt["signature"])
    tampered = [dict(records[0], quantity=99), *records[1:]]
    forged = {**statement, "hash": batch_hash(batch_id, tampered)}
    assert forged["hash"] != receipt["hash"]
    assert not signature_holds(public[receipt["key_id"]], forged, receipt["signature"])


def test_the_same_batch_again_answers_the_same_receipt(
    api: httpx.Client, tokens: TokenBook, submitted: dict[str, Any], mixed: tuple[str, list[dict[str, Any]]]
) -> None:
    batch_id, records = mixed
    again = api.post(
        SHIPMENTS, json={"batch_id": batch_id, "records": records}, headers=tokens.bearer(SECTOR_CLIENT)
    )
    assert again.status_code == 200, again.text
    assert again.json()["replayed"] is True
    assert again.json()["receipt"] == submitted["receipt"]
    assert again.json()["rejected"] == submitted["rejected"]
    stored = api.get(f"{EXCHANGE}/receipts/{batch_id}", headers=tokens.bearer(SECTOR_CLIENT))
    assert stored.status_code == 200, stored.text
    assert stored.json()["receipt"] == submitted["receipt"]
    assert stored.json()["accepted"] == 2
    assert stored.json()["organisation"] == DEMO_POSTAL
    other = api.post(
        SHIPMENTS, json={"batch_id": batch_id, "records": records[:1]}, headers=tokens.bearer(SECTOR_CLIENT)
    )
    assert_problem(other, 409)


def test_the_postal_client_may_not_submit_fuel_sales(api: httpx.Client, tokens: TokenBook) -> None:
    sale = {
        "station_uscc": "91210102MA0LN001X3",
        "station_region_code": "210102",
        "sold_at": "2026-11-24T07:00:00Z",
        "buyer_name": "王五",
        "buyer_id_number": HEPING_ID,
        "buyer_phone": "13812345678",
        "purpose": "农用机械",
        "litres": 20,
        "certificate_no": "SY2026-000123",
    }
    response = api.post(
        f"{EXCHANGE}/commerce/fuel-sales",
        json={"batch_id": f"e2e-fuel-{uuid.uuid4().hex[:8]}", "records": [sale]},
        headers=tokens.bearer(SECTOR_CLIENT),
    )
    assert_problem(response, 403)


def test_people_do_not_submit_and_sector_systems_do_not_list(api: httpx.Client, tokens: TokenBook) -> None:
    body = {"batch_id": "e2e-person", "records": [shipment("E2EPERSON")]}
    assert_problem(api.post(SHIPMENTS, json=body, headers=tokens.bearer("police-heping")), 403)
    assert_problem(api.get(f"{SHIPMENTS}/records", headers=tokens.bearer(SECTOR_CLIENT)), 403)


def test_a_malformed_batch_is_a_400_with_pointers(api: httpx.Client, tokens: TokenBook) -> None:
    response = api.post(
        SHIPMENTS, json={"batch_id": "bad id", "records": []}, headers=tokens.bearer(SECTOR_CLIENT)
    )
    problem = assert_problem(response, 400)
    assert {e["pointer"] for e in problem["errors"]} >= {"/batch_id", "/records"}
    assert_problem(
        api.post(
            f"{EXCHANGE}/postal/parcels",
            json={"batch_id": "e2e-nope", "records": [{}]},
            headers=tokens.bearer(SECTOR_CLIENT),
        ),
        404,
    )


def records_of(api: httpx.Client, tokens: TokenBook, principal: str, batch_id: str) -> list[dict[str, Any]]:
    response = api.get(f"{SHIPMENTS}/records", params={"limit": 200}, headers=tokens.bearer(principal))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["disclosure"] == "masked"
    return [item for item in page["items"] if item["batch_id"] == batch_id]


def test_police_list_records_in_their_scope_masked(
    api: httpx.Client, tokens: TokenBook, submitted: dict[str, Any], mixed: tuple[str, list[dict[str, Any]]]
) -> None:
    batch_id = mixed[0]
    heping = records_of(api, tokens, "police-heping", batch_id)
    assert [r["record_index"] for r in heping] == [0]
    fields = heping[0]["fields"]
    assert fields["sender_id_number"] == "210102********1233"
    assert fields["sender_phone"] == "138****5678"
    assert fields["sender_name"] == "张*"
    assert fields["waybill_no"] == mixed[1][0]["waybill_no"]
    assert heping[0]["jurisdiction"] == "210102"
    assert heping[0]["organisation"] == DEMO_POSTAL
    assert [r["record_index"] for r in records_of(api, tokens, "police-dalian", batch_id)] == [2]
    assert sorted(r["record_index"] for r in records_of(api, tokens, "regulator-postal", batch_id)) == [0, 2]
    assert records_of(api, tokens, "regulator-commerce-dalian", batch_id) == []
