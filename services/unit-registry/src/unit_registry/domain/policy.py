"""Who may change what. Reads are limited by scope in SQL; these rules decide writes on visible units.

Roles are the realm's (ARCHITECTURE.md): police and province-admin register and change units in their
jurisdiction; a city bureau (police with a city- or province-wide jurisdiction) or the province decides
key-unit designations; a unit's security staff may change its own unit's basic fields; regulators read.
Dossier writes: see the section below.
"""

from __future__ import annotations

from typing import Final

from unit_registry.domain.enums import PartyKind, Sector
from unit_registry.domain.errors import Forbidden
from unit_registry.domain.inspections import Party
from unit_registry.domain.model import BASIC_FIELDS, Actor, Unit

PROVINCE_ADMIN: Final = "province-admin"
POLICE: Final = "police"
REGULATOR: Final = "regulator"
UNIT_SECURITY: Final = "unit-security"


def jurisdiction_prefix(code: str | None) -> str | None:
    """The non-zero prefix of a division code (210000 -> 21, 210100 -> 2101), None if not a code."""
    if code is None or len(code) != 6 or not code.isascii() or not code.isdigit() or code.startswith("00"):
        return None
    prefix = code
    while prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def covers(actor: Actor, jurisdiction: str) -> bool:
    """Whether the actor's jurisdiction contains `jurisdiction`."""
    prefix = jurisdiction_prefix(actor.jurisdiction)
    return prefix is not None and jurisdiction.startswith(prefix)


def is_police_in(actor: Actor, jurisdiction: str) -> bool:
    """Province-admin, or police whose jurisdiction contains `jurisdiction`."""
    return PROVINCE_ADMIN in actor.roles or (POLICE in actor.roles and covers(actor, jurisdiction))


def is_bureau_for(actor: Actor, jurisdiction: str) -> bool:
    """Province-admin, or police of a city bureau or the province whose jurisdiction contains it."""
    if PROVINCE_ADMIN in actor.roles:
        return True
    prefix = jurisdiction_prefix(actor.jurisdiction)
    return (
        POLICE in actor.roles and prefix is not None and len(prefix) <= 4 and jurisdiction.startswith(prefix)
    )


def check_may_register(actor: Actor, jurisdiction: str) -> None:
    """Police and province-admin register units inside their own jurisdiction."""
    if not is_police_in(actor, jurisdiction):
        raise Forbidden("only police may register units, and only inside their own jurisdiction")


def check_may_update(actor: Actor, unit: Unit, fields: frozenset[str], new_jurisdiction: str) -> None:
    """Police change any field (a move must stay in their jurisdiction); unit security basic fields only."""
    if is_police_in(actor, unit.jurisdiction):
        if not is_police_in(actor, new_jurisdiction):
            raise Forbidden("a unit can only be moved to a jurisdiction inside your own")
        return
    if UNIT_SECURITY in actor.roles and actor.unit == unit.uscc:
        others = sorted(fields - BASIC_FIELDS)
        if others:
            allowed = ", ".join(sorted(BASIC_FIELDS))
            raise Forbidden(f"unit security staff may change only {allowed}; not {', '.join(others)}")
        return
    raise Forbidden("you may read this unit but not change it")


def check_may_close(actor: Actor, unit: Unit) -> None:
    """Police of the unit's jurisdiction (or the province) close units."""
    if not is_police_in(actor, unit.jurisdiction):
        raise Forbidden("only police of the unit's jurisdiction may close it")


def check_may_propose_key_unit(actor: Actor, unit: Unit) -> None:
    """Any police of the unit's jurisdiction may propose it as a key unit."""
    if not is_police_in(actor, unit.jurisdiction):
        raise Forbidden("only police of the unit's jurisdiction may propose it as a key unit")


def check_may_decide_key_unit(actor: Actor, unit: Unit) -> None:
    """A city bureau or the province confirms or withdraws key-unit designations."""
    if not is_bureau_for(actor, unit.jurisdiction):
        raise Forbidden("only a city public security bureau or the province decides key-unit designations")


