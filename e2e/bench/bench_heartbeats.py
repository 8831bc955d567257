"""Benchmark: heartbeat ingestion at scale (issue 5's goals: 1,000,000 devices registered; ≥ 50,000
heartbeats/s ingested on 2 cores with online status kept exact; offline-detection lag p99 printed).

Runs on the real servers of the local stack (`make up` is enough), on a scratch database and a scratch
Kafka topic it creates and drops (loopback only). The devices are loaded with COPY; the inventory's own
HeartbeatConsumer (one process per consumer, the service's batch settings) applies what a producer
sends, and the inventory's sweep runs beside them every 2 s, as the sweep process does. Two modes:

- drain (default): `--heartbeats` are produced to the topic first, then the consumers drain them; the
  rate is heartbeats applied / wall time.
- sustained (`--rate R --duration S`): a producer sends R heartbeats/s for S seconds while the consumers
  run; printed each second and at the end: heartbeats ingested/s, consumer lag (heartbeats sent and not
  yet applied), the consumers' resident memory.

Both print the CPU time per heartbeat of the consumer processes and of their PostgreSQL backends, then
check exactness: every device holds the newest heartbeat sent for it and is online. Offline lag: a sample
of devices with a 5 s interval falls silent (their last heartbeats spread over 5 s); the lag is when the
sweep marked each offline minus when it became overdue (last heartbeat + interval; the sweep's grace of
3 s is part of the lag). A benchmark prints figures; it is not a test.

    python e2e/bench/bench_heartbeats.py [--devices 1000000] [--heartbeats 2000000] [--consumers 2]
    python e2e/bench/bench_heartbeats.py --rate 60000 --duration 60

Devices' supervision interval (`--interval`): 600 s when draining (a backlog's heartbeats are minutes old
when the last are applied), at least twice the round time at the sustained rate.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import itertools
import math
import multiprocessing
import os
import statistics
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from multiprocessing.synchronize import Event as ProcessEvent

import psycopg
from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from device_inventory import bootstrap
from device_inventory.adapters.db.unit_of_work import SqlUnitOfWork
from device_inventory.adapters.events import HEARTBEAT_BATCH
from device_inventory.adapters.rules import load_rules
from device_inventory.config import Settings
from device_inventory.entrypoints.consumers import HeartbeatConsumer
from device_inventory.service.handlers import Inventory
from device_inventory.service.sweep import sweep_once
from neibao.deviceinventory.v1 import device_pb2
from neibao_messaging import Event, encode, idempotent_producer
from neibao_testkit.endpoints import endpoints_from_env

UNITS = 1000
SILENT_INTERVAL = 5  # seconds: the supervision interval of the silent sample
SWEEP_EVERY = 2.0  # seconds, as the sweep process
CONSUMER_APP = "bench-heartbeats-consumer"
TICKS = os.sysconf("SC_CLK_TCK")


def load_devices(conninfo: str, count: int, interval: int) -> list[uuid.UUID]:
    """COPY `count` devices (and their units and liveness rows) into the scratch database."""
    ids = [uuid.uuid4() for _ in range(count)]
    now = datetime.now(UTC).isoformat()
    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        # Their compliance counts as evaluated: the sweep's time goes to silent devices, as in steady state.
        with cursor.copy(
            "COPY unit (uscc, name, jurisdiction, unit_type, sector, sectors, compliance_dirty) FROM STDIN"
        ) as copy:
            for index in range(UNITS):
                copy.write_row(
                    (
                        f"9121010200{index:07d}X",
                        "单位",
                        "210102",
                        "enterprise",
                        "commerce",
                        "{commerce}",
                        False,
                    )
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
            buffer.write(f"{device_id}\t{interval}\n")
        with cursor.copy("COPY device_liveness (device_id, interval_seconds) FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE")
    return ids


@dataclass
class Chunk:
    """One record's worth of devices, all of one shard (so one device's heartbeats keep to one partition,
    applied in order by one consumer), and its batch message reused for every send."""

    partition: int
    devices: list[uuid.UUID]
    batch: device_pb2.HeartbeatBatch
    newest: int = 0  # microseconds since the epoch of the last send, 0 if never sent

    def stamp(self, micros: int) -> bytes:
        """The batch with every heartbeat at `micros`, as a Kafka record value's payload."""
        seconds, rest = divmod(micros, 1_000_000)
        nanos = rest * 1000
        for heartbeat in self.batch.heartbeats:
            at = heartbeat.at
            at.seconds = seconds
            at.nanos = nanos
        self.newest = micros
        return self.batch.SerializeToString()


