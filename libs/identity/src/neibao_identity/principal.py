"""Who is calling: the verified token's subject, roles and scope claims."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from neibao_identity.errors import InvalidToken, InvalidTokenReason

# Keycloak names a client's service-account user "service-account-<clientId>".
SERVICE_ACCOUNT_PREFIX = "service-account-"


class Role(StrEnum):
    """The realm roles of the platform."""

    PROVINCE_ADMIN = "province-admin"
    POLICE = "police"
    REGULATOR = "regulator"
    UNIT_SECURITY = "unit-security"
    SECTOR_SYSTEM = "sector-system"


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, built from verified claims only."""

    subject: str
    username: str
    roles: frozenset[str]
    jurisdiction: str | None = None
    sector: str | None = None
    unit: str | None = None
    client_id: str | None = None
    org: str | None = None

    def has_role(self, role: str) -> bool:
        """Whether the caller holds `role`."""
        return role in self.roles

    def any_role(self, *roles: str) -> bool:
        """Whether the caller holds at least one of `roles`."""
        return not self.roles.isdisjoint(roles)

    @property
    def is_machine(self) -> bool:
        """Whether the caller is a client's service account (client credentials), not a person."""
        return self.username.startswith(SERVICE_ACCOUNT_PREFIX)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        """Build a principal from a verified access token's claims (Keycloak layout)."""
        subject = _optional_str(claims, "sub")
        if not subject:
            raise InvalidToken(InvalidTokenReason.MISSING_CLAIM, "sub")
        return cls(
            subject=subject,
            username=_optional_str(claims, "preferred_username") or subject,
            roles=_realm_roles(claims.get("realm_access")),
            jurisdiction=_optional_str(claims, "jurisdiction"),
            sector=_optional_str(claims, "sector"),
            unit=_optional_str(claims, "unit"),
            client_id=_optional_str(claims, "azp"),
            org=_optional_str(claims, "org"),
        )


def _optional_str(claims: Mapping[str, Any], name: str) -> str | None:
    value = claims.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        # A list here means a misconfigured (multivalued) mapper: refuse rather than guess the scope.
        raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, f"{name} must be a string")
    return value


def _realm_roles(realm_access: object) -> frozenset[str]:
    if realm_access is None:
        return frozenset()
    if not isinstance(realm_access, Mapping):
        raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, "realm_access must be an object")
    roles = realm_access.get("roles", [])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidToken(InvalidTokenReason.INVALID_CLAIM, "realm_access.roles must be a list of strings")
    return frozenset(roles)
