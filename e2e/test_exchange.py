"""Sector data exchange end to end through the running gateway, with the real `sector-postal-demo`
client-credentials token: a mixed batch partially accepted with per-record pointers and a receipt that
verifies (and fails for a tampered record), a replay answered with the same receipt, a foreign dataset
refused, records listed in each reader's scope with personal data masked. With `sector-commerce-demo`: one
buyer at three fuel stations within a day raises an early warning on the exchange's stream, which alarm
routing turns into an `early_warning` alarm on the responsible police station's stream.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from kafka import KafkaConsumer, TopicPartition
from stdnum.cn import ric

from neibao.audit.v1.audit_pb2 import DISCLOSURE_MASKED, PERSONAL_DATA_KIND_RESIDENT_ID
from neibao.sectorexchange.v1.events_pb2 import EarlyWarningRaised, RecordsAccepted
from neibao_messaging import PayloadRegistry, decode
from neibao_testkit import StackEndpoints
from neibao_testkit.plugin import KeycloakTokens

from .conftest import TokenBook
from .support import DEMO_POSTAL, DEMO_UNIT, SECTOR_CLIENT, SECTOR_SECRET, assert_problem
from .test_alarms import ALARMS, StreamReader, wait_for
from .test_dossier import AuditTap

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


COMMERCE_CLIENT = "sector-commerce-demo"
FUEL_SALES = f"{EXCHANGE}/commerce/fuel-sales"
EXCHANGE_TOPIC = "neibao.sector-exchange.events.v1"
WARNING_RAISED = "neibao.sector-exchange.warning.raised.v1"
RECORDS_TOPIC = "neibao.sector-exchange.records.v1"
SHIPMENTS_ACCEPTED = "neibao.sector-exchange.postal.shipments.accepted.v1"
# Two stations elsewhere in Shenyang (valid USCCs, not registered units) and the demo unit in Heping.
OTHER_STATIONS = (("91210103MA0FT0025A", "210103"), ("91210104MA0FT0033K", "210104"))


def fresh_resident_id() -> str:
    """A valid resident ID of no one in particular (a new buyer each run: earlier runs stay apart)."""
    born = date(1960, 1, 1) + timedelta(days=random.randrange(15_000))
    body = f"210102{born:%Y%m%d}{random.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "0")  # it takes the number with a check digit


def fuel_sale(buyer: str, station: str, region: str, sold_at: datetime) -> dict[str, Any]:
    return {
        "station_uscc": station,
        "station_region_code": region,
        "sold_at": sold_at.isoformat(),
        "buyer_name": "王五",
        "buyer_id_number": buyer,
        "buyer_phone": "13812345678",
        "purpose": "农用机械",
        "litres": 20,
        "certificate_no": f"E2E-{uuid.uuid4().hex[:12]}",
        "certificate_litres": 20,
        "certificate_issued_at": (sold_at - timedelta(hours=1)).isoformat(),
    }


class TopicTap:
    """One of the exchange's topics from the moment the tap is made."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
        partitions = self._consumer.partitions_for_topic(topic) or set()
        assert partitions, f"the topic {topic} does not exist"
        assigned = [TopicPartition(topic, partition) for partition in partitions]
        self._consumer.assign(assigned)
        for partition, offset in self._consumer.end_offsets(assigned).items():
            self._consumer.seek(partition, offset)
        self.seen: list[Any] = []

    def events(self, event_type: str, payload: type[Any]) -> list[Any]:
        """The events of a type written since the tap was made (those read so far, and more)."""
        while batch := self._consumer.poll(timeout_ms=1000):
            self.seen += [record for part in batch.values() for record in part]
        registry = PayloadRegistry({event_type: payload})
        return [
            decode(record, registry)
            for record in self.seen
            if dict(record.headers).get("ce_type") == event_type.encode()
        ]

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture
def exchange_tap(kafka: StackEndpoints) -> Iterator[TopicTap]:
    tap = TopicTap(kafka.kafka_bootstrap, EXCHANGE_TOPIC)
    yield tap
    tap.close()


@pytest.fixture
def records_tap(kafka: StackEndpoints) -> Iterator[TopicTap]:
    tap = TopicTap(kafka.kafka_bootstrap, RECORDS_TOPIC)
    yield tap
    tap.close()


