"""The role matrix through the running gateway: every route answers 403 to every role it does not admit.

The routes and the roles they admit come from the gateway's own /openapi.json (`x-roles`), so a route
added later is covered without touching this test.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from .conftest import TokenBook
from .support import DEMO_UNIT, SECTOR_CLIENT, assert_problem

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
PLATFORM_ROLES = frozenset(ROLE_OF.values())
# Real objects for the path parameters: a refusal must not depend on the object being missing.
PATH_VALUES = {
    "uscc": DEMO_UNIT,
    "code": "210102",
    "sector": "postal",
    "dataset": "shipments",
    "batch_id": "role-matrix-batch",
}
# The dossier's items: any id will do (the role is refused before the item is looked for).
PATH_VALUES |= dict.fromkeys(
    (
        "filing_id",
        "person_id",
        "key_part_id",
        "workstation_id",
        "staff_id",
        "informant_id",
        "inspection_id",
        "hazard_id",
        "device_id",
        "alarm_id",
        "silence_id",
        "assessment_id",
    ),
    "00000000-0000-4000-8000-000000000000",
)


@pytest.fixture(scope="module")
def operations(api: httpx.Client) -> list[tuple[str, str, dict[str, Any]]]:
    """Every /api/ operation of the OpenAPI document: method, path, operation."""
    document = api.get("/openapi.json").json()
    found = [
        (method, path, operation)
        for path, by_method in document["paths"].items()
        if path.startswith("/api/")
        for method, operation in by_method.items()
    ]
    assert len(found) >= 14
    return found


def concrete(path: str) -> str:
    """The path with real objects for its parameters."""
    return re.sub(r"\{([^}]+)\}", lambda match: PATH_VALUES[match.group(1)], path)


def test_every_api_operation_declares_its_roles(operations: list[tuple[str, str, dict[str, Any]]]) -> None:
    for method, path, operation in operations:
        assert operation.get("x-roles"), f"{method.upper()} {path} declares no roles"
        assert set(operation["x-roles"]) <= PLATFORM_ROLES
        assert "403" in operation["responses"]


@pytest.mark.parametrize("principal", list(ROLE_OF))
def test_each_role_is_refused_every_route_it_may_never_call(
    principal: str,
    api: httpx.Client,
    tokens: TokenBook,
    operations: list[tuple[str, str, dict[str, Any]]],
) -> None:
    headers = tokens.bearer(principal)
    refused = []
    for method, path, operation in operations:
        if ROLE_OF[principal] in operation["x-roles"]:
            continue
        # A valid-looking body: the role check must refuse before anything else is looked at.
        response = api.request(method, concrete(path), headers=headers, json={})
        problem = assert_problem(response, 403)
        assert problem["type"] == "urn:neibao:problem:forbidden", (principal, method, path)
        refused.append(f"{method.upper()} {path}")
    if ROLE_OF[principal] in {"regulator", "sector-system", "unit-security"}:
        assert "POST /api/v1/units" in refused  # none of them registers units


def test_what_the_matrix_refuses(operations: list[tuple[str, str, dict[str, Any]]]) -> None:
    """The decisions themselves, as the registry's contract reads them."""
    roles = {f"{method.upper()} {path}": set(op["x-roles"]) for method, path, op in operations}
    police = {"police", "province-admin"}
    readers = police | {"regulator", "unit-security"}
    assert roles["POST /api/v1/units"] == police
    assert roles["POST /api/v1/units/{uscc}/close"] == police
    assert roles["POST /api/v1/units/{uscc}/designations"] == police
    assert roles["POST /api/v1/units/{uscc}/designations/confirm"] == police
    assert roles["PATCH /api/v1/units/{uscc}"] == police | {"unit-security"}
    assert roles["GET /api/v1/units/{uscc}"] == readers
    assert roles["GET /api/v1/units"] == readers
    assert roles["GET /api/v1/jurisdictions"] == PLATFORM_ROLES
    # 联合创建: the review queue and movers are read in scope by everyone but sector systems.
    assert roles["GET /api/v1/self-assessments"] == readers
    assert roles["GET /api/v1/rankings/movers"] == readers
    # Sector data exchange (issue 8): readers of records and figures; a person's records, police only.
    exchange_readers = police | {"regulator"}
    assert roles["GET /api/v1/exchange/submitters"] == exchange_readers
    assert roles["GET /api/v1/exchange/{sector}/{dataset}/records"] == exchange_readers
    assert roles["GET /api/v1/exchange/{sector}/{dataset}/figures"] == exchange_readers
    assert roles["POST /api/v1/exchange/{sector}/{dataset}/records/search"] == police
    assert roles["POST /api/v1/exchange/{sector}/{dataset}"] == {"sector-system"}
