"""Waking the outbox relay as soon as an event is committed: PostgreSQL NOTIFY, polling as the fallback.

`Outbox.add` marks its session; the flush that writes the row also sends `NOTIFY neibao_outbox` in the
same transaction, so PostgreSQL delivers it at commit (once per transaction, never for a rollback). The
relay LISTENs on a connection of its own (`OutboxNotifications`) and runs when one arrives; its poll
interval only bounds the delay of an event whose notification was missed (a row written without
`Outbox.add`, the listening connection lost). No migration: no trigger, only the statement.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from .tables import OutboxMessage

log = logging.getLogger(__name__)

OUTBOX_CHANNEL = "neibao_outbox"
_PENDING = "neibao_messaging.outbox_notify"


def announce_on_flush(session: Session) -> None:
    """Have the session's next flush (in the transaction that writes the outbox row) notify the relay."""
    session.info[_PENDING] = True


@event.listens_for(Session, "after_flush")
def _notify_relay(session: Session, _flush_context: Any) -> None:
    # Every Session in the process passes here: for those that wrote no outbox row, one dict look-up.
    if session.info.pop(_PENDING, False):
        # The connection the outbox row went through (a session may bind tables to several engines).
        connection = session.connection(bind_arguments={"mapper": OutboxMessage})
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"NOTIFY {OUTBOX_CHANNEL}")


class OutboxNotifications:
    """A connection of the relay's own, LISTENing on the outbox channel (psycopg 3 only).

    `listening()` says whether it can wait for notifications (connecting, or reconnecting once
    `retry_after` has passed since a failure); `wait(timeout)` blocks until a notification or the timeout.
    """

    def __init__(self, engine: Engine, *, retry_after: float = 5.0) -> None:
        self._engine = engine
        self._retry_after = retry_after
        self._pooled: Any = None  # the pool's detached wrapper: closing it closes the connection
        self._connection: Any = None
        self._retry_at = 0.0

    def listening(self) -> bool:
        """Whether `wait` can be used now (connects when due)."""
        if self._connection is None and time.monotonic() >= self._retry_at:
            try:
                self._pooled, self._connection = self._listen()
            except Exception as exc:
                self._retry_at = time.monotonic() + self._retry_after
                log.warning("cannot listen for outbox notifications (polling instead): %r", exc)
        return self._connection is not None

    def wait(self, timeout: float) -> bool:
        """Block up to `timeout` seconds; True if an event was committed (every pending notice is taken)."""
        connection = self._connection
        if connection is None:
            return False
        try:
            notified = any(True for _ in connection.notifies(timeout=timeout, stop_after=1))
            if notified:
                for _ in connection.notifies(timeout=0):
                    pass  # the notices already received wake nobody twice
            return notified
        except Exception as exc:
            log.warning("lost the outbox notifications connection (polling until it is back): %r", exc)
            self.close()
            self._retry_at = time.monotonic() + self._retry_after
            return False

    def close(self) -> None:
        """Close the listening connection."""
        pooled, self._pooled, self._connection = self._pooled, None, None
        if pooled is not None:
            try:
                pooled.close()
            except Exception:
                log.debug("closing the notifications connection failed", exc_info=True)

    def _listen(self) -> tuple[Any, Any]:
        import psycopg

        raw = self._engine.raw_connection()
        connection = raw.driver_connection
        if not isinstance(connection, psycopg.Connection):
            raw.close()
            raise TypeError(f"LISTEN needs the psycopg driver, not {type(connection).__name__}")
        raw.detach()  # out of the pool for good: it stays in autocommit, listening
        try:
            connection.rollback()
            connection.autocommit = True
            connection.execute(f"LISTEN {OUTBOX_CHANNEL}")
        except Exception:
            raw.close()
            raise
        return raw, connection
