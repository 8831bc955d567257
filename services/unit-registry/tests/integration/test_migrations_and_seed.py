"""Migrations upgrade and downgrade cleanly and match the models; the seed is idempotent and realistic."""

from __future__ import annotations

from typing import Any

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import neibao_messaging
from neibao_codes import is_valid_resident_id, is_valid_uscc
from neibao_privacy import FieldCipher, field_context
from neibao_testkit.endpoints import StackEndpoints
from unit_registry import bootstrap
from unit_registry.adapters.db.tables import Base
from unit_registry.demo.load import conninfo, seed_demo_province
from unit_registry.demo.units import DEMO_EXPRESS_USCC, DEMO_UNIT_USCC

from .conftest import settings_for

UNIT_TABLES = {"division", "police_station", "unit", "unit_change", "key_unit_designation", "outbox"}
DOSSIER_TABLES = {
    "security_filing",
    "responsible_person",
    "security_staff",
    "staff_training",
    "staff_assessment",
    "staff_certificate",
    "informant",
    "informant_report",
    "key_part",
    "emergency_plan",
    "drill",
    "police_workstation",
    "inspection",
    "hazard",
}
FLAGS = {"filing_overdue", "drills_overdue", "hazards_overdue"}
SEARCH_TABLES = {"unit_search_term"}  # 0004: postings that lists read in USCC order; 0005: by city


def tables(url: str) -> set[str]:
    """The tables, a partitioned table counted once (its partitions left out)."""
    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            " AND relkind IN ('r', 'p') AND NOT relispartition"
        ).fetchall()
    return {row[0] for row in rows} - {"alembic_version"}


def posting_partitions(url: str) -> dict[str, str]:
    """The postings' partitions and their bounds ({} while the table is not partitioned)."""
    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
            " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'unit_search_term'::regclass"
        ).fetchall()
    return {str(name): str(bound) for name, bound in rows}


def test_postings_are_partitioned_by_city_and_back(pg_database: str) -> None:
    """0005 splits the postings by city (each city's codes a range), rows kept; its downgrade joins them."""
    bootstrap.migrate(pg_database, "0004")
    with psycopg.connect(conninfo(pg_database)) as conn:
        conn.execute(
            "INSERT INTO unit_search_term VALUES ('和平', '91210102MA0LN001X3', '210102'),"
            " ('和平', '91210200MA0YP3D80R', '210202'), ('city:2102', '91210200MA0YP3D80R', '210202')"
        )
    postings = "SELECT term, uscc, jurisdiction FROM unit_search_term ORDER BY 1, 2"
    with psycopg.connect(conninfo(pg_database)) as conn:
        before = conn.execute(postings).fetchall()
    bootstrap.migrate(pg_database)
    partitions = posting_partitions(pg_database)
    assert partitions["unit_search_term_2101"] == "FOR VALUES FROM ('2101') TO ('2102')"
    assert partitions["unit_search_term_2114"] == "FOR VALUES FROM ('2114') TO ('2115')"
    assert partitions["unit_search_term_other"] == "DEFAULT"
    with psycopg.connect(conninfo(pg_database)) as conn:
        assert conn.execute(postings).fetchall() == before
        placed = "SELECT tableoid::regclass::text, uscc FROM unit_search_term WHERE term = '和平' ORDER BY 2"
        assert conn.execute(placed).fetchall() == [
            ("unit_search_term_2101", "91210102MA0LN001X3"),
            ("unit_search_term_2102", "91210200MA0YP3D80R"),
        ]
    bootstrap.downgrade(pg_database, "0004")
    assert posting_partitions(pg_database) == {}
    with psycopg.connect(conninfo(pg_database)) as conn:
        assert conn.execute(postings).fetchall() == before


def unit_columns(url: str) -> set[str]:
    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'unit'")
        return {row[0] for row in rows}


