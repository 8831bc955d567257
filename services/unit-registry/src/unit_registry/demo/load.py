"""`python -m unit_registry seed`: police stations, demo units and their dossiers, idempotently, with COPY.

Only what is missing is written: stations by code, units by USCC, dossiers for generated units that
have none yet (a unit with any dossier record is left alone). Each new record gets its history and its
events in the outbox (so other services' read models learn the demo province through Kafka, as they
would learn real units), all in one transaction. Personal data is sealed as the repositories seal it.
The overdue flags are then set by the sweep (`python -m unit_registry seed` runs it after loading).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url

from neibao_messaging import encode
from neibao_privacy import PrivacyKeys
from unit_registry.adapters.db.dossier_repositories import (
    assessment_values,
    certificate_values,
    drill_values,
    filing_values,
    hazard_values,
    informant_values,
    inspection_values,
    key_part_values,
    plan_values,
    report_values,
    responsible_person_values,
    staff_values,
    training_values,
    workstation_values,
)
from unit_registry.adapters.db.personal_data import PersonalDataCipher
from unit_registry.adapters.db.repositories import actor_to_json, designation_values, unit_values
from unit_registry.adapters.events import TOPIC, cloud_event
from unit_registry.demo.dossiers import DemoDossier, demo_unit_dossier, generate_dossier
from unit_registry.demo.stations import stations_for
from unit_registry.demo.units import DEMO_UNIT_USCC, SEED_TIME, DemoUnit, generate_units
from unit_registry.domain.dossier import local_date
from unit_registry.domain.enums import ChangeType
from unit_registry.domain.events import DomainEvent, KeyUnitDesignated, KeyUnitProposed, UnitRegistered
from unit_registry.domain.jurisdiction import Division, DivisionLevel, PoliceStation
from unit_registry.domain.model import Actor, ActorKind, FieldChange, KeyUnitDesignation, registration_changes

DEFAULT_UNITS = 5000
SEED_ACTOR = Actor(subject="unit-registry-seed", name="demo seed", kind=ActorKind.SYSTEM)


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seed run wrote."""

    stations: int
    units: int
    key_units: int
    proposals: int
    changes: int
    events: int
    seconds: float
    dossiers: int = 0
    dossier_rows: int = 0
    staff: int = 0

    def summary(self) -> str:
        """One line for the console."""
        return (
            f"seeded {self.stations} police stations, {self.units} units ({self.key_units} key units, "
            f"{self.proposals} pending proposals), {self.changes} history entries, {self.dossiers} dossiers "
            f"({self.dossier_rows} records, {self.staff} staff), {self.events} outbox events "
            f"in {self.seconds:.1f}s"
        )


