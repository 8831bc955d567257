"""The unit dossier through the running gateway, with the demo accounts (issue 4): who sees which unit's
dossier (a foreign unit is 404 on every part of it), resident IDs and phones masked for the roles that may
not see them, informants for police only, and every read of staff members' personal data audited on the
real audit topic before it left.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition

from neibao.audit.v1.audit_pb2 import (
    DISCLOSURE_CLEAR,
    DISCLOSURE_MASKED,
    PERSONAL_DATA_KIND_NAME,
    PERSONAL_DATA_KIND_RESIDENT_ID,
    PersonalDataAccessed,
)
from neibao_messaging import PayloadRegistry, decode
from neibao_testkit import StackEndpoints

from .conftest import TokenBook
from .support import DEMO_POSTAL, DEMO_UNIT, DEMO_USERS, assert_problem

AUDIT_TOPIC = "neibao.audit.events.v1"
PERSONAL_DATA_ACCESSED = "neibao.audit.personal-data.accessed.v1"
UNITS = "/api/v1/units"
# Every part of a dossier a reader of the unit may read.
DOSSIER_READS = (
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
# Who sees the dossiers of the demo unit (Heping, commerce) and of the demo postal company (Dalian).
SEES = {
    "admin": (True, True),
    "police-shenyang": (True, False),
    "police-heping": (True, False),
    "police-dalian": (False, True),
    "regulator-postal": (False, True),
    "regulator-commerce-dalian": (False, False),
    "security-chief-demo": (True, False),
}
CLEAR_ROLES = {"admin", "police-shenyang", "police-heping", "police-dalian"}


class AuditTap:
    """The real audit topic from the moment it is made: the records written since."""

    def __init__(self, bootstrap: str) -> None:
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
        self._consumer.topics()
        partitions = self._consumer.partitions_for_topic(AUDIT_TOPIC) or set()
        assert partitions, f"the audit topic {AUDIT_TOPIC} does not exist"
        assigned = [TopicPartition(AUDIT_TOPIC, partition) for partition in partitions]
        self._consumer.assign(assigned)
        for partition, offset in self._consumer.end_offsets(assigned).items():
            self._consumer.seek(partition, offset)
        self._by_request: dict[str, PersonalDataAccessed] = {}

    def records_of(self, request_ids: set[str], timeout: float = 30) -> dict[str, PersonalDataAccessed]:
        """The audit records of these requests (fails unless every one arrives in time)."""
        registry = PayloadRegistry({PERSONAL_DATA_ACCESSED: PersonalDataAccessed})
        deadline = time.monotonic() + timeout
        while not request_ids <= self._by_request.keys() and time.monotonic() < deadline:
            for batch in self._consumer.poll(timeout_ms=500).values():
                for item in batch:
                    record = decode(item, registry).payload(PersonalDataAccessed)
                    self._by_request[record.request_id] = record
        missing = request_ids - self._by_request.keys()
        assert not missing, f"reads without an audit record: {sorted(missing)}"
        return {request_id: self._by_request[request_id] for request_id in request_ids}

    def close(self) -> None:
        self._consumer.close()


@pytest.fixture
def audit_tap(kafka: StackEndpoints) -> Iterator[AuditTap]:
    tap = AuditTap(kafka.kafka_bootstrap)
    yield tap
    tap.close()


def traced(headers: dict[str, str]) -> tuple[dict[str, str], str]:
    """The headers with a fresh request id, and the id."""
    request_id = f"e2e-dossier-{uuid.uuid4().hex[:12]}"
    return {**headers, "X-Request-ID": request_id}, request_id


@pytest.mark.parametrize("principal", DEMO_USERS)
def test_each_account_sees_exactly_the_dossiers_in_its_scope(
    principal: str, api: httpx.Client, tokens: TokenBook
) -> None:
    headers = tokens.bearer(principal)
    for uscc, sees in zip((DEMO_UNIT, DEMO_POSTAL), SEES[principal], strict=True):
        for resource in DOSSIER_READS:
            response = api.get(f"{UNITS}/{uscc}{resource}", headers=headers)
            if sees:
                assert response.status_code == 200, (principal, uscc, resource, response.text)
            else:
                problem = assert_problem(response, 404)
                assert problem["type"] == "urn:neibao:problem:not-found", (principal, uscc, resource)


def test_police_of_heping_see_the_demo_units_staff_and_dalian_does_not(
    api: httpx.Client, tokens: TokenBook
) -> None:
    heping = api.get(f"{UNITS}/{DEMO_UNIT}/staff", headers=tokens.bearer("police-heping"))
    dalian = api.get(f"{UNITS}/{DEMO_UNIT}/staff", headers=tokens.bearer("police-dalian"))
    member = api.get(
        f"{UNITS}/{DEMO_UNIT}/staff/{heping.json()['items'][0]['id']}", headers=tokens.bearer("police-dalian")
    )

    assert heping.status_code == 200
    assert len(heping.json()["items"]) >= 5
    assert all(item["uscc"] == DEMO_UNIT for item in heping.json()["items"])
    assert_problem(dalian, 404)
    assert_problem(member, 404)


@pytest.mark.parametrize(
    ("principal", "uscc"),
    [
        (principal, uscc)
        for principal, sees in SEES.items()
        for uscc, seen in zip((DEMO_UNIT, DEMO_POSTAL), sees, strict=True)
        if seen
    ],
)
def test_ids_and_phones_are_masked_for_the_roles_that_may_not_see_them(
    principal: str, uscc: str, api: httpx.Client, tokens: TokenBook
) -> None:
    staff = api.get(f"{UNITS}/{uscc}/staff", headers=tokens.bearer(principal)).json()
    people = api.get(f"{UNITS}/{uscc}/responsible-persons", headers=tokens.bearer(principal)).json()

    clear = principal in CLEAR_ROLES
    assert staff["items"], "the demo dossiers have staff"
    for answer in (staff, people):
        if answer["items"]:
            assert answer["disclosure"]["level"] == ("clear" if clear else "masked"), principal
    for item in staff["items"]:
        assert ("*" in item["resident_id"]) is not clear, (principal, item["id"])
        assert item["phone"] is None or ("*" in item["phone"]) is not clear
    for item in people["items"]:
        assert item["phone"] is None or ("*" in item["phone"]) is not clear
    if not clear:
        assert staff["disclosure"]["subject_ids"] == []


def test_the_demo_units_staff_are_masked_for_its_own_security_chief(
    api: httpx.Client, tokens: TokenBook
) -> None:
    own = api.get(f"{UNITS}/{DEMO_UNIT}/staff", headers=tokens.bearer("security-chief-demo")).json()
    police = api.get(f"{UNITS}/{DEMO_UNIT}/staff", headers=tokens.bearer("police-heping")).json()

    assert own["disclosure"]["level"] == "masked"
    assert police["disclosure"]["level"] == "clear"
    for hidden, shown in zip(own["items"], police["items"], strict=True):
        assert hidden["resident_id"] != shown["resident_id"]
        assert hidden["resident_id"][:6] == shown["resident_id"][:6]
        assert hidden["resident_id"][-4:] == shown["resident_id"][-4:]


def test_every_staff_read_is_audited(api: httpx.Client, tokens: TokenBook, audit_tap: AuditTap) -> None:
    reads: dict[str, tuple[str, int, str]] = {}  # request id -> principal, record count, resource
    first_id = ""
    for principal in ("police-heping", "security-chief-demo", "admin"):
        headers, request_id = traced(tokens.bearer(principal))
        listed = api.get(f"{UNITS}/{DEMO_UNIT}/staff", headers=headers)
        assert listed.status_code == 200, listed.text
        reads[request_id] = (principal, len(listed.json()["items"]), f"{UNITS}/{DEMO_UNIT}/staff")
        first_id = listed.json()["items"][0]["id"]
        headers, request_id = traced(tokens.bearer(principal))
        one = api.get(f"{UNITS}/{DEMO_UNIT}/staff/{first_id}", headers=headers)
        assert one.status_code == 200, one.text
        reads[request_id] = (principal, 1, f"{UNITS}/{DEMO_UNIT}/staff/{first_id}")
    resident_id = api.get(f"{UNITS}/{DEMO_UNIT}/staff/{first_id}", headers=tokens.bearer("admin")).json()[
        "resident_id"
    ]
    headers, request_id = traced(tokens.bearer("police-heping"))
    found = api.post("/api/v1/staff/lookup", json={"resident_id": resident_id}, headers=headers)
    assert [item["id"] for item in found.json()["items"]] == [first_id]
    reads[request_id] = ("police-heping", 1, "/api/v1/staff/lookup")

    records = audit_tap.records_of(set(reads))
    for request_id, (principal, count, resource) in reads.items():
        record = records[request_id]
        assert record.actor.name == principal
        assert record.resource == resource
        assert record.unit == DEMO_UNIT
        assert record.record_count == count
        assert record.disclosure == (DISCLOSURE_CLEAR if principal in CLEAR_ROLES else DISCLOSURE_MASKED)
        assert {PERSONAL_DATA_KIND_RESIDENT_ID, PERSONAL_DATA_KIND_NAME} <= set(record.kinds)
        assert record.service == "gateway"


def test_informants_exist_for_police_only(api: httpx.Client, tokens: TokenBook) -> None:
    informants = f"{UNITS}/{DEMO_UNIT}/informants"
    police = api.get(informants, headers=tokens.bearer("police-heping"))
    assert police.status_code == 200
    assert police.json()["items"]
    assert police.json()["disclosure"]["level"] == "clear"
    for principal in ("security-chief-demo", "regulator-postal", "sector-postal-demo"):
        assert_problem(api.get(informants, headers=tokens.bearer(principal)), 403)
    assert_problem(api.get(informants, headers=tokens.bearer("police-dalian")), 404)
    dossier = api.get(f"{UNITS}/{DEMO_UNIT}/dossier", headers=tokens.bearer("security-chief-demo")).json()
    assert dossier["informants"] is None


def test_what_the_dossier_role_matrix_admits(api: httpx.Client) -> None:
    """The roles each dossier route declares, as the registry's write rules read them."""
    document: dict[str, Any] = api.get("/openapi.json").json()
    roles = {
        f"{method.upper()} {path}": set(operation["x-roles"])
        for path, by_method in document["paths"].items()
        for method, operation in by_method.items()
        if path.startswith(("/api/v1/units/{uscc}/", "/api/v1/staff/"))
    }
    police = {"police", "province-admin"}
    readers = police | {"regulator", "unit-security"}
    unit = f"{UNITS}/{{uscc}}"
    for resource in DOSSIER_READS:
        assert roles[f"GET {unit}{resource}"] == readers
    assert roles[f"POST {unit}/staff"] == {"unit-security"}
    assert roles[f"PATCH {unit}/staff/{{staff_id}}"] == {"unit-security"}
    assert roles[f"POST {unit}/responsible-persons"] == {"unit-security"}
    assert roles[f"POST {unit}/drills"] == {"unit-security"}
    assert roles[f"PUT {unit}/filings/draft"] == police | {"unit-security"}
    assert roles[f"POST {unit}/filings/{{filing_id}}/accept"] == police
    assert roles[f"POST {unit}/workstations"] == police
    assert roles[f"GET {unit}/informants"] == police
    assert roles[f"POST {unit}/inspections"] == police | {"regulator"}
    assert roles[f"POST {unit}/hazards/{{hazard_id}}/rectify"] == {"unit-security"}
    assert roles[f"POST {unit}/hazards/{{hazard_id}}/verify"] == police | {"regulator"}
    assert roles["POST /api/v1/staff/lookup"] == police