def chunks_of(ids: list[uuid.UUID], partitions: int, per_record: int) -> list[Chunk]:
    """The devices cut into records, shard by shard, interleaved so that a round visits every partition."""
    per_shard = []
    for shard in range(partitions):
        members = ids[shard::partitions]
        groups = [members[first : first + per_record] for first in range(0, len(members), per_record)]
        per_shard.append(
            [
                Chunk(
                    shard,
                    group,
                    device_pb2.HeartbeatBatch(
                        heartbeats=[device_pb2.Heartbeat(device_id=str(d)) for d in group]
                    ),
                )
                for group in groups
            ]
        )
    return [chunk for row in itertools.zip_longest(*per_shard) for chunk in row if chunk is not None]


def now_micros() -> int:
    """Microseconds since the epoch, now."""
    return time.time_ns() // 1000


class Sender:
    """Sends chunks as heartbeat-batch records to the topic, one after the other, round after round."""

    def __init__(self, bootstrap_servers: str, topic: str, chunks: list[Chunk]) -> None:
        self._producer = KafkaProducer(
            bootstrap_servers=bootstrap_servers, linger_ms=5, batch_size=1 << 20, max_request_size=8 << 20
        )
        self._topic = topic
        self._chunks = chunks
        self._next = 0
        self.sent = 0

    def send_one(self) -> None:
        """The next chunk's heartbeats, stamped now."""
        chunk = self._chunks[self._next % len(self._chunks)]
        self._next += 1
        payload = chunk.stamp(now_micros())
        event = Event.create(
            type=HEARTBEAT_BATCH, source="/bench", data=chunk.batch, key=f"shard-{chunk.partition}"
        )
        key, _, headers = encode(event)
        self._producer.send(self._topic, value=payload, key=key, headers=headers, partition=chunk.partition)
        self.sent += len(chunk.devices)

    def newest(self) -> dict[uuid.UUID, int]:
        """The newest time sent per device (microseconds since the epoch)."""
        return {d: chunk.newest for chunk in self._chunks if chunk.newest for d in chunk.devices}

    def close(self) -> None:
        """Flush and close the producer."""
        self._producer.flush()
        self._producer.close()


@dataclass(frozen=True)
class ConsumerJob:
    """What each consumer process needs."""

    url: str
    bootstrap_servers: str
    topic: str
    group: str
    batch_records: int
    batch_items: int
    index: int


def consume(
    job: ConsumerJob,
    ready: Synchronized[int],
    applied: Synchronized[int],
    cpu: SynchronizedArray[float],
    stop: ProcessEvent,
) -> None:
    """One consumer process: poll and apply until told to stop; its CPU seconds since start-up kept in
    `cpu[job.index]`."""
    started = time.process_time()
    engine = create_engine(job.url, pool_size=2, connect_args={"application_name": CONSUMER_APP})
    producer = idempotent_producer(job.bootstrap_servers)
    consumer = HeartbeatConsumer(
        engine,
        job.bootstrap_servers,
        job.group,
        job.topic,
        events_topic="bench.events",
        dlq_producer=producer,
        max_records=job.batch_records,
        max_items=job.batch_items,
    )
    with ready.get_lock():
        ready.value += 1
    while not stop.is_set():
        kept = consumer.poll_once(0.2)
        if kept:
            with applied.get_lock():
                applied.value += kept
            cpu[job.index] = time.process_time() - started
    consumer.close()
    producer.close(timeout=5)
    engine.dispose()


def sweep(url: str, ready: Synchronized[int], stop: ProcessEvent) -> None:
    """The inventory's sweep every 2 s until told to stop (as `python -m device_inventory sweep`)."""

    async def loop() -> None:
        engine = create_async_engine(url, pool_size=2)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        inventory = Inventory(lambda: SqlUnitOfWork(sessions, "bench.events"), load_rules(), {})
        with ready.get_lock():
            ready.value += 1
        while not stop.is_set():
            await sweep_once(inventory)
            await asyncio.to_thread(stop.wait, SWEEP_EVERY)
        await engine.dispose()

    asyncio.run(loop())


def silence(conninfo: str, sample: list[uuid.UUID]) -> None:
    """The sample goes quiet: a 5 s interval, online, last heartbeats spread over the past 5 s."""
    with psycopg.connect(conninfo) as conn:
        conn.execute(
            "UPDATE device_liveness SET interval_seconds = %s, status = 'online', "
            "last_heartbeat_at = now() - random() * interval '5 seconds' WHERE device_id = ANY(%s)",
            (SILENT_INTERVAL, sample),
        )


def offline_lags(conninfo: str, sample: list[uuid.UUID]) -> list[float]:
    """Seconds from overdue to marked offline, for the sample's devices marked so far."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT extract(epoch FROM status_changed_at"
            " - (last_heartbeat_at + make_interval(secs => interval_seconds))) "
            "FROM device_liveness WHERE device_id = ANY(%s) AND status = 'offline'",
            (sample,),
        ).fetchall()
    return sorted(float(row[0]) for row in rows)


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory (or its peak, VmHWM) in MiB."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return 0.0


def backend_pids(conninfo: str) -> list[int]:
    """The PostgreSQL backends of the consumers (same host: their CPU is readable in /proc)."""
    with psycopg.connect(conninfo) as conn:
        return [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (CONSUMER_APP,)
            ).fetchall()
        ]


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile of sorted values."""
    return values[min(len(values) - 1, int(len(values) * share))]


