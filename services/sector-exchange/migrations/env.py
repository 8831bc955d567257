"""Alembic environment: the exchange's tables and the outbox."""

from __future__ import annotations

from neibao_messaging.migrations import run_environment
from sector_exchange.adapters.db.tables import Base


def _database_url() -> str:
    from sector_exchange.config import Settings

    return Settings().database_url.get_secret_value()  # type: ignore[call-arg]


run_environment(Base.metadata, messaging_tables={"outbox"}, database_url=_database_url)
