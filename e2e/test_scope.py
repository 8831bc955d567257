"""The object-scope matrix through the running gateway: every demo account sees exactly its part of the
province. A unit outside the caller's scope answers 404 on every unit resource (the unit, its history,
its designations, the parts of its dossier); no list page holds a foreign row, whatever the filters ask for.

What each account may see is derived from its own /api/v1/me (roles, jurisdiction, sector, unit) by the
rules of ARCHITECTURE.md, and checked against what the province admin sees of the same units.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from .conftest import TokenBook
from .support import DEMO_POSTAL, DEMO_UNIT, DEMO_USERS, PRINCIPALS, SECTOR_CLIENT, assert_problem

UNIT_RESOURCES = ("", "/changes", "/designations", "/dossier", "/staff", "/responsible-persons", "/hazards")
# A bound on the pages walked per list (200 units a page).
MAX_PAGES = 6


@dataclass(frozen=True)
class Viewer:
    """A demo account and the scope its token grants."""

    principal: str
    roles: frozenset[str]
    jurisdiction: str | None
    sector: str | None
    unit: str | None

    @property
    def prefix(self) -> str | None:
        """The non-zero prefix of its jurisdiction (210100 → 2101)."""
        if not self.jurisdiction:
            return None
        prefix = self.jurisdiction
        while prefix.endswith("00"):
            prefix = prefix[:-2]
        return prefix

    def sees(self, unit: dict[str, Any]) -> bool:
        """Whether the unit lies in this account's scope (ARCHITECTURE.md, "Identity and scope")."""
        within = self.prefix is not None and unit["jurisdiction"].startswith(self.prefix)
        return (
            "province-admin" in self.roles
            or ("police" in self.roles and within)
            or ("regulator" in self.roles and within and self.sector in unit["sectors"])
            or ("unit-security" in self.roles and unit["uscc"] == self.unit)
        )


@pytest.fixture(scope="module")
def viewers(api: httpx.Client, tokens: TokenBook) -> dict[str, Viewer]:
    """Each demo principal as /api/v1/me describes it."""
    found = {}
    for principal in PRINCIPALS:
        me = api.get("/api/v1/me", headers=tokens.bearer(principal)).json()
        jurisdiction = me["jurisdiction"]["code"] if me["jurisdiction"] else None
        found[principal] = Viewer(principal, frozenset(me["roles"]), jurisdiction, me["sector"], me["unit"])
    return found


@pytest.fixture(scope="module")
def sample_units(api: httpx.Client, tokens: TokenBook) -> list[dict[str, Any]]:
    """The two demo units and a few of every city's, as the province admin sees them."""
    admin = tokens.bearer("admin")
    units = [api.get(f"/api/v1/units/{uscc}", headers=admin).json() for uscc in (DEMO_UNIT, DEMO_POSTAL)]
    for city in ("210100", "210200", "210300", "211400"):
        page = api.get("/api/v1/units", params={"jurisdiction": city, "limit": 3}, headers=admin).json()
        units += page["items"]
    for sector in ("postal", "commerce"):
        for area in ("210000", "210200"):
            criteria = {"sector": sector, "jurisdiction": area, "limit": 3}
            units += api.get("/api/v1/units", params=criteria, headers=admin).json()["items"]
    assert len({unit["uscc"] for unit in units}) >= 10
    return units


