"""Live events relayed to browsers: the event as a reader sees it, who may see it, and the recent past.

An event's stream id is "<partition>-<offset>" in its topic, so the same event has the same id on every
gateway replica and a client may resume (Last-Event-ID) on any of them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from neibao_identity.principal import Role
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
    _json: str | None = field(default=None, init=False, repr=False, compare=False)

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

    def document_json(self) -> str:
        """`document()` as compact JSON, encoded once however many readers receive it."""
        if self._json is None:
            encoded = json.dumps(self.document(), ensure_ascii=False, separators=(",", ":"))
            object.__setattr__(self, "_json", encoded)  # a cache, not state: the event stays immutable
            return encoded
        return self._json


@dataclass(frozen=True, slots=True)
class StreamGap:
    """Events a reader should have had are no longer held (it fell more than the buffer behind, or resumed
    after an id this gateway does not hold): it must reload what it shows, through the REST API."""

    missed: int | None
    """How many were missed, when known."""

    def document_json(self) -> str:
        """The JSON a reader receives as the SSE `data:` line of the `gap` event."""
        return json.dumps({"missed": self.missed}, separators=(",", ":"))


def stream_id(partition: int, offset: int) -> str:
    """The stream id of the record at `offset` in `partition`."""
    return f"{partition}-{offset}"


def visible_to(scope: Scope, event: LiveEvent) -> bool:
    """Whether a reader with `scope` may see `event` (an event without scope attributes: admins only)."""
    return scope.allows(jurisdiction=event.jurisdiction, sector=event.sector, unit=event.unit)


def visibility(scope: Scope) -> Callable[[LiveEvent], bool]:
    """`visible_to` for one reader, its grants worked out once (it is asked for every event)."""
    if scope.unrestricted:
        return _everything
    if scope.roles == {Role.POLICE}:
        prefix = scope.jurisdiction_prefix
        if prefix is None:
            return _nothing
        return lambda event: event.jurisdiction is not None and event.jurisdiction.startswith(prefix)
    return partial(visible_to, scope)


def _everything(event: LiveEvent) -> bool:
    return True


def _nothing(event: LiveEvent) -> bool:
    return False


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

    def holds(self, event_id: str) -> bool:
        """Whether the event is still held (a reader resuming after it misses nothing)."""
        with self._lock:
            return event_id in self._sequence_of

    def read(self, cursor: int, limit: int = 500) -> tuple[list[LiveEvent], int]:
        """Up to `limit` events from `cursor` on, and the cursor after them (skipping what was evicted)."""
        events, after, _missed = self.read_counting(cursor, limit)
        return events, after

    def read_counting(self, cursor: int, limit: int = 500) -> tuple[list[LiveEvent], int, int]:
        """`read`, and how many events from `cursor` on were evicted before they could be read."""
        with self._lock:
            start = max(cursor, self._oldest())
            stop = min(self._next, start + limit)
            events = [self._slots[sequence % self.capacity] for sequence in range(start, stop)]
        return [event for event in events if event is not None], max(stop, start), start - cursor

    def _oldest(self) -> int:
        return max(0, self._next - self.capacity)
