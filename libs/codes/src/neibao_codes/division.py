"""GB/T 2260 administrative division codes: validation, level, jurisdiction prefix and names.

Names come from the GB/T 2260 table that python-stdnum bundles (stdnum/cn/loc.dat, the same data
stdnum.cn.ric checks birth places against). Each entry there carries the years it was in force, which
is how this module versions the table: `year=None` asks for the codes in force now (as of the bundled
data), `year=1990` for those in force in 1990.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from types import MappingProxyType
from typing import Final

from stdnum import numdb

from neibao_codes._text import compact, is_ascii_digits
from neibao_codes.errors import IdentifierKind, InvalidIdentifier

LIAONING: Final = "210000"

# DOMAIN.md lists these 14 prefecture-level cities; a unit test checks them against stdnum's table.
LIAONING_CITIES: Final = MappingProxyType(
    {
        "210100": "沈阳市",
        "210200": "大连市",
        "210300": "鞍山市",
        "210400": "抚顺市",
        "210500": "本溪市",
        "210600": "丹东市",
        "210700": "锦州市",
        "210800": "营口市",
        "210900": "阜新市",
        "211000": "辽阳市",
        "211100": "盘锦市",
        "211200": "铁岭市",
        "211300": "朝阳市",
        "211400": "葫芦岛市",
    }
)

_KIND = IdentifierKind.DIVISION_CODE
_PERIOD = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\](?P<name>.+)$")


class DivisionLevel(StrEnum):
    """The tier of a division code."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


@dataclass(frozen=True, slots=True)
class _Period:
    """One name a code carried, and the years (inclusive) it carried it; None means open-ended."""

    name: str
    start: int | None
    end: int | None

    def in_force(self, year: int | None) -> bool:
        if year is None:
            return self.end is None
        return (self.start is None or self.start <= year) and (self.end is None or year <= self.end)


@cache
def _periods(code: str) -> tuple[_Period, ...]:
    """Every name the table records for a well-formed code, oldest first; empty when unknown."""
    parts = numdb.get("cn/loc").info(code)
    if len(parts) != 2 or "county" not in parts[1][1]:
        return ()
    periods = []
    for alternative in parts[1][1]["county"].split(","):
        match = _PERIOD.match(alternative)
        if match is None:
            periods.append(_Period(alternative, None, None))
        else:
            start, end = match["start"], match["end"]
            periods.append(_Period(match["name"], int(start) if start else None, int(end) if end else None))
    return tuple(periods)


def _check_format(value: str) -> str:
    """Six digits with a consistent structure; returns the compacted code."""
    code = compact(value, " ")
    if len(code) != 6 or not is_ascii_digits(code):
        raise InvalidIdentifier(_KIND, "must be 6 digits")
    if code[:2] == "00":
        raise InvalidIdentifier(_KIND, "the province part (digits 1-2) must not be 00")
    if code[2:4] == "00" and code[4:] != "00":
        raise InvalidIdentifier(_KIND, "a code with city part 00 must also have county part 00")
    return code


def _require_name(code: str, year: int | None) -> str:
    """The name in force now (or in `year`); InvalidIdentifier when the table has none."""
    in_force = [period.name for period in _periods(code) if period.in_force(year)]
    if in_force:
        return in_force[-1]
    if _periods(code):
        when = "now" if year is None else f"in {year}"
        raise InvalidIdentifier(_KIND, f"{code} is not a GB/T 2260 division code in force {when}")
    raise InvalidIdentifier(_KIND, f"{code} is not a GB/T 2260 division code")


def validate_division_code(value: str, *, year: int | None = None) -> str:
    """Return the code if GB/T 2260 lists it (in force now, or in `year`); else raise InvalidIdentifier."""
    code = _check_format(value)
    _require_name(code, year)
    return code


def is_valid_division_code(value: str, *, year: int | None = None) -> bool:
    """True when `validate_division_code` would accept the value."""
    try:
        validate_division_code(value, year=year)
    except InvalidIdentifier:
        return False
    return True


def is_known_division_code(value: str) -> bool:
    """True when the code was in GB/T 2260 in any year (old resident ID numbers keep abolished codes)."""
    try:
        code = _check_format(value)
    except InvalidIdentifier:
        return False
    return bool(_periods(code))


def division_level(code: str) -> DivisionLevel:
    """Province (xx0000), city (xxxx00) or county (anything else), from the code's structure."""
    code = _check_format(code)
    if code[2:] == "0000":
        return DivisionLevel.PROVINCE
    if code[4:] == "00":
        return DivisionLevel.CITY
    return DivisionLevel.COUNTY


def jurisdiction_prefix(code: str) -> str:
    """The prefix that scopes a jurisdiction: 210000 -> "21", 210100 -> "2101", 210102 -> "210102"."""
    # Structure only, not table membership: a token may carry a code newer than the bundled table.
    code = _check_format(code)
    level = division_level(code)
    if level is DivisionLevel.PROVINCE:
        return code[:2]
    if level is DivisionLevel.CITY:
        return code[:4]
    return code


def in_jurisdiction(code: str, jurisdiction: str) -> bool:
    """True when division `code` lies inside `jurisdiction` (a division code) or is the same division."""
    return _check_format(code).startswith(jurisdiction_prefix(jurisdiction))


def division_name(code: str, *, year: int | None = None) -> str:
    """The official name of a division in force now (or in `year`), e.g. 210102 -> 和平区."""
    return _require_name(_check_format(code), year)
