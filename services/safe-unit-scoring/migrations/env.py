"""Alembic environment: the scoring's tables, the outbox and its consumer's dedupe table."""

from __future__ import annotations

from neibao_messaging.migrations import run_environment
from safe_unit_scoring.adapters.db.tables import Base


def _database_url() -> str:
    from safe_unit_scoring.config import Settings

    return Settings().database_url.get_secret_value()  # type: ignore[call-arg]


run_environment(Base.metadata, messaging_tables={"outbox", "processed_event"}, database_url=_database_url)
