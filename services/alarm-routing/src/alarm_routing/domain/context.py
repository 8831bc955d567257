"""The unit context beside an alarm: emergency plans, key parts, responsible persons (phones by role).

Policy (as the unit registry's): police and the province admin read phones in clear, and the gateway
audits every such read from the answer's disclosure; everyone else gets them masked (138****5678). Names
are not masked: whoever may see the alarm may see who answers for the unit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from neibao_identity import Role
from neibao_privacy import mask_phone, normalise_text


class ResponsibleRole(StrEnum):
    """第一责任人 or 共同责任人."""

    FIRST_RESPONSIBLE = "first_responsible"
    CO_RESPONSIBLE = "co_responsible"


class DisclosureLevel(StrEnum):
    """What form the personal data of an answer took."""

    NONE = "none"
    MASKED = "masked"
    CLEAR = "clear"


class PersonalDataKind(StrEnum):
    """The kinds of personal data the context carries."""

    NAME = "name"
    PHONE = "phone"


CLEAR_READERS = frozenset({Role.POLICE, Role.PROVINCE_ADMIN})


@dataclass(frozen=True, slots=True)
class EmergencyPlanSummary:
    """The current version of one of the unit's emergency plans."""

    plan_id: str
    id: str
    version: int
    title: str
    scenario: str = ""
    content: str = ""
    effective_on: str = ""


@dataclass(frozen=True, slots=True)
class KeyPartSummary:
    """One of the unit's key parts and its protection."""

    id: str
    name: str
    location: str = ""
    description: str = ""
    protection_measures: tuple[str, ...] = ()
    required_device_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResponsibleContact:
    """A responsible person to call; `phone` as disclosed to the reader."""

    id: str
    role: ResponsibleRole
    name: str
    position: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What personal data an answer carried, and whose in clear (for the audit of clear reads)."""

    level: DisclosureLevel = DisclosureLevel.NONE
    kinds: frozenset[PersonalDataKind] = frozenset()
    subject_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitContext:
    """What a responder needs of the unit, with the alarm's own key part when its zone names one."""

    emergency_plans: tuple[EmergencyPlanSummary, ...] = ()
    key_parts: tuple[KeyPartSummary, ...] = ()
    responsible_persons: tuple[ResponsibleContact, ...] = ()
    alarm_key_part: KeyPartSummary | None = None
    disclosure: Disclosure = Disclosure()


def sees_clear(roles: frozenset[str]) -> bool:
    """Police and the province admin read phones in clear; everyone else masked."""
    return not CLEAR_READERS.isdisjoint(roles)


def key_part_of(
    key_parts: Sequence[KeyPartSummary], zone: str, device_key_part: str = ""
) -> KeyPartSummary | None:
    """The key part an alarm came from: the one its device guards, if known; else the one its zone names,
    by id (device faults carry the device's key part id) or by name (case, width and spacing ignored)."""
    if device_key_part:
        guarded = next((part for part in key_parts if part.id == device_key_part.lower()), None)
        if guarded is not None:
            return guarded
    wanted = zone.strip()
    if not wanted:
        return None
    by_id = next((part for part in key_parts if part.id == wanted.lower()), None)
    if by_id is not None:
        return by_id
    name = normalise_text(wanted)
    return next((part for part in key_parts if normalise_text(part.name) == name), None)


def _first_responsible_first(person: ResponsibleContact) -> tuple[bool, str, str]:
    return (person.role is not ResponsibleRole.FIRST_RESPONSIBLE, person.name, person.id)


def disclosed(
    context: UnitContext, zone: str, roles: frozenset[str], device_key_part: str = ""
) -> UnitContext:
    """The context for a reader with `roles`: phones clear or masked, the alarm's key part, the disclosure."""
    clear = sees_clear(roles)
    people = sorted(context.responsible_persons, key=_first_responsible_first)
    kinds: set[PersonalDataKind] = {PersonalDataKind.NAME} if people else set()
    shown = []
    for person in people:
        if person.phone:
            kinds.add(PersonalDataKind.PHONE)
        masked = person.phone and not clear
        shown.append(dataclasses.replace(person, phone=mask_phone(person.phone)) if masked else person)
    if not kinds:
        disclosure = Disclosure()
    elif clear:
        disclosure = Disclosure(DisclosureLevel.CLEAR, frozenset(kinds), tuple(p.id for p in shown))
    else:
        disclosure = Disclosure(DisclosureLevel.MASKED, frozenset(kinds))
    return dataclasses.replace(
        context,
        responsible_persons=tuple(shown),
        alarm_key_part=key_part_of(context.key_parts, zone, device_key_part),
        disclosure=disclosure,
    )


def announced(context: UnitContext, zone: str, device_key_part: str = "") -> UnitContext:
    """The context an alarm event carries to every reader in scope: no people, plans without content."""
    return UnitContext(
        emergency_plans=tuple(dataclasses.replace(plan, content="") for plan in context.emergency_plans),
        key_parts=context.key_parts,
        alarm_key_part=key_part_of(context.key_parts, zone, device_key_part),
    )
