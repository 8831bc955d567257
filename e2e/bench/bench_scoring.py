"""Benchmark: the safe-unit scoring's full recompute over --units units (1,000,000 by default), and the delay
from an event to the unit's updated score on the running platform. Issue 9's goals on these 2 cores: a full
recompute ≤ 60 s; event to score ≤ 2 s.

    .run/tools/bin/uv run --frozen --no-sync python e2e/bench/bench_scoring.py [--units 1000000 --events 20]

Recompute: runs against a database of its own, `safe_unit_scoring_bench` on the running PostgreSQL (the
demo data stays as it is), created, migrated and filled once with synthetic units (items as the events
would leave them: a filing, drills, trainings, hazards some late, 1-6 devices, compliance, a few real
incidents; the two months before scored, for the promotion rule); reused on later runs. It times
`python -m safe_unit_scoring recompute`'s own code path (worker processes, COPY, one merge) for the running
month and prints units/s and the peak RSS of the process and its workers.

Event to score: the demo unit's security chief records drills through the gateway (one a second); each
delay runs from the POST's answer to the moment the scoring database holds the drill among the unit's facts
and a score computed after it (polled every 10 ms): registry, outbox relay, Kafka, scoring consumer, commit.
Targets are loopback addresses only; runs are bounded. Needs `make run`; `make bench-scoring`. Not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import resource
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta

import httpx
import psycopg
from bench_alarms import percentile
from bench_gateway import token

from neibao_testkit.endpoints import endpoints_from_env
from safe_unit_scoring import bootstrap
from safe_unit_scoring.adapters.db.recompute import recompute_period
from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.periods import Period, china_day

DATABASE = "safe_unit_scoring_bench"
DEMO_UNIT = "91210102MA0LN001X3"
COUNTIES = [
    "210102",
    "210103",
    "210104",
    "210105",
    "210202",
    "210203",
    "210302",
    "210402",
    "210502",
    "210602",
]
SECTORS = ["commerce", "postal", "transport", "banking", "education", "health"]
GRADES = ["exemplary", "standard", "rectification"]


def _day(today: date, rng: random.Random, within: int) -> str:
    return (today - timedelta(days=rng.randrange(within))).isoformat()


def _items(uscc: str, today: date, rng: random.Random) -> list[tuple[str, str, dict[str, object], int]]:
    """One unit's items (kind, id, attributes, events behind it)."""
    items: list[tuple[str, str, dict[str, object], int]] = []
    if rng.random() < 0.9:
        items.append(("filing", f"{uscc}-f", {"state": "accepted" if rng.random() < 0.9 else "submitted"}, 2))
    items += [
        ("drill", f"{uscc}-d{n}", {"drilled_on": _day(today, rng, 420)}, 1) for n in range(rng.randrange(4))
    ]
    items += [
        (
            "training",
            f"{uscc}-t{n}",
            {"trained_on": _day(today, rng, 420), "course": "保卫业务", "result": "passed"},
            1,
        )
        for n in range(rng.randrange(6))
    ]
    for n in range(rng.choice((0, 0, 1, 2))):
        deadline = today - timedelta(days=rng.randrange(300))
        attributes: dict[str, object] = {"state": "open", "deadline": deadline.isoformat()}
        if rng.random() < 0.7:
            rectified = deadline + timedelta(days=rng.randrange(-20, 15))
            attributes |= {"state": "rectified", "rectified_on": min(rectified, today).isoformat()}
        items.append(("hazard", f"{uscc}-h{n}", attributes, 2))
    items += [
        (
            "device",
            f"{uscc}-v{n}",
            {"status": "online" if rng.random() < 0.92 else "offline"},
            rng.randrange(1, 4),
        )
        for n in range(rng.randrange(1, 7))
    ]
    items.append(("compliance", f"{uscc}-c", {"compliant": rng.random() < 0.85, "unmet": []}, 1))
    if rng.random() < 0.05:
        kind = "hold_up" if rng.random() < 0.05 else "intrusion"
        items.append(
            (
                "incident",
                f"{uscc}-a",
                {"outcome": "real", "alarm_kind": kind, "occurred_on": _day(today, rng, 300)},
                2,
            )
        )
    return items


