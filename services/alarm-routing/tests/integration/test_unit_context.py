"""The unit context beside each alarm, on real Kafka and PostgreSQL: the registry's dossier events (as it
writes them, phones sealed for the stream) feed the read model through the consumer (idempotent, versions
respected, removals applied, poison and phones that do not open dead-lettered); phones are sealed at rest;
GetAlarm shows plans, key parts (and the alarm's own) and responsible persons, phones clear for police and
masked for the unit's security staff."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import create_engine

from alarm_routing.adapters.db.personal_data import EVENT_PHONE_PLACE
from alarm_routing.adapters.events import DEVICE_REGISTERED, DOSSIER_UPDATED
from alarm_routing.entrypoints.consumers import events_consumer
from neibao.alarmrouting.v1 import alarm_pb2, events_pb2
from neibao.deviceinventory.v1 import device_pb2
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.unitregistry.v1 import dossier_pb2, unit_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from neibao_messaging import Event, PayloadRegistry, Producer, decode, encode, idempotent_producer
from neibao_messaging.consumer import DLQ_REASON
from neibao_privacy import FieldCipher, PrivacyKeys, field_context
from neibao_testkit.endpoints import StackEndpoints

from .conftest import HEPING_SHOP, PII_KEYS, Running, dossier_context, settings_for

PHONE = "13812345678"
DEPUTY_PHONE = "13900001111"


@pytest.fixture
def topic(kafka_topic: Callable[..., str], kafka: StackEndpoints) -> Iterator[str]:
    """A fresh unit-events topic with its `<topic>.dlq`."""
    name = kafka_topic("dossier")
    admin = KafkaAdminClient(bootstrap_servers=kafka.kafka_bootstrap, request_timeout_ms=30_000)
    admin.create_topics([NewTopic(f"{name}.dlq", num_partitions=1, replication_factor=1)])
    try:
        yield name
    finally:
        admin.delete_topics([f"{name}.dlq"])
        admin.close()


def dossier_updated(section: int, change: int, **item: Any) -> Event:
    """A dossier.updated event as the registry writes it, carrying its item (and a person's sealed phone)."""
    message = unit_events_pb2.DossierUpdated(
        uscc=HEPING_SHOP,
        jurisdiction="210102",
        sector=unit_pb2.SECTOR_COMMERCE,
        section=section,  # type: ignore[arg-type]
        change=change,  # type: ignore[arg-type]
        **item,
    )
    field = message.WhichOneof("item")
    assert field is not None, "a dossier.updated of these sections carries its item"
    message.item_id = (
        getattr(message, field).plan_id if field == "emergency_plan" else getattr(message, field).id
    )
    return Event.create(
        type=DOSSIER_UPDATED,
        source="/neibao/unit-registry",
        subject=HEPING_SHOP,
        data=message,
        unit=HEPING_SHOP,
    )


def sealed_phone(person_id: str, phone: str) -> bytes:
    """The phone as the registry seals it for the stream, with the run's platform keys."""
    keys = PrivacyKeys.model_validate(
        {
            "keys": PII_KEYS["pii_keys"],
            "active_key": PII_KEYS["pii_active_key"],
            "index_key": PII_KEYS["pii_index_key"],
        }
    )
    return FieldCipher.from_keys(keys).encrypt_text(
        phone, context=field_context(*EVENT_PHONE_PLACE, person_id)
    )


def person(person_id: str, role: int, name: str, phone: str, version: int) -> dict[str, Any]:
    """The `item` of a person's dossier.updated: the person (no phone in clear) and the sealed phone."""
    announced = dossier_pb2.ResponsiblePerson(
        id=person_id,
        uscc=HEPING_SHOP,
        role=role,  # type: ignore[arg-type]
        name=name,
        position="保卫",
        version=version,
    )
    sealed = sealed_phone(person_id, phone) if person_id != "not-a-uuid" else b""
    return {"responsible_person": announced, "responsible_person_phone_sealed": sealed}


def publish(producer: Producer, topic: str, events: list[Event]) -> None:
    for event in events:
        key, value, headers = encode(event)
        producer.send(topic, value=value, key=key, headers=headers).get(timeout=30)


def consume(service: Running, stack: StackEndpoints, topic: str, producer: Producer, expected: int) -> int:
    engine = create_engine(service.database_url)
    consumer = events_consumer(
        engine,
        stack.kafka_bootstrap,
        f"test-{uuid.uuid4().hex[:8]}",
        [topic],
        producer,
        dossier_context=dossier_context(settings_for(service.database_url, stack)),
        max_attempts=2,
    )
    try:
        deadline = time.monotonic() + 60
        done = 0
        while done < expected and time.monotonic() < deadline:
            done += consumer.poll_once(1.0)
    finally:
        consumer.close()
        engine.dispose()
    return done


async def test_dossier_events_give_each_alarm_its_unit_context(
    service: Running, stack: StackEndpoints, topic: str
) -> None:
    first, deputy, gone = (str(uuid.uuid4()) for _ in range(3))
    vault, plan_id, button = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    persons, parts, plans = (
        dossier_pb2.DOSSIER_SECTION_RESPONSIBLE_PERSONS,
        dossier_pb2.DOSSIER_SECTION_KEY_PARTS,
        dossier_pb2.DOSSIER_SECTION_EMERGENCY_PLANS,
    )
    added, updated, removed = (
        dossier_pb2.CHANGE_KIND_ADDED,
        dossier_pb2.CHANGE_KIND_UPDATED,
        dossier_pb2.CHANGE_KIND_REMOVED,
    )
    first_role, co_role = (
        dossier_pb2.RESPONSIBLE_ROLE_FIRST_RESPONSIBLE,
        dossier_pb2.RESPONSIBLE_ROLE_CO_RESPONSIBLE,
    )
    deputy_v2 = dossier_updated(persons, updated, **person(deputy, co_role, "李四", DEPUTY_PHONE, 2))
    plan_v1 = dossier_pb2.EmergencyPlan(
        id=str(uuid.uuid4()),
        plan_id=plan_id,
        uscc=HEPING_SHOP,
        version=1,
        title="火灾事故应急预案",
        scenario="火灾",
        content="第1版",
        state=dossier_pb2.PLAN_STATE_CURRENT,
    )
    plan_v2 = dossier_pb2.EmergencyPlan()
    plan_v2.CopyFrom(plan_v1)
    plan_v2.id, plan_v2.version, plan_v2.content = str(uuid.uuid4()), 2, "第2版：疏散路线、联络方式"
    broken = person("not-a-uuid", first_role, "坏数据", PHONE, 1)
    # Sealed for another person: the phone does not open, the event is dead-lettered, nothing stored.
    misplaced = person(str(uuid.uuid4()), co_role, "错封", PHONE, 1)
    misplaced["responsible_person_phone_sealed"] = sealed_phone(first, PHONE)
    events = [
        dossier_updated(persons, added, **person(first, first_role, "张三", PHONE, 1)),
        dossier_updated(persons, added, **person(deputy, co_role, "李四", "13900000000", 1)),
        deputy_v2,
        dossier_updated(persons, added, **person(gone, co_role, "王五", "13700000000", 1)),
        dossier_updated(persons, removed, **person(gone, co_role, "王五", "13700000000", 1)),
        dossier_updated(
            parts,
            added,
            key_part=dossier_pb2.KeyPart(
                id=vault,
                uscc=HEPING_SHOP,
                name="金库",
                location="地下一层",
                version=1,
                protection_measures=["双人双锁"],
                required_device_types=[dossier_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM],
            ),
        ),
        dossier_updated(plans, added, emergency_plan=plan_v2),  # version 2 arrives first
        dossier_updated(plans, added, emergency_plan=plan_v1),  # the older version never wins
        dossier_updated(persons, updated, **person(deputy, co_role, "李四", "13900000000", 1)),
        dossier_updated(persons, added, **broken),  # poison: dead-lettered
        dossier_updated(persons, added, **misplaced),  # poison: dead-lettered
        deputy_v2,  # a redelivery: nothing changes
        Event.create(
            type=DEVICE_REGISTERED,
            source="/neibao/device-inventory",
            subject=HEPING_SHOP,
            data=device_events_pb2.DeviceRegistered(
                uscc=HEPING_SHOP,
                device=device_pb2.Device(id=button, uscc=HEPING_SHOP, key_part=vault, version=1),
            ),
        ),
    ]
    producer = idempotent_producer(stack.kafka_bootstrap)
    try:
        publish(producer, topic, events)
        assert consume(service, stack, topic, producer, len(events)) == len(events)
    finally:
        producer.close(timeout=10)

    stored = service.rows(
        "SELECT name, phone, phone_index FROM unit_responsible_person WHERE uscc = %s ORDER BY name",
        HEPING_SHOP,
    )
    assert [row[0] for row in stored] == ["张三", "李四"]
    for _, phone, index in stored:  # sealed at rest, blindly indexed
        assert PHONE.encode() not in bytes(phone)
        assert DEPUTY_PHONE.encode() not in bytes(phone)
        assert len(bytes(index)) == 16
    assert service.rows("SELECT count(*) FROM unit_responsible_person WHERE name IN ('坏数据', '错封')") == [
        (0,)
    ]
    dlq = KafkaConsumer(
        f"{topic}.dlq",
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    try:
        records = list(dlq)
    finally:
        dlq.close()
    dead = [decode(r, PayloadRegistry({DOSSIER_UPDATED: unit_events_pb2.DossierUpdated})) for r in records]
    names = [e.payload(unit_events_pb2.DossierUpdated).responsible_person.name for e in dead]
    assert names == ["坏数据", "错封"]
    reason = dict(records[1].headers)[DLQ_REASON].decode()
    assert "sealed phone of responsible person" in reason
    assert "does not open" in reason, reason

    raised = await service.raise_alarm(
        "security-chief-demo", uscc=HEPING_SHOP, kind=alarm_pb2.ALARM_KIND_INTRUSION, priority=2, zone="金库"
    )
    assert not raised.alarm.HasField("context")  # the intake answer does not carry contacts
    (payload,) = service.rows(
        "SELECT payload FROM outbox WHERE headers->>'ce_type' = %s AND headers->>'ce_subject' = %s",
        "neibao.alarm-routing.alarm.raised.v1",
        raised.alarm.id,
    )[0]
    announced = events_pb2.AlarmRaised.FromString(bytes(payload)).context
    assert announced.alarm_key_part.name == "金库"
    announced_plans = [(p.title, p.version, p.content) for p in announced.emergency_plans]
    assert announced_plans == [("火灾事故应急预案", 2, "")]
    assert list(announced.responsible_persons) == []  # the live streams show this event: no people
    request = alarm_pb2.GetAlarmRequest(id=raised.alarm.id)

    police = (await service.alarms.GetAlarm(request, metadata=service.auth("police-heping"))).alarm.context
    assert [(p.name, p.role, p.phone) for p in police.responsible_persons] == [
        ("张三", alarm_pb2.RESPONSIBLE_ROLE_FIRST_RESPONSIBLE, PHONE),
        ("李四", alarm_pb2.RESPONSIBLE_ROLE_CO_RESPONSIBLE, DEPUTY_PHONE),
    ]
    assert police.disclosure.level == alarm_pb2.DISCLOSURE_LEVEL_CLEAR
    assert set(police.disclosure.subject_ids) == {first, deputy}
    assert [(p.version, p.content) for p in police.emergency_plans] == [(2, "第2版：疏散路线、联络方式")]
    assert [k.name for k in police.key_parts] == ["金库"]
    assert police.alarm_key_part.id == vault
    assert list(police.alarm_key_part.required_device_types) == ["one_button_alarm"]

    own = (await service.alarms.GetAlarm(request, metadata=service.auth("security-chief-demo"))).alarm.context
    assert [p.phone for p in own.responsible_persons] == ["138****5678", "139****1111"]
    assert own.disclosure.level == alarm_pb2.DISCLOSURE_LEVEL_MASKED
    assert list(own.disclosure.subject_ids) == []

    # An alarm from the vault's one-button alarm, with no zone: its device says where it came from.
    from_device = await service.raise_alarm(
        "security-chief-demo", uscc=HEPING_SHOP, kind=alarm_pb2.ALARM_KIND_PANIC, priority=1, device_id=button
    )
    detail = await service.alarms.GetAlarm(
        alarm_pb2.GetAlarmRequest(id=from_device.alarm.id), metadata=service.auth("police-heping")
    )
    assert detail.alarm.context.alarm_key_part.id == vault

    with pytest.raises(grpc.aio.AioRpcError) as foreign:
        await service.alarms.GetAlarm(request, metadata=service.auth("police-dalian"))
    assert foreign.value.code() == grpc.StatusCode.NOT_FOUND
