"""Divisions from GB/T 2260 with validity dates, the tree, and the generated demo data."""

from __future__ import annotations

from datetime import date

from neibao_codes import LIAONING_CITIES, is_valid_uscc
from unit_registry.adapters.db.reference import liaoning_divisions, parse_periods
from unit_registry.demo.stations import stations_for
from unit_registry.demo.units import DEMO_EXPRESS_USCC, DEMO_UNIT_USCC, generate_units
from unit_registry.domain.enums import Sector
from unit_registry.domain.jurisdiction import Division, DivisionLevel, build_tree

TODAY = date(2025, 6, 1)


def test_periods_become_versions() -> None:
    versions = parse_periods("210112", "[1983-2013]东陵区,[2014-]浑南区")
    assert versions == [
        Division("210112", "东陵区", date(1983, 1, 1), date(2013, 12, 31)),
        Division("210112", "浑南区", date(2014, 1, 1), None),
    ]
    assert [v.name for v in versions if v.in_force(date(2010, 1, 1))] == ["东陵区"]
    assert parse_periods("210311", "[1983-1982]郊区,[1996-]千山区") == [
        Division("210311", "千山区", date(1996, 1, 1), None)
    ]


def test_the_tree_has_the_14_cities_in_force() -> None:
    divisions = liaoning_divisions()
    tree = build_tree("210000", divisions, [], TODAY)
    assert tree is not None
    assert {c.division.code: c.division.name for c in tree.children} == dict(LIAONING_CITIES)
    shenyang = next(c for c in tree.children if c.division.code == "210100")
    names = {c.division.name for c in shenyang.children}
    assert {"和平区", "浑南区", "沈北新区"} <= names
    assert not names & {"东陵区", "市辖区", "新城子区"}
    assert all(c.division.level is DivisionLevel.COUNTY for c in shenyang.children)


def test_stations_are_deterministic_three_to_eight_per_county() -> None:
    heping = Division("210102", "和平区")
    first, again = stations_for(heping, "沈阳市"), stations_for(heping, "沈阳市")
    assert first == again
    assert 3 <= len(first) <= 8
    assert all(s.code.startswith("210102") and s.name.endswith("派出所") for s in first)
    county = stations_for(Division("210123", "康平县"), "沈阳市")
    assert all(s.name.endswith(("镇派出所", "城关派出所")) for s in county)


def test_generated_units_are_valid_deterministic_and_include_the_demo_units() -> None:
    divisions = liaoning_divisions()
    counties = [d for d in divisions if d.in_force(TODAY) and d.registrable]
    cities = {d.code: d.name for d in divisions if d.in_force(TODAY) and d.level is DivisionLevel.CITY}
    units = generate_units(300, counties, cities, {})
    assert len(units) == 302
    assert [d.unit.uscc for d in units] == [d.unit.uscc for d in generate_units(300, counties, cities, {})]
    assert all(is_valid_uscc(d.unit.uscc) for d in units)
    assert len({d.unit.uscc for d in units}) == 302
    by_uscc = {d.unit.uscc: d for d in units}
    assert by_uscc[DEMO_UNIT_USCC].unit.jurisdiction == "210102"
    assert by_uscc[DEMO_EXPRESS_USCC].unit.sector is Sector.POSTAL
    assert len({d.unit.jurisdiction[:4] for d in units}) == 14
