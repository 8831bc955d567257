"""Rate limits per person (token subject) and per machine client (client id), with `limits`' sliding
window counter: O(1) per request in any storage (the moving window keeps every hit, and its in-memory
storage expires them through a worker thread: ~100 µs a request).

The storage is `limits`' own: "async+memory://" keeps the windows in this process (one replica);
with several replicas, "async+redis://host:6379" (or another `limits` async storage URI) shares them.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from neibao_identity import Principal

logger = logging.getLogger(__name__)


class PrincipalRateLimiter:
    """Counts requests per principal; people and machine clients have separate rates."""

    def __init__(self, storage_uri: str, *, person: str, machine: str) -> None:
        storage = storage_from_string(storage_uri)
        if not isinstance(storage, Storage):
            raise ValueError(f"{storage_uri!r} is not an async storage of `limits` (async+memory://, ...)")
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._person = parse_many(person)
        self._machine = parse_many(machine)

    def _limits_of(self, principal: Principal) -> tuple[list[RateLimitItem], str, str]:
        if principal.is_machine:
            return self._machine, "machine", principal.client_id or principal.subject
        return self._person, "person", principal.subject

    async def retry_after(self, principal: Principal) -> int | None:
        """Count one request; None if it is within the limits, else the seconds until it would be."""
        items, kind, key = self._limits_of(principal)
        try:
            for item in items:
                if not await self._limiter.hit(item, kind, key):
                    stats = await self._limiter.get_window_stats(item, kind, key)
                    return max(1, math.ceil(stats.reset_time - time.time()))
        except Exception:
            # A shared storage that is down must not take the platform with it: count nothing.
            logger.warning("rate limit storage failed; request let through", exc_info=True)
        return None