def conninfo(database_url: str) -> str:
    """A libpq connection string from the service's SQLAlchemy URL."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _divisions_in_force(conn: psycopg.Connection[Any], on: date) -> list[Division]:
    rows = conn.execute(
        "SELECT code, name, valid_from, valid_to FROM division"
        " WHERE (valid_from IS NULL OR valid_from <= %s) AND (valid_to IS NULL OR valid_to >= %s)",
        (on, on),
    ).fetchall()
    return [Division(code, name, valid_from, valid_to) for code, name, valid_from, valid_to in rows]


def load_police_stations(conn: psycopg.Connection[Any], on: date | None = None) -> int:
    """Stations for every district and county in force that has none yet; how many were added."""
    divisions = _divisions_in_force(conn, on or date.today())
    cities = {d.code: d.name for d in divisions if d.level is DivisionLevel.CITY}
    stations: list[PoliceStation] = []
    for county in divisions:
        if county.registrable and county.code.startswith("21"):
            stations += stations_for(county, cities.get(county.code[:4] + "00", ""))
    with conn.cursor() as cur:
        before = cur.execute("SELECT count(*) FROM police_station").fetchone()
        cur.executemany(
            "INSERT INTO police_station (code, name, jurisdiction, address) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (code) DO NOTHING",
            [(s.code, s.name, s.jurisdiction, s.address) for s in stations],
        )
        after = cur.execute("SELECT count(*) FROM police_station").fetchone()
    return int(after[0] if after else 0) - int(before[0] if before else 0)


def _stations_by_county(conn: psycopg.Connection[Any]) -> dict[str, list[PoliceStation]]:
    found: dict[str, list[PoliceStation]] = {}
    for code, name, jurisdiction, address in conn.execute(
        "SELECT code, name, jurisdiction, address FROM police_station ORDER BY code"
    ):
        found.setdefault(jurisdiction, []).append(PoliceStation(code, name, jurisdiction, address))
    return found


def _history(demo: DemoUnit) -> tuple[list[tuple[Any, ...]], list[dict[str, Any]], list[DomainEvent]]:
    """History rows, designation rows and events of one new demo unit (its key-unit state applied)."""
    unit = demo.unit
    changes: list[tuple[Any, ...]] = []
    designations: list[dict[str, Any]] = []

    def change(change_type: ChangeType, entries: Iterable[FieldChange]) -> None:
        changes.append(
            (
                unit.uscc,
                unit.version,
                change_type.value,
                Jsonb([{"field": c.field, "old": c.old, "new": c.new} for c in entries]),
                Jsonb(actor_to_json(SEED_ACTOR)),
                SEED_TIME,
            )
        )

    change(ChangeType.REGISTERED, registration_changes(unit))
    events: list[DomainEvent] = [UnitRegistered(unit.snapshot(), SEED_ACTOR, SEED_TIME)]
    if demo.key_unit is not None and demo.category is not None:
        designation = KeyUnitDesignation.propose(
            unit,
            demo.category,
            "辖区治安保卫重点单位(演示数据)",
            actor=SEED_ACTOR,
            now=SEED_TIME,
            pending=None,
        )
        change(ChangeType.KEY_UNIT_PROPOSED, [])
        events.append(KeyUnitProposed(unit.snapshot(), replace(designation), SEED_ACTOR, SEED_TIME))
        if demo.key_unit == "confirmed":
            designation.confirm(SEED_ACTOR, SEED_TIME.date(), SEED_TIME)
            change(ChangeType.KEY_UNIT_DESIGNATED, unit.designate(demo.category, SEED_TIME))
            events.append(KeyUnitDesignated(unit.snapshot(), replace(designation), SEED_ACTOR, SEED_TIME))
        designations.append(designation_values(designation))
    return changes, designations, events


def seed_demo_province(
    database_url: str, keys: PrivacyKeys, units: int = DEFAULT_UNITS, today: date | None = None
) -> SeedReport:
    """Stations, `units` generated units (and the demo accounts' units) and dossiers: whatever is missing."""
    started = time.perf_counter()
    today = today or local_date(datetime.now(UTC))
    with psycopg.connect(conninfo(database_url)) as conn:
        stations_added = load_police_stations(conn)
        divisions = _divisions_in_force(conn, date.today())
        counties = sorted((d for d in divisions if d.registrable), key=lambda d: d.code)
        city_names = {d.code: d.name for d in divisions if d.level is DivisionLevel.CITY}
        stations = _stations_by_county(conn)
        generated = generate_units(units, counties, city_names, stations)
        existing = {
            row[0]
            for row in conn.execute(
                "SELECT uscc FROM unit WHERE uscc = ANY(%s)", ([d.unit.uscc for d in generated],)
            )
        }
        new = [demo for demo in generated if demo.unit.uscc not in existing]
        changes: list[tuple[Any, ...]] = []
        designations: list[dict[str, Any]] = []
        events: list[DomainEvent] = []
        for demo in new:
            unit_changes, unit_designations, unit_events = _history(demo)
            changes += unit_changes
            designations += unit_designations
            events += unit_events
        _copy_units(conn, [demo.unit for demo in new])
        _copy(
            conn, "unit_change", ("uscc", "version", "change_type", "changes", "actor", "changed_at"), changes
        )
        _copy_dicts(conn, "key_unit_designation", designations)
        by_code = {s.code: s for county in stations.values() for s in county}
        dossiers = _dossiers(conn, generated, by_code, today)
        pii = PersonalDataCipher.from_keys(keys)
        rows = _copy_dossiers(conn, dossiers, pii)
        events += [event for dossier in dossiers for event in dossier.events]
        _copy_events(conn, events, pii)
        conn.execute("ANALYZE")
    return SeedReport(
        stations=stations_added,
        units=len(new),
        key_units=sum(1 for d in new if d.key_unit == "confirmed"),
        proposals=sum(1 for d in new if d.key_unit == "proposed"),
        changes=len(changes),
        events=len(events),
        seconds=time.perf_counter() - started,
        dossiers=len(dossiers),
        dossier_rows=rows,
        staff=sum(len(d.staff) for d in dossiers),
    )


DOSSIER_TABLES = (
    "security_filing",
    "responsible_person",
    "security_staff",
    "informant",
    "key_part",
    "emergency_plan",
    "drill",
    "police_workstation",
    "inspection",
)


def _units_with_dossiers(conn: psycopg.Connection[Any], usccs: list[str]) -> set[str]:
    union = sql.SQL(" UNION ").join(
        sql.SQL("SELECT uscc FROM {} WHERE uscc = ANY(%(usccs)s)").format(sql.Identifier(table))
        for table in DOSSIER_TABLES
    )
    return {row[0] for row in conn.execute(union, {"usccs": usccs})}


def _dossiers(
    conn: psycopg.Connection[Any],
    generated: Sequence[DemoUnit],
    stations: dict[str, PoliceStation],
    today: date,
) -> list[DemoDossier]:
    """Dossiers for the generated units that have none yet."""
    touched = _units_with_dossiers(conn, [demo.unit.uscc for demo in generated])
    dossiers = []
    for demo in generated:
        if demo.unit.uscc in touched:
            continue
        unit = demo.unit
        if demo.key_unit == "confirmed" and not unit.key_unit:
            # Loaded by an earlier seed: its designation is in the database already.
            unit = replace(unit, key_unit=True, key_unit_category=demo.category)
        if unit.uscc == DEMO_UNIT_USCC:
            dossiers.append(demo_unit_dossier(unit, stations, today, SEED_ACTOR))
        elif (dossier := generate_dossier(unit, demo.key_unit, stations, today, SEED_ACTOR)) is not None:
            dossiers.append(dossier)
    return dossiers


# Columns written as JSONB (psycopg would send a Python list as an array).
_JSONB = {
    "security_filing": ("submitted_by", "decided_by", "history"),
    "informant_report": ("received_by",),
    "emergency_plan": ("published_by",),
    "drill": ("recorded_by",),
    "inspection": ("recorded_by",),
    "hazard": ("opened_by", "evidence", "rectified_by", "verified_by"),
}


def _copy_dossiers(
    conn: psycopg.Connection[Any], dossiers: list[DemoDossier], pii: PersonalDataCipher
) -> int:
    """COPY every record of the dossiers (parents before children); how many rows."""
    tables: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, rows: Iterable[dict[str, Any]]) -> None:
        tables.setdefault(table, []).extend(rows)

    for d in dossiers:
        add("security_filing", (filing_values(f, pii) for f in d.filings))
        add("responsible_person", (responsible_person_values(p, pii) for p in d.persons))
        add("security_staff", (staff_values(m, pii) for m in d.staff))
        add("staff_training", (training_values(m.id, t) for m in d.staff for t in m.trainings))
        add("staff_assessment", (assessment_values(m.id, a) for m in d.staff for a in m.assessments))
        add("staff_certificate", (certificate_values(m.id, c) for m in d.staff for c in m.certificates))
        add("informant", (informant_values(i, pii) for i in d.informants))
        add("informant_report", (report_values(r) for r in d.reports))
        add("key_part", (key_part_values(k, pii) for k in d.key_parts))
        add("emergency_plan", (plan_values(p) for p in d.plans))
        add("drill", (drill_values(x) for x in d.drills))
        add("police_workstation", (workstation_values(w, pii) for w in d.workstations))
        add("inspection", (inspection_values(i) for i in d.inspections))
        add("hazard", (hazard_values(h, pii) for h in d.hazards))
    for table, rows in tables.items():
        if rows:
            jsonb = _JSONB.get(table, ())
            columns = tuple(rows[0])
            _copy(
                conn,
                table,
                columns,
                (
                    tuple(Jsonb(row[c]) if c in jsonb and row[c] is not None else row[c] for c in columns)
                    for row in rows
                ),
            )
    return sum(len(rows) for rows in tables.values())


def _copy(
    conn: psycopg.Connection[Any], table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]
) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _copy_dicts(conn: psycopg.Connection[Any], table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    columns = tuple(rows[0])
    _copy(conn, table, columns, (tuple(_jsonb(row[c]) for c in columns) for row in rows))


def _jsonb(value: Any) -> Any:
    return Jsonb(value) if isinstance(value, dict | list) and not _is_text_list(value) else value


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _copy_units(conn: psycopg.Connection[Any], units: list[Any]) -> None:
    if units:
        _copy_dicts(conn, "unit", [unit_values(unit) for unit in units])


def _copy_events(conn: psycopg.Connection[Any], events: list[DomainEvent], pii: PersonalDataCipher) -> None:
    rows = []
    for event in events:
        envelope = cloud_event(event, pii)
        key, value, headers = encode(envelope)
        rows.append((envelope.id, TOPIC, key, Jsonb({name: raw.decode() for name, raw in headers}), value))
    _copy(conn, "outbox", ("event_id", "topic", "key", "headers", "payload"), rows)
