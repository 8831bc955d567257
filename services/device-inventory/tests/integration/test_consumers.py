"""The Kafka consumers on real topics: the unit read model (idempotent, dead-lettered when malformed)
and heartbeat batches (one statement per poll; refused items dead-lettered, valid ones kept)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaConsumer
from sqlalchemy import create_engine

from device_inventory.adapters.events import HEARTBEAT_BATCH, SOURCE
from device_inventory.entrypoints.consumers import HeartbeatConsumer, unit_events_consumer
from device_inventory.service.sweep import forget_processed, sweep_once
from neibao.deviceinventory.v1 import compliance_pb2, device_pb2, events_pb2
from neibao.unitregistry.v1 import dossier_pb2, unit_pb2
from neibao_messaging import Event, Producer, encode, idempotent_producer
from neibao_testkit.endpoints import StackEndpoints

from .conftest import (
    HEPING_SHOP,
    SHOP_KEY_PART,
    Running,
    designated,
    key_part_added,
    registered,
)

SCHOOL = "91210102MA0LN00775"  # a school unknown to the other tests


def publish(producer: Producer, topic: str, events: list[Event]) -> None:
    for event in events:
        key, value, headers = encode(event)
        producer.send(topic, value=value, key=key, headers=headers).get(timeout=30)


def dead_letters(bootstrap: str, topic: str, expected: int) -> list[Any]:
    consumer = KafkaConsumer(
        f"{topic}.dlq", bootstrap_servers=bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=10_000
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


def drain(poll: Callable[[], int], expected: int, timeout: float = 30.0) -> int:
    done = 0
    deadline = time.monotonic() + timeout
    while done < expected and time.monotonic() < deadline:
        done += poll()
    return done


async def test_unit_events_feed_the_read_model_and_compliance_follows(
    running: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    topic = topics("units")
    producer = idempotent_producer(stack.kafka_bootstrap)
    events = [
        registered(SCHOOL, "和平第一中学", "210102", unit_pb2.UNIT_TYPE_SCHOOL, unit_pb2.SECTOR_EDUCATION),
        designated(SCHOOL, "210102", unit_pb2.UNIT_TYPE_SCHOOL, unit_pb2.SECTOR_EDUCATION),
        key_part_added(SCHOOL, "210102", uuid.UUID("7f7a2d4c-2222-4a4a-9b9b-000000000002")),
    ]
    # A malformed record (no CloudEvents headers) goes to the dead-letter topic.
    producer.send(topic, value=b"garbage", key=SCHOOL.encode()).get(timeout=30)
    publish(producer, topic, events)
    publish(producer, topic, events[:1])  # a redelivery is applied once
    engine = create_engine(running.database_url)
    consumer = unit_events_consumer(
        engine, stack.kafka_bootstrap, f"test-{uuid.uuid4().hex[:8]}", topic, producer
    )
    try:
        assert drain(lambda: consumer.poll_once(1.0), 5) == 5
    finally:
        consumer.close()
        engine.dispose()
    assert running.rows(
        "SELECT name, unit_type, sector, key_unit, compliance_dirty FROM unit WHERE uscc = %s", SCHOOL
    ) == [("和平第一中学", "school", "education", True, True)]
    assert running.rows("SELECT count(*) FROM key_part WHERE uscc = %s", SCHOOL) == [(1,)]
    [dead] = dead_letters(stack.kafka_bootstrap, topic, 1)
    assert dead.value == b"garbage"
    # The sweep evaluates and announces its compliance: a school without a networked one-button alarm.
    report = await sweep_once(running.inventory)
    assert report.evaluated >= 1
    rows = running.rows(
        "SELECT payload FROM outbox WHERE headers->>'ce_type' = %s AND headers->>'ce_unit' = %s",
        "neibao.device-inventory.compliance.changed.v1",
        SCHOOL,
    )
    [changed] = [events_pb2.ComplianceChanged.FromString(bytes(row[0])) for row in rows]
    assert not changed.compliant
    assert "one_button_alarm_networked" in changed.unmet
    assert "key_part_video_coverage" in changed.unmet
    producer.close(timeout=10)


async def test_key_part_names_from_the_registry_explain_compliance(
    running: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    hospital = "91210102MA0LN0099D"  # a hospital unknown to the other tests
    vault, pharmacy, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    topic = topics("key-parts")
    producer = idempotent_producer(stack.kafka_bootstrap)
    events = [
        registered(hospital, "和平区人民医院", "210102", unit_pb2.UNIT_TYPE_HOSPITAL, unit_pb2.SECTOR_HEALTH),
        designated(hospital, "210102", unit_pb2.UNIT_TYPE_HOSPITAL, unit_pb2.SECTOR_HEALTH),
        key_part_added(hospital, "210102", vault, "库房"),
        key_part_added(hospital, "210102", vault, "金库", change=dossier_pb2.CHANGE_KIND_UPDATED),
        # An event from before the registry carried the item: what is known of the key part stays.
        key_part_added(hospital, "210102", vault, change=dossier_pb2.CHANGE_KIND_UPDATED),
        key_part_added(hospital, "210102", pharmacy),  # no name heard of: evidence falls back to the id
        key_part_added(hospital, "210102", gone, "旧机房"),
        key_part_added(hospital, "210102", gone, "旧机房", change=dossier_pb2.CHANGE_KIND_REMOVED),
    ]
    publish(producer, topic, events)
    publish(producer, topic, events[2:3])  # a redelivery is applied once
    engine = create_engine(running.database_url)
    consumer = unit_events_consumer(
        engine, stack.kafka_bootstrap, f"test-{uuid.uuid4().hex[:8]}", topic, producer
    )
    try:
        assert drain(lambda: consumer.poll_once(1.0), len(events) + 1) == len(events) + 1
    finally:
        consumer.close()
        engine.dispose()
        producer.close(timeout=10)
    assert sorted(
        running.rows("SELECT id, name, location FROM key_part WHERE uscc = %s", hospital)
    ) == sorted([(vault, "金库", "一楼东侧"), (pharmacy, "", "")])
    camera = await running.register(
        "admin", hospital, device_pb2.DEVICE_TYPE_VIDEO_CAMERA, "金库摄像机", key_part=str(vault)
    )
    response = await running.compliance.GetCompliance(
        compliance_pb2.GetComplianceRequest(uscc=hospital), metadata=running.auth("police-heping")
    )
    [coverage] = [r for r in response.compliance.requirements if r.rule_id == "key_part_video_coverage"]
    assert not coverage.met
    assert list(coverage.device_ids) == [camera.id]
    assert sorted(coverage.evidence) == sorted(
        [f"key part 金库 ({str(vault)[:8]}): 1 camera(s)", f"key part {pharmacy}: not covered"]
    )


async def test_heartbeat_batches_are_applied_and_refused_items_dead_lettered(
    running: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    topic = topics("heartbeats")
    devices = [
        await running.register(
            "security-chief-demo",
            HEPING_SHOP,
            device_pb2.DEVICE_TYPE_VIDEO_CAMERA,
            f"摄像机{i}",
            key_part=str(SHOP_KEY_PART),
        )
        for i in range(3)
    ]
    now = datetime.now(UTC)
    unknown = str(uuid.uuid4())

    def batch(*items: tuple[str, datetime]) -> Event:
        message = device_pb2.HeartbeatBatch()
        for device_id, at in items:
            heartbeat = message.heartbeats.add(device_id=device_id)
            heartbeat.at.FromDatetime(at)
        return Event.create(
            type=HEARTBEAT_BATCH, source="/neibao/test-platform", data=message, key="platform-1"
        )

    producer = idempotent_producer(stack.kafka_bootstrap)
    publish(
        producer,
        topic,
        [
            batch((devices[0].id, now - timedelta(seconds=1)), (devices[1].id, now), (unknown, now)),
            batch((devices[0].id, now), ("bad-id", now)),
        ],
    )
    producer.send(topic, value=b"\x00", key=b"x").get(timeout=30)
    engine = create_engine(running.database_url)
    consumer = HeartbeatConsumer(
        engine,
        stack.kafka_bootstrap,
        f"test-{uuid.uuid4().hex[:8]}",
        topic,
        events_topic="neibao.device-inventory.events.v1",
        dlq_producer=producer,
        max_items=2,  # several bounded transactions per poll
    )
    try:
        assert drain(lambda: consumer.poll_once(1.0), 3) == 3
    finally:
        consumer.close()
        engine.dispose()
    status = dict(running.rows("SELECT device_id::text, status FROM device_liveness"))
    assert status == {devices[0].id: "online", devices[1].id: "online", devices[2].id: "unknown"}
    [last] = running.rows("SELECT last_heartbeat_at FROM device_liveness WHERE device_id = %s", devices[0].id)
    assert last[0] == now
    changed = running.rows(
        "SELECT count(*) FROM outbox WHERE headers->>'ce_type' = %s",
        "neibao.device-inventory.device.status-changed.v1",
    )
    assert changed == [(0,)]  # first heartbeats are no news
    dead = dead_letters(stack.kafka_bootstrap, topic, 2)
    reasons = sorted(dict(record.headers)["dlq_reason"].decode() for record in dead)
    assert any("NOT_FOUND" in reason and "INVALID_FORMAT" in reason for reason in reasons), reasons
    refused = [record for record in dead if dict(record.headers).get("ce_source") == SOURCE.encode()]
    assert {h.device_id for h in device_pb2.HeartbeatBatch.FromString(refused[0].value).heartbeats} == {
        unknown,
        "bad-id",
    }
    producer.close(timeout=10)


async def test_heartbeats_from_kafka_keep_exact_times_faults_and_any_id_spelling(
    running: Running, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    topic = topics("heartbeats-exact")
    camera, alarm = [
        await running.register("security-chief-demo", HEPING_SHOP, device_pb2.DEVICE_TYPE_VIDEO_CAMERA, name)
        for name in ("门口摄像机", "后门摄像机")
    ]
    now = datetime.now(UTC).replace(microsecond=654321)
    message = device_pb2.HeartbeatBatch()
    message.heartbeats.add(device_id=camera.id).at.FromDatetime(now - timedelta(microseconds=1))
    message.heartbeats.add(device_id=camera.id).at.FromDatetime(now)  # the newest wins, to the microsecond
    message.heartbeats.add(device_id=camera.id).at.FromDatetime(now - timedelta(seconds=1))
    faulty = message.heartbeats.add(device_id=alarm.id.upper(), status=device_pb2.HEARTBEAT_STATUS_FAULT)
    faulty.at.FromDatetime(now)
    message.heartbeats.add(device_id=camera.id)  # no time: refused, the others kept
    producer = idempotent_producer(stack.kafka_bootstrap)
    publish(
        producer,
        topic,
        [Event.create(type=HEARTBEAT_BATCH, source="/neibao/test-platform", data=message, key="platform-2")],
    )
    engine = create_engine(running.database_url)
    consumer = HeartbeatConsumer(
        engine,
        stack.kafka_bootstrap,
        f"test-{uuid.uuid4().hex[:8]}",
        topic,
        events_topic="neibao.device-inventory.events.v1",
        dlq_producer=producer,
    )
    try:
        assert drain(lambda: consumer.poll_once(1.0), 4) == 4
    finally:
        consumer.close()
        engine.dispose()
    rows = running.rows(
        "SELECT device_id::text, status, last_heartbeat_at FROM device_liveness WHERE device_id = ANY(%s)",
        [uuid.UUID(camera.id), uuid.UUID(alarm.id)],
    )
    assert sorted(rows) == sorted([(camera.id, "online", now), (alarm.id, "fault", now)])
    [dead] = dead_letters(stack.kafka_bootstrap, topic, 1)
    assert "at: REQUIRED" in dict(dead.headers)["dlq_reason"].decode()
    producer.close(timeout=10)


async def test_the_sweep_forgets_dedupe_records_older_than_the_retention(running: Running) -> None:
    old, recent = uuid.uuid4(), uuid.uuid4()
    running.rows(
        "INSERT INTO processed_event (consumer_group, event_id, processed_at) "
        "SELECT 'device-inventory.units', id, now() - interval '8 days' FROM unnest(%s::uuid[]) AS id "
        "UNION ALL SELECT 'device-inventory.units', %s, now() - interval '1 day' RETURNING event_id",
        [old, uuid.uuid4(), uuid.uuid4()],
        recent,
    )
    assert await forget_processed(running.inventory, timedelta(days=7), limit=2) == 3
    assert running.rows("SELECT event_id FROM processed_event WHERE event_id IN (%s, %s)", old, recent) == [
        (recent,)
    ]
    assert await forget_processed(running.inventory, timedelta(days=7)) == 0