def start(processes: Sequence[multiprocessing.process.BaseProcess], ready: Synchronized[int]) -> None:
    """Start the processes and wait until each is up (imports, engine, clients)."""
    for process in processes:
        process.start()
    deadline = time.monotonic() + 120
    while ready.value < len(processes) and time.monotonic() < deadline:
        time.sleep(0.05)


def wait_until_applied(applied: Synchronized[int], target: int, idle_limit: float) -> None:
    """Until `target` heartbeats are applied or nothing was applied for `idle_limit` seconds."""
    last, since = applied.value, time.monotonic()
    while applied.value < target and time.monotonic() - since < idle_limit:
        time.sleep(0.05)
        if applied.value != last:
            last, since = applied.value, time.monotonic()


def produce_backlog(sender: Sender, total: int) -> None:
    """`total` heartbeats (rounded up to whole records) to the topic as fast as the producer goes."""
    while sender.sent < total:
        sender.send_one()
    sender.close()


def produce_at_rate(
    sender: Sender, rate: int, duration: float, applied: Synchronized[int], workers: list[int]
) -> list[int]:
    """`rate` heartbeats/s for `duration` seconds, a line a second; the consumer lag samples."""
    started = time.monotonic()
    next_report, last_applied, lags = started + 1, applied.value, []
    while (elapsed := time.monotonic() - started) < duration:
        due = int(rate * elapsed)
        while sender.sent < due:
            sender.send_one()
        if time.monotonic() >= next_report:
            now_applied = applied.value
            lags.append(sender.sent - now_applied)
            print(
                f"  t={elapsed:5.1f} s  sent {sender.sent:>10,}  applied {now_applied:>10,}"
                f"  ingested {now_applied - last_applied:>7,}/s  lag {lags[-1]:>8,}"
                f"  consumer RSS {' '.join(f'{rss_mb(pid):.0f}' for pid in workers)} MiB",
                flush=True,
            )
            next_report, last_applied = next_report + 1, now_applied
        time.sleep(0.005)
    sender.close()
    return lags


