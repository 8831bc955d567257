"""TokenVerifier against the real realm: every demo account verifies, every forgery is refused."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from joserfc.jwk import RSAKey

from neibao_identity import InvalidToken, InvalidTokenReason, JwksCache, Principal, Role, Scope, TokenVerifier
from neibao_testkit.endpoints import DEMO_PASSWORD, StackEndpoints
from neibao_testkit.plugin import KeycloakTokens

R = InvalidTokenReason
SECTOR_POSTAL_DEMO_ORG = "91210200MA0YP3D80R"

# username → (role, jurisdiction, sector, unit), as infra/keycloak/generate_realm.py declares them
EXPECTED_USERS: dict[str, tuple[str, str, str | None, str | None]] = {
    "admin": (Role.PROVINCE_ADMIN, "210000", None, None),
    "police-shenyang": (Role.POLICE, "210100", None, None),
    "police-heping": (Role.POLICE, "210102", None, None),
    "police-dalian": (Role.POLICE, "210200", None, None),
    "regulator-postal": (Role.REGULATOR, "210000", "postal", None),
    "regulator-commerce-dalian": (Role.REGULATOR, "210200", "commerce", None),
    "security-chief-demo": (Role.UNIT_SECURITY, "210102", None, "91210102MA0LN001X3"),
}


async def rejected(verifier: TokenVerifier, token: str) -> InvalidToken:
    with pytest.raises(InvalidToken) as caught:
        await verifier.verify(token)
    return caught.value


@pytest.mark.parametrize("username", sorted(EXPECTED_USERS))
async def test_every_demo_user_token_verifies_with_its_roles_and_claims(
    verifier: TokenVerifier, access_tokens: dict[str, str], username: str
) -> None:
    role, jurisdiction, sector, unit = EXPECTED_USERS[username]

    claims = await verifier.verify_claims(access_tokens[username])
    principal = Principal.from_claims(claims)

    assert "neibao-gateway" in ([claims["aud"]] if isinstance(claims["aud"], str) else claims["aud"])
    assert claims["iss"] == verifier.issuer
    assert principal.username == username
    assert principal.has_role(role)
    assert principal.roles & set(Role) == {role}  # exactly one platform role
    assert (principal.jurisdiction, principal.sector, principal.unit) == (jurisdiction, sector, unit)
    assert principal.client_id == "neibao-cli"
    assert principal.org is None
    assert not principal.is_machine


async def test_the_sector_client_token_verifies_as_a_machine_of_its_organisation(
    verifier: TokenVerifier, access_tokens: dict[str, str]
) -> None:
    claims = await verifier.verify_claims(access_tokens["sector-postal-demo"])
    principal = Principal.from_claims(claims)

    assert "neibao-gateway" in ([claims["aud"]] if isinstance(claims["aud"], str) else claims["aud"])
    assert principal.is_machine
    assert principal.client_id == "sector-postal-demo"
    assert principal.roles & set(Role) == {Role.SECTOR_SYSTEM}
    assert principal.sector == "postal"
    assert principal.org == SECTOR_POSTAL_DEMO_ORG
    scope = Scope.for_principal(principal)
    assert scope.allows(unit=SECTOR_POSTAL_DEMO_ORG, sector="postal")
    assert not scope.allows(unit="91210102MA0LN001X3", sector="postal")


async def test_realm_tokens_give_the_expected_scopes(
    verifier: TokenVerifier, access_tokens: dict[str, str]
) -> None:
    async def scope_of(username: str) -> Scope:
        return Scope.for_principal(await verifier.verify(access_tokens[username]))

    assert (await scope_of("admin")).unrestricted
    assert (await scope_of("police-shenyang")).allows(jurisdiction="210102")
    assert not (await scope_of("police-heping")).allows(jurisdiction="210100")
    assert not (await scope_of("police-dalian")).allows(jurisdiction="210102")
    assert (await scope_of("regulator-postal")).allows(jurisdiction="210211", sector="postal")
    assert not (await scope_of("regulator-commerce-dalian")).allows(jurisdiction="210102", sector="commerce")
    assert (await scope_of("security-chief-demo")).allows(unit="91210102MA0LN001X3")


async def realm_public_key(realm_http: httpx.AsyncClient, stack: StackEndpoints, kid: str) -> RSAKey:
    response = await realm_http.get(f"{stack.issuer}/protocol/openid-connect/certs")
    jwk = next(key for key in response.json()["keys"] if key["kid"] == kid)
    return RSAKey.import_key({k: jwk[k] for k in ("kty", "n", "e", "kid")})


async def test_alg_none_is_refused(verifier: TokenVerifier, forge: Any, any_token: str) -> None:
    forged = forge.unsigned(forge.claims(any_token), forge.header(any_token)["kid"])
    assert (await rejected(verifier, forged)).reason is R.UNSUPPORTED_ALGORITHM


async def test_hs256_signed_with_the_realm_public_key_is_refused(
    verifier: TokenVerifier,
    forge: Any,
    any_token: str,
    realm_http: httpx.AsyncClient,
    keycloak: StackEndpoints,
) -> None:
    kid = forge.header(any_token)["kid"]
    public_key = await realm_public_key(realm_http, keycloak, kid)
    claims = forge.claims(any_token) | {"realm_access": {"roles": ["province-admin"]}}

    forged = forge.hs256_with_public_key(claims, public_key, kid)

    assert (await rejected(verifier, forged)).reason is R.UNSUPPORTED_ALGORITHM


async def test_a_token_of_another_issuer_is_refused(
    keycloak: StackEndpoints, realm_http: httpx.AsyncClient, any_token: str
) -> None:
    # Same keys (explicit JWKS URL), but the verifier serves another realm: only `iss` differs.
    other = JwksCache(
        f"{keycloak.keycloak_url}/realms/other",
        realm_http,
        jwks_url=f"{keycloak.issuer}/protocol/openid-connect/certs",
    )
    assert (await rejected(TokenVerifier(other), any_token)).reason is R.WRONG_ISSUER


async def test_the_realm_under_another_host_name_is_another_issuer(
    keycloak: StackEndpoints, realm_http: httpx.AsyncClient, any_token: str
) -> None:
    url = httpx.URL(keycloak.issuer)
    alias = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}.get(url.host)
    assert alias is not None, f"this check needs Keycloak on loopback, not {url.host}"
    aliased = str(url.copy_with(host=alias))

    verifier = TokenVerifier(JwksCache(aliased, realm_http))

    assert (await rejected(verifier, any_token)).reason is R.WRONG_ISSUER


async def test_a_token_for_another_audience_is_refused(
    keycloak: StackEndpoints, realm_http: httpx.AsyncClient, any_token: str
) -> None:
    unit_registry = TokenVerifier(JwksCache(keycloak.issuer, realm_http), audience="neibao-unit-registry")
    assert (await rejected(unit_registry, any_token)).reason is R.WRONG_AUDIENCE


async def test_a_real_token_without_the_gateway_audience_is_refused(
    verifier: TokenVerifier, keycloak_tokens: KeycloakTokens
) -> None:
    # The realm's built-in admin-cli client has no audience mapper: a genuine, correctly signed token
    # of the same realm that was not issued for the platform.
    token = keycloak_tokens.password("police-heping", client_id="admin-cli")["access_token"]
    error = await rejected(verifier, token)
    # Keycloak 26 issues admin-cli lightweight tokens, which carry no aud at all.
    assert error.reason in {R.WRONG_AUDIENCE, R.MISSING_CLAIM}
    assert "aud" in error.detail


async def test_id_and_refresh_tokens_are_not_access_tokens(
    verifier: TokenVerifier, keycloak: StackEndpoints, realm_http: httpx.AsyncClient
) -> None:
    response = await realm_http.post(
        f"{keycloak.issuer}/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "neibao-cli",
            "username": "police-heping",
            "password": DEMO_PASSWORD,
            "scope": "openid",
        },
    )
    response.raise_for_status()
    body = response.json()

    assert (await rejected(verifier, body["id_token"])).reason in {R.WRONG_AUDIENCE, R.WRONG_TOKEN_TYPE}
    assert (await rejected(verifier, body["refresh_token"])).reason is R.UNSUPPORTED_ALGORITHM
    assert (await verifier.verify(body["access_token"])).username == "police-heping"


async def test_an_expired_token_is_refused(
    keycloak: StackEndpoints, realm_http: httpx.AsyncClient, forge: Any, any_token: str
) -> None:
    expires = forge.claims(any_token)["exp"]
    after = TokenVerifier(JwksCache(keycloak.issuer, realm_http), leeway=60, clock=lambda: expires + 61)
    just_before = TokenVerifier(JwksCache(keycloak.issuer, realm_http), leeway=60, clock=lambda: expires + 59)

    assert (await rejected(after, any_token)).reason is R.EXPIRED
    assert (await just_before.verify(any_token)).username == "police-heping"


@pytest.mark.parametrize(
    "changes",
    [
        {"jurisdiction": "210000"},
        {"realm_access": {"roles": ["province-admin"]}},
        {"exp": 4_102_444_800},
        {"preferred_username": "admin"},
    ],
)
async def test_a_tampered_real_token_is_refused(
    verifier: TokenVerifier, forge: Any, any_token: str, changes: dict[str, Any]
) -> None:
    assert (await verifier.verify(any_token)).username == "police-heping"  # the original is good
    assert (await rejected(verifier, forge.tamper(any_token, **changes))).reason is R.BAD_SIGNATURE


class Clock:
    def __init__(self) -> None:
        self.now = time.monotonic()

    def __call__(self) -> float:
        return self.now


async def test_unknown_kid_is_refused_and_refetches_are_throttled(
    keycloak: StackEndpoints, realm_http: httpx.AsyncClient, jwks_requests: Any, forge: Any, any_token: str
) -> None:
    clock = Clock()
    verifier = TokenVerifier(JwksCache(keycloak.issuer, realm_http, refetch_cooldown=30, clock=clock))
    attacker = RSAKey.generate_key(2048, parameters={"kid": "attacker-key"})
    claims = forge.claims(any_token) | {"realm_access": {"roles": ["province-admin"]}}

    assert (await verifier.verify(any_token)).username == "police-heping"
    assert jwks_requests.jwks == 1

    for i in range(25):  # a burst of forged kids right after the fetch: refused, no refetch
        forged = forge.sign(claims, attacker, header={"kid": f"attacker-{i}"})
        assert (await rejected(verifier, forged)).reason is R.UNKNOWN_KEY
    assert jwks_requests.jwks == 1

    clock.now += 31  # after the cooldown one unknown kid may refetch (a key may have rotated in) ...
    for _ in range(25):
        assert (await rejected(verifier, forge.sign(claims, attacker))).reason is R.UNKNOWN_KEY
    assert jwks_requests.jwks == 2  # ... once

    assert (await verifier.verify(any_token)).username == "police-heping"  # real tokens unaffected
    assert jwks_requests.jwks == 2


async def test_an_unreachable_jwks_fails_closed(keycloak: StackEndpoints, any_token: str) -> None:
    async with httpx.AsyncClient(timeout=2) as http:
        # Port 9 (discard) on loopback: nothing listens there, the connection is refused.
        keys = JwksCache(keycloak.issuer, http, jwks_url="http://127.0.0.1:9/protocol/openid-connect/certs")
        assert (await rejected(TokenVerifier(keys), any_token)).reason is R.KEYS_UNAVAILABLE
