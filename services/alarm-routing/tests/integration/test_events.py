"""Kafka on real topics: the unit read model fed by registry events (idempotent, versions respected,
poison dead-lettered), and alarm events published by the outbox relay with their scope headers."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import create_async_engine

from alarm_routing import bootstrap
from alarm_routing.adapters.events import (
    DEVICE_STATUS_CHANGED,
    EXCHANGE_WARNING_RAISED,
    KEY_UNIT_DESIGNATED,
    PAYLOADS,
)
from alarm_routing.entrypoints.consumers import DeviceFaultIntake, EarlyWarningIntake, events_consumer
from neibao.alarmrouting.v1 import alarm_pb2, events_pb2
from neibao.deviceinventory.v1 import device_pb2
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.sectorexchange.v1 import events_pb2 as exchange_events_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from neibao.unitregistry.v1 import unit_pb2
from neibao_messaging import Event, OutboxRelay, Producer, decode, encode, idempotent_producer
from neibao_testkit.endpoints import StackEndpoints

from .conftest import (
    HEPING_SHOP,
    HEPING_STATION,
    Running,
    conninfo,
    dossier_context,
    settings_for,
    unit_registered,
)

SCHOOL = "91210102MA0LN9990M"


@pytest.fixture
def topics(kafka_topic: Callable[..., str], kafka: StackEndpoints) -> Iterator[Callable[[str], str]]:
    """A factory of fresh topics, each with its `<topic>.dlq`."""
    admin = KafkaAdminClient(bootstrap_servers=kafka.kafka_bootstrap, request_timeout_ms=30_000)
    dlqs: list[str] = []

    def make(prefix: str) -> str:
        topic = kafka_topic(prefix)
        admin.create_topics([NewTopic(f"{topic}.dlq", num_partitions=1, replication_factor=1)])
        dlqs.append(f"{topic}.dlq")
        return topic

    try:
        yield make
    finally:
        if dlqs:
            admin.delete_topics(dlqs)
        admin.close()


def publish(producer: Producer, topic: str, events: list[Event]) -> None:
    for event in events:
        key, value, headers = encode(event)
        producer.send(topic, value=value, key=key, headers=headers).get(timeout=30)


def read(bootstrap: str, topic: str, expected: int) -> list[Any]:
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=10_000
    )
    records: list[Any] = []
    try:
        for record in consumer:
            records.append(record)
            if len(records) >= expected:
                break
    finally:
        consumer.close()
    return records


async def test_registry_events_feed_the_read_model_that_routing_uses(
    service: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    topic = topics("units")
    producer = idempotent_producer(stack.kafka_bootstrap)
    school = unit_registered(
        SCHOOL, "和平第一中学", "210102", unit_pb2.SECTOR_EDUCATION, "210102002", version=1
    )
    renamed = unit_registered(
        SCHOOL, "和平区第一中学", "210102", unit_pb2.SECTOR_EDUCATION, "210102004", version=2
    )
    designated = Event.create(
        type=KEY_UNIT_DESIGNATED,
        source="/neibao/unit-registry",
        subject=SCHOOL,
        data=unit_events_pb2.KeyUnitDesignated(
            uscc=SCHOOL, jurisdiction="210102", sector=unit_pb2.SECTOR_EDUCATION, version=3
        ),
    )
    producer.send(topic, value=b"garbage", key=SCHOOL.encode()).get(timeout=30)
    # Version 2 before the redelivered version 1: the older description never wins.
    publish(producer, topic, [school, renamed, school, designated])
    engine = create_engine(service.database_url)
    consumer = events_consumer(
        engine,
        stack.kafka_bootstrap,
        f"test-{uuid.uuid4().hex[:8]}",
        [topic],
        producer,
        dossier_context=dossier_context(settings_for(service.database_url, stack)),
    )
    try:
        deadline = time.monotonic() + 30
        done = 0
        while done < 5 and time.monotonic() < deadline:
            done += consumer.poll_once(1.0)
    finally:
        consumer.close()
        producer.close(timeout=10)
        engine.dispose()
    assert done == 5
    assert service.rows(
        "SELECT name, police_station, sector, key_unit FROM unit WHERE uscc = %s", SCHOOL
    ) == [("和平区第一中学", "210102004", "education", True)]
    dead = read(stack.kafka_bootstrap, f"{topic}.dlq", 1)
    assert [record.value for record in dead] == [b"garbage"]
    alarm = (
        await service.raise_alarm(
            "police-heping", uscc=SCHOOL, kind=alarm_pb2.ALARM_KIND_PERIMETER, priority=2
        )
    ).alarm
    station = next(r for r in alarm.routes if r.party == alarm_pb2.PARTY_KIND_POLICE_STATION)
    assert station.target == "210102004"
    assert alarm.unit.key_unit


async def test_the_relay_publishes_alarm_events_with_their_scope(
    service: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    topic = topics("alarms")
    alarm = (
        await service.raise_alarm(
            "security-chief-demo", uscc=HEPING_SHOP, kind=alarm_pb2.ALARM_KIND_PANIC, priority=1
        )
    ).alarm
    with psycopg.connect(conninfo(service.database_url)) as conn:
        conn.execute("UPDATE outbox SET topic = %s", (topic,))
    engine = create_engine(service.database_url)
    relay = OutboxRelay(engine, lambda: idempotent_producer(stack.kafka_bootstrap))
    try:
        assert relay.run_once() == 1
    finally:
        relay.close()
        engine.dispose()
    records = read(stack.kafka_bootstrap, topic, 1)
    events = [decode(record, PAYLOADS) for record in records]
    assert [e.type for e in events] == ["neibao.alarm-routing.alarm.raised.v1"]
    assert {(e.jurisdiction, e.sector, e.unit, e.subject) for e in events} == {
        ("210102", "commerce", HEPING_SHOP, alarm.id)
    }
    assert all(record.key == HEPING_SHOP.encode() for record in records)
    raised = events[0].payload(events_pb2.AlarmRaised)
    assert (raised.alarm.id, raised.alarm.priority) == (alarm.id, 1)
    # Taken in and routed in one transaction: one event carries the routes.
    assert raised.alarm.status == alarm_pb2.ALARM_STATUS_ROUTED
    assert raised.rules_version
    assert {r.party for r in raised.routes} >= {
        alarm_pb2.PARTY_KIND_CITY_COMMAND,
        alarm_pb2.PARTY_KIND_POLICE_STATION,
    }


def status_changed(
    uscc: str,
    jurisdiction: str,
    sector: str,
    device_type: int,
    status: int,
    previous: int = device_pb2.DEVICE_STATUS_ONLINE,
    *,
    age: timedelta = timedelta(0),
) -> Event:
    """A device inventory event as it writes it."""
    message = device_events_pb2.DeviceStatusChanged(
        uscc=uscc,
        jurisdiction=jurisdiction,
        sector=sector,
        device_id=str(uuid.uuid4()),
        device_type=device_type,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        previous=previous,  # type: ignore[arg-type]
        networked_to_police=True,
    )
    message.occurred_at.FromDatetime(datetime.now(UTC) - age)
    return Event.create(
        type=DEVICE_STATUS_CHANGED, source="/neibao/device-inventory", subject=uscc, data=message, unit=uscc
    )


async def test_a_critical_device_outage_raises_one_device_fault_alarm(
    service: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    topic = topics("devices")
    producer = idempotent_producer(stack.kafka_bootstrap)
    button = status_changed(
        HEPING_SHOP,
        "210102",
        "commerce",
        device_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM,
        device_pb2.DEVICE_STATUS_OFFLINE,
    )
    # Unknown to the read model: routed on the event's own scope keys.
    elsewhere = status_changed(
        SCHOOL, "210102", "education", device_pb2.DEVICE_TYPE_PERIMETER_ALARM, device_pb2.DEVICE_STATUS_FAULT
    )
    ignored = [
        status_changed(
            HEPING_SHOP,
            "210102",
            "commerce",
            device_pb2.DEVICE_TYPE_VIDEO_CAMERA,
            device_pb2.DEVICE_STATUS_OFFLINE,
        ),
        status_changed(
            HEPING_SHOP,
            "210102",
            "commerce",
            device_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM,
            device_pb2.DEVICE_STATUS_OFFLINE,
            age=timedelta(hours=1),
        ),
    ]
    publish(producer, topic, [button, elsewhere, *ignored, button])  # the last: a redelivery
    engine = create_engine(service.database_url)
    async_engine = create_async_engine(service.database_url, pool_size=2)
    settings = settings_for(service.database_url, stack)
    loop = asyncio.new_event_loop()
    intake = DeviceFaultIntake(bootstrap.routing_for(async_engine, settings), loop)
    consumer = events_consumer(
        engine,
        stack.kafka_bootstrap,
        f"test-{uuid.uuid4().hex[:8]}",
        [topic],
        producer,
        dossier_context=dossier_context(settings),
        device_faults=intake,
    )
    try:
        deadline = time.monotonic() + 30
        done = 0
        while done < 5 and time.monotonic() < deadline:
            done += await asyncio.to_thread(consumer.poll_once, 1.0)
    finally:
        consumer.close()
        producer.close(timeout=10)
        engine.dispose()
        await async_engine.dispose()
        loop.close()
    assert done == 5
    rows = service.rows("SELECT uscc, kind, priority, jurisdiction, source, status FROM alarm ORDER BY uscc")
    assert rows == [
        (HEPING_SHOP, "device_fault", 2, "210102", "device-inventory", "routed"),
        (SCHOOL, "device_fault", 3, "210102", "device-inventory", "routed"),
    ]
    routes = service.rows(
        "SELECT a.uscc, r.party, r.target FROM alarm_route r JOIN alarm a ON a.id = r.alarm_id"
        " WHERE r.party IN ('police_station', 'district_branch') ORDER BY a.uscc"
    )
    assert routes == [(HEPING_SHOP, "police_station", HEPING_STATION), (SCHOOL, "district_branch", "210102")]


async def consume_all(
    service: Running, stack: StackEndpoints, topic: str, producer: Producer, expected: int
) -> int:
    """Run the service's consumer (device faults and early warnings wired) on `topic` until `expected`
    events were handled (or 30 s passed); how many were."""
    engine = create_engine(service.database_url)
    async_engine = create_async_engine(service.database_url, pool_size=2)
    settings = settings_for(service.database_url, stack)
    loop = asyncio.new_event_loop()
    routing = bootstrap.routing_for(async_engine, settings)
    consumer = events_consumer(
        engine,
        stack.kafka_bootstrap,
        f"test-{uuid.uuid4().hex[:8]}",
        [topic],
        producer,
        dossier_context=dossier_context(settings),
        device_faults=DeviceFaultIntake(routing, loop),
        early_warnings=EarlyWarningIntake(routing, loop),
    )
    try:
        deadline = time.monotonic() + 30
        done = 0
        while done < expected and time.monotonic() < deadline:
            done += await asyncio.to_thread(consumer.poll_once, 1.0)
    finally:
        consumer.close()
        engine.dispose()
        await async_engine.dispose()
        loop.close()
    return done


async def test_a_device_back_online_resolves_its_device_fault_alarm(
    service: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    topic = topics("restored")
    producer = idempotent_producer(stack.kafka_bootstrap)
    down = status_changed(
        HEPING_SHOP,
        "210102",
        "commerce",
        device_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM,
        device_pb2.DEVICE_STATUS_OFFLINE,
    )
    message = down.payload(device_events_pb2.DeviceStatusChanged)
    up = device_events_pb2.DeviceStatusChanged()
    up.CopyFrom(message)
    up.status = device_pb2.DEVICE_STATUS_ONLINE
    up.previous = device_pb2.DEVICE_STATUS_OFFLINE
    back = Event.create(
        type=DEVICE_STATUS_CHANGED,
        source="/neibao/device-inventory",
        subject=HEPING_SHOP,
        data=up,
        unit=HEPING_SHOP,
    )
    publish(producer, topic, [down, back])
    try:
        assert await consume_all(service, stack, topic, producer, 2) == 2
    finally:
        producer.close(timeout=10)
    rows = service.rows("SELECT kind, status, outcome, device_id FROM alarm")
    assert rows == [("device_fault", "resolved", "real", message.device_id)]
    detail = service.rows("SELECT detail FROM alarm_timeline WHERE type = 'resolved'")
    assert detail == [(f"real: one_button_alarm {message.device_id} is online again",)]
    assert "neibao.alarm-routing.alarm.resolved.v1" in service.event_types()


def early_warning(uscc: str, warning_id: str, *, priority: int = 2) -> Event:
    """A sector exchange warning as it writes it."""
    message = exchange_events_pb2.EarlyWarningRaised(
        warning_id=warning_id,
        rule_id="bulk-fuel-many-stations",
        rules_version="test",
        priority=priority,
        uscc=uscc,
        jurisdiction="210102",
        sector="commerce",
        dataset="fuel-sales",
        summary="one buyer at 3 stations within 24 h",
        batch_ids=["b-1", "b-2", "b-3"],
    )
    message.occurred_at.FromDatetime(datetime.now(UTC))
    return Event.create(
        type=EXCHANGE_WARNING_RAISED,
        source="/neibao/sector-exchange",
        subject=warning_id,
        data=message,
        unit=uscc,
    )


async def test_an_exchange_warning_raises_one_routed_early_warning_alarm_and_a_bad_one_is_dead_lettered(
    service: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    topic = topics("warnings")
    producer = idempotent_producer(stack.kafka_bootstrap)
    warning = early_warning(HEPING_SHOP, "w-1")
    invalid = early_warning(HEPING_SHOP, "w-2", priority=9)
    publish(producer, topic, [warning, warning, invalid])  # the second: a redelivery
    try:
        assert await consume_all(service, stack, topic, producer, 3) == 3
    finally:
        producer.close(timeout=10)
    rows = service.rows("SELECT uscc, kind, priority, source, source_id, zone, status FROM alarm")
    assert rows == [
        (HEPING_SHOP, "early_warning", 2, "sector-exchange", "w-1", "rule:bulk-fuel-many-stations", "routed")
    ]
    routes = service.rows("SELECT r.party, r.target FROM alarm_route r WHERE r.party = 'police_station'")
    assert routes == [("police_station", HEPING_STATION)]
    dead = read(stack.kafka_bootstrap, f"{topic}.dlq", 1)
    assert len(dead) == 1
    headers = {name: bytes(value).decode() for name, value in dead[0].headers}
    assert headers["ce_id"] == str(invalid.id)
    assert "priority" in headers["dlq_reason"]
