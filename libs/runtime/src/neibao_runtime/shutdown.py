"""Waiting for the signal that asks a process to stop."""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Iterable
from types import FrameType


async def wait_for_shutdown_signal(
    signals: Iterable[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
) -> signal.Signals:
    """Return the first of `signals` the process receives; afterwards the default handlers are back."""
    loop = asyncio.get_running_loop()
    received: asyncio.Future[signal.Signals] = loop.create_future()
    watched = tuple(signals)

    def on_signal(signum: signal.Signals) -> None:
        if not received.done():
            received.set_result(signum)

    for signum in watched:
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        return await received
    finally:
        # A second SIGINT or SIGTERM during the grace period then stops the process at once.
        for signum in watched:
            loop.remove_signal_handler(signum)


def stop_event_on_signals(
    signals: Iterable[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
) -> threading.Event:
    """An event set by the first of `signals`, for loops on threads (consumers, sweeps, timers).

    Call it from the main thread. The work in flight finishes; the loop sees the event and returns.
    """
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    for signum in signals:
        signal.signal(signum, on_signal)
    return stop
