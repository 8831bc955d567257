"""Benchmark: heartbeat ingestion at scale (issue 5's goals: 1,000,000 devices registered; ≥ 50,000
heartbeats/s ingested on 2 cores with online status kept exact; offline-detection lag p99 printed).

Runs on the real servers of the local stack (`make up` is enough), on a scratch database and a scratch
Kafka topic it creates and drops: the devices are loaded with COPY, heartbeat batches are produced to the
topic first, then the inventory's own HeartbeatConsumer (one process per consumer) drains them; the rate
is heartbeats applied / wall time. Exactness: every device ends with the newest heartbeat sent for it.
Offline lag: a sample of devices with a 5 s interval falls silent while the inventory's sweep runs every
2 s (as the sweep process does); the lag is when each was marked offline minus when it became overdue
(last heartbeat + interval). A benchmark prints figures; it is not a test.

    python e2e/bench/bench_heartbeats.py [--devices 1000000] [--heartbeats 2000000] [--consumers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import multiprocessing
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from device_inventory import bootstrap
from device_inventory.adapters.db.unit_of_work import SqlUnitOfWork
from device_inventory.adapters.events import HEARTBEAT_BATCH
from device_inventory.adapters.rules import load_rules
from device_inventory.entrypoints.consumers import HeartbeatConsumer
from device_inventory.service.handlers import Inventory
from device_inventory.service.sweep import mark_offline
from neibao.deviceinventory.v1 import device_pb2
from neibao_messaging import Event, encode, idempotent_producer
from neibao_testkit.endpoints import endpoints_from_env

PER_RECORD = 2000
UNITS = 1000


def load_devices(conninfo: str, count: int) -> list[uuid.UUID]:
    """COPY `count` devices (and their units and liveness rows) into the scratch database."""
    ids = [uuid.uuid4() for _ in range(count)]
    now = datetime.now(UTC).isoformat()
    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        with cursor.copy(
            "COPY unit (uscc, name, jurisdiction, unit_type, sector, sectors) FROM STDIN"
        ) as copy:
            for index in range(UNITS):
                copy.write_row(
                    (f"9121010200{index:07d}X", "单位", "210102", "enterprise", "commerce", "{commerce}")
                )
        buffer = io.StringIO()
        for index, device_id in enumerate(ids):
            buffer.write(
                f"{device_id}\t9121010200{index % UNITS:07d}X\tvideo_camera\tcam\tin_service\t1"
                f"\t{now}\t{now}\n"
            )
        with cursor.copy(
            "COPY device (id, uscc, device_type, name, lifecycle, version, created_at, updated_at) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        buffer = io.StringIO()
        for device_id in ids:
            buffer.write(f"{device_id}\t60\n")
        with cursor.copy("COPY device_liveness (device_id, interval_seconds) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE")
    return ids


def produce(
    bootstrap_servers: str, topic: str, ids: list[uuid.UUID], total: int, partitions: int
) -> dict[uuid.UUID, datetime]:
    """`total` heartbeats in rounds over all devices, newest last; the newest time sent per device.

    As a platform does, each record carries devices of one shard and each shard keeps to its partition,
    so one device's heartbeats are applied in order by one consumer.
    """
    producer = KafkaProducer(
        bootstrap_servers=bootstrap_servers, linger_ms=20, batch_size=1 << 20, max_request_size=8 << 20
    )
    shards = [ids[shard::partitions] for shard in range(partitions)]
    start = datetime.now(UTC)
    newest: dict[uuid.UUID, datetime] = {}
    sent = 0
    while sent < total:
        for shard, members in enumerate(shards):
            for first in range(0, len(members), PER_RECORD):
                chunk = members[first : first + PER_RECORD][: total - sent]
                if not chunk:
                    break
                batch = device_pb2.HeartbeatBatch()
                for offset, device_id in enumerate(chunk):
                    at = start + timedelta(microseconds=sent + offset)
                    batch.heartbeats.add(device_id=str(device_id)).at.FromDatetime(at)
                    newest[device_id] = at
                event = Event.create(type=HEARTBEAT_BATCH, source="/bench", data=batch, key=f"shard-{shard}")
                key, value, headers = encode(event)
                producer.send(topic, value=value, key=key, headers=headers, partition=shard)
                sent += len(chunk)
    producer.flush()
    producer.close()
    return newest


def consume(job: tuple[str, str, str, str, int], done: object) -> None:
    """One consumer process: drain until the group has applied `expected` heartbeats in all."""
    url, bootstrap_servers, topic, group, expected = job
    engine = create_engine(url, pool_size=2)
    producer = idempotent_producer(bootstrap_servers)
    consumer = HeartbeatConsumer(
        engine,
        bootstrap_servers,
        group,
        topic,
        events_topic="bench.events",
        dlq_producer=producer,
        max_records=10,
    )
    counter = done  # a multiprocessing.Value
    idle_since = time.monotonic()
    while counter.value < expected and time.monotonic() - idle_since < 30:  # type: ignore[attr-defined]
        kept = consumer.poll_once(0.5)
        if kept:
            idle_since = time.monotonic()
            with counter.get_lock():  # type: ignore[attr-defined]
                counter.value += kept  # type: ignore[attr-defined]
    consumer.close()
    producer.close(timeout=5)
    engine.dispose()


async def offline_lag(url: str, ids: list[uuid.UUID], sample: int) -> list[float]:
    """Seconds from overdue to marked offline for `sample` devices with a 5 s interval, sweeping every 2 s."""
    chosen = ids[:sample]
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        conn.execute(
            "UPDATE device_liveness SET interval_seconds = 5, status = 'online', last_heartbeat_at = now() "
            "WHERE device_id = ANY(%s)",
            (chosen,),
        )
        conn.execute(
            "UPDATE device_liveness SET last_heartbeat_at = now() + interval '1 hour' "
            "WHERE NOT device_id = ANY(%s)",
            (chosen,),
        )
    engine = create_async_engine(url, pool_size=2)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    inventory = Inventory(lambda: SqlUnitOfWork(sessions, "bench.events"), load_rules(), {})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        await mark_offline(inventory, limit=100_000)
        await asyncio.sleep(2)
    await engine.dispose()
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM status_changed_at"
            " - (last_heartbeat_at + make_interval(secs => interval_seconds))) "
            "FROM device_liveness WHERE device_id = ANY(%s) AND status = 'offline'",
            (chosen,),
        ).fetchall()
    return sorted(float(row[0]) for row in rows)


def main() -> None:
    """Load, produce, drain, verify, measure the lag, print, clean up."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--heartbeats", type=int, default=2_000_000)
    parser.add_argument("--consumers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--lag-sample", type=int, default=2000)
    args = parser.parse_args()
    stack = endpoints_from_env()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    topic = f"bench.heartbeats.{uuid.uuid4().hex[:8]}"
    admin_conninfo = stack.pg_conninfo()
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    admin.create_topics([NewTopic(topic, args.partitions, 1), NewTopic(f"{topic}.dlq", 1, 1)])
    url = stack.pg_url(name)
    try:
        bootstrap.migrate(url)
        started = time.monotonic()
        ids = load_devices(stack.pg_conninfo(name), args.devices)
        print(f"devices: {args.devices:,} loaded in {time.monotonic() - started:.1f} s")
        started = time.monotonic()
        newest = produce(stack.kafka_bootstrap, topic, ids, args.heartbeats, args.partitions)
        print(
            f"heartbeats: {args.heartbeats:,} produced in {time.monotonic() - started:.1f} s "
            "(not timed below)"
        )
        done = multiprocessing.Value("q", 0)
        group = f"bench-{uuid.uuid4().hex[:8]}"
        workers = [
            multiprocessing.Process(
                target=consume, args=((url, stack.kafka_bootstrap, topic, group, args.heartbeats), done)
            )
            for _ in range(args.consumers)
        ]
        started = time.monotonic()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        seconds = time.monotonic() - started
        print(
            f"ingested: {done.value:,} heartbeats in {seconds:.1f} s = {done.value / seconds:,.0f}/s "
            f"({args.consumers} consumers, {args.partitions} partitions, {PER_RECORD} per record)"
        )
        with psycopg.connect(stack.pg_conninfo(name)) as conn:
            kept = dict(conn.execute("SELECT device_id, last_heartbeat_at FROM device_liveness").fetchall())
            online = conn.execute("SELECT count(*) FROM device_liveness WHERE status = 'online'").fetchone()
        wrong = sum(1 for device_id, at in newest.items() if kept.get(device_id) != at)
        print(
            f"exact: {len(newest) - wrong:,} of {len(newest):,} devices hold their newest heartbeat; "
            f"online {online[0] if online else 0:,}"
        )
        lags = asyncio.run(offline_lag(url, ids, args.lag_sample))
        if lags:
            p50 = statistics.median(lags)
            p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]
            print(
                f"offline lag after overdue: p50 {p50:.2f} s, p99 {p99:.2f} s, max {lags[-1]:.2f} s "
                f"({len(lags)} devices)"
            )
    finally:
        admin.delete_topics([topic, f"{topic}.dlq"])
        admin.close()
        with psycopg.connect(admin_conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
