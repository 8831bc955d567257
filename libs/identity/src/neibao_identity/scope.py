"""Object-level scope: which units, jurisdictions and sectors a principal may see.

Rules (ARCHITECTURE.md, "Identity and scope"), one grant per role, a principal's grants OR-ed:
province-admin sees everything; police see their jurisdiction prefix; regulators their sector within
their jurisdiction prefix; unit security its own unit; a sector system its own organisation (and its
own sector). A grant whose claim is missing grants nothing: scope fails closed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from neibao_identity.principal import Principal, Role

_JURISDICTION = re.compile(r"[1-9][0-9][0-9]{4}")


def jurisdiction_prefix(code: str) -> str | None:
    """The non-zero prefix of a GB/T 2260 code: strip trailing "00" pairs (210100 → "2101").

    None for anything that is not a six-digit code of a province-level division or below.
    """
    if not _JURISDICTION.fullmatch(code):
        return None
    prefix = code
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


@dataclass(frozen=True, slots=True)
class Scope:
    """The part of the province a principal may see; build it with `Scope.for_principal`."""

    roles: frozenset[str]
    jurisdiction_prefix: str | None = None
    sector: str | None = None
    unit: str | None = None
    org: str | None = None

    @classmethod
    def for_principal(cls, principal: Principal) -> Scope:
        """The scope granted by a principal's roles and claims."""
        prefix = jurisdiction_prefix(principal.jurisdiction) if principal.jurisdiction else None
        return cls(
            roles=principal.roles,
            jurisdiction_prefix=prefix,
            sector=principal.sector,
            unit=principal.unit,
            org=principal.org,
        )

    @property
    def unrestricted(self) -> bool:
        """Whether every object is visible (province-admin)."""
        return Role.PROVINCE_ADMIN in self.roles

    @property
    def province_wide(self) -> bool:
        """Whether the jurisdiction covers the whole province (province-admin, or a 2-digit prefix)."""
        return self.unrestricted or (
            self.jurisdiction_prefix is not None and len(self.jurisdiction_prefix) == 2
        )

    def within_jurisdiction(self, jurisdiction: str | None) -> bool:
        """Whether a jurisdiction code lies under this scope's jurisdiction prefix."""
        return (
            self.jurisdiction_prefix is not None
            and jurisdiction is not None
            and jurisdiction.startswith(self.jurisdiction_prefix)
        )

    def allows(
        self, *, jurisdiction: str | None = None, sector: str | None = None, unit: str | None = None
    ) -> bool:
        """Whether an object with these attributes is visible; the pure twin of `scope_clause`.

        An attribute left None is one the object does not have (like a column not passed to
        `scope_clause`): a grant that needs it grants nothing, except a sector system's sector check.
        """
        if self.unrestricted:
            return True
        if Role.POLICE in self.roles and self.within_jurisdiction(jurisdiction):
            return True
        if (
            Role.REGULATOR in self.roles
            and self.sector is not None
            and sector == self.sector
            and self.within_jurisdiction(jurisdiction)
        ):
            return True
        if Role.UNIT_SECURITY in self.roles and self.unit is not None and unit == self.unit:
            return True
        return (
            Role.SECTOR_SYSTEM in self.roles
            and self.org is not None
            and unit == self.org
            and (sector is None or (self.sector is not None and sector == self.sector))
        )
