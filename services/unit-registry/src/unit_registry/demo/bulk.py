"""`python -m unit_registry load-bench`: many generated units for benchmarks, by COPY from parallel producers.

The units are the demo generator's (realistic names and addresses, valid USCCs, spread over Liaoning's
counties, police stations and sectors) and their rows are made by the write path's own mapping
(`unit_values`: the same search text and bigram tokens as a unit registered through the API), so queries
cannot tell them apart. Key units get their confirmed (or pending) designation. Not written: change
history and outbox events (nothing is announced to other services), and the dossier's overdue flags
(`python -m unit_registry sweep` would set them, and announce each).

Producer processes generate the rows and format them as COPY text; this process streams them into one
COPY in one transaction, so a failed load leaves nothing behind. Into an empty table, the unit table's
secondary indexes and the key of its search postings (which migration 0004's triggers fill from the
COPY) are dropped first and built again at the end, inside that same transaction (a bulk build is
several times cheaper than row-by-row upkeep of GIN and b-tree indexes): other sessions wait for the
commit and never see the tables without them. The unique USCC index stays. Into a table that holds
units they stay: the producers ask on connections of their own which USCCs are taken, and those
questions would wait for the load's lock on the table, which waits for their answers.

USCCs are unique by construction: the organisation code of the n-th unit is a bijection of n, and each
chunk of units draws its numbers from its own range. Into a table that already holds units, producers
drop the USCCs that are taken (demo units have random organisation codes) and draw replacements.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

import psycopg
from psycopg import sql

from unit_registry.adapters.db.repositories import designation_values, unit_values
from unit_registry.demo.load import (
    _divisions_in_force,
    _stations_by_county,
    conninfo,
    load_police_stations,
)
from unit_registry.demo.units import DemoUnit, Placement, draw_unit, organisation_code, uscc_of
from unit_registry.domain.jurisdiction import DivisionLevel
from unit_registry.domain.model import Actor, ActorKind, KeyUnitDesignation

BENCH_ACTOR: Final = Actor(subject="unit-registry-load-bench", name="benchmark load", kind=ActorKind.SYSTEM)
DEFAULT_WORKERS: Final = 2
DEFAULT_BATCH: Final = 10_000
# n -> (n * SPREAD + OFFSET) mod 10^8 is a bijection (SPREAD is prime to 10): unique, random-looking codes.
_CODES: Final = 10**8
_SPREAD: Final = 48_271_157
_OFFSET: Final = 19_120_101

# The columns COPY writes, in the order of unit_values() and designation_values().
_UNIT_NAMES: Final = (
    "uscc",
    "name",
    "former_names",
    "unit_type",
    "sector",
    "sectors",
    "jurisdiction",
    "police_station",
    "address",
    "latitude",
    "longitude",
    "coordinate_system",
    "legal_representative",
    "status",
    "key_unit",
    "key_unit_category",
    "version",
    "created_at",
    "updated_at",
    "closed_at",
    "search_text",
    "search_tokens",
)
_DESIGNATION_NAMES: Final = (
    "id",
    "uscc",
    "category",
    "state",
    "reason",
    "proposed_by",
    "proposed_at",
    "confirmed_by",
    "confirmed_at",
    "designated_on",
    "withdrawn_by",
    "withdrawn_at",
    "withdrawal_reason",
)


@dataclass(frozen=True, slots=True)
class BulkLoadReport:
    """What a bulk load wrote."""

    units: int
    key_units: int
    proposals: int
    workers: int
    seconds: float
    copy_seconds: float = 0.0  # generation and COPY (the postings trigger included)
    index_seconds: float = 0.0  # indexes built again after the COPY

    @property
    def rate(self) -> float:
        """Units per second, generation included."""
        return self.units / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        """One line for the console."""
        return (
            f"loaded {self.units} units ({self.key_units} key units, {self.proposals} pending proposals) "
            f"with {self.workers} producer(s) in {self.seconds:.1f}s: {self.rate:,.0f} units/s "
            f"(generation and COPY {self.copy_seconds:.1f}s, index builds {self.index_seconds:.1f}s, "
            f"the rest statistics)"
        )


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One producer task: `size` units numbered within [first, first + span) (picklable)."""

    size: int
    first: int
    span: int
    seed: str
    check_taken: bool
    now: datetime


@dataclass(frozen=True, slots=True)
class _Produced:
    """A chunk as COPY text, and what it holds."""

    units: bytes
    designations: bytes
    count: int
    key_units: int
    proposals: int


