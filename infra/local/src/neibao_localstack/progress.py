"""Visible progress: one line per step, with how long it took."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def say(message: str) -> None:
    """Print one progress line at once (make and CI logs buffer otherwise)."""
    print(f"[neibao] {message}", flush=True)


@contextmanager
def step(title: str) -> Iterator[None]:
    """Announce a step and report its duration, or its failure."""
    say(f"{title} ...")
    started = time.monotonic()
    try:
        yield
    except BaseException:
        say(f"{title}: FAILED after {time.monotonic() - started:.1f}s")
        raise
    say(f"{title}: done in {time.monotonic() - started:.1f}s")


def fail(message: str) -> None:
    """Stop with a clear message and a non-zero exit."""
    print(f"[neibao] ERROR: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)