def walk(api: httpx.Client, headers: dict[str, str], **params: Any) -> Iterator[dict[str, Any]]:
    """Every item of a unit list, page after page (at most MAX_PAGES pages)."""
    cursor = None
    for _ in range(MAX_PAGES):
        query = {**params, "limit": 200} | ({"cursor": cursor} if cursor else {})
        response = api.get("/api/v1/units", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        yield from page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return


def test_the_demo_accounts_are_what_the_scope_rules_expect(viewers: dict[str, Viewer]) -> None:
    assert viewers["police-heping"].prefix == "210102"
    assert viewers["police-dalian"].prefix == "2102"
    assert viewers["regulator-postal"].sector == "postal"
    assert viewers["security-chief-demo"].unit == DEMO_UNIT
    assert viewers[SECTOR_CLIENT].roles == {"sector-system"}


@pytest.mark.parametrize("principal", DEMO_USERS)
def test_a_unit_outside_the_scope_is_404_on_every_unit_resource(
    principal: str,
    api: httpx.Client,
    tokens: TokenBook,
    viewers: dict[str, Viewer],
    sample_units: list[dict[str, Any]],
) -> None:
    viewer = viewers[principal]
    headers = tokens.bearer(principal)
    seen = 0
    for unit in sample_units:
        for resource in UNIT_RESOURCES:
            response = api.get(f"/api/v1/units/{unit['uscc']}{resource}", headers=headers)
            if viewer.sees(unit):
                assert response.status_code == 200, (principal, unit["uscc"], resource, response.text)
                seen += 1
            else:
                problem = assert_problem(response, 404)
                assert problem["type"] == "urn:neibao:problem:not-found"
    assert seen > 0, f"{principal} sees none of the sample units"


def test_the_matrix_of_the_two_demo_units(api: httpx.Client, tokens: TokenBook) -> None:
    """The cases issue 4 names, spelled out."""
    expected = {
        "admin": (200, 200),
        "police-shenyang": (200, 404),
        "police-heping": (200, 404),
        "police-dalian": (404, 200),
        "regulator-postal": (404, 200),  # the demo unit is commerce; the postal company is postal
        "regulator-commerce-dalian": (404, 404),  # commerce in Dalian: neither
        "security-chief-demo": (200, 404),
    }
    for principal, statuses in expected.items():
        answers = tuple(
            api.get(f"/api/v1/units/{uscc}", headers=tokens.bearer(principal)).status_code
            for uscc in (DEMO_UNIT, DEMO_POSTAL)
        )
        assert answers == statuses, principal


@pytest.mark.parametrize("principal", DEMO_USERS)
def test_lists_hold_no_foreign_row_whatever_the_filters(
    principal: str, api: httpx.Client, tokens: TokenBook, viewers: dict[str, Viewer]
) -> None:
    viewer = viewers[principal]
    headers = tokens.bearer(principal)
    filters: list[dict[str, Any]] = [
        {},
        {"jurisdiction": "210000"},
        {"jurisdiction": "210200"},  # Dalian: foreign to Shenyang's accounts
        {"jurisdiction": "210102"},  # Heping: foreign to Dalian's accounts
        {"sector": "postal"},
        {"sector": "commerce"},
        {"key_unit": "true"},
        {"uscc": DEMO_POSTAL},
        {"uscc": DEMO_UNIT},
        {"q": "有限公司"},
        {"q": "大连"},
        {"status": "active"},
    ]
    total = 0
    for criteria in filters:
        items = list(walk(api, headers, **criteria))
        foreign = [item["uscc"] for item in items if not viewer.sees(item)]
        assert not foreign, f"{principal} got foreign units {foreign[:5]} for {criteria}"
        total += len(items)
    assert total > 0, f"{principal} sees no unit at all"


def test_unit_security_lists_only_its_own_unit(api: httpx.Client, tokens: TokenBook) -> None:
    items = list(walk(api, tokens.bearer("security-chief-demo")))
    assert [item["uscc"] for item in items] == [DEMO_UNIT]


def test_police_of_a_district_see_all_of_it_and_nothing_else(api: httpx.Client, tokens: TokenBook) -> None:
    heping = {item["uscc"] for item in walk(api, tokens.bearer("police-heping"))}
    admins_view = {item["uscc"] for item in walk(api, tokens.bearer("admin"), jurisdiction="210102")}
    assert DEMO_UNIT in heping
    assert heping == admins_view


def test_a_regulator_sees_its_sector_only(api: httpx.Client, tokens: TokenBook) -> None:
    items = list(walk(api, tokens.bearer("regulator-postal")))
    assert DEMO_POSTAL in {item["uscc"] for item in items}
    assert DEMO_UNIT not in {item["uscc"] for item in items}
    assert all("postal" in item["sectors"] for item in items)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_principal_reads_the_jurisdictions(
    principal: str, api: httpx.Client, tokens: TokenBook
) -> None:
    headers = tokens.bearer(principal)
    tree = api.get("/api/v1/jurisdictions", headers=headers)
    heping = api.get("/api/v1/jurisdictions/210102", headers=headers)
    unknown = api.get("/api/v1/jurisdictions/219999", headers=headers)

    assert tree.status_code == 200, tree.text
    (province,) = tree.json()["items"]
    assert province["code"] == "210000"
    assert province["level"] == "province"
    assert len(province["children"]) == 14  # Liaoning's cities
    assert heping.status_code == 200
    assert heping.json()["name"] == "和平区"
    assert heping.json()["police_stations"]
    assert all(station["jurisdiction"] == "210102" for station in heping.json()["police_stations"])
    assert_problem(unknown, 404)


def test_a_subtree_of_the_jurisdictions(api: httpx.Client, tokens: TokenBook) -> None:
    response = api.get(
        "/api/v1/jurisdictions", params={"parent": "210100"}, headers=tokens.bearer("police-heping")
    )
    (shenyang,) = response.json()["items"]
    assert shenyang["code"] == "210100"
    assert "210102" in {child["code"] for child in shenyang["children"]}
    assert all(child["parent"] == "210100" for child in shenyang["children"])


@pytest.mark.parametrize(
    "principal",
    [
        "admin",
        "police-shenyang",
        "police-heping",
        "police-dalian",
        "regulator-postal",
        "regulator-commerce-dalian",
    ],
)
def test_submitter_health_lists_only_the_submitters_in_scope(
    principal: str, api: httpx.Client, tokens: TokenBook, viewers: dict[str, Viewer]
) -> None:
    """A submitter is placed by its sector and the division it is registered in (its USCC's 3rd-8th)."""
    everyone = api.get("/api/v1/exchange/submitters", headers=tokens.bearer("admin")).json()["items"]
    assert {item["client_id"] for item in everyone} >= {SECTOR_CLIENT}
    response = api.get("/api/v1/exchange/submitters", headers=tokens.bearer(principal))
    assert response.status_code == 200, response.text
    seen = {item["client_id"] for item in response.json()["items"]}
    expected = {
        item["client_id"]
        for item in everyone
        if viewers[principal].sees(
            {
                "uscc": item["organisation"],
                "jurisdiction": item["organisation"][2:8],
                "sectors": [item["sector"]],
            }
        )
    }
    assert seen == expected, principal
    for sector in ("postal", "commerce"):
        filtered = api.get(
            "/api/v1/exchange/submitters", params={"sector": sector}, headers=tokens.bearer(principal)
        ).json()["items"]
        assert {item["client_id"] for item in filtered} == {
            item["client_id"]
            for item in everyone
            if item["client_id"] in expected and item["sector"] == sector
        }


@pytest.fixture(scope="module")
def units_by_admin(api: httpx.Client, tokens: TokenBook) -> Any:
    """A unit as the province admin sees it (its jurisdiction and sectors), looked up once."""
    found: dict[str, dict[str, Any]] = {}

    def unit(uscc: str) -> dict[str, Any]:
        if uscc not in found:
            response = api.get(f"/api/v1/units/{uscc}", headers=tokens.bearer("admin"))
            assert response.status_code == 200, response.text
            found[uscc] = response.json()
        return found[uscc]

    return unit


@pytest.mark.parametrize("principal", DEMO_USERS)
def test_the_review_queue_and_movers_hold_no_foreign_row(
    principal: str, api: httpx.Client, tokens: TokenBook, viewers: dict[str, Viewer], units_by_admin: Any
) -> None:
    viewer = viewers[principal]
    headers = tokens.bearer(principal)
    queue = api.get("/api/v1/self-assessments", params={"limit": 200}, headers=headers)
    assert queue.status_code == 200, queue.text
    movers = api.get("/api/v1/rankings/movers", params={"limit": 20}, headers=headers)
    assert movers.status_code == 200, movers.text
    usccs = {item["uscc"] for item in queue.json()["items"]}
    usccs |= {entry["uscc"] for entry in movers.json()["up"] + movers.json()["down"]}
    foreign = sorted(uscc for uscc in usccs if not viewer.sees(units_by_admin(uscc)))
    assert not foreign, f"{principal} got foreign units {foreign[:5]}"
    if viewer.unit:
        assert usccs <= {viewer.unit}