def main() -> None:  # noqa: PLR0915 - one benchmark, read top to bottom
    """Load, produce, ingest, verify, measure the lag, print, clean up."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--heartbeats", type=int, default=2_000_000, help="drain mode: the backlog")
    parser.add_argument("--rate", type=int, default=0, help="sustained mode: heartbeats/s sent")
    parser.add_argument("--duration", type=float, default=60.0, help="sustained mode: seconds sent")
    parser.add_argument("--consumers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=12)
    parser.add_argument("--per-record", type=int, default=2000, help="heartbeats per Kafka record")
    defaults = Settings.model_fields
    parser.add_argument("--batch-records", type=int, default=defaults["heartbeat_batch_records"].default)
    parser.add_argument("--batch-items", type=int, default=defaults["heartbeat_batch_items"].default)
    parser.add_argument("--lag-sample", type=int, default=2000)
    parser.add_argument("--interval", type=int, default=0, help="devices' supervision interval, seconds")
    args = parser.parse_args()
    stack = endpoints_from_env()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    topic = f"bench.heartbeats.{uuid.uuid4().hex[:8]}"
    admin_conninfo = stack.pg_conninfo()
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    admin.create_topics([NewTopic(topic, args.partitions, 1), NewTopic(f"{topic}.dlq", 1, 1)])
    url, conninfo = stack.pg_url(name), stack.pg_conninfo(name)
    # Sustained: every device beats at least twice per interval, none goes offline for want. Drain: the
    # backlog's heartbeats are minutes old when the last are applied, which must not make them offline.
    interval = args.interval or (max(60, math.ceil(2 * args.devices / args.rate)) if args.rate else 600)
    # Fresh processes (not forks of this one, which holds every device): their memory is their own.
    spawn = multiprocessing.get_context("spawn")
    stop, sweeping = spawn.Event(), spawn.Event()
    processes: list[multiprocessing.process.BaseProcess] = []
    try:
        bootstrap.migrate(url)
        started = time.monotonic()
        ids = load_devices(conninfo, args.devices, interval)
        print(
            f"devices: {args.devices:,} loaded in {time.monotonic() - started:.1f} s (interval {interval} s)"
        )
        sample, beating = ids[: args.lag_sample], ids[args.lag_sample :]
        sender = Sender(stack.kafka_bootstrap, topic, chunks_of(beating, args.partitions, args.per_record))
        ready: Synchronized[int] = spawn.Value("q", 0)
        applied: Synchronized[int] = spawn.Value("q", 0)
        cpu: SynchronizedArray[float] = spawn.Array("d", args.consumers)
        group = f"bench-{uuid.uuid4().hex[:8]}"
        consumers = [
            spawn.Process(
                target=consume,
                args=(
                    ConsumerJob(
                        url, stack.kafka_bootstrap, topic, group, args.batch_records, args.batch_items, index
                    ),
                    ready,
                    applied,
                    cpu,
                    stop,
                ),
            )
            for index in range(args.consumers)
        ]
        processes = [*consumers, spawn.Process(target=sweep, args=(url, ready, sweeping))]
        if args.rate:
            start(processes, ready)
            baseline = [rss_mb(p.pid or 0) for p in consumers]
            silence(conninfo, sample)
            print(
                f"sending {args.rate:,} heartbeats/s for {args.duration:.0f} s to {args.consumers} consumers:"
            )
            started = time.monotonic()
            lags = produce_at_rate(sender, args.rate, args.duration, applied, [p.pid or 0 for p in consumers])
            sent_for = time.monotonic() - started
            wait_until_applied(applied, sender.sent, 120)
            seconds = time.monotonic() - started
            print(
                f"ingested: {applied.value:,} of {sender.sent:,} sent in {sent_for:.1f} s "
                f"({sender.sent / sent_for:,.0f}/s sent, {applied.value / seconds:,.0f}/s applied incl. "
                f"{seconds - sent_for:.1f} s to drain); consumer lag p50 "
                f"{statistics.median(lags or [0]):,.0f}, max {max(lags or [0]):,} heartbeats"
            )
        else:
            started = time.monotonic()
            produce_backlog(sender, args.heartbeats)
            print(
                f"heartbeats: {sender.sent:,} produced in {time.monotonic() - started:.1f} s "
                "(not timed below)"
            )
            start(processes, ready)
            baseline = [rss_mb(p.pid or 0) for p in consumers]
            started = time.monotonic()
            wait_until_applied(applied, sender.sent, 120)
            seconds = time.monotonic() - started
            print(
                f"ingested: {applied.value:,} heartbeats in {seconds:.1f} s = "
                f"{applied.value / seconds:,.0f}/s ({args.consumers} consumers, {args.partitions} "
                f"partitions, {args.per_record} per record)"
            )
        consumer_cpu = sum(cpu[:])
        postgres_cpu = sum(cpu_seconds(pid) for pid in backend_pids(conninfo))
        rss = ", ".join(
            f"{before:.0f} → {rss_mb(p.pid or 0, 'VmHWM'):.0f}"
            for before, p in zip(baseline, consumers, strict=True)
        )
        print(
            f"CPU per heartbeat: consumers {1e6 * consumer_cpu / max(applied.value, 1):.1f} µs, their "
            f"PostgreSQL backends {1e6 * postgres_cpu / max(applied.value, 1):.1f} µs; consumer RSS at "
            f"start → peak: {rss} MiB"
        )
        stop.set()
        for process in consumers:
            process.join()
        newest = sender.newest()
        with psycopg.connect(conninfo) as conn:
            rows = conn.execute(
                "SELECT device_id, (extract(epoch FROM last_heartbeat_at) * 1000000)::bigint, status "
                "FROM device_liveness"
            ).fetchall()
        kept = {device_id: at for device_id, at, _ in rows}
        online = {device_id for device_id, _, status in rows if status == "online"}
        wrong = sum(1 for device_id, at in newest.items() if kept.get(device_id) != at)
        print(
            f"exact: {len(newest) - wrong:,} of {len(newest):,} devices hold their newest heartbeat; "
            f"{len(online & newest.keys()):,} online"
        )
        if not args.rate:
            silence(conninfo, sample)
        deadline = time.monotonic() + SILENT_INTERVAL + 20
        while time.monotonic() < deadline and len(offline_lags(conninfo, sample)) < len(sample):
            time.sleep(1)
        sweeping.set()
        processes[-1].join()
        lags_after = offline_lags(conninfo, sample)
        if lags_after:
            print(
                f"offline lag after overdue: p50 {statistics.median(lags_after):.2f} s, "
                f"p99 {percentile(lags_after, 0.99):.2f} s, max {lags_after[-1]:.2f} s "
                f"({len(lags_after)} of {len(sample)} silent devices; sweep every {SWEEP_EVERY:.0f} s, "
                f"grace 3 s)"
            )
    finally:
        stop.set()
        sweeping.set()
        for child in processes:
            if child.pid is not None:
                child.join(timeout=30)
        admin.delete_topics([topic, f"{topic}.dlq"])
        admin.close()
        with psycopg.connect(admin_conninfo, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
