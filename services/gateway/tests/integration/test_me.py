"""GET /api/v1/me for every demo account: the principal as the platform understands it."""

from __future__ import annotations

import pytest

from ..support import SECTOR_CLIENT
from .conftest import StartGateway, bearer

# username → (roles, jurisdiction code, its full name, level, sector, unit)
EXPECTED = {
    "admin": (["province-admin"], "210000", "辽宁省", "province", None, None),
    "police-shenyang": (["police"], "210100", "沈阳市", "city", None, None),
    "police-heping": (["police"], "210102", "沈阳市和平区", "county", None, None),
    "police-dalian": (["police"], "210200", "大连市", "city", None, None),
    "regulator-postal": (["regulator"], "210000", "辽宁省", "province", "postal", None),
    "regulator-commerce-dalian": (["regulator"], "210200", "大连市", "city", "commerce", None),
    "security-chief-demo": (
        ["unit-security"],
        "210102",
        "沈阳市和平区",
        "county",
        None,
        "91210102MA0LN001X3",
    ),
}


@pytest.mark.parametrize("username", sorted(EXPECTED))
async def test_me_for_each_demo_user(
    start_gateway: StartGateway, tokens: dict[str, str], username: str
) -> None:
    roles, code, name, level, sector, unit = EXPECTED[username]
    gateway = await start_gateway()

    response = await gateway.client.get("/api/v1/me", headers=bearer(tokens[username]))

    assert response.status_code == 200, response.text
    me = response.json()
    assert me["username"] == username
    assert me["roles"] == roles
    assert me["jurisdiction"] == {"code": code, "name": name, "level": level}
    assert (me["sector"], me["unit"], me["org"]) == (sector, unit, None)
    assert me["client_id"] == "neibao-cli"
    assert me["is_machine"] is False
    assert me["subject"]


async def test_me_for_the_sector_system(start_gateway: StartGateway, tokens: dict[str, str]) -> None:
    gateway = await start_gateway()

    me = (await gateway.client.get("/api/v1/me", headers=bearer(tokens[SECTOR_CLIENT]))).json()

    assert me["roles"] == ["sector-system"]
    assert me["is_machine"] is True
    assert me["client_id"] == SECTOR_CLIENT
    assert me["sector"] == "postal"
    assert me["org"] == "91210200MA0YP3D80R"
    assert me["jurisdiction"] is None
