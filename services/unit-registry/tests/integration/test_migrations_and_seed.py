"""Migrations upgrade and downgrade cleanly and match the models; the seed is idempotent."""

from __future__ import annotations

from typing import Any

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import neibao_messaging
from neibao_codes import is_valid_uscc
from unit_registry import bootstrap
from unit_registry.adapters.db.tables import Base
from unit_registry.demo.load import conninfo, seed_demo_province
from unit_registry.demo.units import DEMO_EXPRESS_USCC, DEMO_UNIT_USCC

TABLES = {"division", "police_station", "unit", "unit_change", "key_unit_designation", "outbox"}


def tables(url: str) -> set[str]:
    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows} - {"alembic_version"}


def test_upgrade_downgrade_upgrade(pg_database: str) -> None:
    bootstrap.migrate(pg_database)
    assert tables(pg_database) == TABLES
    bootstrap.downgrade(pg_database, "0001")
    with psycopg.connect(conninfo(pg_database)) as conn:
        assert conn.execute("SELECT count(*) FROM division").fetchone() == (0,)
    bootstrap.downgrade(pg_database, "base")
    assert tables(pg_database) == set()
    bootstrap.migrate(pg_database)
    assert tables(pg_database) == TABLES


def _used(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out processed_event, which this service does not create (it consumes nothing yet)."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return getattr(table, "name", None) != "processed_event"


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


def test_seed_is_idempotent_and_loads_the_demo_units(pg_database: str) -> None:
    bootstrap.migrate(pg_database)
    first = seed_demo_province(pg_database, units=300)
    assert first.units == 302
    assert first.stations > 400
    assert first.events == first.changes >= 302
    again = seed_demo_province(pg_database, units=300)
    assert (again.units, again.stations, again.events) == (0, 0, 0)
    with psycopg.connect(conninfo(pg_database)) as conn:
        usccs = [row[0] for row in conn.execute("SELECT uscc FROM unit")]
        demo = conn.execute(
            "SELECT jurisdiction, key_unit FROM unit WHERE uscc = %s", (DEMO_UNIT_USCC,)
        ).fetchone()
        express = conn.execute("SELECT sectors FROM unit WHERE uscc = %s", (DEMO_EXPRESS_USCC,)).fetchone()
        outbox = conn.execute("SELECT count(*) FROM outbox").fetchone()
    assert len(usccs) == 302
    assert all(is_valid_uscc(uscc) for uscc in usccs)
    assert demo == ("210102", True)
    assert express is not None
    assert express[0][0] == "postal"
    assert outbox == (first.events,)
