"""Unit lists through the list view (the city-partitioned postings of migrations 0004 and 0005): for every
demo account and many fragments and filters, page after page, exactly the units a scan of every unit row
would list, in USCC order, and never a unit outside the account's scope."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from neibao.unitregistry.v1 import unit_pb2
from unit_registry.demo.bulk import load_bench_units
from unit_registry.domain.search import normalise_search_text

from .conftest import HEPING_SHOP, Registry

PAGE = 7
PAGES = 4


@dataclass(frozen=True)
class Row:
    uscc: str
    names: tuple[str, ...]
    jurisdiction: str
    sectors: tuple[str, ...]
    key_unit: bool


# What each demo account may see (ARCHITECTURE.md, "Identity and scope"), as a test on the unit row.
SCOPES: dict[str, Callable[[Row], bool]] = {
    "admin": lambda row: True,
    "police-shenyang": lambda row: row.jurisdiction.startswith("2101"),
    "police-heping": lambda row: row.jurisdiction == "210102",
    "police-dalian": lambda row: row.jurisdiction.startswith("2102"),
    "regulator-postal": lambda row: "postal" in row.sectors,
    "regulator-commerce-dalian": lambda row: (
        row.jurisdiction.startswith("2102") and "commerce" in row.sectors
    ),
    "security-chief-demo": lambda row: row.uscc == HEPING_SHOP,
}
SECTORS = {"postal": unit_pb2.SECTOR_POSTAL, "commerce": unit_pb2.SECTOR_COMMERCE}


async def _pages(registry: Registry, user: str, **query: object) -> list[str]:
    """The USCCs of the first pages of a listing, each page asked with the cursor of the one before."""
    found: list[str] = []
    cursor = ""
    for _ in range(PAGES):
        page = await registry.units.ListUnits(
            unit_pb2.ListUnitsRequest(limit=PAGE, cursor=cursor, **query), metadata=registry.auth(user)
        )
        found += [unit.uscc for unit in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    return found


def _queries(rows: list[Row], rng: random.Random) -> list[dict[str, object]]:
    """Name fragments of 1 to 4 characters (some from other cities' names), alone and with filters."""
    queries: list[dict[str, object]] = []
    for row in rng.sample(rows, 14):
        name = row.names[0]
        length = rng.choice((1, 2, 2, 3, 4))
        start = rng.randrange(len(name) - length + 1)
        queries.append({"q": name[start : start + length]})
    queries += [
        {"q": "有限公司"},
        {"q": "公司", "sector": "postal"},
        {"q": "沈阳", "key_unit": True},
        {"q": "大连", "jurisdiction": "210200"},
        {"sector": "commerce", "key_unit": False},
        {"sector": "postal", "key_unit": True},
        {"jurisdiction": "210100"},
        {"jurisdiction": "210102"},
        {"key_unit": True},
        {},
    ]
    return queries


def _expected(rows: list[Row], allowed: Callable[[Row], bool], query: dict[str, object]) -> list[str]:
    fragment = normalise_search_text(str(query.get("q", "")))
    prefix = str(query.get("jurisdiction", "")).rstrip("0")
    if len(prefix) % 2:
        prefix += "0"
    return [
        row.uscc
        for row in rows
        if allowed(row)
        and any(fragment in normalise_search_text(name) for name in row.names)
        and row.jurisdiction.startswith(prefix)
        and ("sector" not in query or query["sector"] in row.sectors)
        and ("key_unit" not in query or query["key_unit"] == row.key_unit)
    ][: PAGE * PAGES]


def _request(query: dict[str, object]) -> dict[str, object]:
    request = dict(query)
    if "sector" in request:
        request["sector"] = SECTORS[str(request["sector"])]
    return request


async def test_every_account_lists_exactly_the_matching_units_of_its_scope(populated: Registry) -> None:
    load_bench_units(populated.database_url, 1500, workers=1, batch=500)
    rows = [
        Row(uscc, (name, *former), jurisdiction, tuple(sectors), key_unit)
        for uscc, name, former, jurisdiction, sectors, key_unit in populated.rows(
            "SELECT uscc, name, former_names, jurisdiction, sectors, key_unit FROM unit ORDER BY uscc"
        )
    ]
    queries = _queries(rows, random.Random(4))
    for user, allowed in SCOPES.items():
        for query in queries:
            found = await _pages(populated, user, **_request(query))
            assert found == _expected(rows, allowed, query), (user, query)
            foreign = [row.uscc for row in rows if row.uscc in set(found) and not allowed(row)]
            assert not foreign, (user, query)


async def test_a_fragment_with_like_wildcards_matches_only_itself(populated: Registry) -> None:
    await populated.units.UpdateUnit(
        unit_pb2.UpdateUnitRequest(
            uscc=HEPING_SHOP,
            version=1,
            update_mask={"paths": ["name"]},
            name="沈阳太原街100%_商贸中心有限公司",
        ),
        metadata=populated.auth("admin"),
    )
    assert await _pages(populated, "admin", q="0%_商") == [HEPING_SHOP]
    assert await _pages(populated, "admin", q="街_") == []
    assert await _pages(populated, "admin", q="%") == [HEPING_SHOP]
    assert await _pages(populated, "police-dalian", q="0%_商") == []
