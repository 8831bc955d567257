"""Live events relayed to browsers: the event as a reader sees it, who may see it, and the recent past.

An event's stream id is "<partition>-<offset>" in its topic, so the same event has the same id on every
gateway replica and a client may resume (Last-Event-ID) on any of them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from neibao_identity.scope import Scope


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One event of a live stream: its CloudEvents attributes, its scope and, optionally, its payload."""

    id: str
    event_id: str
    type: str
    time: str
    subject: str | None = None
    jurisdiction: str | None = None
    sector: str | None = None
    unit: str | None = None
    data: Mapping[str, Any] | None = None

    def document(self) -> dict[str, Any]:
        """The JSON a reader receives as the SSE `data:` line."""
        document: dict[str, Any] = {
            "id": self.event_id,
            "type": self.type,
            "time": self.time,
            "subject": self.subject,
            "jurisdiction": self.jurisdiction,
            "sector": self.sector,
            "unit": self.unit,
        }
        if self.data is not None:
            document["data"] = dict(self.data)
        return document


def stream_id(partition: int, offset: int) -> str:
    """The stream id of the record at `offset` in `partition`."""
    return f"{partition}-{offset}"


def visible_to(scope: Scope, event: LiveEvent) -> bool:
    """Whether a reader with `scope` may see `event` (an event without scope attributes: admins only)."""
    return scope.allows(jurisdiction=event.jurisdiction, sector=event.sector, unit=event.unit)


class EventBuffer:
    """The last `capacity` events of a stream, in arrival order, each with a sequence number.

    Written by one consumer thread, read by many readers on the event loop: every method takes a lock
    for a few list operations only. Readers keep a cursor (the next sequence number to read).
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._slots: list[LiveEvent | None] = [None] * capacity
        self._sequence_of: dict[str, int] = {}
        self._next = 0
        self._lock = threading.Lock()

    @property
    def end(self) -> int:
        """The cursor of the next event to arrive: a reader starting here sees only new events."""
        with self._lock:
            return self._next

    def append(self, events: Iterable[LiveEvent]) -> int:
        """Add events (an id already held is skipped); returns how many were added."""
        added = 0
        with self._lock:
            for event in events:
                if event.id in self._sequence_of:
                    continue
                slot = self._next % self.capacity
                evicted = self._slots[slot]
                if evicted is not None and self._sequence_of.get(evicted.id) == self._next - self.capacity:
                    del self._sequence_of[evicted.id]
                self._slots[slot] = event
                self._sequence_of[event.id] = self._next
                self._next += 1
                added += 1
        return added

    def cursor_after(self, last_event_id: str | None) -> int:
        """Where a reader resumes: after `last_event_id` if held, else at the oldest event held.

        Without a Last-Event-ID the reader gets only new events. With one this buffer does not hold (it
        was evicted, or this replica started after it), the reader gets everything held: a repeat is
        better than a gap, and events carry ids to drop repeats.
        """
        with self._lock:
            if last_event_id is None:
                return self._next
            sequence = self._sequence_of.get(last_event_id)
            if sequence is None:
                return self._oldest()
            return sequence + 1

    def read(self, cursor: int, limit: int = 500) -> tuple[list[LiveEvent], int]:
        """Up to `limit` events from `cursor` on, and the cursor after them (skipping what was evicted)."""
        with self._lock:
            start = max(cursor, self._oldest())
            stop = min(self._next, start + limit)
            events = [self._slots[sequence % self.capacity] for sequence in range(start, stop)]
        return [event for event in events if event is not None], max(stop, start)

    def _oldest(self) -> int:
        return max(0, self._next - self.capacity)
