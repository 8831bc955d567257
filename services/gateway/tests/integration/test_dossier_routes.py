"""The unit dossier's REST routes: the gateway in-process, the RUNNING unit registry behind it (seeded demo
province), real Keycloak tokens and the real audit topic.

Writes that only the unit's own security staff may make go to the demo unit (security-chief-demo's) and
are undone where the dossier allows it (people removed, parts deleted); police writes go to a unit each
test registers.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition

from gateway.service.audit import PERSONAL_DATA_ACCESSED
from neibao.audit.v1.audit_pb2 import (
    DISCLOSURE_CLEAR,
    DISCLOSURE_MASKED,
    PERSONAL_DATA_KIND_NAME,
    PERSONAL_DATA_KIND_PHONE,
    PERSONAL_DATA_KIND_RESIDENT_ID,
    PersonalDataAccessed,
)
from neibao_messaging import PayloadRegistry, decode
from neibao_testkit import StackEndpoints

from ..support import closed_port
from .conftest import RunningGateway, StartGateway, bearer
from .test_unit_registry_routes import DEMO_POSTAL, DEMO_UNIT, UNITS, fresh_uscc, problem_of, registration

AUDIT_TOPIC = "neibao.audit.events.v1"
DEMO = f"{UNITS}/{DEMO_UNIT}"
READ_ROUTES = (
    "/dossier",
    "/filings",
    "/responsible-persons",
    "/key-parts",
    "/emergency-plans",
    "/drills",
    "/workstations",
    "/staff",
    "/inspections",
    "/hazards",
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fresh_resident_id(region: str = "210102") -> str:
    """A valid resident ID (GB 11643) nobody else in the demo data has."""
    born = date(1970, 1, 1) + timedelta(days=random.randrange(0, 30 * 365))
    body = f"{region}{born:%Y%m%d}{random.randrange(0, 1000):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def pointers(problem: dict[str, Any]) -> list[str]:
    return [error["pointer"] for error in problem.get("errors") or []]


class AuditTap:
    """The real audit topic from now on: the records the gateway writes during a test."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
        self._consumer.topics()
        partitions = self._consumer.partitions_for_topic(AUDIT_TOPIC) or set()
        assert partitions, f"the audit topic {AUDIT_TOPIC} does not exist"
        assigned = [TopicPartition(AUDIT_TOPIC, p) for p in partitions]
        self._consumer.assign(assigned)
        for partition, offset in self._consumer.end_offsets(assigned).items():
            self._consumer.seek(partition, offset)
        self._seen: list[PersonalDataAccessed] = []

    def record_of(self, request_id: str, timeout: float = 20) -> PersonalDataAccessed:
        """The audit record of the request with this id (fails when none arrives in time)."""
        registry = PayloadRegistry({PERSONAL_DATA_ACCESSED: PersonalDataAccessed})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in self._seen:
                if record.request_id == request_id:
                    return record
            for batch in self._consumer.poll(timeout_ms=500).values():
                self._seen += [decode(item, registry).payload(PersonalDataAccessed) for item in batch]
        pytest.fail(f"no audit record of request {request_id} on {AUDIT_TOPIC}")

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture
async def gateway(start_gateway: StartGateway, unit_registry: str) -> RunningGateway:
    return await start_gateway(upstreams={"unit-registry": unit_registry})


@pytest.fixture
def audit_tap(kafka: StackEndpoints) -> Iterator[AuditTap]:
    tap = AuditTap(kafka.kafka_bootstrap)
    yield tap
    tap.close()


@pytest.fixture
async def police_unit(gateway: RunningGateway, tokens: dict[str, str]) -> str:
    """A unit of 和平区 just registered by police-heping, for police writes."""
    uscc = fresh_uscc()
    created = await gateway.client.post(
        UNITS, json=registration(uscc, police_station="210102001"), headers=bearer(tokens["police-heping"])
    )
    assert created.status_code == 201, created.text
    return uscc


