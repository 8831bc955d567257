"""The full recompute in PostgreSQL: the open units split into USCC ranges; each worker process streams a
range's units with their items and earlier grades on its own connection, scores them and stages the rows by
COPY into the run's unlogged staging table; one transaction then merges the staging table into the scores
with the grade changes and their events (a unit an event rescored meanwhile keeps that score).
"""

from __future__ import annotations

import json
import multiprocessing
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any, Final

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, insert

from neibao_messaging import Outbox
from safe_unit_scoring.adapters.db.tables import GradeChangeRow
from safe_unit_scoring.adapters.events import cloud_event
from safe_unit_scoring.adapters.explanation import explanation_json
from safe_unit_scoring.domain.assessments import ReviewedPoints
from safe_unit_scoring.domain.events import GradeChanged, UnitScope
from safe_unit_scoring.domain.facts import FactItem, ItemKind
from safe_unit_scoring.domain.grading import PeriodGrade
from safe_unit_scoring.domain.indicators import Grade, IndicatorModel
from safe_unit_scoring.domain.periods import Period
from safe_unit_scoring.service.recompute import (
    RecomputeReport,
    UnitSnapshot,
    as_of_for,
    recompute_unit,
)
from safe_unit_scoring.service.rescoring import StoredScore

CHUNK: Final = 2_000
# Ranges per worker: enough that a worker done early takes another, few enough that each is a long stream.
RANGES_PER_WORKER: Final = 4

# Each open unit with its items (oldest change first, as the rescoring reads them), the grades of the
# periods the promotion rule looks back on, the period's stored score and its adjusting reviews: grouped
# streams merge-joined on the USCC (one pass over each table, not a lookup per unit).
SNAPSHOTS: Final = """
SELECT u.uscc, u.jurisdiction, u.sector, u.sectors, u.name, coalesce(f.items, '[]'),
       coalesce(h.history, '[]'), s.total, s.grade, coalesce(r.reviews, '[]')
  FROM unit u
  LEFT JOIN (SELECT uscc, json_agg(json_build_array(kind, item_id, attributes, event_ids)
                                   ORDER BY updated_at, item_id)::text AS items
               FROM fact_item WHERE uscc >= %(low)s AND uscc < %(high)s GROUP BY uscc) f ON f.uscc = u.uscc
  LEFT JOIN (SELECT uscc, json_agg(json_build_array(period, band, grade) ORDER BY period)::text AS history
               FROM score WHERE period >= %(since)s AND period < %(period)s
                AND uscc >= %(low)s AND uscc < %(high)s GROUP BY uscc) h
         ON h.uscc = u.uscc
  LEFT JOIN score s ON s.uscc = u.uscc AND s.period = %(period)s
  LEFT JOIN (SELECT uscc, json_agg(json_build_array(id, reviewed_by, adjustments) ORDER BY reviewed_at)::text
                    AS reviews
               FROM self_assessment WHERE period = %(period)s AND state = 'adjusted'
                AND uscc >= %(low)s AND uscc < %(high)s GROUP BY uscc) r ON r.uscc = u.uscc
 WHERE NOT u.closed AND u.uscc >= %(low)s AND u.uscc < %(high)s
 ORDER BY u.uscc
"""
COLUMNS: Final = (
    "uscc, period, model_version, as_of, total, band, grade, grade_reason, explanation, unit_name, "
    "jurisdiction, sector, sectors, computed_at"
)
# USCCs are 18 characters of 0-9 A-Z compared byte-wise (collation "C"): "~" sorts after every one.
AFTER_ALL: Final = "~"
# Range boundaries: quantiles of the open units' USCCs.
BOUNDARIES: Final = (
    "SELECT DISTINCT unnest(percentile_disc(%(fractions)s::float8[]) WITHIN GROUP (ORDER BY uscc)) "
    "FROM unit WHERE NOT closed"
)
# Fixed column names, no input in the text.
MERGE: Final = f"""
INSERT INTO score ({COLUMNS}) SELECT {COLUMNS} FROM {{staging}}
ON CONFLICT (uscc, period) DO UPDATE SET
  model_version = excluded.model_version, as_of = excluded.as_of, total = excluded.total,
  band = excluded.band, grade = excluded.grade, grade_reason = excluded.grade_reason,
  explanation = excluded.explanation, unit_name = excluded.unit_name,
  jurisdiction = excluded.jurisdiction, sector = excluded.sector, sectors = excluded.sectors,
  computed_at = excluded.computed_at
WHERE score.computed_at < %(started)s
"""  # noqa: S608
UNSCORED: Final = (
    "SELECT count(*) FROM unit u WHERE NOT u.closed "
    "AND NOT EXISTS (SELECT FROM score s WHERE s.uscc = u.uscc AND s.period = %(period)s)"
)
# The units whose grade changed and whose row this run wrote (an event's newer score stands).
WRITTEN: Final = (
    "SELECT uscc FROM score WHERE period = %(period)s AND computed_at = %(at)s AND uscc = ANY(%(units)s)"
)


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker scores a chunk under."""

    model: IndicatorModel
    period: Period
    since: Period
    as_of: date
    at: datetime
    conninfo: str
    staging: str
    chunk: int


_JOB: _Job | None = None


def _start_worker(job: _Job) -> None:
    global _JOB  # noqa: PLW0603 - a worker process's one job, set once by the pool's initializer
    _JOB = job


def _copy_text(value: str) -> str:
    """A value in COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _snapshot(row: Sequence[Any]) -> UnitSnapshot:
    uscc, jurisdiction, sector, sectors, name, items_json, history_json, total, grade, reviews_json = row
    items = tuple(
        FactItem(ItemKind(kind), item_id, attributes, tuple(event_ids))
        for kind, item_id, attributes, event_ids in json.loads(items_json)
    )
    history = tuple(
        PeriodGrade(Period.parse(period), Grade(band), Grade(grade_))
        for period, band, grade_ in json.loads(history_json)
    )
    stored = StoredScore(Decimal(total), Grade(grade)) if total is not None else None
    # Oldest review first: a later review's points for an indicator win (as the rescoring reads them).
    reviewed = {
        claim["indicator"]: ReviewedPoints(
            claim["indicator"], Decimal(claim["points"]), claim["note"], uuid.UUID(review_id), by
        )
        for review_id, by, adjustments in json.loads(reviews_json)
        for claim in adjustments
    }
    return UnitSnapshot(
        UnitScope(uscc, jurisdiction, sector, tuple(sectors), name), items, history, stored, reviewed
    )


