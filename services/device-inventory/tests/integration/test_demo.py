"""The demo device platform: `seed` equips the known units once; the platform's heartbeats go through
Kafka and the consumer; silent devices go offline; compliance of the equipped units is announced."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from sqlalchemy import create_engine

from device_inventory import bootstrap
from device_inventory.config import Settings
from device_inventory.entrypoints.consumers import HeartbeatConsumer
from device_inventory.service.sweep import sweep_once
from neibao_messaging import idempotent_producer
from neibao_testkit.endpoints import StackEndpoints

from .conftest import Running


async def test_seed_equips_each_unit_once_and_the_platform_keeps_them_online(
    running: Running, settings: Settings, stack: StackEndpoints, topics: Callable[[str], str]
) -> None:
    report = await bootstrap.seed(settings)
    assert report.units == 3
    assert report.devices == running.rows("SELECT count(*) FROM device")[0][0] > 3
    again = await bootstrap.seed(settings)
    assert (again.units, again.devices) == (0, 0)
    silent = running.rows("SELECT count(*) FROM demo_device WHERE silent")[0][0]
    # The platform's heartbeats, through a fresh topic and the consumer.
    topic = topics("demo-heartbeats")
    demo_settings = settings.model_copy(update={"heartbeats_topic": topic})
    await bootstrap.run_demo_platform(demo_settings, once=True)
    engine = create_engine(running.database_url)
    producer = idempotent_producer(stack.kafka_bootstrap)
    consumer = HeartbeatConsumer(
        engine,
        stack.kafka_bootstrap,
        f"test-{uuid.uuid4().hex[:8]}",
        topic,
        events_topic="events",
        dlq_producer=producer,
    )
    expected = report.devices - silent
    kept = 0
    deadline = time.monotonic() + 30
    try:
        while kept < expected and time.monotonic() < deadline:
            kept += consumer.poll_once(1.0)
    finally:
        consumer.close()
        producer.close(timeout=10)
        engine.dispose()
    assert kept == expected
    report_after = await sweep_once(running.inventory)
    assert report_after.offline == silent
    statuses = dict(running.rows("SELECT status, count(*) FROM device_liveness GROUP BY status"))
    assert statuses.get("online", 0) == expected
    assert statuses.get("offline", 0) == silent
    # Every equipped unit's compliance was evaluated and announced.
    assert report_after.evaluated == 3
    announced = running.rows(
        "SELECT count(DISTINCT headers->>'ce_unit') FROM outbox WHERE headers->>'ce_type' = %s",
        "neibao.device-inventory.compliance.changed.v1",
    )
    assert announced == [(3,)]
