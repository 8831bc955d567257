"""Principal: built from Keycloak claims only."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from neibao_identity import InvalidToken, InvalidTokenReason, Principal, Role


def test_a_person_from_keycloak_claims(make_claims: Any) -> None:
    principal = Principal.from_claims(
        make_claims(
            realm_access={"roles": ["regulator", "offline_access"]}, jurisdiction="210200", sector="commerce"
        )
    )

    assert principal.username == "police-heping"
    assert principal.roles == frozenset({"regulator", "offline_access"})
    assert principal.jurisdiction == "210200"
    assert principal.sector == "commerce"
    assert principal.unit is None
    assert principal.org is None
    assert principal.client_id == "neibao-cli"
    assert not principal.is_machine
    assert principal.has_role(Role.REGULATOR)
    assert not principal.has_role(Role.POLICE)
    assert principal.any_role(Role.POLICE, Role.REGULATOR)
    assert not principal.any_role(Role.POLICE, Role.PROVINCE_ADMIN)
    assert not principal.any_role()


def test_a_machine_client_from_client_credentials_claims(make_claims: Any) -> None:
    claims = make_claims(
        azp="sector-postal-demo",
        preferred_username="service-account-sector-postal-demo",
        realm_access={"roles": ["sector-system"]},
        jurisdiction=None,
        sector="postal",
        org="91210200MA0YP3D80R",
    )

    principal = Principal.from_claims(claims)

    assert principal.is_machine
    assert principal.client_id == "sector-postal-demo"
    assert principal.org == "91210200MA0YP3D80R"
    assert principal.sector == "postal"
    assert principal.jurisdiction is None


def test_without_realm_access_there_are_no_roles(make_claims: Any) -> None:
    assert Principal.from_claims(make_claims(realm_access=None)).roles == frozenset()
    assert Principal.from_claims(make_claims(realm_access={})).roles == frozenset()


def test_username_falls_back_to_the_subject(make_claims: Any) -> None:
    principal = Principal.from_claims(make_claims(preferred_username=None))
    assert principal.username == principal.subject


def test_empty_scope_claims_are_absent(make_claims: Any) -> None:
    assert Principal.from_claims(make_claims(jurisdiction="")).jurisdiction is None


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": None},
        {"sub": 42},
        {"unit": ["91210102MA0LN001X3"]},
        {"org": {"id": 1}},
        {"realm_access": ["police"]},
        {"realm_access": {"roles": ["police", 1]}},
    ],
)
def test_malformed_claims_are_refused(make_claims: Any, overrides: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken) as caught:
        Principal.from_claims(make_claims(**overrides))
    assert caught.value.reason in {InvalidTokenReason.MISSING_CLAIM, InvalidTokenReason.INVALID_CLAIM}


def test_principal_is_immutable(make_claims: Any) -> None:
    principal = Principal.from_claims(make_claims())
    with pytest.raises(dataclasses.FrozenInstanceError):
        principal.jurisdiction = "210000"  # type: ignore[misc]
