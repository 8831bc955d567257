"""统一社会信用代码 (USCC, GB 32100-2015)."""

from __future__ import annotations

from typing import Final

from stdnum.cn import uscc as _stdnum_uscc

from neibao_codes._text import compact, is_ascii_digits
from neibao_codes.errors import IdentifierKind, InvalidIdentifier

# GB 32100-2015 code characters: digits and capitals without I, O, S, V, Z.
USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_KIND = IdentifierKind.USCC


def validate_uscc(value: str) -> str:
    """Return the normalised USCC (upper-case, no spaces or hyphens) or raise InvalidIdentifier."""
    code = compact(value, " -")
    if len(code) != 18:
        raise InvalidIdentifier(_KIND, f"must be 18 characters, got {len(code)}")
    for position, char in enumerate(code, start=1):
        if char not in USCC_ALPHABET:
            raise InvalidIdentifier(
                _KIND,
                f"character {position} ({char!r}) is not allowed: only digits and the letters "
                "ABCDEFGHJKLMNPQRTUWXY are used",
            )
    # stdnum.cn.uscc.validate also demands digits in positions 1-2, but GB 32100 lets the registration
    # authority and entity type be letters (N2... rural collectives, Y1... others): check 3-8 only.
    if not is_ascii_digits(code[2:8]):
        raise InvalidIdentifier(_KIND, "characters 3-8 (the registration division code) must be digits")
    if code[17] != _stdnum_uscc.calc_check_digit(code[:17]):
        raise InvalidIdentifier(_KIND, "the check character (18th) does not match the first 17 characters")
    return code


def is_valid_uscc(value: str) -> bool:
    """True when `validate_uscc` would accept the value."""
    try:
        validate_uscc(value)
    except InvalidIdentifier:
        return False
    return True
