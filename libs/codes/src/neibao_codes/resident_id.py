"""居民身份证号码 (resident identity number, GB 11643-1999). Personal data: never log the value."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from stdnum.cn import ric as _stdnum_ric
from stdnum.exceptions import ValidationError as _StdnumValidationError

from neibao_codes._text import compact, is_ascii_digits
from neibao_codes.division import is_known_division_code
from neibao_codes.errors import IdentifierKind, InvalidIdentifier

_KIND = IdentifierKind.RESIDENT_ID


class Sex(StrEnum):
    """Sex as encoded in the 17th digit (odd: male, even: female)."""

    MALE = "male"
    FEMALE = "female"


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number (upper-case X) or raise InvalidIdentifier."""
    number = compact(value, " -")
    if len(number) != 18:
        raise InvalidIdentifier(_KIND, f"must be 18 characters, got {len(number)}")
    if not is_ascii_digits(number[:17]):
        raise InvalidIdentifier(_KIND, "the first 17 characters must be digits")
    if not (is_ascii_digits(number[17]) or number[17] == "X"):
        raise InvalidIdentifier(_KIND, "the last character must be a digit or X")
    if number[17] != _stdnum_ric.calc_check_digit(number):
        raise InvalidIdentifier(_KIND, "the check character (18th) does not match the first 17 digits")
    try:
        born = _stdnum_ric.get_birth_date(number)
    except _StdnumValidationError:
        raise InvalidIdentifier(_KIND, "characters 7-14 are not a real birth date (YYYYMMDD)") from None
    if born > (today or dt.date.today()):
        raise InvalidIdentifier(_KIND, "the birth date (characters 7-14) is in the future")
    # stdnum.cn.ric.validate wants the region code in force in the birth year, which rejects real
    # numbers: codes were assigned at registration (e.g. 210102 和平区 exists from 1983, yet people born
    # in 1960 there hold 210102...). So any code the table has ever listed is accepted.
    if not is_known_division_code(number[:6]):
        raise InvalidIdentifier(_KIND, "characters 1-6 are not a GB/T 2260 division code")
    return number


def is_valid_resident_id(value: str) -> bool:
    """True when `validate_resident_id` would accept the value."""
    try:
        validate_resident_id(value)
    except InvalidIdentifier:
        return False
    return True


def resident_id_birth_date(value: str) -> dt.date:
    """The birth date encoded in a valid resident ID number."""
    number = validate_resident_id(value)
    return _stdnum_ric.get_birth_date(number)


def resident_id_sex(value: str) -> Sex:
    """The sex encoded in a valid resident ID number."""
    number = validate_resident_id(value)
    return Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
