"""Reference data: Liaoning's GB/T 2260 divisions with validity dates, from python-stdnum's table.

python-stdnum bundles the GB/T 2260 table (stdnum/cn/loc.dat) with, for each code, the names it carried
and the years: "[1983-2013]东陵区,[2014-]浑南区". Each period becomes a row valid from 1 January of its
first year to 31 December of its last.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from stdnum import numdb

from unit_registry.domain.jurisdiction import PROVINCE, Division

_PERIOD = re.compile(r"^\[(?P<start>\d*)-(?P<end>\d*)\](?P<name>.+)$")


def parse_periods(code: str, text: str) -> list[Division]:
    """The versions of one code from its stdnum entry; inverted spans (a data slip) are left out."""
    found: list[Division] = []
    for alternative in text.split(","):
        match = _PERIOD.match(alternative.strip())
        if match is None:
            found.append(Division(code, alternative.strip()))
            continue
        start = int(match["start"]) if match["start"] else None
        end = int(match["end"]) if match["end"] else None
        if start is not None and end is not None and start > end:
            continue
        found.append(
            Division(
                code,
                match["name"],
                valid_from=date(start, 1, 1) if start else None,
                valid_to=date(end, 12, 31) if end else None,
            )
        )
    unique: dict[date | None, Division] = {}
    for division in found:
        unique.setdefault(division.valid_from, division)
    return list(unique.values())


def liaoning_divisions() -> list[Division]:
    """Every version of every Liaoning division code in python-stdnum's GB/T 2260 table."""
    prefixes: list[Any] = numdb.get("cn/loc").prefixes
    province = next(entry for entry in prefixes if entry[1] == PROVINCE[:2])
    divisions: list[Division] = []
    for _length, low, _high, props, _children in province[4]:
        code = PROVINCE[:2] + low
        if "county" in props:
            divisions += parse_periods(code, props["county"])
    return sorted(divisions, key=lambda d: (d.code, d.valid_from or date.min))
