"""Police stations (派出所) for every district and county: 3 to 8 each, named after streets or towns.

Generated deterministically from the county's code, so every run (and every machine) gets the same ones.
"""

from __future__ import annotations

import random

from unit_registry.demo.places import STREET_WORDS, TOWN_WORDS
from unit_registry.domain.jurisdiction import Division, PoliceStation


def stations_for(county: Division, city_name: str) -> list[PoliceStation]:
    """The demo police stations of one district or county."""
    rng = random.Random(f"police-stations:{county.code}")  # noqa: S311 - demo data, not security
    urban = county.name.endswith("区")
    words = rng.sample(STREET_WORDS if urban else TOWN_WORDS, rng.randint(3, 8))
    stations = []
    for serial, word in enumerate(words, start=1):
        suffix = rng.choice(("街", "路", "")) if urban else ("" if word == "城关" else "镇")
        name = f"{word}{suffix}派出所"
        address = (
            f"辽宁省{city_name}{county.name}{word}{rng.choice(('路', '街', '大街'))}{rng.randint(1, 300)}号"
        )
        stations.append(PoliceStation(f"{county.code}{serial:03d}", name, county.code, address))
    return stations
