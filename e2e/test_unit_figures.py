"""Dossier figures end to end through the running gateway with the demo accounts: key units, filing rate,
drills and hazards overdue, counted within each account's scope, by jurisdiction or by sector.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import TokenBook
from .support import SECTOR_CLIENT, assert_problem

FIGURES = "/api/v1/figures/units"
COUNTS = (
    "units",
    "key_units",
    "key_units_filed",
    "drills_overdue",
    "hazards_overdue",
    "units_hazards_overdue",
)
# What e2e runs do not change (they register plain units, not key units), so two reads can be compared.
KEY_UNIT_COUNTS = ("key_units", "key_units_filed", "drills_overdue")
CITIES = {f"21{n:02d}00" for n in range(1, 15)}


def figures(api: httpx.Client, tokens: TokenBook, principal: str, **params: str) -> dict[str, Any]:
    response = api.get(FIGURES, params=params, headers=tokens.bearer(principal))
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def rows_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in document["rows"]}


def key_unit_counts(row: dict[str, Any]) -> dict[str, int]:
    return {name: row[name] for name in KEY_UNIT_COUNTS}


def assert_adds_up(document: dict[str, Any]) -> None:
    """The total is the rows' sum, and its filing rate its own quotient."""
    total = document["total"]
    assert total["key"] is None
    for name in COUNTS:
        assert total[name] == sum(row[name] for row in document["rows"]), name
    for row in (total, *document["rows"]):
        expected = row["key_units_filed"] / row["key_units"] if row["key_units"] else 0.0
        assert row["filing_rate"] == pytest.approx(expected)


def test_the_province_by_city_and_the_demo_province_has_every_figure(
    api: httpx.Client, tokens: TokenBook
) -> None:
    province = figures(api, tokens, "admin")
    assert_adds_up(province)
    assert set(rows_of(province)) <= CITIES
    assert {"210100", "210200"} <= set(rows_of(province))
    total = province["total"]
    # The demo province: key units, some filed and some not, drills and hazards overdue.
    assert 0 < total["key_units_filed"] < total["key_units"] < total["units"]
    assert total["drills_overdue"] > 0
    assert total["hazards_overdue"] >= total["units_hazards_overdue"] > 0


def test_police_see_their_jurisdiction_one_level_down_and_nothing_outside_it(
    api: httpx.Client, tokens: TokenBook
) -> None:
    cities = rows_of(figures(api, tokens, "admin"))
    shenyang = figures(api, tokens, "police-shenyang")
    assert_adds_up(shenyang)
    assert shenyang["rows"]
    assert all(key.startswith("2101") and key != "210100" for key in rows_of(shenyang))
    assert key_unit_counts(shenyang["total"]) == key_unit_counts(cities["210100"])
    heping = figures(api, tokens, "police-heping")
    assert list(rows_of(heping)) == ["210102"]
    assert key_unit_counts(heping["total"]) == key_unit_counts(rows_of(shenyang)["210102"])
    dalian = figures(api, tokens, "police-dalian")
    assert all(key.startswith("2102") for key in rows_of(dalian))
    assert key_unit_counts(dalian["total"]) == key_unit_counts(cities["210200"])
    # Asking for Shenyang as Dalian's police counts nothing of Shenyang.
    foreign = figures(api, tokens, "police-dalian", jurisdiction="210100")
    assert foreign["rows"] == []
    assert foreign["total"]["units"] == 0


def test_key_units_are_the_key_units_the_list_shows(api: httpx.Client, tokens: TokenBook) -> None:
    listed: list[dict[str, Any]] = []
    params: dict[str, str] = {"key_unit": "true", "status": "active", "limit": "200"}
    while True:
        page = api.get("/api/v1/units", params=params, headers=tokens.bearer("police-heping")).json()
        listed += page["items"]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert listed
    assert figures(api, tokens, "police-heping")["total"]["key_units"] == len(listed)


def test_regulators_count_their_sector_only(api: httpx.Client, tokens: TokenBook) -> None:
    postal = figures(api, tokens, "regulator-postal", group_by="sector")
    assert_adds_up(postal)
    as_admin = figures(api, tokens, "admin", sector="postal", group_by="sector")
    assert key_unit_counts(postal["total"]) == key_unit_counts(as_admin["total"])
    assert postal["total"]["key_units"] > 0
    assert "postal" in rows_of(postal)
    # Rows are lead sectors: a unit regulated by the postal bureau may lead with another sector.
    commerce_dalian = figures(api, tokens, "regulator-commerce-dalian")
    assert all(key.startswith("2102") for key in rows_of(commerce_dalian))
    expected = figures(api, tokens, "admin", jurisdiction="210200", sector="commerce")
    assert key_unit_counts(commerce_dalian["total"]) == key_unit_counts(expected["total"])
    assert (
        commerce_dalian["total"]["units"]
        < figures(api, tokens, "admin", jurisdiction="210200")["total"]["units"]
    )


@pytest.mark.parametrize("principal", ["security-chief-demo", SECTOR_CLIENT])
def test_unit_staff_and_sector_systems_may_not(api: httpx.Client, tokens: TokenBook, principal: str) -> None:
    assert_problem(api.get(FIGURES, headers=tokens.bearer(principal)), 403)


def test_bad_criteria_are_named(api: httpx.Client, tokens: TokenBook) -> None:
    problem = assert_problem(
        api.get(FIGURES, params={"group_by": "city", "jurisdiction": "21"}, headers=tokens.bearer("admin")),
        400,
    )
    assert {error["pointer"] for error in problem["errors"]} == {"/group_by", "/jurisdiction"}
    assert_problem(api.get(FIGURES), 401)
