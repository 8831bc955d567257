"""Generate realm-neibao.json, the Keycloak realm the local stack and CI import (`--import-realm`).

Run from the repository root: `uv run python infra/keycloak/generate_realm.py` (writes the file) or
`... generate_realm.py --check` (fails if the committed file is stale). Standard library only.

Why a script: the declarative user profile is a JSON document nested as a string inside the realm
JSON, which is easy to break by hand (INFRA-NOTES.md, "Keycloak").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REALM = "neibao"
OUTPUT = Path(__file__).resolve().with_name("realm-neibao.json")

DEMO_PASSWORD = "neibao-demo"  # noqa: S105 - the documented password of the demo accounts
GATEWAY_CLIENT_ID = "neibao-gateway"
CONSOLE_CLIENT_ID = "neibao-console"
CLI_CLIENT_ID = "neibao-cli"

# The demo sector system: a (fictional) Dalian express company submitting real-name postal records.
# Its USCC is valid by GB 32100-2015 (python-stdnum's stdnum.cn.uscc) and its embedded organisation
# code MA0YP3D80 is valid by GB 11714; 210200 is Dalian.
SECTOR_POSTAL_DEMO_CLIENT_ID = "sector-postal-demo"
SECTOR_POSTAL_DEMO_SECRET = "neibao-demo-secret"  # noqa: S105 - a documented demo secret
SECTOR_POSTAL_DEMO_ORG = "91210200MA0YP3D80R"
SECTOR_POSTAL_DEMO_SECTOR = "postal"
# The demo fuel retailer (commerce): submits bulk-gasoline real-name sales of its stations (issue 8).
# Its USCC is valid by GB 32100-2015 and its organisation code MA0YJ6Q70 by GB 11714; 210100 is Shenyang.
SECTOR_COMMERCE_DEMO_CLIENT_ID = "sector-commerce-demo"
SECTOR_COMMERCE_DEMO_ORG = "91210100MA0YJ6Q701"
SECTOR_COMMERCE_DEMO_SECTOR = "commerce"

ROLES: dict[str, str] = {
    "province-admin": "Provincial administrator: every unit, every sector, the whole province",
    "police": "Police (内保 department, city bureau, district branch, station): units in its jurisdiction",
    "regulator": "Sector regulator: units of its sector in its jurisdiction",
    "unit-security": "A unit's own security staff: its own unit only",
    "sector-system": "A sector system (machine client) submitting its own organisation's sector data",
}

SECTORS = (
    "postal",
    "transport",
    "commerce",
    "housing",
    "banking",
    "securities",
    "sasac",
    "culture_tourism",
    "health",
    "education",
)

# Local front-end origins: the gateway-served console (8080) and the Vite dev server (5173).
CONSOLE_ORIGINS = (
    "http://127.0.0.1:8080",
    "http://localhost:8080",
    "http://127.0.0.1:5173",
    "http://localhost:5173",
)

# username, role, first name, last name, attributes
DEMO_USERS: tuple[tuple[str, str, str, str, dict[str, str]], ...] = (
    ("admin", "province-admin", "省厅", "管理员", {"jurisdiction": "210000"}),
    ("police-shenyang", "police", "沈阳", "市局内保", {"jurisdiction": "210100"}),
    ("police-heping", "police", "和平", "分局内保", {"jurisdiction": "210102"}),
    ("police-dalian", "police", "大连", "市局内保", {"jurisdiction": "210200"}),
    ("regulator-postal", "regulator", "省邮政", "管理局", {"jurisdiction": "210000", "sector": "postal"}),
    (
        "regulator-commerce-dalian",
        "regulator",
        "大连商务",
        "监管员",
        {"jurisdiction": "210200", "sector": "commerce"},
    ),
    (
        "security-chief-demo",
        "unit-security",
        "保卫",
        "科长",
        {"jurisdiction": "210102", "unit": "91210102MA0LN001X3"},
    ),
)

# GB 32100-2015 character set (no I, O, S, V, Z); the check digit is the services' business.
USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{18}$"

_EVERYONE = {"view": ["admin", "user"], "edit": ["admin", "user"]}
_ADMIN_ONLY = {"view": ["admin"], "edit": ["admin"]}


def user_profile() -> dict[str, Any]:
    """The declarative user profile: Keycloak's built-in attributes plus the scope attributes."""
    return {
        "attributes": [
            {
                "name": "username",
                "displayName": "${username}",
                "validations": {
                    "length": {"min": 3, "max": 255},
                    "username-prohibited-characters": {},
                    "up-username-not-idn-homograph": {},
                },
                "permissions": _EVERYONE,
                "multivalued": False,
            },
            {
                "name": "email",
                "displayName": "${email}",
                "validations": {"email": {}, "length": {"max": 255}},
                "required": {"roles": ["user"]},
                "permissions": _EVERYONE,
                "multivalued": False,
            },
            {
                "name": "firstName",
                "displayName": "${firstName}",
                "validations": {"length": {"max": 255}, "person-name-prohibited-characters": {}},
                "required": {"roles": ["user"]},
                "permissions": _EVERYONE,
                "multivalued": False,
            },
            {
                "name": "lastName",
                "displayName": "${lastName}",
                "validations": {"length": {"max": 255}, "person-name-prohibited-characters": {}},
                "required": {"roles": ["user"]},
                "permissions": _EVERYONE,
                "multivalued": False,
            },
            {
                "name": "jurisdiction",
                "displayName": "Jurisdiction (GB/T 2260 code)",
                "validations": {"pattern": {"pattern": "^[1-9][0-9]{5}$", "error-message": "six digits"}},
                "permissions": _ADMIN_ONLY,
                "multivalued": False,
                "group": "neibao-scope",
            },
            {
                "name": "sector",
                "displayName": "Sector",
                "validations": {"options": {"options": list(SECTORS)}},
                "permissions": _ADMIN_ONLY,
                "multivalued": False,
                "group": "neibao-scope",
            },
            {
                "name": "unit",
                "displayName": "Unit (USCC)",
                "validations": {
                    "pattern": {"pattern": USCC_PATTERN, "error-message": "an 18-character USCC"}
                },
                "permissions": _ADMIN_ONLY,
                "multivalued": False,
                "group": "neibao-scope",
            },
        ],
        "groups": [
            {
                "name": "user-metadata",
                "displayHeader": "User metadata",
                "displayDescription": "Attributes, which refer to user metadata",
            },
            {
                "name": "neibao-scope",
                "displayHeader": "Neibao scope",
                "displayDescription": "What the user may see: jurisdiction, sector, unit (token claims)",
            },
        ],
    }


