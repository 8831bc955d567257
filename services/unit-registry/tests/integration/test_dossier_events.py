"""Every dossier change writes exactly one event, in its transaction; none carries personal data in clear:
the responsible person a dossier.updated announces (for alarm routing's contacts beside each alarm) has
the phone sealed with the platform's personal-data keys."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from kafka import KafkaConsumer
from sqlalchemy import create_engine

from neibao.unitregistry.v1 import dossier_pb2, events_pb2, informant_pb2, inspection_pb2, staff_pb2
from neibao_messaging import OutboxRelay, decode, idempotent_producer
from neibao_privacy import FieldCipher, PrivacyKeys, field_context
from neibao_testkit.endpoints import StackEndpoints
from unit_registry.adapters.events import PAYLOADS, PHONE_PLACE

from .conftest import HEPING_SHOP, Registry, populate, settings_for, start_registry
from .dossier_fixtures import PHONE, SHARED_ID

# A responsible person's phone travels sealed in its dossier.updated event (alarm routing opens it).
PERSON_PHONE = "13911112222"

P = "neibao.unit-registry."


@pytest.fixture
async def topic_registry(
    database: str,
    stack: StackEndpoints,
    tokens: dict[str, str],
    kafka_topic: Callable[..., str],
    pii_keys: dict[str, str],
) -> AsyncIterator[tuple[Registry, str]]:
    """A registry whose events go to a fresh topic, with the three test units."""
    topic = kafka_topic("unit-registry-dossier-test")
    async for running in start_registry(settings_for(database, stack, pii_keys, topic), tokens):
        yield await populate(running), topic


async def test_one_event_per_change_and_the_relay_publishes_them(
    topic_registry: tuple[Registry, str], stack: StackEndpoints, pii_keys: dict[str, str]
) -> None:
    registry, topic = topic_registry
    chief, heping = registry.auth("security-chief-demo"), registry.auth("police-heping")
    start = len(registry.event_types())
    results: dict[str, Any] = {}

    async def step(expected: str | None, name: str, call: Callable[[], Awaitable[Any]]) -> None:
        before = registry.event_types()
        results[name] = await call()
        new = registry.event_types()[len(before) :]
        assert new == ([P + expected] if expected else []), name

    await step(
        "dossier.updated.v1",
        "person",
        lambda: registry.dossier.CreateResponsiblePerson(
            dossier_pb2.CreateResponsiblePersonRequest(
                uscc=HEPING_SHOP,
                role=dossier_pb2.RESPONSIBLE_ROLE_FIRST_RESPONSIBLE,
                name="赵建国",
                phone=PERSON_PHONE,
            ),
            metadata=chief,
        ),
    )
    await step(
        "dossier.updated.v1",
        "staff",
        lambda: registry.staff.CreateStaffMember(
            staff_pb2.CreateStaffMemberRequest(
                uscc=HEPING_SHOP,
                name="王芳",
                resident_id=SHARED_ID,
                phone=PHONE,
                employment=staff_pb2.EMPLOYMENT_FULL_TIME,
            ),
            metadata=chief,
        ),
    )
    staff_id = results["staff"].staff_member.id
    await step(
        "training.recorded.v1",
        "training",
        lambda: registry.staff.RecordTraining(
            staff_pb2.RecordTrainingRequest(
                uscc=HEPING_SHOP,
                staff_id=staff_id,
                trained_on="2025-01-02",
                course="消防安全培训",
                hours=4,
                result=staff_pb2.TRAINING_RESULT_ATTENDED,
            ),
            metadata=chief,
        ),
    )
    await step(
        "dossier.updated.v1",
        "certificate",
        lambda: registry.staff.AddCertificate(
            staff_pb2.AddCertificateRequest(uscc=HEPING_SHOP, staff_id=staff_id, name="保安员证"),
            metadata=chief,
        ),
    )
    # Nothing changes: no version, no event.
    await step(
        None,
        "noop",
        lambda: registry.staff.UpdateStaffMember(
            staff_pb2.UpdateStaffMemberRequest(
                uscc=HEPING_SHOP, id=staff_id, update_mask=FieldMask(paths=["name"]), name="王芳"
            ),
            metadata=chief,
        ),
    )
    await step(
        "dossier.updated.v1",
        "key part",
        lambda: registry.dossier.CreateKeyPart(
            dossier_pb2.CreateKeyPartRequest(uscc=HEPING_SHOP, name="配电室"), metadata=chief
        ),
    )
    await step(
        "dossier.updated.v1",
        "plan",
        lambda: registry.dossier.PublishEmergencyPlan(
            dossier_pb2.PublishEmergencyPlanRequest(
                uscc=HEPING_SHOP, title="火灾事故应急预案", scenario="火灾", effective_on="2025-01-01"
            ),
            metadata=chief,
        ),
    )
    await step(
        "drill.recorded.v1",
        "drill",
        lambda: registry.dossier.RecordDrill(
            dossier_pb2.RecordDrillRequest(
                uscc=HEPING_SHOP,
                drilled_on="2025-02-01",
                scenario="疏散",
                participants=50,
                plan_id=results["plan"].emergency_plan.plan_id,
            ),
            metadata=chief,
        ),
    )
    await step(
        "dossier.updated.v1",
        "draft",
        lambda: registry.dossier.SaveFilingDraft(
            dossier_pb2.SaveFilingDraftRequest(
                uscc=HEPING_SHOP,
                organisation_name="保卫部",
                head_name="钱明",
                full_time_staff=3,
                established_on="2020-01-01",
            ),
            metadata=chief,
        ),
    )
    filing = results["draft"].filing.id
    await step(
        "filing.submitted.v1",
        "submit",
        lambda: registry.dossier.SubmitFiling(
            dossier_pb2.SubmitFilingRequest(uscc=HEPING_SHOP, id=filing), metadata=chief
        ),
    )
    await step(
        "filing.returned.v1",
        "return",
        lambda: registry.dossier.ReturnFiling(
            dossier_pb2.ReturnFilingRequest(uscc=HEPING_SHOP, id=filing, reasons=["制度不全"]),
            metadata=heping,
        ),
    )
    await step(
        "filing.submitted.v1",
        "resubmit",
        lambda: registry.dossier.SubmitFiling(
            dossier_pb2.SubmitFilingRequest(uscc=HEPING_SHOP, id=filing), metadata=chief
        ),
    )
    await step(
        "filing.accepted.v1",
        "accept",
        lambda: registry.dossier.AcceptFiling(
            dossier_pb2.AcceptFilingRequest(uscc=HEPING_SHOP, id=filing), metadata=heping
        ),
    )
    await step(
        "dossier.updated.v1",
        "informant",
        lambda: registry.informants.CreateInformant(
            informant_pb2.CreateInformantRequest(uscc=HEPING_SHOP, name="李强", phone="13700002222"),
            metadata=heping,
        ),
    )
    await step(
        "informant-report.filed.v1",
        "report",
        lambda: registry.informants.FileInformantReport(
            informant_pb2.FileInformantReportRequest(
                uscc=HEPING_SHOP,
                informant_id=results["informant"].informant.id,
                reported_on="2025-03-01",
                content="可疑人员徘徊",
                severity=dossier_pb2.SEVERITY_HIGH,
            ),
            metadata=heping,
        ),
    )
    await step(
        "inspection.recorded.v1",
        "inspection",
        lambda: registry.inspections.RecordInspection(
            inspection_pb2.RecordInspectionRequest(
                uscc=HEPING_SHOP, inspected_on="2025-03-02", organisation="太原街派出所", inspectors=["张伟"]
            ),
            metadata=heping,
        ),
    )
    await step(
        "hazard.opened.v1",
        "hazard",
        lambda: registry.inspections.OpenHazard(
            inspection_pb2.OpenHazardRequest(
                uscc=HEPING_SHOP,
                inspection_id=results["inspection"].inspection.id,
                severity=dossier_pb2.SEVERITY_MEDIUM,
                description="灭火器过期",
                deadline="2099-01-01",
            ),
            metadata=heping,
        ),
    )
    hazard = results["hazard"].hazard.id
    evidence = [inspection_pb2.Evidence(description="照片")]
    await step(
        "hazard.rectified.v1",
        "rectify",
        lambda: registry.inspections.RectifyHazard(
            inspection_pb2.RectifyHazardRequest(
                uscc=HEPING_SHOP, id=hazard, rectification_note="已更换", evidence=evidence
            ),
            metadata=chief,
        ),
    )
    await step(
        "hazard.reopened.v1",
        "reject",
        lambda: registry.inspections.VerifyHazard(
            inspection_pb2.VerifyHazardRequest(
                uscc=HEPING_SHOP, id=hazard, accepted=False, verification_note="未全部更换"
            ),
            metadata=heping,
        ),
    )
    await step(
        "hazard.rectified.v1",
        "rectify again",
        lambda: registry.inspections.RectifyHazard(
            inspection_pb2.RectifyHazardRequest(
                uscc=HEPING_SHOP, id=hazard, rectification_note="全部更换", evidence=evidence
            ),
            metadata=chief,
        ),
    )
    await step(
        "hazard.verified.v1",
        "verify",
        lambda: registry.inspections.VerifyHazard(
            inspection_pb2.VerifyHazardRequest(uscc=HEPING_SHOP, id=hazard, accepted=True), metadata=heping
        ),
    )

    expected = len(registry.event_types()) - start
    assert expected == 20
    engine = create_engine(registry.database_url)
    try:
        relay = OutboxRelay(engine, lambda: idempotent_producer(stack.kafka_bootstrap), send_timeout=30)
        with relay:
            assert relay.run_once() == start + expected
    finally:
        engine.dispose()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    try:
        records = []
        for record in consumer:
            records.append(record)
            if len(records) == start + expected:
                break
    finally:
        consumer.close()
    events = [decode(record, PAYLOADS) for record in records][start:]
    assert {e.key for e in events} == {HEPING_SHOP.encode()}
    # No personal data leaves through Kafka in clear: no resident ID, phone, informant or report content.
    raw = b"".join(bytes(record.value) for record in records)
    for secret in (SHARED_ID, PHONE, PERSON_PHONE, "13700002222", "李强", "可疑人员徘徊"):
        assert secret.encode() not in raw, secret
    by_type = {e.type.removeprefix(P): e for e in events}
    report = by_type["informant-report.filed.v1"].payload(events_pb2.InformantReportFiled)
    assert (report.severity, report.jurisdiction) == (dossier_pb2.SEVERITY_HIGH, "210102")
    accepted = by_type["filing.accepted.v1"].payload(events_pb2.FilingAccepted)
    assert accepted.filing_id == filing
    assert not accepted.flags.filing_overdue
    submitted = [e.payload(events_pb2.FilingSubmitted) for e in events if e.type == P + "filing.submitted.v1"]
    assert [s.resubmission for s in submitted] == [False, True]
    verified = by_type["hazard.verified.v1"].payload(events_pb2.HazardVerified)
    assert (verified.hazard.hazard_id, verified.hazard.state) == (
        hazard,
        inspection_pb2.HAZARD_STATE_VERIFIED,
    )
    updated = by_type["dossier.updated.v1"].payload(events_pb2.DossierUpdated)
    assert updated.change == dossier_pb2.CHANGE_KIND_ADDED
    assert updated.actor.name in {"security-chief-demo", "police-heping"}
    announced = [
        e.payload(events_pb2.DossierUpdated)
        for e in events
        if e.type == P + "dossier.updated.v1"
        and e.payload(events_pb2.DossierUpdated).WhichOneof("item") == "responsible_person"
    ]
    assert [(a.responsible_person.name, a.responsible_person.phone) for a in announced] == [("赵建国", "")]
    person = announced[0]
    assert person.item_id == person.responsible_person.id
    # The sealed phone opens with the platform's keys, bound to the person it was announced with.
    keys = PrivacyKeys.model_validate(
        {
            "keys": pii_keys["pii_keys"],
            "active_key": pii_keys["pii_active_key"],
            "index_key": pii_keys["pii_index_key"],
        }
    )
    context = field_context(*PHONE_PLACE, person.item_id)
    opened = FieldCipher.from_keys(keys).decrypt_text(person.responsible_person_phone_sealed, context=context)
    assert opened == PERSON_PHONE


async def test_a_refused_dossier_change_writes_no_event(topic_registry: tuple[Registry, str]) -> None:
    registry, _topic = topic_registry
    before = registry.event_types()
    for call in (
        registry.staff.CreateStaffMember(
            staff_pb2.CreateStaffMemberRequest(
                uscc=HEPING_SHOP, name="王芳", resident_id="210102199003071234"
            ),
            metadata=registry.auth("security-chief-demo"),
        ),
        registry.dossier.CreateKeyPart(
            dossier_pb2.CreateKeyPartRequest(uscc=HEPING_SHOP, name="配电室"),
            metadata=registry.auth("police-heping"),
        ),
        registry.informants.CreateInformant(
            informant_pb2.CreateInformantRequest(uscc=HEPING_SHOP, name="某人"),
            metadata=registry.auth("regulator-commerce-dalian"),
        ),
    ):
        with pytest.raises(Exception, match=r"INVALID_ARGUMENT|PERMISSION_DENIED|NOT_FOUND"):
            await call
    assert registry.event_types() == before
