"""The unit context beside an alarm, through the running platform (issue 6): the demo unit's security chief
adds a responsible person, a key part and a plan version over REST; the unit registry publishes them; the
alarm routing's read model takes them in from Kafka (the person's phone sealed on the topic, never in
clear); an alarm's read shows them to police of Heping (the phone in clear, the read audited), masked to
the unit's own security staff, and not at all to Dalian's police (404). Removals flow the same way."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition

from neibao.audit.v1.audit_pb2 import (
    DISCLOSURE_CLEAR,
    PERSONAL_DATA_KIND_NAME,
    PERSONAL_DATA_KIND_PHONE,
)
from neibao.unitregistry.v1.events_pb2 import DossierUpdated
from neibao_messaging import PayloadRegistry, decode
from neibao_testkit import StackEndpoints

from .conftest import TokenBook
from .support import DEMO_UNIT
from .test_dossier import AuditTap

ALARMS = "/api/v1/alarms"
DOSSIER = f"/api/v1/units/{DEMO_UNIT}"
CHIEF = "security-chief-demo"
E2E_PLAN = "端到端测试应急预案"
REGISTRY_TOPIC = "neibao.unit-registry.events.v1"
DOSSIER_UPDATED = "neibao.unit-registry.dossier.updated.v1"


@pytest.fixture
def audit_tap(kafka: StackEndpoints) -> Iterator[AuditTap]:
    tap = AuditTap(kafka.kafka_bootstrap)
    yield tap
    tap.close()


class RegistryTap:
    """The registry's event topic from the moment it is made: the raw records written since."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
        partitions = self._consumer.partitions_for_topic(REGISTRY_TOPIC) or set()
        assert partitions, f"the topic {REGISTRY_TOPIC} does not exist"
        assigned = [TopicPartition(REGISTRY_TOPIC, partition) for partition in partitions]
        self._consumer.assign(assigned)
        for partition, offset in self._consumer.end_offsets(assigned).items():
            self._consumer.seek(partition, offset)

    def records(self) -> list[Any]:
        """Every record written since the tap was made (the producers have flushed them by now)."""
        records: list[Any] = []
        while batch := self._consumer.poll(timeout_ms=2000):
            records += [record for part in batch.values() for record in part]
        return records

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture
def registry_tap(kafka: StackEndpoints) -> Iterator[RegistryTap]:
    tap = RegistryTap(kafka.kafka_bootstrap)
    yield tap
    tap.close()


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