def organisation_code_of(n: int) -> str:
    """The organisation code of the n-th loaded unit (distinct for distinct n below 10^8)."""
    return organisation_code(f"{(n * _SPREAD + _OFFSET) % _CODES:08d}")


def load_bench_units(
    database_url: str,
    count: int,
    *,
    workers: int = DEFAULT_WORKERS,
    batch: int = DEFAULT_BATCH,
    seed: int = 1,
    now: datetime | None = None,
) -> BulkLoadReport:
    """Add `count` generated units (and their designations) to the registry; see the module's docstring."""
    if count < 0 or workers < 1 or batch < 1:
        raise ValueError("count must not be negative; workers and batch must be positive")
    started = time.perf_counter()
    info = conninfo(database_url)
    with psycopg.connect(info) as conn:
        load_police_stations(conn)
        conn.commit()
        divisions = _divisions_in_force(conn, date.today())
        counties = sorted((d for d in divisions if d.registrable), key=lambda d: d.code)
        city_names = {d.code: d.name for d in divisions if d.level is DivisionLevel.CITY}
        placement = Placement.of(counties, city_names, _stations_by_county(conn))
        held = _count(conn)
    at = now or datetime.now(UTC)
    # Numbers go on after the units already held; overlaps with earlier loads are caught as taken.
    span = 4 * batch
    sizes = [batch] * (count // batch) + ([count % batch] if count % batch else [])
    chunks = [
        _Chunk(size, held + k * span, span, f"{seed}:{held}:{k}", held > 0, at)
        for k, size in enumerate(sizes)
    ]
    if span * len(chunks) + held > _CODES:
        raise ValueError(f"at most {(_CODES - held) // 4:,} units can be added")
    totals = [0, 0, 0]
    with ExitStack() as stack:
        if workers == 1:
            _start_producer(info, placement)
            stack.callback(_stop_producer)
            produced: Iterator[_Produced] = map(_produce, chunks)
        else:
            pool = stack.enter_context(
                multiprocessing.get_context("spawn").Pool(workers, _start_producer, (info, placement))
            )
            produced = pool.imap_unordered(_produce, chunks)
        conn = stack.enter_context(psycopg.connect(info))
        with conn.transaction(), conn.cursor() as cur:
            rebuilt = _drop_rebuildable_indexes(conn) if count and not held else []
            designations: list[bytes] = []
            for part in produced:
                # A COPY per chunk: the postings trigger then runs while the producers make the next ones.
                with cur.copy(f"COPY unit ({', '.join(_UNIT_NAMES)}) FROM STDIN") as copy:
                    copy.write(part.units)
                designations.append(part.designations)
                totals = [totals[0] + part.count, totals[1] + part.key_units, totals[2] + part.proposals]
            with cur.copy(f"COPY key_unit_designation ({', '.join(_DESIGNATION_NAMES)}) FROM STDIN") as copy:
                for rows in designations:
                    copy.write(rows)
            copied = time.perf_counter()
            if rebuilt:
                cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for definition in rebuilt:
                    cur.execute(definition)
            built = time.perf_counter()
    with psycopg.connect(info, autocommit=True) as conn:
        conn.execute("ANALYZE unit")
        conn.execute("ANALYZE key_unit_designation")
        if conn.execute("SELECT to_regclass('unit_search_term')").fetchone() != (None,):
            # Lists read the postings by index-only scans: they want the visibility map set.
            conn.execute("VACUUM (ANALYZE) unit_search_term")
    return BulkLoadReport(
        units=totals[0],
        key_units=totals[1],
        proposals=totals[2],
        workers=workers,
        seconds=time.perf_counter() - started,
        copy_seconds=copied - started,
        index_seconds=built - copied,
    )


def _count(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT count(*) FROM unit").fetchone()
    return int(row[0]) if row else 0


def _drop_rebuildable_indexes(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop the unit table's indexes that back no constraint, and the key of its search postings (rows the
    triggers derive from the units); the statements that build them again."""
    rebuild: list[str] = []
    for name, definition in conn.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " WHERE i.indrelid = 'unit'::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    ).fetchall():
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
        rebuild.append(definition)
    for table, name, definition in conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = to_regclass('unit_search_term') AND contype = 'p'"
    ).fetchall():
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(table), sql.Identifier(name))
        )
        rebuild.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
    return rebuild


# A producer's state: its connection (only to see which USCCs are taken) and where units go.
_producer: dict[str, Any] = {}


def _start_producer(info: str, placement: Placement) -> None:
    _producer.update(conninfo=info, placement=placement)


def _stop_producer() -> None:
    if (conn := _producer.pop("conn", None)) is not None:
        conn.close()
    _producer.clear()


def _produce(chunk: _Chunk) -> _Produced:
    """Generate one chunk of units and their designations as COPY text."""
    placement: Placement = _producer["placement"]
    rng = random.Random(chunk.seed)  # noqa: S311 - benchmark data, not security
    numbers = iter(range(chunk.first, chunk.first + chunk.span))

    def choose_uscc(county: str, institution: bool) -> str:
        number = next(numbers, None)
        if number is None:
            raise RuntimeError("too many generated USCCs are taken already: load into another database")
        return uscc_of(county, institution, organisation_code_of(number))

    demos: list[DemoUnit] = []
    while len(demos) < chunk.size:
        drawn: list[DemoUnit] = []
        while len(drawn) < chunk.size - len(demos):
            if (demo := draw_unit(rng, placement, choose_uscc, chunk.now)) is not None:
                drawn.append(demo)
        demos += _untaken(drawn) if chunk.check_taken else drawn
    designations = [_designate(demo, chunk.now) for demo in demos if demo.key_unit is not None]
    units = [unit_values(demo.unit) for demo in demos]
    if units and tuple(units[0]) != _UNIT_NAMES:
        raise RuntimeError("unit_values() and UNIT_COLUMNS disagree: update _UNIT_NAMES")
    return _Produced(
        units="".join(copy_line(values.values()) for values in units).encode(),
        designations="".join(
            copy_line(values[n] for n in _DESIGNATION_NAMES) for values in designations
        ).encode(),
        count=len(demos),
        key_units=sum(1 for d in demos if d.key_unit == "confirmed"),
        proposals=sum(1 for d in demos if d.key_unit == "proposed"),
    )


def _untaken(demos: list[DemoUnit]) -> list[DemoUnit]:
    if "conn" not in _producer:
        _producer["conn"] = psycopg.connect(_producer["conninfo"], autocommit=True)
    taken = {
        row[0]
        for row in _producer["conn"].execute(
            "SELECT uscc FROM unit WHERE uscc = ANY(%s)", ([d.unit.uscc for d in demos],)
        )
    }
    return [d for d in demos if d.unit.uscc not in taken]


_COPY_ESCAPES: Final = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL: Final = re.compile(r"[\\\t\n\r]")


def _copy_text(text: str) -> str:
    return text.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(text) else text


def array_literal(items: list[str]) -> str:
    """PostgreSQL's text form of a text[] (every element quoted and escaped)."""
    joined = '","'.join(items)
    if "\\" in joined or joined.count('"') != 2 * (len(items) - 1):  # a quote beyond the separators'
        joined = '","'.join(i.replace("\\", "\\\\").replace('"', '\\"') for i in items)
    return '{"' + joined + '"}' if items else "{}"


# COPY's text format by Python type (PostgreSQL's COPY documentation, "Text Format").
_COPY_FORMATS: Final[dict[type, Callable[[Any], str]]] = {
    str: _copy_text,
    list: lambda value: _copy_text(array_literal(value)),
    bool: lambda value: "t" if value else "f",
    type(None): lambda _: "\\N",
    int: str,
    float: repr,  # reads back exactly
    datetime: lambda value: value.isoformat(),
    date: lambda value: value.isoformat(),
    dict: lambda value: _copy_text(json.dumps(value, ensure_ascii=False)),
    uuid.UUID: str,
}


def copy_line(values: Iterable[Any]) -> str:
    """One row in COPY's text format."""
    return "\t".join([_COPY_FORMATS[type(value)](value) for value in values]) + "\n"


def _designate(demo: DemoUnit, now: datetime) -> dict[str, Any]:
    """The designation of a generated key unit (confirmed ones mark the unit, as the handlers do)."""
    designation = KeyUnitDesignation.propose(
        demo.unit,
        demo.category,
        "辖区治安保卫重点单位(基准测试数据)",
        actor=BENCH_ACTOR,
        now=now,
        pending=None,
    )
    if demo.key_unit == "confirmed" and demo.category is not None:
        designation.confirm(BENCH_ACTOR, now.date(), now)
        demo.unit.designate(demo.category, now)
    return designation_values(designation)
