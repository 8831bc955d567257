"""Helpers of the end-to-end tests: the demo data, fresh identifiers, problem assertions."""

from __future__ import annotations

import random
from typing import Any

import httpx
from stdnum.cn import uscc as stdnum_uscc

DEMO_UNIT = "91210102MA0LN001X3"  # 和平区 (210102), commerce
DEMO_POSTAL = "91210200MA0YP3D80R"  # 中山区, Dalian (210202), postal
SECTOR_CLIENT = "sector-postal-demo"
SECTOR_SECRET = "neibao-demo-secret"
DEMO_USERS = (
    "admin",
    "police-shenyang",
    "police-heping",
    "police-dalian",
    "regulator-postal",
    "regulator-commerce-dalian",
    "security-chief-demo",
)
PRINCIPALS = (*DEMO_USERS, SECTOR_CLIENT)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def new_uscc(division: str = "210102") -> str:
    """A fresh, valid USCC registered in `division` (an enterprise, 91...)."""
    body = "91" + division + "".join(random.choices(USCC_ALPHABET, k=9))
    return body + stdnum_uscc.calc_check_digit(body)


# Rare characters, so that a 2-character fragment of them names only the units of this run.
_RARE = "龘靐齉爩麤灪鸞齾驫鱻"


def rare_fragment() -> str:
    """Two rare Chinese characters (a name fragment to search by)."""
    return "".join(random.choices(_RARE, k=2))


def unit_body(uscc: str, **changes: Any) -> dict[str, Any]:
    """A valid registration body for a unit in 和平区."""
    return {
        "uscc": uscc,
        "name": "沈阳端到端测试商贸有限公司",
        "unit_type": "enterprise",
        "sector": "commerce",
        "jurisdiction": "210102",
        "address": "辽宁省沈阳市和平区南京北街1号",
        **changes,
    }


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem document of an error response with `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json", response.headers
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    assert "Traceback" not in response.text
    return document
