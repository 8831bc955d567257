"""Bounded exponential backoff."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Delays of `initial * multiplier ** (attempt - 1)` seconds, never above `maximum`."""

    initial: float = 0.2
    maximum: float = 30.0
    multiplier: float = 2.0

    def __post_init__(self) -> None:
        if self.initial < 0 or self.maximum < self.initial or self.multiplier < 1:
            raise ValueError(f"invalid backoff {self}")

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number `attempt` (1 for the first failure)."""
        if attempt < 1:
            raise ValueError("attempts are counted from 1")
        # Capping the exponent keeps a long outage from overflowing the float.
        return min(self.maximum, self.initial * self.multiplier ** min(attempt - 1, 64))
