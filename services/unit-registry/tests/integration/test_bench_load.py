"""The benchmark loader: units loaded by COPY are found like registered ones (name fragments, jurisdiction,
scope), stay unique over a second load, and carry their key-unit designations."""

from __future__ import annotations

import random

from google.protobuf.field_mask_pb2 import FieldMask

from neibao.unitregistry.v1 import unit_pb2
from neibao_codes import is_valid_uscc
from unit_registry.demo.bulk import load_bench_units
from unit_registry.domain.search import normalise_search_text

from .conftest import Registry, unit_fields


def assert_postings_in_step(registry: Registry) -> None:
    """The postings lists read are exactly the terms of the unit rows (kept by migration 0004's triggers)."""
    postings = registry.rows("SELECT term, uscc, jurisdiction FROM unit_search_term")
    expected = registry.rows(
        "SELECT t, uscc, jurisdiction FROM unit,"
        " unit_search_terms(search_tokens, sectors, key_unit, jurisdiction) AS t"
    )
    assert sorted(postings) == sorted(expected)
    assert {term for term, _, _ in postings} >= {
        "key_unit:true",
        "key_unit:false",
        "sector:commerce",
        "city:2101",
    }


async def _usccs(registry: Registry, user: str, **query: object) -> list[str]:
    page = await registry.units.ListUnits(
        unit_pb2.ListUnitsRequest(limit=200, **query), metadata=registry.auth(user)
    )
    return [unit.uscc for unit in page.items]


async def test_loaded_units_are_found_by_fragment_jurisdiction_and_scope(registry: Registry) -> None:
    report = load_bench_units(registry.database_url, 2000, workers=2, batch=600)
    assert report.units == 2000
    rows = registry.rows("SELECT uscc, name, jurisdiction, key_unit FROM unit ORDER BY uscc")
    usccs = [row[0] for row in rows]
    assert len(set(usccs)) == 2000
    assert all(is_valid_uscc(uscc) for uscc in usccs)
    assert {row[2][:4] for row in rows} >= {"2101", "2102", "2103"}
    assert sum(1 for row in rows if row[3]) == report.key_units > 0
    assert registry.count("SELECT count(*) FROM key_unit_designation") == report.key_units + report.proposals
    assert_postings_in_step(registry)

    rng = random.Random(7)
    for _, name, _, _ in rng.sample(rows, 12):
        length = rng.choice((2, 3, 4))
        start = rng.randrange(len(name) - length + 1)
        fragment = normalise_search_text(name[start : start + length])
        expected = [row[0] for row in rows if fragment in normalise_search_text(row[1])]
        assert await _usccs(registry, "admin", q=fragment) == expected[:200], fragment
        shenyang = [uscc for uscc, _, jurisdiction, _ in rows if jurisdiction.startswith("2101")]
        found = await _usccs(registry, "police-shenyang", q=fragment)
        assert found == [uscc for uscc in expected if uscc in set(shenyang)][:200], fragment

    dalian = [row[0] for row in rows if row[2].startswith("2102")]
    assert await _usccs(registry, "police-dalian") == dalian[:200]
    assert await _usccs(registry, "admin", jurisdiction="210200") == dalian[:200]
    # Keyset pages through a term's postings: each page follows the last, nothing skipped or repeated.
    paged: list[str] = []
    cursor = ""
    for _ in range(3):
        page = await registry.units.ListUnits(
            unit_pb2.ListUnitsRequest(limit=7, cursor=cursor, q=rows[0][1][-2:]),
            metadata=registry.auth("police-dalian"),
        )
        paged += [unit.uscc for unit in page.items]
        cursor = page.next_cursor
        if not cursor:
            break
    suffix = normalise_search_text(rows[0][1][-2:])
    assert (
        paged
        == [r[0] for r in rows if r[2].startswith("2102") and suffix in normalise_search_text(r[1])][:21]
    )
    heping = [row[0] for row in rows if row[2] == "210102"]
    assert await _usccs(registry, "police-heping") == heping[:200]
    banks = registry.rows(
        "SELECT uscc FROM unit WHERE 'banking' = ANY(sectors) AND key_unit AND jurisdiction LIKE '2101%%'"
        " ORDER BY uscc"
    )
    found = await _usccs(registry, "police-shenyang", sector=unit_pb2.SECTOR_BANKING, key_unit=True)
    assert found == [row[0] for row in banks][:200]


async def test_a_second_load_adds_new_units_and_registered_ones_are_searchable_alike(
    registry: Registry,
) -> None:
    load_bench_units(registry.database_url, 300, workers=1)
    again = load_bench_units(registry.database_url, 200, workers=1, batch=64)
    assert again.units == 200
    assert registry.count("SELECT count(DISTINCT uscc) FROM unit") == 500
    await registry.create(
        "admin",
        **unit_fields(
            "91210102000000001A",
            "沈阳琥珀巷测试商贸有限公司",
            "210102",
            unit_pb2.UNIT_TYPE_ENTERPRISE,
            unit_pb2.SECTOR_COMMERCE,
        ),
    )
    assert await _usccs(registry, "police-heping", q="琥珀") == ["91210102000000001A"]
    assert await _usccs(registry, "admin", q="琥珀巷测") == ["91210102000000001A"]
    assert await _usccs(registry, "police-dalian", q="琥珀") == []
    # A rename reaches the bigrams through the update trigger; the former name stays searchable.
    await registry.units.UpdateUnit(
        unit_pb2.UpdateUnitRequest(
            uscc="91210102000000001A",
            version=1,
            update_mask=FieldMask(paths=["name"]),
            name="沈阳翡翠巷测试商贸有限公司",
        ),
        metadata=registry.auth("admin"),
    )
    assert await _usccs(registry, "admin", q="翡翠巷") == ["91210102000000001A"]
    assert await _usccs(registry, "admin", q="琥珀巷") == ["91210102000000001A"]
    assert_postings_in_step(registry)
