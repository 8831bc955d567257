"""Who is calling and through which request: what routes, upstream calls and audit records need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from neibao_identity.principal import Principal
from neibao_identity.scope import Scope


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated request: its verified principal, the raw token to forward, and request facts."""

    principal: Principal
    token: str
    request_id: str
    method: str
    path: str
    client_address: str | None
    expires_at: datetime | None = None

    @property
    def scope(self) -> Scope:
        """The part of the province the caller may see."""
        return Scope.for_principal(self.principal)
