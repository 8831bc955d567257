"""Alembic environment: the alarm routing's tables, the outbox and its consumers' dedupe table."""

from __future__ import annotations

from alarm_routing.adapters.db.tables import Base
from neibao_messaging.migrations import run_environment


def _database_url() -> str:
    from alarm_routing.config import Settings

    return Settings().database_url.get_secret_value()  # type: ignore[call-arg]


run_environment(Base.metadata, messaging_tables={"outbox", "processed_event"}, database_url=_database_url)