def _copy(conn: psycopg.Connection, sql: str, text: str) -> None:
    with conn.cursor() as cursor, cursor.copy(sql) as copy:
        copy.write(text)


def load(url_conninfo: str, units: int, period: Period) -> None:
    """Fill the benchmark's database with `units` synthetic units, their items and two earlier periods."""
    rng = random.Random(9)
    today = china_day(datetime.now(UTC))
    earlier = [period.previous().previous(), period.previous()]
    started, rows = time.perf_counter(), 0
    with psycopg.connect(url_conninfo) as conn:
        for start in range(0, units, 10_000):
            unit_lines, item_lines, score_lines = io.StringIO(), io.StringIO(), io.StringIO()
            for n in range(start, min(start + 10_000, units)):
                uscc = f"9121{n:014d}"
                sector = SECTORS[n % len(SECTORS)]
                unit_lines.write(f"{uscc}\t单位{n}\t{COUNTIES[n % len(COUNTIES)]}\t{sector}\t{{{sector}}}\n")
                for kind, item_id, attributes, events in _items(uscc, today, rng):
                    ids = ",".join(f"e-{item_id}-{k}" for k in range(events))
                    attrs = json.dumps(attributes, ensure_ascii=False).replace("\\", "\\\\")
                    item_lines.write(f"{uscc}\t{kind}\t{item_id}\t{attrs}\t{{{ids}}}\n")
                    rows += 1
                for month in earlier:
                    grade = rng.choice(GRADES)
                    score_lines.write(
                        f"{uscc}\t{month}\t2026.1\t{today}\t80\t{grade}\t{grade}\tbench\t{{}}\t单位{n}\t"
                        f"{COUNTIES[n % len(COUNTIES)]}\t{sector}\t{{{sector}}}\t2000-01-01T00:00:00Z\n"
                    )
            _copy(
                conn,
                "COPY unit (uscc, name, jurisdiction, sector, sectors) FROM STDIN",
                unit_lines.getvalue(),
            )
            _copy(
                conn,
                "COPY fact_item (uscc, kind, item_id, attributes, event_ids) FROM STDIN",
                item_lines.getvalue(),
            )
            _copy(
                conn,
                "COPY score (uscc, period, model_version, as_of, total, band, grade, grade_reason, "
                "explanation, unit_name, jurisdiction, sector, sectors, computed_at) FROM STDIN",
                score_lines.getvalue(),
            )
            conn.commit()
            done = min(start + 10_000, units)
            if done % 100_000 == 0 or done == units:
                rate = done / (time.perf_counter() - started)
                print(f"[bench] loaded {done:,} units ({rows:,} items), {rate:,.0f} units/s", flush=True)


