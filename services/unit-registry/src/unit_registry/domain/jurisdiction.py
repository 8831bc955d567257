"""Jurisdictions: GB/T 2260 divisions with validity dates, police stations, and the tree of both."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Final

from unit_registry.domain.errors import FieldViolation

PROVINCE: Final = "210000"
# Placeholders grouping a city's districts (市辖区) or standing for them (市区): no unit is registered there.
PSEUDO_DIVISION_NAMES: Final = frozenset({"市辖区", "市区", "省直辖县级行政单位"})


class DivisionLevel(StrEnum):
    """The tier of a division code."""

    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


def level_of(code: str) -> DivisionLevel:
    """Province (xx0000), city (xxxx00) or county, from the code's structure."""
    if code[2:] == "0000":
        return DivisionLevel.PROVINCE
    if code[4:] == "00":
        return DivisionLevel.CITY
    return DivisionLevel.COUNTY


def parent_of(code: str) -> str | None:
    """The code of the division above: 210102 -> 210100 -> 210000 -> None."""
    level = level_of(code)
    if level is DivisionLevel.COUNTY:
        return code[:4] + "00"
    if level is DivisionLevel.CITY:
        return code[:2] + "0000"
    return None


def jurisdiction_format_violations(code: str, field_name: str = "jurisdiction") -> list[FieldViolation]:
    """A unit's jurisdiction must look like a Liaoning district or county code."""
    if not code:
        return [FieldViolation(field_name, "REQUIRED", f"{field_name} is required")]
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return [
            FieldViolation(field_name, "INVALID_FORMAT", f"{field_name} must be a 6-digit GB/T 2260 code")
        ]
    if not code.startswith(PROVINCE[:2]):
        return [
            FieldViolation(
                field_name, "OUTSIDE_PROVINCE", f"{field_name} must be a division of Liaoning (21xxxx)"
            )
        ]
    if level_of(code) is not DivisionLevel.COUNTY:
        return [
            FieldViolation(
                field_name,
                "NOT_COUNTY_LEVEL",
                f"{field_name} must be a district or county, not a city or province",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class Division:
    """A division code with the name it carried from `valid_from` to `valid_to` (inclusive; None: open)."""

    code: str
    name: str
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def level(self) -> DivisionLevel:
        """Province, city or county."""
        return level_of(self.code)

    @property
    def parent(self) -> str | None:
        """The code of the division above."""
        return parent_of(self.code)

    def in_force(self, on: date) -> bool:
        """Whether the code carried this name on `on`."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or on <= self.valid_to
        )

    @property
    def registrable(self) -> bool:
        """Whether units can be registered here: a real district or county, not a placeholder."""
        return self.level is DivisionLevel.COUNTY and self.name not in PSEUDO_DIVISION_NAMES


@dataclass(frozen=True, slots=True)
class PoliceStation:
    """A police station (派出所) of a district or county."""

    code: str
    name: str
    jurisdiction: str
    address: str = ""


@dataclass
class JurisdictionNode:
    """A division in the tree, with its sub-divisions and police stations."""

    division: Division
    children: list[JurisdictionNode] = field(default_factory=list)
    police_stations: list[PoliceStation] = field(default_factory=list)


def build_tree(
    root: str, divisions: Iterable[Division], stations: Iterable[PoliceStation], on: date
) -> JurisdictionNode | None:
    """The tree under `root` of the divisions in force on `on` (placeholders left out), with stations."""
    nodes = {
        d.code: JurisdictionNode(d)
        for d in divisions
        if d.in_force(on) and d.name not in PSEUDO_DIVISION_NAMES and d.code.startswith(root[:2])
    }
    for station in sorted(stations, key=lambda s: s.code):
        node = nodes.get(station.jurisdiction)
        if node is not None:
            node.police_stations.append(station)
    for code in sorted(nodes):
        parent = parent_of(code)
        if parent is not None and parent in nodes:
            nodes[parent].children.append(nodes[code])
    return nodes.get(root)
