"""Live streams on the event loop: readers wait for new events and get those their scope allows."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from gateway.domain.live import EventBuffer, LiveEvent, StreamGap, visibility
from neibao_identity.scope import Scope


class LiveStream:
    """One named stream: a buffer filled by a feed, and the wake-up of the readers waiting on it.

    With a `linger`, the wake-ups of the feed's notifications within it are one: each reader then writes what
    arrived in one frame batch instead of one write per event (the writes were a fifth of the gateway's CPU
    under an alarm burst), for at most `linger` seconds of added latency.
    """

    def __init__(self, name: str, buffer: EventBuffer, linger: float = 0.0) -> None:
        self.name = name
        self.buffer = buffer
        self.linger = linger
        self._changed = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        # A wake-up is on its way: later notifications ride on it (set by the feed's thread, reset on loop).
        self._pending = False

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Bind to the loop readers run on (at start-up), so feeds on other threads can wake them."""
        self._loop = loop

    def notify_threadsafe(self) -> None:
        """New events are in the buffer: wake the readers (callable from any thread)."""
        if self._pending or self._loop is None or self._loop.is_closed():
            return
        self._pending = True
        if self.linger > 0:
            self._loop.call_soon_threadsafe(self._loop.call_later, self.linger, self._fire)
        else:
            self._loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        # Reset before the readers read: an event added after this point brings its own wake-up.
        self._pending = False
        self._wake()

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
