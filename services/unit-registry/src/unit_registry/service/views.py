"""Read views: the hottest queries, answered outside the unit of work (cosmicpython's views.py).

A view reads; it never changes anything and never needs a transaction, so it can skip the session, the
repository mapping and BEGIN/ROLLBACK. Scope is still applied in the query, by the same clause.
"""

from __future__ import annotations

from typing import Protocol

from neibao_identity import Scope
from unit_registry.domain.model import Unit


class UnitViews(Protocol):
    """One unit as the caller may see it."""

    async def unit(self, uscc: str, scope: Scope) -> Unit | None:
        """The unit if it lies in `scope`, or None (missing and foreign alike)."""
        ...
