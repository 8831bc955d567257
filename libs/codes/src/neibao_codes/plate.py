"""Motor vehicle licence plates (机动车号牌, GA 36-2018), civil plates only."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from neibao_codes._text import compact
from neibao_codes.errors import IdentifierKind, InvalidIdentifier

# The 31 mainland province-level abbreviations that start a civil plate.
PROVINCE_ABBREVIATIONS: Final = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# DOMAIN.md: Liaoning's issuing-authority letters are A-P without I and O.
LIAONING_AUTHORITY_LETTERS: Final = "ABCDEFGHJKLMNP"

_KIND = IdentifierKind.PLATE
_LETTER = "A-HJ-NP-Z"  # I and O are never used: they read as 1 and 0
_SERIAL = f"[{_LETTER}0-9]"
_NEW_ENERGY = "A-HJK"  # D/A/B/C/E pure electric, F/G/H/J/K other new-energy
_SEPARATORS = " ·•・-."


class PlateKind(StrEnum):
    """The GA 36-2018 plate form a number matches."""

    ORDINARY = "ordinary"
    NEW_ENERGY_SMALL = "new_energy_small"
    NEW_ENERGY_LARGE = "new_energy_large"
    TRAILER = "trailer"
    COACH = "coach"
    POLICE = "police"


# The serial after province and authority letter, per form.
_FORMS: Final = (
    (PlateKind.ORDINARY, re.compile(f"{_SERIAL}{{5}}")),
    (PlateKind.NEW_ENERGY_SMALL, re.compile(f"[{_NEW_ENERGY}]{_SERIAL}[0-9]{{4}}")),
    (PlateKind.NEW_ENERGY_LARGE, re.compile(f"[0-9]{{5}}[{_NEW_ENERGY}]")),
    (PlateKind.TRAILER, re.compile(f"{_SERIAL}{{4}}挂")),
    (PlateKind.COACH, re.compile(f"{_SERIAL}{{4}}学")),
    (PlateKind.POLICE, re.compile(f"{_SERIAL}{{4}}警")),
)
_AUTHORITY = re.compile(f"[{_LETTER}]")


def _classify(value: str) -> tuple[str, PlateKind]:
    plate = compact(value, _SEPARATORS)
    if not plate or plate[0] not in PROVINCE_ABBREVIATIONS:
        raise InvalidIdentifier(_KIND, "must start with a province abbreviation such as 辽")
    if len(plate) < 2 or not _AUTHORITY.fullmatch(plate[1]):
        raise InvalidIdentifier(_KIND, "the second character must be a letter A-Z other than I and O")
    if plate[0] == "辽" and plate[1] not in LIAONING_AUTHORITY_LETTERS:
        raise InvalidIdentifier(_KIND, "Liaoning plates use the letters A-P (not I or O) after 辽")
    if len(plate) not in (7, 8):
        raise InvalidIdentifier(_KIND, f"must be 7 characters (8 for new-energy vehicles), got {len(plate)}")
    if "I" in plate or "O" in plate:
        raise InvalidIdentifier(_KIND, "the letters I and O are not used on plates")
    serial = plate[2:]
    for kind, form in _FORMS:
        if form.fullmatch(serial):
            return plate, kind
    if len(plate) == 8:
        raise InvalidIdentifier(
            _KIND,
            "new-energy plates are a letter A-K (not I) then 5 characters ending in 4 digits "
            "(small, 辽AD12345), or 5 digits then a letter A-K (large, 辽A12345D)",
        )
    suffix = plate[-1]
    if not ("0" <= suffix <= "9" or "A" <= suffix <= "Z" or suffix in "挂学警"):
        raise InvalidIdentifier(_KIND, "the last character must be a digit, a letter, 挂, 学 or 警")
    raise InvalidIdentifier(_KIND, "the serial must be 5 digits or letters, or 4 followed by 挂, 学 or 警")


def validate_plate(value: str) -> str:
    """Return the normalised plate (no separators, upper-case) or raise InvalidIdentifier."""
    return _classify(value)[0]


def is_valid_plate(value: str) -> bool:
    """True when `validate_plate` would accept the value."""
    try:
        validate_plate(value)
    except InvalidIdentifier:
        return False
    return True


def plate_kind(value: str) -> PlateKind:
    """The form of a valid plate: ordinary, new-energy small or large, trailer, coach or police."""
    return _classify(value)[1]
