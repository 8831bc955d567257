"""The migrations build the schema the tables declare, and take it down again."""

from __future__ import annotations

from typing import Any

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

from neibao_messaging import outbox_table
from sector_exchange import bootstrap
from sector_exchange.adapters.db.tables import Base
from sector_exchange.domain.retention import DEFAULT_PARTITION, Month

from .conftest import conninfo


def not_a_partition(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Partitions of `record` (and their indexes) are the retention job's, not the declared tables'."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = getattr(table, "name", "")
    return Month.from_name(table_name) is None and table_name != DEFAULT_PARTITION


def test_upgrade_matches_the_tables_and_downgrade_removes_everything(pg_database: str) -> None:
    bootstrap.migrate(pg_database)
    messaging = MetaData()
    outbox_table.to_metadata(messaging)
    engine = create_engine(pg_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": not_a_partition}
        )
        differences = compare_metadata(context, [Base.metadata, messaging])  # type: ignore[arg-type]
    engine.dispose()
    assert differences == []
    bootstrap.downgrade(pg_database, "base")
    with psycopg.connect(conninfo(pg_database)) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert tables == [("alembic_version",)]


INSERT_RECORD = (
    "INSERT INTO record (id, sector, dataset, schema_version, organisation, batch_id, record_index,"
    " jurisdiction, occurred_at, received_at, fields, personal, person_index)"
    " VALUES (gen_random_uuid(), 'postal', 'shipments', 1, '91210200MA0YP3D80R', %s, %s, '210102',"
    " now(), %s::timestamptz, '{}', NULL, '{}') RETURNING sequence"
)


def test_partitioning_keeps_the_rows_both_ways(pg_database: str) -> None:
    bootstrap.migrate(pg_database, "0002")
    with psycopg.connect(conninfo(pg_database)) as conn:
        for n, received in enumerate(
            ("2025-03-15T10:00:00Z", "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z")
        ):
            conn.execute(INSERT_RECORD, ("b1", n, received))
    bootstrap.migrate(pg_database)
    with psycopg.connect(conninfo(pg_database)) as conn:
        placed = conn.execute(
            "SELECT tableoid::regclass::text, sequence FROM record ORDER BY sequence"
        ).fetchall()
        assert placed == [("record_y2025m03", 1), ("record_y2026m11", 2), ("record_y2026m11", 3)]
        assert conn.execute("SELECT relkind FROM pg_class WHERE relname = 'record'").fetchone() == ("p",)
        (after,) = conn.execute(INSERT_RECORD, ("b2", 0, "2026-11-25T00:00:00Z")).fetchone() or (0,)
        assert after == 4
        # A month without a partition of its own is kept too (in the default partition).
        conn.execute(INSERT_RECORD, ("b3", 0, "2020-01-01T00:00:00Z"))
    bootstrap.downgrade(pg_database, "0002")
    with psycopg.connect(conninfo(pg_database)) as conn:
        rows = conn.execute(
            "SELECT batch_id, record_index, sequence FROM record ORDER BY sequence"
        ).fetchall()
        assert rows == [("b1", 0, 1), ("b1", 1, 2), ("b1", 2, 3), ("b2", 0, 4), ("b3", 0, 5)]
        assert conn.execute("SELECT relkind FROM pg_class WHERE relname = 'record'").fetchone() == ("r",)
        (next_sequence,) = conn.execute(INSERT_RECORD, ("b4", 0, "2026-11-25T00:00:00Z")).fetchone() or (0,)
        assert next_sequence == 6
    bootstrap.migrate(pg_database)
    with psycopg.connect(conninfo(pg_database)) as conn:
        assert conn.execute("SELECT count(*) FROM record").fetchone() == (6,)
