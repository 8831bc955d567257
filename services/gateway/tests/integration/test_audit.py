"""The audit path: personal data leaves only after its audit record is acknowledged by Kafka."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI
from kafka import KafkaConsumer

from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Audit
from gateway.entrypoints.http.openapi import gateway_router
from gateway.service.audit import PERSONAL_DATA_ACCESSED
from neibao.audit.v1.audit_pb2 import (
    DISCLOSURE_MASKED,
    PERSONAL_DATA_KIND_NAME,
    PERSONAL_DATA_KIND_PHONE,
    PersonalDataAccessed,
)
from neibao.common.v1.common_pb2 import ACTOR_KIND_USER
from neibao_identity import Role
from neibao_messaging import PayloadRegistry, decode
from neibao_testkit import StackEndpoints

from ..support import closed_port
from .conftest import StartGateway, bearer

USCC = "91210102MA0LN001X3"
STAFF = [{"name": "张*", "phone": "138****0000"}, {"name": "李*", "phone": "139****0000"}]


def staff_route(app: FastAPI) -> None:
    """A route returning personal data, as the unit dossier's will (none exists yet)."""
    router = gateway_router()

    @router.get("/api/v1/test/units/{uscc}/staff")
    async def list_staff(
        uscc: str, caller: Annotated[Caller, require_roles(Role.POLICE, Role.PROVINCE_ADMIN)], audit: Audit
    ) -> list[dict[str, Any]]:
        await audit.personal_data_read(
            caller,
            unit=uscc,
            kinds=[PERSONAL_DATA_KIND_NAME, PERSONAL_DATA_KIND_PHONE],
            disclosure=DISCLOSURE_MASKED,
            record_count=len(STAFF),
        )
        return STAFF

    app.include_router(router)


def read_all(bootstrap: str, topic: str, expected: int, timeout: float = 20) -> list[Any]:
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expected and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


async def test_a_personal_data_read_is_recorded_before_the_data_leaves(
    start_gateway: StartGateway,
    tokens: dict[str, str],
    kafka_topic: Callable[..., str],
    kafka: StackEndpoints,
) -> None:
    topic = kafka_topic("test.audit")
    gateway = await start_gateway(staff_route, audit_topic=topic)

    response = await gateway.client.get(
        f"/api/v1/test/units/{USCC}/staff",
        headers={**bearer(tokens["police-heping"]), "X-Request-ID": "req-42"},
    )

    assert response.status_code == 200
    assert response.json() == STAFF
    [record] = read_all(kafka.kafka_bootstrap, topic, expected=1)
    event = decode(record, PayloadRegistry({PERSONAL_DATA_ACCESSED: PersonalDataAccessed}))
    audit = event.payload(PersonalDataAccessed)
    me = (await gateway.client.get("/api/v1/me", headers=bearer(tokens["police-heping"]))).json()
    assert event.type == PERSONAL_DATA_ACCESSED
    assert record.key == me["subject"].encode()
    assert audit.request_id == "req-42"
    assert audit.actor.kind == ACTOR_KIND_USER
    assert (audit.actor.subject, audit.actor.name) == (me["subject"], "police-heping")
    assert list(audit.actor.roles) == ["police"]
    assert (audit.actor.jurisdiction, audit.actor.client_id) == ("210102", "neibao-cli")
    assert audit.resource == f"/api/v1/test/units/{USCC}/staff"
    assert audit.operation == "GET"
    assert audit.unit == USCC
    assert list(audit.kinds) == [PERSONAL_DATA_KIND_NAME, PERSONAL_DATA_KIND_PHONE]
    assert audit.disclosure == DISCLOSURE_MASKED
    assert audit.record_count == 2
    assert audit.trace_id == response.headers["traceparent"].split("-")[1]
    assert audit.client_address == "127.0.0.1"
    assert audit.service == "gateway"
    assert abs(audit.occurred_at.seconds - time.time()) < 60


async def test_without_kafka_no_personal_data_leaves(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway(
        staff_route, kafka_bootstrap=f"127.0.0.1:{closed_port()}", audit_timeout_seconds=2.0
    )
    started = time.monotonic()

    response = await gateway.client.get(f"/api/v1/test/units/{USCC}/staff", headers=bearer(tokens["admin"]))

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:neibao:problem:audit-unavailable"
    assert "138" not in response.text
    assert time.monotonic() - started < 5