def _token_claim_config(claim: str) -> dict[str, str]:
    return {
        "claim.name": claim,
        "jsonType.label": "String",
        "access.token.claim": "true",
        "id.token.claim": "true",
        "userinfo.token.claim": "true",
        "introspection.token.claim": "true",
    }


def user_attribute_mapper(attribute: str) -> dict[str, Any]:
    """A mapper copying a (single-valued) user attribute into a claim of the same name."""
    return {
        "name": attribute,
        "protocol": "openid-connect",
        "protocolMapper": "oidc-usermodel-attribute-mapper",
        "consentRequired": False,
        "config": {
            "user.attribute": attribute,
            "multivalued": "false",
            "aggregate.attrs": "false",
            **_token_claim_config(attribute),
        },
    }


def hardcoded_claim_mapper(claim: str, value: str) -> dict[str, Any]:
    """A mapper adding a fixed claim (machine clients: their sector and organisation)."""
    return {
        "name": claim,
        "protocol": "openid-connect",
        "protocolMapper": "oidc-hardcoded-claim-mapper",
        "consentRequired": False,
        "config": {"claim.value": value, **_token_claim_config(claim)},
    }


def gateway_audience_mapper() -> dict[str, Any]:
    """A mapper adding the gateway to `aud`, the audience every service requires."""
    return {
        "name": f"audience-{GATEWAY_CLIENT_ID}",
        "protocol": "openid-connect",
        "protocolMapper": "oidc-audience-mapper",
        "consentRequired": False,
        "config": {
            "included.client.audience": GATEWAY_CLIENT_ID,
            "access.token.claim": "true",
            "id.token.claim": "false",
            "introspection.token.claim": "true",
        },
    }


def _user_mappers() -> list[dict[str, Any]]:
    attribute_mappers = [user_attribute_mapper(a) for a in ("jurisdiction", "sector", "unit")]
    return [*attribute_mappers, gateway_audience_mapper()]


def _client(client_id: str, name: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "clientId": client_id,
        "name": name,
        "enabled": True,
        "protocol": "openid-connect",
        "publicClient": False,
        "bearerOnly": False,
        "standardFlowEnabled": False,
        "implicitFlowEnabled": False,
        "directAccessGrantsEnabled": False,
        "serviceAccountsEnabled": False,
        "frontchannelLogout": True,
        "fullScopeAllowed": True,
        "redirectUris": [],
        "webOrigins": [],
        "attributes": {},
        "protocolMappers": [],
    }
    base.update(fields)
    return base


