"""A principal's jurisdiction as people read it: code, full name, level."""

from __future__ import annotations

from dataclasses import dataclass

from neibao_codes import DivisionLevel, InvalidIdentifier, division_level, division_name


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A GB/T 2260 division with its full name, e.g. 210102 沈阳市和平区 (county)."""

    code: str
    name: str | None
    level: DivisionLevel | None


def describe_jurisdiction(code: str) -> Jurisdiction:
    """The division `code` with its full name (city + district for a district); unknown parts are None."""
    try:
        level = division_level(code)
    except InvalidIdentifier:
        return Jurisdiction(code=code, name=None, level=None)
    return Jurisdiction(code=code, name=_full_name(code, level), level=level)


def _full_name(code: str, level: DivisionLevel) -> str | None:
    try:
        name = division_name(code)
    except InvalidIdentifier:
        return None
    if level is not DivisionLevel.COUNTY:
        return name
    # A district is read with its city: there is a 和平区 in Shenyang and one in Tianjin.
    try:
        return f"{division_name(code[:4] + '00')}{name}"
    except InvalidIdentifier:
        return name