def test_upgrade_downgrade_upgrade(pg_database: str) -> None:
    bootstrap.migrate(pg_database)
    assert tables(pg_database) == UNIT_TABLES | DOSSIER_TABLES | SEARCH_TABLES
    bootstrap.downgrade(pg_database, "0003")
    assert tables(pg_database) == UNIT_TABLES | DOSSIER_TABLES
    assert unit_columns(pg_database) >= FLAGS
    bootstrap.downgrade(pg_database, "0002")
    assert tables(pg_database) == UNIT_TABLES
    assert not FLAGS & unit_columns(pg_database)
    bootstrap.migrate(pg_database, "0003")
    assert tables(pg_database) == UNIT_TABLES | DOSSIER_TABLES
    bootstrap.downgrade(pg_database, "0001")
    with psycopg.connect(conninfo(pg_database)) as conn:
        assert conn.execute("SELECT count(*) FROM division").fetchone() == (0,)
    bootstrap.downgrade(pg_database, "base")
    assert tables(pg_database) == set()
    bootstrap.migrate(pg_database)
    assert tables(pg_database) == UNIT_TABLES | DOSSIER_TABLES | SEARCH_TABLES


def _used(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out processed_event, which this service does not create (it consumes nothing yet)."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    name = getattr(table, "name", None) or ""
    # Migration 0005's partitions of the postings are the partitioned table's, not models of their own.
    return name != "processed_event" and not name.startswith("unit_search_term_")


def test_migrations_match_the_models(pg_database: str) -> None:
    bootstrap.migrate(pg_database)
    engine = create_engine(pg_database)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _used}
            )
            diff = compare_metadata(context, [Base.metadata, neibao_messaging.metadata])
    finally:
        engine.dispose()
    assert diff == []


async def test_seed_is_idempotent_and_loads_dossiers_in_varied_states(
    pg_database: str, stack: StackEndpoints, pii_keys: dict[str, str]
) -> None:
    settings = settings_for(pg_database, stack, pii_keys)
    keys = settings.privacy_keys()
    bootstrap.migrate(pg_database)
    first = seed_demo_province(pg_database, keys, units=300)
    assert first.units == 302
    assert first.stations > 400
    assert first.dossiers > 20
    assert first.staff > 100
    swept = await bootstrap.sweep(settings)
    assert swept.hazards_overdue > 0
    assert swept.flags_changed > 0
    again = seed_demo_province(pg_database, keys, units=300)
    assert (again.units, again.stations, again.dossiers, again.events) == (0, 0, 0, 0)
    resweep = await bootstrap.sweep(settings)
    assert (resweep.hazards_overdue, resweep.flags_changed) == (0, 0)
    with psycopg.connect(conninfo(pg_database)) as conn:

        def one(sql: str, *params: object) -> Any:
            row = conn.execute(sql, params).fetchone()  # type: ignore[arg-type]
            return row[0] if row and len(row) == 1 else row

        usccs = [row[0] for row in conn.execute("SELECT uscc FROM unit")]
        assert len(usccs) == 302
        assert all(is_valid_uscc(uscc) for uscc in usccs)
        demo = one(
            "SELECT jurisdiction, key_unit, hazards_overdue, drills_overdue FROM unit WHERE uscc = %s",
            DEMO_UNIT_USCC,
        )
        assert demo == ("210102", True, True, False)
        express = one("SELECT sectors FROM unit WHERE uscc = %s", DEMO_EXPRESS_USCC)
        assert express[0] == "postal"
        states = {row[0] for row in conn.execute("SELECT DISTINCT state FROM security_filing")}
        assert {"draft", "submitted", "accepted", "returned"} <= states
        assert one("SELECT count(*) FROM unit WHERE filing_overdue") > 0
        assert one("SELECT count(*) FROM unit WHERE drills_overdue") > 0
        assert one("SELECT count(*) FROM unit WHERE hazards_overdue") > 0
        # The demo unit's full dossier.
        for table in DOSSIER_TABLES - {
            "staff_training",
            "staff_assessment",
            "staff_certificate",
            "informant_report",
        }:
            assert one(f"SELECT count(*) FROM {table} WHERE uscc = %s", DEMO_UNIT_USCC) > 0, table  # noqa: S608
        assert one("SELECT state FROM security_filing WHERE uscc = %s", DEMO_UNIT_USCC) == "accepted"
        # Every resident ID decrypts (bound to its row) to a valid number of the unit's district.
        cipher = FieldCipher.from_keys(keys)
        staff = conn.execute("SELECT id, uscc, resident_id FROM security_staff").fetchall()
        numbers = [
            cipher.decrypt_text(bytes(ct), context=field_context("security_staff", "resident_id", row_id))
            for row_id, _uscc, ct in staff
        ]
        assert all(is_valid_resident_id(n) for n in numbers)
        assert len(set(numbers)) == len(numbers)
        assert (
            one("SELECT count(*) FROM outbox") == first.events + swept.hazards_overdue + swept.flags_changed
        )
