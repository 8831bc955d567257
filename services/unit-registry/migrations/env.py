"""Alembic environment: the registry's tables and the messaging outbox, on the settings' database URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, pool

import neibao_messaging
from unit_registry.adapters.db.tables import Base

config = context.config
# The registry's tables and the outbox the relay reads (this service consumes nothing yet:
# processed_event arrives with its first consumer).
target_metadata = [Base.metadata, neibao_messaging.metadata]
MESSAGING_TABLES_USED = {"outbox"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave out the messaging tables this service does not use."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    table_name = getattr(table, "name", None)
    if table is not None and getattr(table, "metadata", None) is neibao_messaging.metadata:
        return table_name in MESSAGING_TABLES_USED
    return True


def _database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return str(url)
    from unit_registry.config import Settings

    return Settings().database_url.get_secret_value()  # type: ignore[call-arg]


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        compare_type=True,
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL instead of running it (alembic --sql)."""
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        include_object=include_object,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the database."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(_database_url(), poolclass=pool.NullPool)
    with engine.connect() as fresh:
        _run(fresh)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
