"""The role matrix: every route with role limits answers 403 to every principal whose role it excludes.

Routes and their roles come from the OpenAPI document (`x-roles`), so each route added later is covered.
"""

from __future__ import annotations

import re

from ..support import SECTOR_CLIENT
from .conftest import StartGateway, bearer

ROLE_OF = {
    "admin": "province-admin",
    "police-shenyang": "police",
    "police-heping": "police",
    "police-dalian": "police",
    "regulator-postal": "regulator",
    "regulator-commerce-dalian": "regulator",
    "security-chief-demo": "unit-security",
    SECTOR_CLIENT: "sector-system",
}
PLATFORM_ROLES = set(ROLE_OF.values())


async def test_every_route_with_roles_forbids_the_other_roles(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway()
    document = (await gateway.client.get("/openapi.json")).json()
    checked = 0
    limited_routes = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if not path.startswith("/api/"):
                continue
            assert "x-roles" in operation, f"{method.upper()} {path} declares no roles"
            allowed = set(operation["x-roles"])
            assert allowed <= PLATFORM_ROLES
            url = re.sub(r"\{[^}]+\}", "x", path)
            if allowed != PLATFORM_ROLES:
                limited_routes += 1
            for principal, role in ROLE_OF.items():
                if role in allowed:
                    continue
                response = await gateway.client.request(method, url, headers=bearer(tokens[principal]))
                assert response.status_code == 403, f"{principal} on {method.upper()} {path}: {response.text}"
                assert response.headers["content-type"] == "application/problem+json"
                assert response.json()["type"] == "urn:neibao:problem:forbidden"
                checked += 1
    assert limited_routes >= 1  # the unit stream excludes sector systems
    assert checked >= 1


async def test_the_unit_stream_excludes_sector_systems(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway()
    response = await gateway.client.get("/api/v1/units/stream", headers=bearer(tokens[SECTOR_CLIENT]))
    assert response.status_code == 403
    document = (await gateway.client.get("/openapi.json")).json()
    assert document["paths"]["/api/v1/units/stream"]["get"]["x-roles"] == [
        "police",
        "province-admin",
        "regulator",
        "unit-security",
    ]
