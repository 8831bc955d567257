"""Licence plates per GA 36-2018."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neibao_codes import (
    IdentifierKind,
    InvalidIdentifier,
    PlateKind,
    is_valid_plate,
    plate_kind,
    validate_plate,
)
from neibao_codes.plate import LIAONING_AUTHORITY_LETTERS, PROVINCE_ABBREVIATIONS

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
serial_chars = st.sampled_from(LETTERS + "0123456789")
digits = st.sampled_from("0123456789")
new_energy_letters = st.sampled_from("ABCDEFGHJK")


def text(chars: st.SearchStrategy[str], size: int) -> st.SearchStrategy[str]:
    return st.lists(chars, min_size=size, max_size=size).map("".join)


@st.composite
def plates(draw: st.DrawFn) -> tuple[str, PlateKind]:
    province = draw(st.sampled_from(PROVINCE_ABBREVIATIONS))
    letters = LIAONING_AUTHORITY_LETTERS if province == "辽" else LETTERS
    prefix = province + draw(st.sampled_from(letters))
    kind = draw(st.sampled_from(PlateKind))
    if kind is PlateKind.ORDINARY:
        serial = draw(text(serial_chars, 5))
    elif kind is PlateKind.NEW_ENERGY_SMALL:
        serial = draw(new_energy_letters) + draw(serial_chars) + draw(text(digits, 4))
    elif kind is PlateKind.NEW_ENERGY_LARGE:
        serial = draw(text(digits, 5)) + draw(new_energy_letters)
    else:
        suffix = {PlateKind.TRAILER: "挂", PlateKind.COACH: "学", PlateKind.POLICE: "警"}[kind]
        serial = draw(text(serial_chars, 4)) + suffix
    return prefix + serial, kind


@pytest.mark.parametrize(
    ("raw", "plate", "kind"),
    [
        ("辽A12345", "辽A12345", PlateKind.ORDINARY),
        ("辽B3C45Z", "辽B3C45Z", PlateKind.ORDINARY),
        ("辽AD12345", "辽AD12345", PlateKind.NEW_ENERGY_SMALL),
        ("辽AFA1234", "辽AFA1234", PlateKind.NEW_ENERGY_SMALL),
        ("辽A12345D", "辽A12345D", PlateKind.NEW_ENERGY_LARGE),
        ("辽A1234挂", "辽A1234挂", PlateKind.TRAILER),
        ("辽A1234学", "辽A1234学", PlateKind.COACH),
        ("辽A0123警", "辽A0123警", PlateKind.POLICE),
        ("辽a·12345", "辽A12345", PlateKind.ORDINARY),
        (" 辽Ａ ＤＥ２３４ ", "辽ADE234", PlateKind.ORDINARY),
        ("辽a·de2345", "辽ADE2345", PlateKind.NEW_ENERGY_SMALL),
        ("粤B12345", "粤B12345", PlateKind.ORDINARY),
        ("京Q12345", "京Q12345", PlateKind.ORDINARY),
    ],
)
def test_valid_plates(raw: str, plate: str, kind: PlateKind) -> None:
    assert validate_plate(raw) == plate
    assert plate_kind(raw) is kind
    assert is_valid_plate(raw)


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("", "province abbreviation"),
        ("AA12345", "province abbreviation"),
        ("港A12345", "province abbreviation"),
        ("辽112345", "second character"),
        ("辽I12345", "second character"),
        ("辽Q12345", "Liaoning plates use the letters A-P"),
        ("辽A1234", "must be 7 characters"),
        ("辽AD123456", "must be 7 characters"),
        ("辽A12O45", "I and O"),
        ("辽AI12345", "I and O"),
        ("辽AD1234D", "new-energy"),
        ("辽AZ12345", "new-energy"),
        ("辽A1234Z5", "new-energy"),
        ("辽AF0A123", "new-energy"),
        ("辽AL12345", "new-energy"),
        ("辽A1234领", "last character"),
        ("辽A12挂45", "serial"),
    ],
)
def test_invalid_plates_say_why(raw: str, reason_part: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        validate_plate(raw)
    assert caught.value.field_kind is IdentifierKind.PLATE
    assert reason_part in caught.value.reason
    assert not is_valid_plate(raw)


@given(plates())
def test_generated_plates_are_valid_and_classified(case: tuple[str, PlateKind]) -> None:
    plate, kind = case
    assert validate_plate(plate) == plate
    assert validate_plate(validate_plate(plate)) == plate
    assert plate_kind(plate) is kind


@given(plates(), st.sampled_from("IO"), st.data())
def test_i_or_o_anywhere_in_the_serial_is_rejected(
    case: tuple[str, PlateKind], letter: str, data: st.DataObject
) -> None:
    plate, _ = case
    position = data.draw(st.integers(min_value=2, max_value=len(plate) - 1))
    assert not is_valid_plate(plate[:position] + letter + plate[position + 1 :])
