"""Resident ID number validation, birth date and sex, and check-character properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric

from neibao_codes import (
    IdentifierKind,
    InvalidIdentifier,
    Sex,
    is_valid_resident_id,
    resident_id_birth_date,
    resident_id_sex,
    validate_resident_id,
)

BEIJING_WOMAN = "11010519491231002X"
SHENYANG_MAN = "210102199003071233"

regions = st.sampled_from(["110105", "210102", "210202", "210100", "211402", "440305", "650102"])


def with_check(body: str) -> str:
    return body + stdnum_ric.calc_check_digit(body + "0")


@st.composite
def valid_ids(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    return with_check(f"{draw(regions)}{born:%Y%m%d}{sequence:03d}")


@pytest.mark.parametrize("number", [BEIJING_WOMAN, SHENYANG_MAN])
def test_domain_examples_are_valid(number: str) -> None:
    assert validate_resident_id(number) == number
    assert is_valid_resident_id(number)


def test_normalises_lower_case_x_spaces_and_full_width() -> None:
    assert validate_resident_id("110105 19491231 002x") == BEIJING_WOMAN
    assert validate_resident_id("２１０１０２１９９００３０７１２３３") == SHENYANG_MAN


def test_birth_date_and_sex() -> None:
    assert resident_id_birth_date(BEIJING_WOMAN) == dt.date(1949, 12, 31)
    assert resident_id_sex(BEIJING_WOMAN) is Sex.FEMALE
    assert resident_id_birth_date(SHENYANG_MAN) == dt.date(1990, 3, 7)
    assert resident_id_sex(SHENYANG_MAN) is Sex.MALE


def test_helpers_reject_invalid_numbers() -> None:
    with pytest.raises(InvalidIdentifier):
        resident_id_sex("210102199003071234")
    with pytest.raises(InvalidIdentifier):
        resident_id_birth_date("210102199003071234")


def test_region_code_abolished_or_created_after_birth_is_accepted() -> None:
    # 210102 和平区 is listed from 1983; people born there earlier hold 210102 numbers all the same.
    born_1960 = with_check("21010219600101123")
    assert validate_resident_id(born_1960) == born_1960
    # 210121 新民县 was abolished in 1993, but numbers issued with it remain valid.
    old_county = with_check("21012119700101123")
    assert validate_resident_id(old_county) == old_county


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("21010219900307123", "must be 18 characters, got 17"),
        ("210102900307123", "must be 18 characters, got 15"),
        ("2101021990030712A3", "first 17 characters must be digits"),
        ("21010219900307123Y", "last character must be a digit or X"),
        ("210102199003071234", "check character"),
        (with_check("21010219900230123"), "not a real birth date"),
        (with_check("99010219900307123"), "not a GB/T 2260 division code"),
        (with_check("21019919900307123"), "not a GB/T 2260 division code"),
    ],
)
def test_invalid_examples_say_why(raw: str, reason_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_resident_id(raw)
    assert caught.value.field_kind is IdentifierKind.RESIDENT_ID
    assert reason_part in caught.value.reason
    assert not is_valid_resident_id(raw)


def test_future_birth_date_is_rejected() -> None:
    number = with_check("21010220300101123")
    with pytest.raises(InvalidIdentifier, match="in the future"):
        validate_resident_id(number, today=dt.date(2026, 1, 1))
    assert validate_resident_id(number, today=dt.date(2031, 1, 1)) == number


def test_error_message_does_not_echo_the_number() -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_resident_id("210102199003071234")
    assert "210102199003071234" not in str(caught.value)


@given(valid_ids())
def test_body_with_stdnum_check_character_is_valid(number: str) -> None:
    assert validate_resident_id(number) == number


@given(valid_ids(), st.sampled_from("0123456789X"))
def test_wrong_check_character_is_rejected(number: str, replacement: str) -> None:
    if replacement == number[-1]:
        return
    with pytest.raises(InvalidIdentifier, match="check character"):
        validate_resident_id(number[:-1] + replacement)


@given(valid_ids())
def test_every_single_character_substitution_is_detected(number: str) -> None:
    for position in range(18):
        for char in "0123456789X":
            if char != number[position]:
                assert not is_valid_resident_id(number[:position] + char + number[position + 1 :])


@given(valid_ids())
def test_every_adjacent_transposition_is_detected(number: str) -> None:
    for position in range(17):
        a, b = number[position], number[position + 1]
        if a != b:
            assert not is_valid_resident_id(number[:position] + b + a + number[position + 2 :])
