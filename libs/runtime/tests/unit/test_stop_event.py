"""The stop event of thread-run loops: set by SIGTERM or SIGINT. Signals go to this process only."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest

from neibao_runtime import stop_event_on_signals


@pytest.fixture(autouse=True)
def restore_handlers() -> Iterator[None]:
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_first_signal_sets_the_event(signum: signal.Signals) -> None:
    stop = stop_event_on_signals()
    assert not stop.is_set()

    os.kill(os.getpid(), signum)

    assert stop.wait(5)
