"""The committed realm file is what generate_realm.py writes, and declares what the verifier relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from stdnum.cn import uscc

KEYCLOAK_DIR = Path(__file__).resolve().parents[4] / "infra" / "keycloak"
REALM_FILE = KEYCLOAK_DIR / "realm-neibao.json"


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(REALM_FILE.read_text(encoding="utf-8"))
    return result


def test_the_committed_realm_file_is_fresh() -> None:
    result = subprocess.run(
        [sys.executable, str(KEYCLOAK_DIR / "generate_realm.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_user_profile_declares_the_scope_attributes(realm: dict[str, Any]) -> None:
    (provider,) = realm["components"]["org.keycloak.userprofile.UserProfileProvider"]
    profile = json.loads(provider["config"]["kc.user.profile.config"][0])
    names = [attribute["name"] for attribute in profile["attributes"]]
    assert names[:4] == ["username", "email", "firstName", "lastName"]
    assert {"jurisdiction", "sector", "unit"} <= set(names)
    assert "clientScopes" not in realm  # would replace the built-ins (sub, roles)


def test_demo_identifiers_are_valid(realm: dict[str, Any]) -> None:
    (client,) = [c for c in realm["clients"] if c["clientId"] == "sector-postal-demo"]
    org = next(m["config"]["claim.value"] for m in client["protocolMappers"] if m["name"] == "org")
    units = [u["attributes"]["unit"][0] for u in realm["users"] if "unit" in u.get("attributes", {})]
    for code in [org, *units]:
        assert uscc.is_valid(code), code
    assert org.startswith("91210200")  # a Dalian enterprise


def test_every_token_issuing_client_adds_the_gateway_audience(realm: dict[str, Any]) -> None:
    for client in realm["clients"]:
        if client.get("bearerOnly"):
            continue
        audiences = [
            m["config"]["included.client.audience"]
            for m in client["protocolMappers"]
            if m["protocolMapper"] == "oidc-audience-mapper"
        ]
        assert audiences == ["neibao-gateway"], client["clientId"]