def _score_rows(job: _Job, rows: Sequence[Sequence[Any]]) -> tuple[str, list[GradeChanged]]:
    """Snapshot rows scored: the score rows in COPY's text format, and the grade changes."""
    lines: list[str] = []
    changes: list[GradeChanged] = []
    period, at = str(job.period), job.at.isoformat()
    for row in rows:
        done = recompute_unit(job.model, _snapshot(row), job.period, job.as_of, job.at)
        unit, result, decision = done.unit, done.score, done.decision
        explanation = json.dumps(explanation_json(result), ensure_ascii=False, separators=(",", ":"))
        sectors = "{" + ",".join(f'"{s}"' for s in unit.sectors) + "}"
        fields = (
            unit.uscc,
            period,
            result.model_version,
            result.as_of.isoformat(),
            str(result.total),
            decision.band.value,
            decision.grade.value,
            decision.reason,
            explanation,
            unit.name,
            unit.jurisdiction,
            unit.sector,
            sectors,
            at,
        )
        lines.append("\t".join(_copy_text(f) for f in fields) + "\n")
        if done.grade_change is not None:
            changes.append(done.grade_change)
    return "".join(lines), changes


def score_range(low: str, high: str) -> tuple[int, list[GradeChanged]]:
    """Score the open units with low <= USCC < high into the staging table (a worker's task, on its own
    connection); how many, and their grade changes."""
    job = _JOB
    if job is None:
        raise RuntimeError("the worker was not started with a job")
    units, changes = 0, []
    params = {"period": str(job.period), "since": str(job.since), "low": low, "high": high}
    with psycopg.connect(job.conninfo) as reader, psycopg.connect(job.conninfo) as writer:
        reader.execute("SET jit = off")  # compiling this one big plan costs more than it saves
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(job.staging), sql.SQL(COLUMNS))
        with reader.cursor(name="recompute_snapshots") as cursor:
            cursor.itersize = job.chunk
            cursor.execute(SNAPSHOTS, params)
            while rows := cursor.fetchmany(job.chunk):
                text, found = _score_rows(job, rows)
                with writer.cursor() as out, out.copy(copy_sql) as copy:
                    copy.write(text)
                units += len(rows)
                changes += found
        writer.commit()
    return units, changes