def test_accepted_records_reach_the_records_stream_with_personal_data_sealed(
    api: httpx.Client, tokens: TokenBook, records_tap: TopicTap
) -> None:
    run = uuid.uuid4().hex[:10]
    batch_id = f"e2e-stream-{run}"
    records = [shipment(f"E2E{run}S{n}") for n in range(3)]
    records[1]["receiver_phone"] = "12"  # not kept
    answer = api.post(
        SHIPMENTS, json={"batch_id": batch_id, "records": records}, headers=tokens.bearer(SECTOR_CLIENT)
    )
    assert answer.status_code == 200, answer.text

    def ours() -> list[Any]:
        return [
            e
            for e in records_tap.events(SHIPMENTS_ACCEPTED, RecordsAccepted)
            if e.payload(RecordsAccepted).batch_id == batch_id
        ]

    assert wait_for(lambda: bool(ours()), within=30)
    (event,) = ours()
    assert event.key == DEMO_POSTAL.encode()
    message = event.payload(RecordsAccepted)
    assert [r.record_index for r in message.records] == [0, 2]
    assert all(r.personal_sealed and r.person_index for r in message.records)
    shown = [json.loads(r.fields_json) for r in message.records]
    assert [f["waybill_no"] for f in shown] == [records[0]["waybill_no"], records[2]["waybill_no"]]
    raw = message.SerializeToString()
    assert HEPING_ID.encode() not in raw
    assert "张三".encode() not in raw