def bench_database(units: int, period: Period) -> str:
    """The benchmark's database, created, migrated and filled to `units` units; its SQLAlchemy URL."""
    stack = endpoints_from_env()
    with psycopg.connect(stack.pg_conninfo(), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            print(f"[bench] creating database {DATABASE}", flush=True)
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    url = stack.pg_url(DATABASE)
    bootstrap.migrate(url)
    with psycopg.connect(stack.pg_conninfo(DATABASE)) as conn:
        row = conn.execute("SELECT count(*) FROM unit").fetchone()
        held = int(row[0]) if row else 0
        if held != units:
            print(f"[bench] {DATABASE} holds {held:,} units: loading {units:,} afresh ...", flush=True)
            conn.execute("TRUNCATE unit, fact_item, score, grade_change, outbox")
            conn.commit()
    if held != units:
        load(stack.pg_conninfo(DATABASE), units, period)
        with psycopg.connect(stack.pg_conninfo(DATABASE), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    else:
        print(f"[bench] reusing {DATABASE}: {held:,} units", flush=True)
    return url


def bench_recompute(units: int, workers: int) -> None:
    """Time one full recompute of the running month."""
    from sqlalchemy import create_engine

    period = Period.of(china_day(datetime.now(UTC)))
    url = bench_database(units, period)
    engine = create_engine(url, pool_size=2)
    print(f"[bench] recomputing {period} for {units:,} units with {workers} workers ...", flush=True)
    try:
        report = recompute_period(
            engine,
            load_model(),
            period,
            topic="neibao.safe-unit-scoring.events.v1",
            today=china_day(datetime.now(UTC)),
            workers=workers,
            clock=lambda: datetime.now(UTC),
            progress=lambda n: print(f"[bench]   {n:,} scored", flush=True) if n % 100_000 < 2_000 else None,
        )
    finally:
        engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"  full recompute            {report.seconds:8.1f} s   (goal <= 60 s for 1,000,000 units on 2 cores)"
    )
    print(
        f"  of which storing          {report.merge_seconds:8.1f} s   (merge, grade changes, events, commit)"
    )
    print(f"  units                     {report.units:8,}   ({report.units / report.seconds:,.0f} units/s)")
    print(f"  scores stored             {report.written:8,}")
    print(f"  grade changes             {report.grade_changes:8,}")
    print(
        f"  peak RSS                  {rss:8.0f} MiB (this process), {workers_rss:.0f} MiB (largest worker)"
    )


def bench_event_to_score(events: int) -> None:
    """Drills recorded through the gateway, one a second; the delay until the unit's score is recomputed."""
    stack = endpoints_from_env()
    gateway = "http://127.0.0.1:8080"
    bearer = {"Authorization": f"Bearer {token(stack.keycloak_url, 'security-chief-demo')}"}
    period = str(Period.of(china_day(datetime.now(UTC))))
    delays: list[float] = []
    with (
        psycopg.connect(stack.pg_conninfo("safe_unit_scoring"), autocommit=True) as conn,
        httpx.Client(base_url=gateway, timeout=30) as api,
    ):

        def scored(drill_id: str) -> bool:
            """The drill is among the unit's facts and the unit was rescored after it arrived."""
            row = conn.execute(
                "SELECT s.computed_at >= f.updated_at FROM fact_item f JOIN score s ON s.uscc = f.uscc"
                " WHERE f.uscc = %s AND f.item_id = %s AND s.period = %s",
                (DEMO_UNIT, drill_id, period),
            ).fetchone()
            return bool(row and row[0])

        print(f"[bench] {events} drills of the demo unit through the gateway, one a second ...", flush=True)
        for n in range(events):
            body = {
                "drilled_on": date.today().isoformat(),
                "scenario": f"评分基准演练{n}",
                "participants": 12,
            }
            answer = api.post(f"/api/v1/units/{DEMO_UNIT}/drills", json=body, headers=bearer)
            answered = time.perf_counter()
            answer.raise_for_status()
            drill_id = str(answer.json()["id"])
            deadline = answered + 30
            while time.perf_counter() < deadline:
                if scored(drill_id):
                    delays.append((time.perf_counter() - answered) * 1000)
                    break
                time.sleep(0.01)
            else:
                print(f"[bench]   drill {n}: no new score within 30 s", flush=True)
            time.sleep(max(0.0, 1.0 - (time.perf_counter() - answered)))
    if delays:
        print(f"  event to score p50        {statistics.median(delays):8.0f} ms  (goal <= 2,000 ms)")
        print(f"  event to score p99        {percentile(delays, 0.99):8.0f} ms")
        print(f"  event to score max        {max(delays):8.0f} ms   ({len(delays)} of {events} seen)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--events", type=int, default=20, help="drills for the event-to-score delay (0: skip)"
    )
    parser.add_argument("--skip-recompute", action="store_true")
    args = parser.parse_args()
    if not args.skip_recompute:
        bench_recompute(args.units, args.workers)
    if args.events:
        bench_event_to_score(args.events)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