async def test_the_dossier_reads_in_scope(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    police = bearer(tokens["police-heping"])
    for route in READ_ROUTES:
        response = await gateway.client.get(f"{DEMO}{route}", headers=police)
        assert response.status_code == 200, (route, response.text)
        assert response.headers["content-type"] == "application/json"

    dossier = (await gateway.client.get(f"{DEMO}/dossier", headers=police)).json()
    assert dossier["uscc"] == DEMO_UNIT
    assert dossier["filing_in_force"]["state"] == "accepted"
    assert dossier["staff_full_time"] >= 5
    assert dossier["informants"] >= 1  # police count informants
    own = (await gateway.client.get(f"{DEMO}/dossier", headers=bearer(tokens["security-chief-demo"]))).json()
    assert own["informants"] is None  # nobody else learns they exist

    parts = (await gateway.client.get(f"{DEMO}/key-parts", headers=police)).json()["items"]
    assert "plate_recognition" in {kind for part in parts for kind in part["required_device_types"]}
    plans = (await gateway.client.get(f"{DEMO}/emergency-plans", headers=police)).json()["items"]
    every = await gateway.client.get(
        f"{DEMO}/emergency-plans", params={"include_superseded": "true"}, headers=police
    )
    assert {plan["state"] for plan in plans} == {"current"}
    assert "superseded" in {plan["state"] for plan in every.json()["items"]}
    first = (await gateway.client.get(f"{DEMO}/drills", params={"limit": 1}, headers=police)).json()
    assert len(first["items"]) == 1
    assert first["next_cursor"]
    overdue = await gateway.client.get(
        f"{DEMO}/hazards", params={"state": "open", "overdue": "true"}, headers=police
    )
    assert overdue.json()["items"]
    assert all(hazard["overdue"] and hazard["state"] == "open" for hazard in overdue.json()["items"])


@pytest.mark.parametrize(
    ("principal", "uscc"),
    [("police-dalian", DEMO_UNIT), ("security-chief-demo", DEMO_POSTAL), ("regulator-postal", DEMO_UNIT)],
)
async def test_a_foreign_unit_is_404_on_every_part_of_its_dossier(
    gateway: RunningGateway, tokens: dict[str, str], principal: str, uscc: str
) -> None:
    headers = bearer(tokens[principal])
    for route in READ_ROUTES:
        response = await gateway.client.get(f"{UNITS}/{uscc}{route}", headers=headers)
        assert problem_of(response, 404)["type"] == "urn:neibao:problem:not-found", route
    hazard = await gateway.client.get(f"{UNITS}/{uscc}/hazards/{uuid.uuid4()}", headers=headers)
    problem_of(hazard, 404)


async def test_each_route_refuses_the_roles_it_does_not_admit(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    chief = bearer(tokens["security-chief-demo"])
    refused = [
        ("POST", f"{DEMO}/staff", bearer(tokens["police-heping"])),  # the unit keeps its own staff
        ("POST", f"{DEMO}/workstations", chief),  # police business
        ("GET", f"{DEMO}/informants", chief),
        ("GET", f"{DEMO}/informant-reports", bearer(tokens["regulator-postal"])),
        ("POST", "/api/v1/staff/lookup", chief),
        ("POST", f"{DEMO}/filings/{uuid.uuid4()}/accept", chief),
        ("POST", f"{DEMO}/inspections", chief),
        ("GET", f"{DEMO}/dossier", bearer(tokens["sector-postal-demo"])),
    ]
    for method, path, headers in refused:
        response = await gateway.client.request(method, path, headers=headers, json={})
        assert problem_of(response, 403)["type"] == "urn:neibao:problem:forbidden", (method, path)


async def test_staff_are_masked_by_role_and_every_read_is_audited(
    gateway: RunningGateway, tokens: dict[str, str], audit_tap: AuditTap
) -> None:
    police = await gateway.client.get(
        f"{DEMO}/staff", headers={**bearer(tokens["police-heping"]), "X-Request-ID": "dossier-police"}
    )
    chief = await gateway.client.get(
        f"{DEMO}/staff", headers={**bearer(tokens["security-chief-demo"]), "X-Request-ID": "dossier-chief"}
    )

    clear, masked = police.json(), chief.json()
    assert clear["disclosure"]["level"] == "clear"
    assert masked["disclosure"]["level"] == "masked"
    assert set(clear["disclosure"]["kinds"]) >= {"resident_id"}
    assert masked["disclosure"]["subject_ids"] == []
    assert len(clear["items"]) == len(masked["items"]) >= 5
    for shown, hidden in zip(clear["items"], masked["items"], strict=True):
        assert shown["id"] == hidden["id"]
        assert len(shown["resident_id"]) == 18
        assert "*" not in shown["resident_id"]
        assert "*" in hidden["resident_id"]
        assert hidden["resident_id"][:6] == shown["resident_id"][:6]
        assert shown["name"] == hidden["name"]  # names are not masked for those who may see the dossier

    for request_id, response, disclosure in (
        ("dossier-police", police, DISCLOSURE_CLEAR),
        ("dossier-chief", chief, DISCLOSURE_MASKED),
    ):
        record = audit_tap.record_of(request_id)
        assert record.disclosure == disclosure
        assert record.unit == DEMO_UNIT
        assert record.resource == f"{DEMO}/staff"
        assert record.operation == "GET"
        assert record.record_count == len(response.json()["items"])
        assert {PERSONAL_DATA_KIND_RESIDENT_ID, PERSONAL_DATA_KIND_NAME} <= set(record.kinds)
    assert audit_tap.record_of("dossier-chief").actor.name == "security-chief-demo"


async def test_a_staff_member_from_hiring_to_departure(
    gateway: RunningGateway, tokens: dict[str, str], audit_tap: AuditTap
) -> None:
    chief = bearer(tokens["security-chief-demo"])
    police = bearer(tokens["police-heping"])
    number = fresh_resident_id()
    body = {
        "name": "测试保安",
        "resident_id": number,
        "phone": "13800138000",
        "employment": "part_time",
        "position": "门岗保安员",
        "skill_grade": "junior",
        "hired_on": "2024-03-01",
    }

    created = await gateway.client.post(f"{DEMO}/staff", json=body, headers=chief)
    assert created.status_code == 201, created.text
    member = created.json()
    assert created.headers["etag"] == '"1"'
    assert member["disclosure"]["level"] == "masked"
    assert member["resident_id"] != number
    assert member["phone"] == "138****8000"
    assert member["employment"] == "part_time"
    assert member["state"] == "active"
    staff = f"{DEMO}/staff/{member['id']}"
    try:
        again = await gateway.client.post(f"{DEMO}/staff", json=body, headers=chief)
        assert problem_of(again, 409)["type"] == "urn:neibao:problem:already-exists"

        read = await gateway.client.get(staff, headers={**police, "X-Request-ID": "staff-member-read"})
        assert read.json()["resident_id"] == number
        assert read.json()["disclosure"] == {
            "level": "clear",
            "kinds": ["resident_id", "phone"],
            "subject_ids": [member["id"]],
        }
        record = audit_tap.record_of("staff-member-read")
        assert (record.record_count, record.disclosure) == (1, DISCLOSURE_CLEAR)
        assert set(record.kinds) == {
            PERSONAL_DATA_KIND_RESIDENT_ID,
            PERSONAL_DATA_KIND_PHONE,
            PERSONAL_DATA_KIND_NAME,
        }

        trained = await gateway.client.post(
            f"{staff}/trainings",
            json={"trained_on": "2024-04-01", "course": "岗前培训", "hours": 8, "result": "passed"},
            headers=chief,
        )
        assessed = await gateway.client.post(
            f"{staff}/assessments",
            json={"assessed_on": "2024-04-15", "subject": "业务考核", "score": 90, "result": "passed"},
            headers=chief,
        )
        certified = await gateway.client.post(
            f"{staff}/certificates",
            json={"name": "保安员证", "number": "辽000123", "issued_on": "2024-05-01"},
            headers=chief,
        )
        assert [r.status_code for r in (trained, assessed, certified)] == [201, 201, 201], certified.text
        record_now = certified.json()
        assert record_now["trainings"][0]["hours"] == 8
        assert record_now["assessments"][0]["score"] == 90
        assert record_now["certificates"][0]["expires_on"] is None

        change = {"skill_grade": "intermediate"}
        missing = await gateway.client.patch(staff, json=change, headers=chief)
        assert problem_of(missing, 428)["type"] == "urn:neibao:problem:precondition-required"
        stale = await gateway.client.patch(staff, json=change, headers={**chief, "If-Match": '"1"'})
        assert problem_of(stale, 412)["type"] == "urn:neibao:problem:precondition-failed"
        changed = await gateway.client.patch(
            staff, json=change, headers={**chief, "If-Match": certified.headers["etag"]}
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["skill_grade"] == "intermediate"

        found = await gateway.client.post(
            "/api/v1/staff/lookup",
            json={"resident_id": number},
            headers={**police, "X-Request-ID": "staff-lookup"},
        )
        assert [item["id"] for item in found.json()["items"]] == [member["id"]]
        assert audit_tap.record_of("staff-lookup").record_count == 1
        foreign = await gateway.client.post(
            "/api/v1/staff/lookup", json={"resident_id": number}, headers=bearer(tokens["police-dalian"])
        )
        assert foreign.json()["items"] == []
    finally:
        removed = await gateway.client.post(f"{staff}/remove", headers=chief)
    assert removed.status_code == 200, removed.text
    assert removed.json()["state"] == "departed"
    listed = (await gateway.client.get(f"{DEMO}/staff", headers=chief)).json()["items"]
    assert member["id"] not in {item["id"] for item in listed}


async def test_bad_input_is_a_400_naming_the_fields(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    chief = bearer(tokens["security-chief-demo"])
    police = bearer(tokens["police-heping"])
    staff = {"name": "测试", "resident_id": "210102199003071234", "employment": "full_time"}
    cases = [
        (f"{DEMO}/staff", staff, chief, ["/resident_id"]),  # wrong check character: the registry says
        (f"{DEMO}/staff", {**staff, "employment": "contractor"}, chief, ["/employment"]),
        (f"{DEMO}/staff", {**staff, "salary": 1}, chief, ["/salary"]),
        (
            f"{DEMO}/drills",
            {"drilled_on": "2024-01-01", "scenario": "火灾", "participants": 0},
            chief,
            ["/participants"],
        ),
        (
            f"{DEMO}/drills",
            {"drilled_on": "2999-01-01", "scenario": "火灾", "participants": 5},
            chief,
            ["/drilled_on"],
        ),
        (
            f"{DEMO}/key-parts",
            {"name": "金库", "required_device_types": ["laser"]},
            chief,
            ["/required_device_types/0"],
        ),
        ("/api/v1/staff/lookup", {"resident_id": "123"}, police, ["/resident_id"]),
    ]
    for path, body, headers, expected in cases:
        response = await gateway.client.post(path, json=body, headers=headers)
        problem = problem_of(response, 400)
        assert problem["type"] == "urn:neibao:problem:invalid-argument", (path, body)
        assert pointers(problem) == expected, (path, body, problem)
    empty = await gateway.client.patch(
        f"{DEMO}/key-parts/{uuid.uuid4()}", json={}, headers={**chief, "If-Match": '"1"'}
    )
    assert pointers(problem_of(empty, 400)) == [""]


async def test_responsible_persons_and_key_parts_are_kept_by_the_unit(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    chief = bearer(tokens["security-chief-demo"])
    police = bearer(tokens["police-heping"])

    person = await gateway.client.post(
        f"{DEMO}/responsible-persons",
        json={
            "role": "co_responsible",
            "name": "测试责任人",
            "phone": "13900139000",
            "appointed_on": "2024-01-02",
        },
        headers=chief,
    )
    assert person.status_code == 201, person.text
    assert person.json()["phone"] == "139****9000"
    assert person.json()["disclosure"]["level"] == "masked"
    path = f"{DEMO}/responsible-persons/{person.json()['id']}"
    second_first = await gateway.client.post(
        f"{DEMO}/responsible-persons", json={"role": "first_responsible", "name": "另一人"}, headers=chief
    )
    problem_of(second_first, 409)
    listed = (await gateway.client.get(f"{DEMO}/responsible-persons", headers=police)).json()
    assert listed["items"][0]["role"] == "first_responsible"
    assert "13900139000" in {item["phone"] for item in listed["items"]}  # clear for police
    changed = await gateway.client.patch(
        path, json={"position": "副总经理"}, headers={**chief, "If-Match": person.headers["etag"]}
    )
    assert changed.json()["position"] == "副总经理"
    gone = await gateway.client.delete(path, headers={**chief, "If-Match": changed.headers["etag"]})
    assert gone.status_code == 204
    assert problem_of(await gateway.client.delete(path, headers={**chief, "If-Match": "*"}), 404)

    part = await gateway.client.post(
        f"{DEMO}/key-parts",
        json={
            "name": "测试机房",
            "protection_measures": ["门禁"],
            "required_device_types": ["access_control"],
        },
        headers=chief,
    )
    assert part.status_code == 201, part.text
    part_path = f"{DEMO}/key-parts/{part.json()['id']}"
    moved = await gateway.client.patch(
        part_path, json={"location": "三层"}, headers={**chief, "If-Match": "*"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["location"] == "三层"
    assert moved.json()["required_device_types"] == ["access_control"]
    no_tag = await gateway.client.delete(part_path, headers=chief)
    problem_of(no_tag, 428)
    deleted = await gateway.client.delete(part_path, headers={**chief, "If-Match": moved.headers["etag"]})
    assert deleted.status_code == 204


async def test_plans_and_drills(gateway: RunningGateway, tokens: dict[str, str]) -> None:
    chief = bearer(tokens["security-chief-demo"])
    title = "网关集成测试预案"
    plans = (await gateway.client.get(f"{DEMO}/emergency-plans", headers=chief)).json()["items"]
    existing = [plan for plan in plans if plan["title"] == title]
    body: dict[str, Any] = {
        "title": title,
        "scenario": "测试",
        "content": "测试内容",
        "effective_on": "2024-01-01",
    }
    if existing:  # a new version of the same plan: the count of plans in force stays as it is
        body["plan_id"] = existing[0]["plan_id"]

    published = await gateway.client.post(f"{DEMO}/emergency-plans", json=body, headers=chief)
    assert published.status_code == 201, published.text
    assert published.json()["state"] == "current"
    assert published.json()["version"] == (existing[0]["version"] + 1 if existing else 1)

    drill = await gateway.client.post(
        f"{DEMO}/drills",
        json={
            "drilled_on": date.today().isoformat(),
            "scenario": "测试演练",
            "participants": 12,
            "plan_id": published.json()["plan_id"],
        },
        headers=chief,
    )
    assert drill.status_code == 201, drill.text
    assert drill.json()["plan_id"] == published.json()["plan_id"]
    assert drill.json()["recorded_by"]["name"] == "security-chief-demo"


async def test_the_filing_workflow(gateway: RunningGateway, tokens: dict[str, str], police_unit: str) -> None:
    police = bearer(tokens["police-heping"])
    filings = f"{UNITS}/{police_unit}/filings"
    content = {
        "organisation_name": "保卫部",
        "head_name": "李保卫",
        "full_time_staff": 3,
        "part_time_staff": 1,
        "established_on": "2020-03-01",
    }

    draft = await gateway.client.put(f"{filings}/draft", json=content, headers=police)
    assert draft.status_code == 200, draft.text
    assert draft.json()["state"] == "draft"
    filing = f"{filings}/{draft.json()['id']}"
    submitted = await gateway.client.post(
        f"{filing}/submit", headers={**police, "If-Match": draft.headers["etag"]}
    )
    assert submitted.json()["state"] == "submitted", submitted.text
    under_review = await gateway.client.put(f"{filings}/draft", json=content, headers=police)
    problem_of(under_review, 409)
    no_reason = await gateway.client.post(f"{filing}/return", json={"reasons": []}, headers=police)
    assert pointers(problem_of(no_reason, 400)) == ["/reasons"]
    returned = await gateway.client.post(
        f"{filing}/return", json={"reasons": ["专职人员不足"]}, headers=police
    )
    assert returned.json()["state"] == "returned"
    assert returned.json()["return_reasons"] == ["专职人员不足"]

    revised = await gateway.client.put(
        f"{filings}/draft",
        json={**content, "full_time_staff": 5},
        headers={**police, "If-Match": returned.headers["etag"]},
    )
    assert revised.json()["state"] == "draft", revised.text
    await gateway.client.post(f"{filing}/submit", headers=police)
    accepted = await gateway.client.post(f"{filing}/accept", json={"note": "予以备案"}, headers=police)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["in_force"] is True
    assert [step["action"] for step in accepted.json()["history"]] == [
        "saved",
        "submitted",
        "returned",
        "saved",
        "submitted",
        "accepted",
    ]
    dossier = (await gateway.client.get(f"{UNITS}/{police_unit}/dossier", headers=police)).json()
    assert dossier["filing_in_force"]["id"] == draft.json()["id"]
    assert dossier["open_filing"] is None


async def test_workstations_and_informants_are_police_business(
    gateway: RunningGateway, tokens: dict[str, str], police_unit: str, audit_tap: AuditTap
) -> None:
    police = bearer(tokens["police-heping"])
    unit = f"{UNITS}/{police_unit}"

    station = await gateway.client.post(
        f"{unit}/workstations",
        json={"police_station": "210102001", "name": "测试警务室", "officers": 2, "opened_on": "2024-01-02"},
        headers=police,
    )
    assert station.status_code == 201, station.text
    closed = await gateway.client.patch(
        f"{unit}/workstations/{station.json()['id']}",
        json={"closed_on": date.today().isoformat()},
        headers={**police, "If-Match": station.headers["etag"]},
    )
    assert closed.json()["closed_on"] == date.today().isoformat(), closed.text

    informant = await gateway.client.post(
        f"{unit}/informants",
        json={"name": "测试信息员", "phone": "13700137000", "department": "物业部"},
        headers={**police, "X-Request-ID": "informant-created"},
    )
    assert informant.status_code == 201, informant.text
    assert informant.json()["name"] == "测试信息员"
    assert informant.json()["disclosure"]["level"] == "clear"
    assert audit_tap.record_of("informant-created").disclosure == DISCLOSURE_CLEAR
    path = f"{unit}/informants/{informant.json()['id']}"
    report = await gateway.client.post(
        f"{path}/reports",
        json={"reported_on": "2024-05-20", "content": "可疑人员徘徊", "severity": "medium"},
        headers=police,
    )
    assert report.status_code == 201, report.text
    assert report.json()["severity"] == "medium"
    own = (await gateway.client.get(f"{path}/reports", headers=police)).json()["items"]
    everyone = (await gateway.client.get(f"{unit}/informant-reports", headers=police)).json()["items"]
    assert [r["id"] for r in own] == [r["id"] for r in everyone] == [report.json()["id"]]
    listed = await gateway.client.get(
        f"{unit}/informants", headers={**police, "X-Request-ID": "informants-listed"}
    )
    assert [item["id"] for item in listed.json()["items"]] == [informant.json()["id"]]
    assert audit_tap.record_of("informants-listed").record_count == 1
    retired = await gateway.client.patch(path, json={"active": False}, headers={**police, "If-Match": "*"})
    assert retired.json()["active"] is False, retired.text
    elsewhere = await gateway.client.get(path, headers=bearer(tokens["police-dalian"]))
    problem_of(elsewhere, 404)


async def test_an_inspection_finds_a_hazard_the_unit_rectifies_and_the_police_verify(
    gateway: RunningGateway, tokens: dict[str, str]
) -> None:
    police = bearer(tokens["police-heping"])
    chief = bearer(tokens["security-chief-demo"])

    inspection = await gateway.client.post(
        f"{DEMO}/inspections",
        json={
            "inspected_on": date.today().isoformat(),
            "organisation": "和平分局内保大队",
            "inspectors": ["测试警官"],
        },
        headers=police,
    )
    assert inspection.status_code == 201, inspection.text
    assert inspection.json()["party"] == "police"
    inspection_path = f"{DEMO}/inspections/{inspection.json()['id']}"
    deadline = (date.today() + timedelta(days=30)).isoformat()
    hazard = await gateway.client.post(
        f"{inspection_path}/hazards",
        json={"severity": "high", "description": "测试隐患", "deadline": deadline},
        headers=police,
    )
    assert hazard.status_code == 201, hazard.text
    assert hazard.json()["state"] == "open"
    hazard_path = f"{DEMO}/hazards/{hazard.json()['id']}"
    read = (await gateway.client.get(inspection_path, headers=chief)).json()
    assert [h["id"] for h in read["hazards"]] == [hazard.json()["id"]]

    no_evidence = await gateway.client.post(
        f"{hazard_path}/rectify", json={"rectification_note": "已整改", "evidence": []}, headers=chief
    )
    assert pointers(problem_of(no_evidence, 400)) == ["/evidence"]
    by_police = await gateway.client.post(
        f"{hazard_path}/rectify", json={"evidence": [{"description": "照片"}]}, headers=police
    )
    problem_of(by_police, 403)
    rectified = await gateway.client.post(
        f"{hazard_path}/rectify",
        json={
            "rectification_note": "已整改",
            "evidence": [{"description": "整改照片", "uri": "https://files.example/1.jpg"}],
        },
        headers={**chief, "If-Match": hazard.headers["etag"]},
    )
    assert rectified.json()["state"] == "rectified", rectified.text
    stale = await gateway.client.post(
        f"{hazard_path}/verify",
        json={"accepted": True},
        headers={**police, "If-Match": hazard.headers["etag"]},
    )
    problem_of(stale, 412)
    verified = await gateway.client.post(f"{hazard_path}/verify", json={"accepted": True}, headers=police)
    assert verified.json()["state"] == "verified", verified.text
    assert verified.json()["verified_by"]["name"] == "police-heping"
    again = await gateway.client.get(hazard_path, headers=chief)
    assert again.headers["etag"] == f'"{again.json()["version"]}"'


async def test_without_the_audit_trail_no_staff_data_leaves(
    start_gateway: StartGateway, unit_registry: str, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway(
        upstreams={"unit-registry": unit_registry},
        kafka_bootstrap=f"127.0.0.1:{closed_port()}",
        audit_timeout_seconds=2.0,
    )

    response = await gateway.client.get(f"{DEMO}/staff", headers=bearer(tokens["police-heping"]))
    dossier = await gateway.client.get(f"{DEMO}/dossier", headers=bearer(tokens["police-heping"]))

    assert problem_of(response, 503)["type"] == "urn:neibao:problem:audit-unavailable"
    assert "resident_id" not in response.text
    assert dossier.status_code == 200  # no personal data: no audit needed
