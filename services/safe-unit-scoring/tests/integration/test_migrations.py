"""The migrations build the schema the tables declare, and take it down again."""

from __future__ import annotations

import psycopg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine

from neibao_messaging import outbox_table, processed_event_table
from safe_unit_scoring import bootstrap
from safe_unit_scoring.adapters.db.tables import Base

from .conftest import conninfo


def test_upgrade_matches_the_tables_and_downgrade_removes_everything(pg_database: str) -> None:
    bootstrap.migrate(pg_database)
    messaging = MetaData()
    outbox_table.to_metadata(messaging)
    processed_event_table.to_metadata(messaging)
    engine = create_engine(pg_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, [Base.metadata, messaging])  # type: ignore[arg-type]
    engine.dispose()
    assert differences == []
    bootstrap.downgrade(pg_database, "base")
    with psycopg.connect(conninfo(pg_database)) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    assert tables == [("alembic_version",)]
    bootstrap.migrate(pg_database)  # and up again
