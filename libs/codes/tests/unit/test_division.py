"""GB/T 2260 division codes: validation, level, jurisdiction prefix, names, versions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neibao_codes import (
    LIAONING,
    LIAONING_CITIES,
    DivisionLevel,
    IdentifierKind,
    InvalidIdentifier,
    division_level,
    division_name,
    in_jurisdiction,
    is_known_division_code,
    is_valid_division_code,
    jurisdiction_prefix,
    validate_division_code,
)


@pytest.mark.parametrize(
    ("code", "level", "prefix", "name"),
    [
        ("210000", DivisionLevel.PROVINCE, "21", "辽宁省"),
        ("210100", DivisionLevel.CITY, "2101", "沈阳市"),
        ("210102", DivisionLevel.COUNTY, "210102", "和平区"),
        ("210112", DivisionLevel.COUNTY, "210112", "浑南区"),
        ("210202", DivisionLevel.COUNTY, "210202", "中山区"),
        ("211421", DivisionLevel.COUNTY, "211421", "绥中县"),
        ("110105", DivisionLevel.COUNTY, "110105", "朝阳区"),
        ("110000", DivisionLevel.PROVINCE, "11", "北京市"),
    ],
)
def test_level_prefix_and_name(code: str, level: DivisionLevel, prefix: str, name: str) -> None:
    assert validate_division_code(code) == code
    assert division_level(code) is level
    assert jurisdiction_prefix(code) == prefix
    assert division_name(code) == name


def test_liaoning_has_the_fourteen_cities_named_in_the_bundled_table() -> None:
    assert division_name(LIAONING) == "辽宁省"
    assert len(LIAONING_CITIES) == 14
    for code, name in LIAONING_CITIES.items():
        assert division_level(code) is DivisionLevel.CITY
        assert division_name(code) == name
        assert in_jurisdiction(code, LIAONING)


def test_names_follow_the_year_they_were_in_force() -> None:
    assert division_name("210112", year=2000) == "东陵区"
    assert division_name("210112", year=2014) == "浑南区"
    assert division_name("210200", year=1975) == "旅大市"
    assert division_name("210200") == "大连市"


def test_abolished_code_is_valid_only_for_its_years() -> None:
    # 210121 新民县 became 新民市 (210181) in 1993.
    assert not is_valid_division_code("210121")
    assert is_valid_division_code("210121", year=1990)
    assert division_name("210121", year=1990) == "新民县"
    assert is_known_division_code("210121")
    with pytest.raises(InvalidIdentifier, match="in force now"):
        validate_division_code("210121")
    # 210115 辽中区 exists only from 2016.
    assert not is_valid_division_code("210115", year=2010)
    assert division_name("210115") == "辽中区"


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("21010", "6 digits"),
        ("2101020", "6 digits"),
        ("21010A", "6 digits"),
        ("２１０１０２x", "6 digits"),
        ("000000", "province part"),
        ("210010", "city part 00"),
        ("219900", "not a GB/T 2260 division code"),
        ("990000", "not a GB/T 2260 division code"),
    ],
)
def test_invalid_codes_say_why(raw: str, reason_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_division_code(raw)
    assert caught.value.field_kind is IdentifierKind.DIVISION_CODE
    assert reason_part in caught.value.reason


def test_full_width_digits_are_accepted() -> None:
    assert validate_division_code("２１０１０２") == "210102"


def test_structure_only_helpers_reject_malformed_codes() -> None:
    with pytest.raises(InvalidIdentifier):
        jurisdiction_prefix("21")
    with pytest.raises(InvalidIdentifier):
        division_level("210010")
    assert not is_known_division_code("abc")


def test_in_jurisdiction() -> None:
    assert in_jurisdiction("210102", "210000")
    assert in_jurisdiction("210102", "210100")
    assert in_jurisdiction("210102", "210102")
    assert in_jurisdiction("210100", "210100")
    assert not in_jurisdiction("210202", "210100")
    assert not in_jurisdiction("210100", "210102")
    assert not in_jurisdiction("110105", "210000")
    # a code newer than the bundled table still scopes by structure
    assert in_jurisdiction("210199", "210100")


def _liaoning_codes_in_force() -> list[str]:
    codes = []
    for city in range(1, 15):
        for county in range(100):
            code = f"21{city:02d}{county:02d}"
            if is_valid_division_code(code):
                codes.append(code)
    return codes


LIAONING_CODES = _liaoning_codes_in_force()


def test_liaoning_counties_in_force_are_many() -> None:
    # sanity: the bundled table knows Liaoning's ~100 county-level divisions
    counties = [code for code in LIAONING_CODES if division_level(code) is DivisionLevel.COUNTY]
    assert len(counties) > 90


@given(st.sampled_from(LIAONING_CODES))
def test_every_code_is_within_its_city_and_province(code: str) -> None:
    prefix = jurisdiction_prefix(code)
    assert code.startswith(prefix)
    assert in_jurisdiction(code, code)
    assert in_jurisdiction(code, LIAONING)
    assert in_jurisdiction(code, code[:4] + "00")
    assert not in_jurisdiction(code, "110000")
    assert division_name(code)
