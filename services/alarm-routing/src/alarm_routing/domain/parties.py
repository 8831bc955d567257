"""Which parties a caller speaks for, from the claims of its token (never from the request)."""

from __future__ import annotations

from dataclasses import dataclass

from alarm_routing.domain.enums import PartyKind
from alarm_routing.domain.model import Alarm, Party

COUNTY_PREFIX_LENGTH = 6
CITY_PREFIX_LENGTH = 4


@dataclass(frozen=True, slots=True)
class Caller:
    """The roles and scope claims of the caller (`jurisdiction_prefix`: the non-zero prefix)."""

    roles: frozenset[str]
    jurisdiction_prefix: str | None = None
    sector: str | None = None
    unit: str | None = None


def parties_of(caller: Caller, alarm: Alarm) -> frozenset[Party]:
    """The parties of this alarm the caller acts for.

    District-level police (a county code) act for the unit's police station and their district branch
    (the realm has no station-level accounts yet); city-level police for the city command centre; a
    unit's security staff for its own unit's security office; a regulator for its sector's regulator.
    """
    found: set[Party] = set()
    prefix = caller.jurisdiction_prefix or ""
    for route in alarm.routes:
        party = Party(route.party, route.target)
        match route.party:
            case PartyKind.POLICE_STATION | PartyKind.DISTRICT_BRANCH if "police" in caller.roles:
                if len(prefix) == COUNTY_PREFIX_LENGTH and alarm.jurisdiction.startswith(prefix):
                    found.add(party)
            case PartyKind.CITY_COMMAND if "police" in caller.roles:
                if prefix and len(prefix) <= CITY_PREFIX_LENGTH and alarm.jurisdiction.startswith(prefix):
                    found.add(party)
            case PartyKind.UNIT_SECURITY if "unit-security" in caller.roles:
                if caller.unit == route.target:
                    found.add(party)
            case PartyKind.SECTOR_REGULATOR if "regulator" in caller.roles:
                if caller.sector == route.target and prefix and alarm.jurisdiction.startswith(prefix):
                    found.add(party)
    return frozenset(found)
