"""USCC validation: examples and check-character properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from neibao_codes import IdentifierKind, InvalidIdentifier, is_valid_uscc, validate_uscc
from neibao_codes.uscc import USCC_ALPHABET

VALID = "91210102MA0LN001X3"

alphabet_chars = st.sampled_from(USCC_ALPHABET)
digits = st.sampled_from("0123456789")


@st.composite
def uscc_bodies(draw: st.DrawFn) -> str:
    """17 characters shaped like a USCC without its check character."""
    head = "".join(draw(st.lists(alphabet_chars, min_size=2, max_size=2)))
    division = "".join(draw(st.lists(digits, min_size=6, max_size=6)))
    organisation = "".join(draw(st.lists(alphabet_chars, min_size=9, max_size=9)))
    return head + division + organisation


@st.composite
def valid_usccs(draw: st.DrawFn) -> str:
    body = draw(uscc_bodies())
    return body + stdnum_uscc.calc_check_digit(body)


def test_domain_example_is_valid() -> None:
    assert validate_uscc(VALID) == VALID
    assert is_valid_uscc(VALID)


@pytest.mark.parametrize(
    "raw",
    ["91210102ma0ln001x3", " 9121 0102-MA0L N001X3 ", "９１２１０１０２ＭＡ０ＬＮ００１Ｘ３"],
)
def test_normalises_case_separators_and_full_width(raw: str) -> None:
    assert validate_uscc(raw) == VALID


def test_letters_allowed_in_authority_and_type_positions() -> None:
    # GB 32100 lets positions 1-2 be letters (e.g. N2 rural collectives); stdnum's validate does not.
    body = "N2210102MA0LN001X"
    code = body + stdnum_uscc.calc_check_digit(body)
    assert validate_uscc(code) == code


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("91210102MA0LN001X", "must be 18 characters, got 17"),
        ("91210102MA0LN001X33", "must be 18 characters, got 19"),
        ("", "must be 18 characters, got 0"),
        ("91210102MA0LN001I3", "character 17 ('I') is not allowed"),
        ("91210102MA0LN0O1X3", "character 15 ('O') is not allowed"),
        ("912101Z2MA0LN001X3", "character 7 ('Z') is not allowed"),
        ("91A10102MA0LN001X3", "characters 3-8"),
        ("91210102MA0LN001X4", "check character"),
    ],
)
def test_invalid_examples_say_why(raw: str, reason_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_uscc(raw)
    assert caught.value.field_kind is IdentifierKind.USCC
    assert reason_part in caught.value.reason
    assert isinstance(caught.value, ValueError)
    assert not is_valid_uscc(raw)


@given(uscc_bodies())
def test_body_with_stdnum_check_character_is_valid(body: str) -> None:
    code = body + stdnum_uscc.calc_check_digit(body)
    assert validate_uscc(code) == code


@given(valid_usccs(), alphabet_chars)
def test_wrong_check_character_is_rejected(code: str, replacement: str) -> None:
    if replacement == code[-1]:
        return
    with pytest.raises(InvalidIdentifier, match="check character"):
        validate_uscc(code[:-1] + replacement)


@given(valid_usccs())
def test_every_single_character_substitution_is_detected(code: str) -> None:
    for position in range(18):
        for char in USCC_ALPHABET:
            if char != code[position]:
                assert not is_valid_uscc(code[:position] + char + code[position + 1 :])


@given(valid_usccs())
def test_every_adjacent_transposition_is_detected(code: str) -> None:
    for position in range(17):
        a, b = code[position], code[position + 1]
        if a != b:
            assert not is_valid_uscc(code[:position] + b + a + code[position + 2 :])
