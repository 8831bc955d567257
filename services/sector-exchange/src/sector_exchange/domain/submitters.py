"""Submitters: which machine client may submit which datasets, as which organisation and sector."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sector_exchange.domain.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Submitter:
    """A sector system registered to push data: its client id, organisation (USCC), sector, datasets."""

    client_id: str
    organisation: str
    sector: str
    datasets: frozenset[str]
    name: str = ""
    # How often it is expected to deliver: nothing received for longer makes its feed late.
    expected_interval_hours: int = 24

    @property
    def division(self) -> str:
        """The division it is registered in (a USCC's characters 3-8), which places it in a scope."""
        return self.organisation[2:8]


@dataclass(frozen=True, slots=True)
class Caller:
    """What the exchange needs to know of a caller (from its verified token)."""

    subject: str
    roles: frozenset[str]
    client_id: str | None = None
    org: str | None = None
    sector: str | None = None
    jurisdiction: str | None = None
    machine: bool = False


SECTOR_SYSTEM = "sector-system"


class SubmitterRegistry:
    """The registered submitters, by client id."""

    def __init__(self, submitters: Iterable[Submitter], version: int = 1) -> None:
        self._by_client: Mapping[str, Submitter] = {s.client_id: s for s in submitters}
        self.version = version

    def __len__(self) -> int:
        return len(self._by_client)

    def all(self) -> list[Submitter]:
        """Every registered submitter, by client id."""
        return sorted(self._by_client.values(), key=lambda s: s.client_id)

    def get(self, client_id: str) -> Submitter | None:
        """The submitter registered for a client id."""
        return self._by_client.get(client_id)

    def authorise(self, caller: Caller, dataset: str) -> Submitter:
        """The submitter the caller submits `dataset` (e.g. "postal/shipments") as; Forbidden otherwise.

        The token's own claims must agree with the registration: a client re-registered in Keycloak
        under another organisation or sector submits nothing until the registration says so too.
        """
        if SECTOR_SYSTEM not in caller.roles or not caller.machine or not caller.client_id:
            raise Forbidden("only a registered sector system submits data")
        submitter = self._by_client.get(caller.client_id)
        if submitter is None:
            raise Forbidden("this client is not a registered submitter")
        if caller.org != submitter.organisation or caller.sector != submitter.sector:
            raise Forbidden("the token's organisation or sector differs from the client's registration")
        if dataset not in submitter.datasets:
            raise Forbidden(f"this submitter may not submit {dataset}")
        return submitter