def read_until(
    api: httpx.Client, url: str, headers: dict[str, str], done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """GET `url` until `done` holds of the answer (the registry's events travel through Kafka)."""
    deadline = time.monotonic() + 30
    while True:
        response = api.get(url, headers=headers)
        assert response.status_code == 200, response.text
        document: dict[str, Any] = response.json()
        if done(document) or time.monotonic() > deadline:
            return document
        time.sleep(0.25)


def person_ids(alarm: dict[str, Any]) -> set[str]:
    return {p["id"] for p in (alarm["context"] or {}).get("responsible_persons", [])}


def add_dossier_items(
    api: httpx.Client, chief: dict[str, str], suffix: str, phone: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A responsible person, a key part and a plan version added by the unit's own security chief."""
    body = {"role": "co_responsible", "name": f"端到端{suffix}", "position": "值班经理", "phone": phone}
    person = created(api.post(f"{DOSSIER}/responsible-persons", json=body, headers=chief))
    part = created(
        api.post(
            f"{DOSSIER}/key-parts",
            json={
                "name": f"测试部位{suffix}",
                "location": "二层东侧",
                "protection_measures": ["双人值守"],
                "required_device_types": ["one_button_alarm"],
            },
            headers=chief,
        )
    )
    # One plan for every run: the next run publishes its next version (plans are superseded, never deleted).
    plans = api.get(f"{DOSSIER}/emergency-plans", headers=chief).json()["items"]
    previous = next((p for p in plans if p["title"] == E2E_PLAN), None)
    plan = created(
        api.post(
            f"{DOSSIER}/emergency-plans",
            json={
                "plan_id": previous["plan_id"] if previous else "",
                "title": E2E_PLAN,
                "scenario": "入侵",
                "content": f"端到端测试 {suffix}：报警后立即封锁测试部位。",
                "effective_on": datetime.now(UTC).date().isoformat(),
            },
            headers=chief,
        )
    )
    return person, part, plan


def assert_sealed_on_the_topic(records: list[Any], person_id: str, phone: str) -> None:
    """The phone was never in clear in Kafka's log: it travelled sealed beside the announced person."""
    assert not [r.offset for r in records if phone.encode() in bytes(r.value)]
    registry = PayloadRegistry({DOSSIER_UPDATED: DossierUpdated})
    announced = [
        decode(r, registry).payload(DossierUpdated)
        for r in records
        if dict(r.headers).get("ce_type") == DOSSIER_UPDATED.encode()
    ]
    (sealed,) = [a for a in announced if a.item_id == person_id]
    assert sealed.responsible_person.phone == ""
    assert len(sealed.responsible_person_phone_sealed) > len(phone)


def test_an_alarm_shows_the_units_plans_key_parts_and_people_by_role(
    api: httpx.Client, tokens: TokenBook, audit_tap: AuditTap, registry_tap: RegistryTap
) -> None:
    chief = tokens.bearer(CHIEF)
    suffix = uuid.uuid4().hex[:6]
    phone = "139" + "".join(random.choices("0123456789", k=8))
    person, part, plan = add_dossier_items(api, chief, suffix, phone)
    alarm_body = {
        "uscc": DEMO_UNIT,
        "kind": "intrusion",
        "priority": 2,
        "occurred_at": datetime.now(UTC).isoformat(),
        "description": "端到端测试：部位入侵报警",
        "zone": part["name"],
        "source_id": uuid.uuid4().hex,
    }
    alarm = created(api.post(ALARMS, json=alarm_body, headers=chief))
    url = f"{ALARMS}/{alarm['id']}"
    try:
        request_id = f"e2e-alarm-context-{uuid.uuid4().hex[:12]}"
        police_headers = {**tokens.bearer("police-heping"), "X-Request-ID": request_id}

        def arrived(document: dict[str, Any]) -> bool:
            context = document["context"] or {}
            versions = {p["plan_id"]: p["version"] for p in context.get("emergency_plans", [])}
            return (
                person["id"] in person_ids(document)
                and (context.get("alarm_key_part") or {}).get("id") == part["id"]
                and versions.get(plan["plan_id"]) == plan["version"]
            )

        police = read_until(api, url, police_headers, arrived)
        assert arrived(police), police["context"]
        context = police["context"]
        shown = next(p for p in context["responsible_persons"] if p["id"] == person["id"])
        assert (shown["name"], shown["role"], shown["phone"]) == (person["name"], "co_responsible", phone)
        assert context["disclosure"]["level"] == "clear"
        assert person["id"] in context["disclosure"]["subject_ids"]
        assert context["alarm_key_part"]["location"] == "二层东侧"
        assert context["alarm_key_part"]["required_device_types"] == ["one_button_alarm"]
        assert (
            next(p for p in context["emergency_plans"] if p["plan_id"] == plan["plan_id"])["content"]
            == (plan["content"])
        )

        own = api.get(url, headers=chief)
        assert own.status_code == 200, own.text
        hidden = next(p for p in own.json()["context"]["responsible_persons"] if p["id"] == person["id"])
        assert hidden["phone"] == f"{phone[:3]}****{phone[-4:]}"
        masked = {"level": "masked", "kinds": ["name", "phone"], "subject_ids": []}
        assert own.json()["context"]["disclosure"] == masked

        assert api.get(url, headers=tokens.bearer("police-dalian")).status_code == 404

        record = audit_tap.records_of({request_id})[request_id]
        assert record.actor.name == "police-heping"
        assert record.resource == url
        assert record.unit == DEMO_UNIT
        assert record.disclosure == DISCLOSURE_CLEAR
        assert {PERSONAL_DATA_KIND_NAME, PERSONAL_DATA_KIND_PHONE} <= set(record.kinds)
        assert record.record_count == len(context["responsible_persons"])

        assert_sealed_on_the_topic(registry_tap.records(), person["id"], phone)
    finally:
        for collection, item in (("responsible-persons", person), ("key-parts", part)):
            headers = {**chief, "If-Match": f'"{item["version"]}"'}
            deleted = api.delete(f"{DOSSIER}/{collection}/{item['id']}", headers=headers)
            assert deleted.status_code == 204, deleted.text
        api.post(f"{url}/resolve", json={"outcome": "test"}, headers=tokens.bearer("admin"))

    gone = read_until(
        api,
        url,
        tokens.bearer("police-heping"),
        lambda d: person["id"] not in person_ids(d) and d["context"]["alarm_key_part"] is None,
    )
    assert person["id"] not in person_ids(gone)
    assert part["id"] not in {k["id"] for k in gone["context"]["key_parts"]}
