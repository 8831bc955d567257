"""The Alembic environment every service runs: its own tables plus the messaging tables it uses.

A service's `migrations/env.py` is three lines: its metadata, which of the outbox and processed_event
tables it keeps, and where its database URL comes from when Alembic is run by hand. Autogenerate then
neither drops nor invents the messaging tables a service does not use.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from alembic import context
from sqlalchemy import Connection, MetaData, create_engine, pool

from neibao_messaging.tables import metadata as messaging_metadata


def run_environment(
    service_metadata: MetaData, *, messaging_tables: Collection[str], database_url: Callable[[], str]
) -> None:
    """Run the migrations (online, or as SQL with `alembic --sql`) for a service's tables.

    The connection or URL the caller puts in `config.attributes` ("connection", "database_url") wins over
    `database_url()`, which is only asked when neither is given (Alembic's own command line).
    """
    config = context.config
    target_metadata = [service_metadata, messaging_metadata]
    kept = frozenset(messaging_tables)

    def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        table = obj if type_ == "table" else getattr(obj, "table", None)
        if table is not None and getattr(table, "metadata", None) is messaging_metadata:
            return getattr(table, "name", None) in kept
        return True

    def url() -> str:
        given = config.attributes.get("database_url")
        return str(given) if given else database_url()

    def run(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            compare_type=True,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    if context.is_offline_mode():
        context.configure(
            url=url(), target_metadata=target_metadata, include_object=include_object, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return
    engine = create_engine(url(), poolclass=pool.NullPool)
    try:
        with engine.connect() as fresh:
            run(fresh)
    finally:
        engine.dispose()