def _months_before(period: Period, count: int) -> Period:
    for _ in range(count):
        period = period.previous()
    return period


def _ranges(engine: Engine, count: int) -> list[tuple[str, str]]:
    """About `count` USCC ranges holding as many open units each."""
    fractions = [n / count for n in range(1, count)]
    with engine.connect() as conn:
        cuts = sorted(
            uscc for (uscc,) in conn.exec_driver_sql(BOUNDARIES, {"fractions": fractions}) if uscc is not None
        )
    bounds = ["", *cuts, AFTER_ALL]
    return [(low, high) for low, high in pairwise(bounds) if low < high]


def recompute_period(
    engine: Engine,
    model: IndicatorModel,
    period: Period,
    *,
    topic: str,
    today: date,
    workers: int,
    chunk: int = CHUNK,
    clock: Callable[[], datetime],
    progress: Callable[[int], None] = lambda _units: None,
) -> RecomputeReport:
    """Recompute every open unit's score for `period` under `model`; what it did."""
    began = time.perf_counter()
    at = clock()
    as_of = as_of_for(period, today)
    staging = f"recompute_{uuid.uuid4().hex[:16]}"
    job = _Job(
        model,
        period,
        # The promotion rule looks back promotion_periods - 1 months; one more shows a gap.
        _months_before(period, model.grading.promotion_periods),
        as_of,
        at,
        engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
        staging,
        chunk,
    )
    units, changes = 0, dict[str, GradeChanged]()
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE UNLOGGED TABLE "{staging}" (LIKE score INCLUDING DEFAULTS)')
    try:
        ranges = _ranges(engine, max(workers, 1) * RANGES_PER_WORKER)
        if workers > 0:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(workers, context, _start_worker, (job,)) as pool:
                for future in as_completed([pool.submit(score_range, low, high) for low, high in ranges]):
                    done, found = future.result()
                    units += done
                    changes.update((c.unit.uscc, c) for c in found)
                    progress(units)
        else:
            _start_worker(job)
            for low, high in ranges:
                done, found = score_range(low, high)
                units += done
                changes.update((c.unit.uscc, c) for c in found)
                progress(units)
        staged = time.perf_counter()
        with engine.begin() as writer:
            # Event-driven rescorings wait while the merge runs (they upsert rows in another order:
            # without the lock the two would deadlock); their newer scores then replace these.
            writer.exec_driver_sql("LOCK TABLE score IN SHARE ROW EXCLUSIVE MODE")
            merge = MERGE.format(staging=f'"{staging}"')
            written = writer.exec_driver_sql(merge, {"started": at}).rowcount
            stored_changes = _store_changes(writer, period, at, changes, topic)
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{staging}"')
    ended = time.perf_counter()
    return RecomputeReport(
        period, model.version, as_of, units, written, stored_changes, ended - began, ended - staged
    )


def unscored_units(engine: Engine, period: Period) -> int:
    """Open units without a score for `period` (the month's rollover has not run when there are any)."""
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(UNSCORED, {"period": str(period)}).scalar_one())


def _store_changes(
    writer: Connection, period: Period, at: datetime, changes: dict[str, GradeChanged], topic: str
) -> int:
    """The grade changes of the units this run wrote, recorded and announced."""
    if not changes:
        return 0
    rows = writer.exec_driver_sql(WRITTEN, {"period": str(period), "at": at, "units": list(changes)})
    kept = [changes[uscc] for (uscc,) in rows]
    if not kept:
        return 0
    writer.execute(
        insert(GradeChangeRow),
        [
            {
                "uscc": c.unit.uscc,
                "period": c.period,
                "from_grade": c.from_grade.value if c.from_grade else None,
                "to_grade": c.to_grade.value,
                "reason": c.reason,
                "total": c.total,
                "cause_event_ids": list(c.cause_event_ids),
                "changed_at": c.occurred_at,
            }
            for c in kept
        ],
    )
    statement, outbox_rows = Outbox.insert_rows(topic, [cloud_event(c) for c in kept])
    writer.execute(statement, outbox_rows)
    return len(kept)