def test_one_buyer_at_three_stations_raises_an_early_warning_alarm_for_heping_police(
    api: httpx.Client,
    gateway: str,
    tokens: TokenBook,
    keycloak_tokens: KeycloakTokens,
    exchange_tap: TopicTap,
) -> None:
    commerce = keycloak_tokens.client_credentials(COMMERCE_CLIENT, SECTOR_SECRET)["access_token"]
    headers = {"Authorization": f"Bearer {commerce}"}
    readers = {name: StreamReader(gateway, tokens.token(name)) for name in ("police-heping", "police-dalian")}
    for reader in readers.values():
        reader.start()
        assert reader.open.wait(15)
    try:
        buyer = fresh_resident_id()
        now = datetime.now(UTC).replace(microsecond=0)
        run = uuid.uuid4().hex[:10]
        first = [
            fuel_sale(buyer, station, region, now - timedelta(hours=5 - n))
            for n, (station, region) in enumerate(OTHER_STATIONS)
        ]
        answer = api.post(
            FUEL_SALES, json={"batch_id": f"e2e-fuel-{run}-1", "records": first}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["accepted"] == 2, answer.text
        third = [fuel_sale(buyer, DEMO_UNIT, "210102", now - timedelta(minutes=10))]
        answer = api.post(
            FUEL_SALES, json={"batch_id": f"e2e-fuel-{run}-2", "records": third}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["accepted"] == 1

        # The exchange's own stream: one warning about the third station, no personal data on it.
        def ours() -> list[Any]:
            return [
                e
                for e in exchange_tap.events(WARNING_RAISED, EarlyWarningRaised)
                if f"e2e-fuel-{run}-2" in e.payload(EarlyWarningRaised).batch_ids
            ]

        assert wait_for(lambda: bool(ours()), within=30)
        (event,) = ours()
        warning = event.payload(EarlyWarningRaised)
        assert event.key == DEMO_UNIT.encode()
        assert (warning.rule_id, warning.uscc, warning.jurisdiction) == (
            "fuel-buyer-many-stations",
            DEMO_UNIT,
            "210102",
        )
        assert sorted(warning.batch_ids) == [f"e2e-fuel-{run}-1", f"e2e-fuel-{run}-2"]
        assert buyer not in warning.SerializeToString().decode("utf-8", "replace")

        # Alarm routing raises it as an early_warning alarm (or counts it on an open one of the same rule at
        # the unit: its grouping), shown with the warning as its source on Heping's stream, not Dalian's.
        def alarm() -> dict[str, Any] | None:
            for shown in list(readers["police-heping"].events):
                data = shown.get("data") or {}
                change = data.get("change") or {}
                if (
                    change.get("source_id") == warning.warning_id
                    or data.get("source_id") == warning.warning_id
                ):
                    return dict(data)
            return None

        assert wait_for(lambda: alarm() is not None, within=30), "no early_warning alarm on Heping's stream"
        raised = alarm()
        assert raised is not None
        source = raised.get("change") or raised
        assert (raised["kind"], raised["uscc"], source["source"]) == (
            "early_warning",
            DEMO_UNIT,
            "sector-exchange",
        )
        assert source["description"] == warning.summary
        listed = api.get(ALARMS, params={"uscc": DEMO_UNIT}, headers=tokens.bearer("police-heping"))
        assert listed.status_code == 200, listed.text
        assert raised["id"] in {item["id"] for item in listed.json()["items"]}
        # The sector dashboard lists early warnings by kind: this one, and nothing of another kind.
        warnings = api.get(ALARMS, params={"kind": "early_warning"}, headers=tokens.bearer("police-heping"))
        assert warnings.status_code == 200, warnings.text
        assert raised["id"] in {item["id"] for item in warnings.json()["items"]}
        assert {item["kind"] for item in warnings.json()["items"]} == {"early_warning"}
        assert raised["id"] not in readers["police-dalian"].alarm_ids()
        resolved = api.post(
            f"{ALARMS}/{raised['id']}/resolve", json={"outcome": "test"}, headers=tokens.bearer("admin")
        )
        assert resolved.status_code == 200, resolved.text
    finally:
        for reader in readers.values():
            reader.stop.set()


def test_figures_show_the_three_100_percent_per_site_in_scope(api: httpx.Client, tokens: TokenBook) -> None:
    run = uuid.uuid4().hex[:10]
    site = f"端到端{run}营业部"
    now = datetime.now(UTC).replace(microsecond=0)
    records = [
        shipment(f"E2E{run}F0", site_name=site, accepted_at=(now - timedelta(hours=1)).isoformat()),
        shipment(
            f"E2E{run}F1",
            site_name=site,
            accepted_at=(now - timedelta(hours=1)).isoformat(),
            inspected=False,  # (not x-ray: that raises an early warning, an alarm for Dalian's police)
        ),
        shipment(f"E2E{run}F2", site_name=site, sender_id_number="210102199003071234"),  # not real-name
    ]
    answer = api.post(
        SHIPMENTS,
        json={"batch_id": f"e2e-fig-{run}", "records": records},
        headers=tokens.bearer(SECTOR_CLIENT),
    )
    assert answer.status_code == 200, answer.text
    response = api.get(
        f"{SHIPMENTS}/figures", params={"group_by": "site"}, headers=tokens.bearer("police-heping")
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["group_by"] == "site"
    (ours,) = [item for item in page["items"] if item["site"] == site]
    assert (ours["organisation"], ours["jurisdiction"]) == (DEMO_POSTAL, "210102")
    assert (ours["received"], ours["rejected"], ours["identity_rejected"]) == (2, 1, 1)
    assert (ours["inspected_rate"], ours["xray_rate"], ours["real_name_rate"]) == (
        0.5,
        1.0,
        pytest.approx(2 / 3),
    )
    assert ours["certificate_rate"] is None
    assert {item["jurisdiction"] for item in page["items"]} <= {"210102"}
    dalian = api.get(
        f"{SHIPMENTS}/figures", params={"group_by": "site"}, headers=tokens.bearer("police-dalian")
    )
    assert dalian.status_code == 200, dalian.text
    assert site not in {item["site"] for item in dalian.json()["items"]}
    assert_problem(api.get(f"{SHIPMENTS}/figures", headers=tokens.bearer(SECTOR_CLIENT)), 403)
    bad = api.get(f"{SHIPMENTS}/figures", params={"group_by": "unit"}, headers=tokens.bearer("admin"))
    assert [e["pointer"] for e in assert_problem(bad, 400)["errors"]] == ["/group_by"]


@pytest.fixture
def audit_tap(kafka: StackEndpoints) -> Iterator[AuditTap]:
    tap = AuditTap(kafka.kafka_bootstrap)
    yield tap
    tap.close()


def test_police_find_a_persons_shipments_by_the_id_number(
    api: httpx.Client, tokens: TokenBook, audit_tap: AuditTap
) -> None:
    run = uuid.uuid4().hex[:10]
    person = fresh_resident_id()  # of 和平区: nobody else's shipments name them
    records = [
        shipment(f"E2E{run}S0", sender_id_number=person),
        shipment(f"E2E{run}S1"),
        shipment(f"E2E{run}S2", sender_id_number=person, site_region_code="210202"),
    ]
    answer = api.post(
        SHIPMENTS,
        json={"batch_id": f"e2e-search-{run}", "records": records},
        headers=tokens.bearer(SECTOR_CLIENT),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 3

    request_ids: list[str] = []

    def search(principal: str, number: str = person) -> httpx.Response:
        request_ids.append(f"e2e-search-{uuid.uuid4().hex[:12]}")
        headers = {**tokens.bearer(principal), "X-Request-ID": request_ids[-1]}
        return api.post(f"{SHIPMENTS}/records/search", json={"id_number": number}, headers=headers)

    heping = search("police-heping")
    assert heping.status_code == 200, heping.text
    (found,) = heping.json()["items"]
    assert found["fields"]["waybill_no"] == f"E2E{run}S0"
    assert found["fields"]["sender_id_number"] == f"{person[:6]}********{person[-4:]}"
    assert heping.json()["disclosure"] == "masked"
    assert person not in heping.text
    assert {r["fields"]["waybill_no"] for r in search("admin").json()["items"]} == {
        f"E2E{run}S0",
        f"E2E{run}S2",
    }
    assert [r["fields"]["waybill_no"] for r in search("police-dalian").json()["items"]] == [f"E2E{run}S2"]
    nobody = search("police-heping", fresh_resident_id())
    assert nobody.json()["items"] == []
    # Every search is audited before it answers, one that finds nothing too (and the number is not kept).
    audited = audit_tap.records_of(set(request_ids))
    first, last = audited[request_ids[0]], audited[request_ids[-1]]
    assert (first.actor.name, first.operation, first.record_count) == (
        "police-heping",
        "search_by_resident_id",
        1,
    )
    assert first.resource == f"{SHIPMENTS}/records/search"
    assert first.disclosure == DISCLOSURE_MASKED
    assert PERSONAL_DATA_KIND_RESIDENT_ID in first.kinds
    assert last.record_count == 0
    assert all(person not in str(record) for record in audited.values())
    for principal in ("regulator-postal", "security-chief-demo", SECTOR_CLIENT):
        assert_problem(search(principal), 403)
    bad = assert_problem(search("police-heping", person[:-1] + ("0" if person[-1] != "0" else "1")), 400)
    assert [e["pointer"] for e in bad["errors"]] == ["/id_number"]


def test_submitter_health_in_each_readers_scope(api: httpx.Client, tokens: TokenBook) -> None:
    run = uuid.uuid4().hex[:10]
    answer = api.post(
        SHIPMENTS,
        json={"batch_id": f"e2e-health-{run}", "records": [shipment(f"E2E{run}H0")]},
        headers=tokens.bearer(SECTOR_CLIENT),
    )
    assert answer.status_code == 200, answer.text

    def clients(principal: str, **params: str) -> dict[str, dict[str, Any]]:
        response = api.get(f"{EXCHANGE}/submitters", params=params, headers=tokens.bearer(principal))
        assert response.status_code == 200, response.text
        return {item["client_id"]: item for item in response.json()["items"]}

    postal = clients("regulator-postal")
    assert set(postal) == {SECTOR_CLIENT}
    ours = postal[SECTOR_CLIENT]
    assert (ours["organisation"], ours["sector"], ours["datasets"]) == (
        DEMO_POSTAL,
        "postal",
        ["postal/shipments"],
    )
    assert ours["batches_24h"] >= 1
    assert ours["records_24h"] >= 1
    assert ours["status"] in {"healthy", "failing"}
    last = datetime.fromisoformat(ours["last_batch_at"])
    assert datetime.now(UTC) - last < timedelta(minutes=5)
    assert set(clients("admin")) == {SECTOR_CLIENT, COMMERCE_CLIENT}
    assert set(clients("admin", sector="commerce")) == {COMMERCE_CLIENT}
    assert set(clients("police-dalian")) == {SECTOR_CLIENT}
    assert clients("regulator-commerce-dalian") == {}
    for principal in ("security-chief-demo", SECTOR_CLIENT):
        assert_problem(api.get(f"{EXCHANGE}/submitters", headers=tokens.bearer(principal)), 403)


def test_figures_by_receipt_day(api: httpx.Client, tokens: TokenBook) -> None:
    response = api.get(
        f"{SHIPMENTS}/figures", params={"group_by": "day"}, headers=tokens.bearer("regulator-postal")
    )
    assert response.status_code == 200, response.text
    page = response.json()
    days = [item["day"] for item in page["items"]]
    assert days == sorted(days)
    assert all(page["since"] <= day <= page["until"] for day in days)
    assert all(item["organisation"] is None for item in page["items"])
    for warning in page["warnings"]:
        assert warning["count"] >= 1
        assert warning["rule_id"].startswith("express-")
        assert warning["last_raised_at"]
    dalian = api.get(f"{SHIPMENTS}/figures", headers=tokens.bearer("regulator-commerce-dalian"))
    assert dalian.json()["warnings"] == []
