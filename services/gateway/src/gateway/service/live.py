"""Live streams on the event loop: readers wait for new events and get those their scope allows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from gateway.domain.live import EventBuffer, LiveEvent, StreamGap, visibility
from neibao_identity.scope import Scope


class LiveStream:
    """One named stream: a buffer filled by a feed, and the wake-up of the readers waiting on it."""

    def __init__(self, name: str, buffer: EventBuffer) -> None:
        self.name = name
        self.buffer = buffer
        self._changed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind to the loop readers run on (at start-up), so feeds on other threads can wake them."""
        self._loop = loop

    def notify_threadsafe(self) -> None:
        """New events are in the buffer: wake the readers (callable from any thread)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def batches(
        self, scope: Scope, last_event_id: str | None = None
    ) -> AsyncIterator[list[LiveEvent | StreamGap]]:
        """The events `scope` may see, from after `last_event_id` (or from now on), until cancelled: each
        batch (never empty) holds what arrived since the reader last woke, so it is written at once.

        Nothing is skipped silently: where events the reader should have had are no longer held, the
        batch starts with a `StreamGap` (the reader reloads through REST, then goes on from here).
        """
        visible = visibility(scope)
        resumed_unheld = last_event_id is not None and not self.buffer.holds(last_event_id)
        cursor = self.buffer.cursor_after(last_event_id)
        pending: list[LiveEvent | StreamGap] = [StreamGap(missed=None)] if resumed_unheld else []
        while True:
            # Take the wake-up before reading, so an event arriving in between is not slept through.
            changed = self._changed
            batch, cursor, missed = self.buffer.read_counting(cursor)
            if missed:
                pending.append(StreamGap(missed=missed))
            pending.extend(event for event in batch if visible(event))
            if pending:
                yield pending
                pending = []
            if not batch:
                await changed.wait()

    async def events(
        self, scope: Scope, last_event_id: str | None = None
    ) -> AsyncIterator[LiveEvent | StreamGap]:
        """The events `scope` may see, one by one (see `batches`)."""
        async for batch in self.batches(scope, last_event_id):
            for event in batch:
                yield event
