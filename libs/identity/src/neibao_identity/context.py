"""The caller of the current request (a contextvar set by the gRPC interceptor)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from neibao_identity.errors import NotAuthenticated
from neibao_identity.principal import Principal


@dataclass(frozen=True, slots=True)
class _Caller:
    principal: Principal
    token: str | None


_caller: ContextVar[_Caller | None] = ContextVar("neibao_identity_caller", default=None)


@contextmanager
def authenticated(principal: Principal, token: str | None = None) -> Iterator[Principal]:
    """Bind `principal` (and the raw token it came from, for forwarding) for the enclosed code."""
    reset = _caller.set(_Caller(principal, token))
    try:
        yield principal
    finally:
        _caller.reset(reset)


def current_principal() -> Principal:
    """The authenticated caller; raises NotAuthenticated outside an authenticated call."""
    caller = _caller.get()
    if caller is None:
        raise NotAuthenticated("no authenticated principal in this context")
    return caller.principal


def current_principal_or_none() -> Principal | None:
    """The authenticated caller, or None (public methods, background work)."""
    caller = _caller.get()
    return None if caller is None else caller.principal


def current_token() -> str:
    """The caller's bearer token, to forward downstream; raises NotAuthenticated if there is none."""
    caller = _caller.get()
    if caller is None or caller.token is None:
        raise NotAuthenticated("no caller token in this context")
    return caller.token