# The dossier ------------------------------------------------------------------------------------------
# Unit security keeps its own unit's dossier; police of the unit's jurisdiction submit and decide
# filings, keep informants and workstations, inspect; regulators of one of the unit's sectors inspect.


def is_police(actor: Actor) -> bool:
    """Province-admin or police, anywhere."""
    return PROVINCE_ADMIN in actor.roles or POLICE in actor.roles


def is_unit_security_of(actor: Actor, unit: Unit) -> bool:
    """The unit's own security staff."""
    return UNIT_SECURITY in actor.roles and actor.unit == unit.uscc


def is_regulator_for(actor: Actor, unit: Unit) -> bool:
    """A regulator of one of the unit's sectors whose jurisdiction contains it (as the read scope)."""
    return (
        REGULATOR in actor.roles
        and actor.sector is not None
        and actor.sector in {sector.value for sector in unit.sectors}
        and covers(actor, unit.jurisdiction)
    )


def check_may_keep_dossier(actor: Actor, unit: Unit, part: str) -> None:
    """Only the unit's own security staff keep its records (staff, responsible persons, plans, ...)."""
    if not is_unit_security_of(actor, unit):
        raise Forbidden(f"only the unit's own security staff keep its {part}")


def check_may_prepare_filing(actor: Actor, unit: Unit) -> None:
    """The unit's security staff, or police of its jurisdiction, write and submit its filing (§1)."""
    if not (is_unit_security_of(actor, unit) or is_police_in(actor, unit.jurisdiction)):
        raise Forbidden("only the unit's security staff or its police write and submit its filing")


def check_may_decide_filing(actor: Actor, unit: Unit) -> None:
    """Police of the unit's jurisdiction (its police station and above) accept or return filings."""
    if not is_police_in(actor, unit.jurisdiction):
        raise Forbidden("only police of the unit's jurisdiction accept or return its filing")


def check_may_keep_workstations(actor: Actor, unit: Unit) -> None:
    """Police workstations are police business (§16)."""
    if not is_police_in(actor, unit.jurisdiction):
        raise Forbidden("only police of the unit's jurisdiction keep its police workstations")


def check_may_keep_informants(actor: Actor, unit: Unit) -> None:
    """Informants are police business (§2); others never see them (the handlers answer NOT_FOUND)."""
    if not is_police_in(actor, unit.jurisdiction):
        raise Forbidden("only police of the unit's jurisdiction keep its informants")


def inspecting_party(actor: Actor, unit: Unit) -> Party:
    """The party the actor inspects the unit as: its police, or a regulator of one of its sectors."""
    if is_police_in(actor, unit.jurisdiction):
        return Party(PartyKind.POLICE)
    if is_regulator_for(actor, unit) and actor.sector is not None:
        return Party(PartyKind.REGULATOR, Sector(actor.sector))
    raise Forbidden("only police of the unit's jurisdiction or a regulator of its sector inspect it")


def check_may_open_hazard(actor: Actor, unit: Unit, party: Party) -> None:
    """Hazards are opened by the party that inspected."""
    if inspecting_party(actor, unit) != party:
        raise Forbidden("hazards are opened by the party that made the inspection")


def check_may_rectify(actor: Actor, unit: Unit) -> None:
    """The unit's own security staff report rectifications."""
    check_may_keep_dossier(actor, unit, "hazard rectifications")


def check_may_verify(actor: Actor, unit: Unit, party: Party) -> None:
    """The inspecting party verifies (the province verifies anything)."""
    if PROVINCE_ADMIN in actor.roles:
        return
    if inspecting_party(actor, unit) != party:
        raise Forbidden("the rectification is verified by the party that found the hazard")


def check_may_look_up_resident_id(actor: Actor) -> None:
    """Looking staff up by resident ID is a police tool (§22 background checks)."""
    if not is_police(actor):
        raise Forbidden("only police look staff up by resident ID")
