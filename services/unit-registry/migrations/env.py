"""Alembic environment: the registry's tables and the outbox its relay reads (it consumes nothing yet)."""

from __future__ import annotations

from neibao_messaging.migrations import run_environment
from unit_registry.adapters.db.tables import Base


def _database_url() -> str:
    from unit_registry.config import Settings

    return Settings().database_url.get_secret_value()  # type: ignore[call-arg]


run_environment(Base.metadata, messaging_tables={"outbox"}, database_url=_database_url)
