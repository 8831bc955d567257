"""Who reads personal data in clear, and the masked forms everyone else gets.

Policy: police and province-admin supervise units and vet staff (§22): they read resident IDs and phones
in clear, and every such read is audited by the gateway from the response's disclosure. A unit's own
security staff and regulators manage or oversee the unit, not identities: they get masked forms
(110105********002X, 138****5678), which still let them tell their people apart. Names are not masked:
whoever may see a dossier knows who works there. Informants are police-only altogether (policy).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from neibao_privacy import mask_name, mask_phone, mask_resident_id
from unit_registry.domain import policy
from unit_registry.domain.model import Actor


class DisclosureLevel(StrEnum):
    """What form the personal data of a response took."""

    NONE = "none"
    MASKED = "masked"
    CLEAR = "clear"


class PersonalDataKind(StrEnum):
    """The kinds of personal data the registry protects."""

    RESIDENT_ID = "resident_id"
    PHONE = "phone"
    NAME = "name"


_MASKS: dict[PersonalDataKind, Callable[[str], str]] = {
    PersonalDataKind.RESIDENT_ID: mask_resident_id,
    PersonalDataKind.PHONE: mask_phone,
    PersonalDataKind.NAME: mask_name,
}


def sees_clear(actor: Actor) -> bool:
    """Police and province-admin read personal data in clear; everyone else masked."""
    return policy.is_police(actor)


@dataclass(frozen=True, slots=True)
class Disclosure:
    """What personal data a response carried, and whose (for the audit of clear reads)."""

    level: DisclosureLevel = DisclosureLevel.NONE
    kinds: frozenset[PersonalDataKind] = frozenset()
    subject_ids: tuple[str, ...] = ()


T = TypeVar("T")


@dataclass
class Discloser:
    """Prepares personal fields for one caller: clear or masked, and records what went out."""

    clear: bool
    kinds: set[PersonalDataKind] = field(default_factory=set)
    subjects: dict[str, None] = field(default_factory=dict)

    @classmethod
    def for_actor(cls, actor: Actor) -> Discloser:
        """The policy applied to `actor`."""
        return cls(clear=sees_clear(actor))

    def reveal(self, item: T, subject_id: str, **personal: PersonalDataKind) -> T:
        """`item` with its personal fields (name -> kind) clear or masked; empty fields are not data."""
        changes: dict[str, Any] = {}
        for name, kind in personal.items():
            value: str = getattr(item, name)
            if not value:
                continue
            self.kinds.add(kind)
            if self.clear:
                self.subjects[subject_id] = None
            else:
                changes[name] = _MASKS[kind](value)
        return dataclasses.replace(item, **changes) if changes else item  # type: ignore[type-var]

    def result(self) -> Disclosure:
        """The disclosure of everything revealed so far."""
        if not self.kinds:
            return Disclosure()
        level = DisclosureLevel.CLEAR if self.clear else DisclosureLevel.MASKED
        return Disclosure(level, frozenset(self.kinds), tuple(self.subjects))
