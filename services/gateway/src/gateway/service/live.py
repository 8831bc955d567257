"""Live streams on the event loop: readers wait for new events and get those their scope allows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from gateway.domain.live import EventBuffer, LiveEvent, visible_to
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

    async def events(self, scope: Scope, last_event_id: str | None = None) -> AsyncIterator[LiveEvent]:
        """The events `scope` may see, from after `last_event_id` (or from now on), until cancelled."""
        cursor = self.buffer.cursor_after(last_event_id)
        while True:
            # Take the wake-up before reading, so an event arriving in between is not slept through.
            changed = self._changed
            batch, cursor = self.buffer.read(cursor)
            for event in batch:
                if visible_to(scope, event):
                    yield event
            if not batch:
                await changed.wait()