def clients() -> list[dict[str, Any]]:
    """The realm's clients, with their protocol mappers on them (no top-level clientScopes)."""
    return [
        _client(
            CONSOLE_CLIENT_ID,
            "Neibao console",
            publicClient=True,
            standardFlowEnabled=True,
            rootUrl=CONSOLE_ORIGINS[0],
            redirectUris=[f"{origin}/*" for origin in CONSOLE_ORIGINS],
            webOrigins=list(CONSOLE_ORIGINS),
            attributes={
                "pkce.code.challenge.method": "S256",
                "post.logout.redirect.uris": "##".join(f"{origin}/*" for origin in CONSOLE_ORIGINS),
                "oauth2.device.authorization.grant.enabled": "false",
            },
            protocolMappers=_user_mappers(),
        ),
        _client(
            GATEWAY_CLIENT_ID,
            "Neibao gateway (resource server; the audience of every token)",
            bearerOnly=True,
        ),
        _client(
            CLI_CLIENT_ID,
            "Neibao scripts and tests (password grant)",
            publicClient=True,
            directAccessGrantsEnabled=True,
            protocolMappers=_user_mappers(),
        ),
        _client(
            SECTOR_POSTAL_DEMO_CLIENT_ID,
            "Demo sector system: a Dalian express company (postal)",
            clientAuthenticatorType="client-secret",
            secret=SECTOR_POSTAL_DEMO_SECRET,
            serviceAccountsEnabled=True,
            protocolMappers=[
                hardcoded_claim_mapper("sector", SECTOR_POSTAL_DEMO_SECTOR),
                hardcoded_claim_mapper("org", SECTOR_POSTAL_DEMO_ORG),
                gateway_audience_mapper(),
            ],
        ),
        _client(
            SECTOR_COMMERCE_DEMO_CLIENT_ID,
            "Demo sector system: a Shenyang fuel retailer (commerce)",
            clientAuthenticatorType="client-secret",
            secret=SECTOR_POSTAL_DEMO_SECRET,
            serviceAccountsEnabled=True,
            protocolMappers=[
                hardcoded_claim_mapper("sector", SECTOR_COMMERCE_DEMO_SECTOR),
                hardcoded_claim_mapper("org", SECTOR_COMMERCE_DEMO_ORG),
                gateway_audience_mapper(),
            ],
        ),
    ]


def users() -> list[dict[str, Any]]:
    """The demo users (complete profiles, or the password grant fails) and the service account."""
    people = [
        {
            "username": username,
            "enabled": True,
            "emailVerified": True,
            "email": f"{username}@demo.neibao.example",
            "firstName": first,
            "lastName": last,
            "attributes": {key: [value] for key, value in attributes.items()},
            "credentials": [{"type": "password", "value": DEMO_PASSWORD, "temporary": False}],
            "realmRoles": [role],
            "requiredActions": [],
        }
        for username, role, first, last, attributes in DEMO_USERS
    ]
    service_accounts = [
        {
            "username": f"service-account-{client_id}",
            "enabled": True,
            "serviceAccountClientId": client_id,
            "realmRoles": ["sector-system"],
        }
        for client_id in (SECTOR_POSTAL_DEMO_CLIENT_ID, SECTOR_COMMERCE_DEMO_CLIENT_ID)
    ]
    return [*people, *service_accounts]


def realm() -> dict[str, Any]:
    """The whole realm representation."""
    return {
        "realm": REALM,
        "displayName": "Neibao 内保",
        "enabled": True,
        "sslRequired": "external",
        "registrationAllowed": False,
        "resetPasswordAllowed": False,
        "editUsernameAllowed": False,
        "loginWithEmailAllowed": True,
        "duplicateEmailsAllowed": False,
        "rememberMe": False,
        "defaultSignatureAlgorithm": "RS256",
        "accessTokenLifespan": 300,
        "accessTokenLifespanForImplicitFlow": 300,
        "accessCodeLifespan": 60,
        "accessCodeLifespanUserAction": 300,
        "accessCodeLifespanLogin": 1800,
        "ssoSessionIdleTimeout": 1800,
        "ssoSessionMaxLifespan": 36000,
        "offlineSessionIdleTimeout": 2592000,
        "clientSessionIdleTimeout": 0,
        "clientSessionMaxLifespan": 0,
        "revokeRefreshToken": False,
        "bruteForceProtected": True,
        "permanentLockout": False,
        "failureFactor": 10,
        "waitIncrementSeconds": 60,
        "quickLoginCheckMilliSeconds": 1000,
        "minimumQuickLoginWaitSeconds": 60,
        "maxFailureWaitSeconds": 900,
        "maxDeltaTimeSeconds": 43200,
        "passwordPolicy": "length(8) and notUsername",
        "roles": {
            "realm": [
                {"name": name, "description": description, "composite": False, "clientRole": False}
                for name, description in ROLES.items()
            ]
        },
        "clients": clients(),
        "users": users(),
        "components": {
            "org.keycloak.userprofile.UserProfileProvider": [
                {
                    "providerId": "declarative-user-profile",
                    "subComponents": {},
                    "config": {
                        "kc.user.profile.config": [json.dumps(user_profile(), ensure_ascii=False)],
                    },
                }
            ]
        },
    }


def render() -> str:
    """The realm file's exact text."""
    return json.dumps(realm(), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, verify) realm-neibao.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if the committed file is not up to date")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="where to write (default: %(default)s)")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run infra/keycloak/generate_realm.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} (realm {REALM}; demo sector org {SECTOR_POSTAL_DEMO_ORG})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
