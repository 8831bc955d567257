"""Units, their key-unit designations, and the rules that keep them consistent."""

from __future__ import annotations

import dataclasses
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Final

from neibao_codes import InvalidIdentifier, validate_uscc
from unit_registry.domain.enums import (
    CoordinateSystem,
    DesignationState,
    KeyUnitCategory,
    Sector,
    UnitStatus,
    UnitType,
)
from unit_registry.domain.errors import FieldViolation, InvalidState, ValidationFailed, VersionConflict
from unit_registry.domain.fields import clean_text, line_violations
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.jurisdiction import jurisdiction_format_violations

MAX_NAME_LENGTH: Final = 200
MAX_ADDRESS_LENGTH: Final = 300
MAX_PERSON_NAME_LENGTH: Final = 50
MAX_REASON_LENGTH: Final = 500
MAX_FORMER_NAMES: Final = 20
# Mainland China's extent, loosely: a coordinate outside it is a typo or swapped latitude/longitude.
LATITUDE_RANGE: Final = (3.0, 54.0)
LONGITUDE_RANGE: Final = (73.0, 136.0)

EDITABLE_FIELDS: Final = frozenset(
    {
        "name",
        "former_names",
        "unit_type",
        "sector",
        "sectors",
        "jurisdiction",
        "police_station",
        "address",
        "location",
        "legal_representative",
    }
)
# What a unit's own security staff may change: what describes it, not how it is classified or supervised.
BASIC_FIELDS: Final = frozenset({"name", "address", "location", "legal_representative"})


class ActorKind:
    """What kind of principal acted (the values of neibao.common.v1.ActorKind, lower-cased)."""

    USER: Final = "user"
    MACHINE: Final = "machine"
    SYSTEM: Final = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: recorded in history and events, and the subject of the write rules (see policy)."""

    subject: str
    name: str
    roles: frozenset[str] = frozenset()
    kind: str = ActorKind.USER
    jurisdiction: str | None = None
    sector: str | None = None
    unit: str | None = None
    client_id: str | None = None


SYSTEM_ACTOR: Final = Actor(subject="unit-registry", name="unit-registry", kind=ActorKind.SYSTEM)


@dataclass(frozen=True, slots=True)
class Location:
    """A point with its datum."""

    latitude: float
    longitude: float
    coordinate_system: CoordinateSystem


@dataclass(frozen=True, slots=True)
class UnitDraft:
    """The fields of a unit as given by a caller, before validation (None = not given)."""

    uscc: str
    name: str
    unit_type: UnitType | None
    sector: Sector | None
    jurisdiction: str
    address: str
    sectors: tuple[Sector, ...] = ()
    police_station: str | None = None
    location: Location | None = None
    legal_representative: str = ""
    former_names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitPatch:
    """A partial change: `fields` names what to change; the other attributes give the new values."""

    fields: frozenset[str]
    name: str = ""
    former_names: tuple[str, ...] = ()
    unit_type: UnitType | None = None
    sector: Sector | None = None
    sectors: tuple[Sector, ...] = ()
    jurisdiction: str = ""
    police_station: str | None = None
    address: str = ""
    location: Location | None = None
    legal_representative: str = ""


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's value before and after a change, as JSON-ready values."""

    field: str
    old: object
    new: object


# Units' texts are one line each (names, addresses, reasons).
_clean_text = clean_text
_text_violations = line_violations


def location_violations(location: Location | None) -> list[FieldViolation]:
    """Coordinates must be numbers inside China, with their coordinate system."""
    if location is None:
        return []
    found = []
    for name, value, (low, high) in (
        ("location.latitude", location.latitude, LATITUDE_RANGE),
        ("location.longitude", location.longitude, LONGITUDE_RANGE),
    ):
        if not math.isfinite(value) or not low <= value <= high:
            found.append(
                FieldViolation(
                    name, "OUT_OF_RANGE", f"{name} must lie between {low} and {high} (inside China)"
                )
            )
    return found


def normalise_sectors(sector: Sector | None, sectors: Iterable[Sector]) -> tuple[Sector, ...]:
    """The lead sector first, then the others once each, in the order given."""
    ordered: list[Sector] = [sector] if sector is not None else []
    for item in sectors:
        if item not in ordered:
            ordered.append(item)
    return tuple(ordered)


def checked_uscc(value: str, violations: list[FieldViolation]) -> str:
    """The normalised USCC; an empty or invalid one adds its violation (and comes back as given)."""
    try:
        return validate_uscc(value)
    except InvalidIdentifier as exc:
        reason = "REQUIRED" if not value.strip() else "INVALID_USCC"
        violations.append(
            FieldViolation("uscc", reason, f"uscc is not a valid 统一社会信用代码: {exc.reason}")
        )
        return value


def checked_police_station(value: str, violations: list[FieldViolation]) -> str:
    """The police station code stripped ("" for none); a malformed one adds its violation."""
    station = value.strip()
    if station and (not station.isascii() or not station.isdigit() or len(station) > 12):
        violations.append(
            FieldViolation("police_station", "INVALID_FORMAT", "police_station must be a police station code")
        )
    return station


def validate_draft(draft: UnitDraft) -> UnitDraft:
    """The draft cleaned and normalised; ValidationFailed listing every bad field otherwise."""
    violations: list[FieldViolation] = []
    uscc = checked_uscc(draft.uscc, violations)
    name = _clean_text(draft.name)
    violations += _text_violations("name", name, required=True, max_length=MAX_NAME_LENGTH)
    if draft.unit_type is None:
        violations.append(FieldViolation("unit_type", "REQUIRED", "unit_type is required"))
    if draft.sector is None:
        violations.append(FieldViolation("sector", "REQUIRED", "sector is required"))
    jurisdiction = draft.jurisdiction.strip()
    violations += jurisdiction_format_violations(jurisdiction)
    address = _clean_text(draft.address)
    violations += _text_violations("address", address, required=True, max_length=MAX_ADDRESS_LENGTH)
    legal_representative = _clean_text(draft.legal_representative)
    violations += _text_violations(
        "legal_representative", legal_representative, required=False, max_length=MAX_PERSON_NAME_LENGTH
    )
    violations += location_violations(draft.location)
    former_names = tuple(dict.fromkeys(n for n in (_clean_text(n) for n in draft.former_names) if n))
    if len(former_names) > MAX_FORMER_NAMES:
        violations.append(
            FieldViolation("former_names", "TOO_MANY", f"at most {MAX_FORMER_NAMES} former names are kept")
        )
    for former in former_names:
        violations += _text_violations("former_names", former, required=False, max_length=MAX_NAME_LENGTH)
    station = checked_police_station(draft.police_station or "", violations) or None
    if violations:
        raise ValidationFailed(violations)
    return dataclasses.replace(
        draft,
        uscc=uscc,
        name=name,
        jurisdiction=jurisdiction,
        address=address,
        legal_representative=legal_representative,
        former_names=former_names,
        police_station=station,
        sectors=normalise_sectors(draft.sector, draft.sectors),
    )


def _json_value(value: object) -> object:
    """A field value as JSON-ready data for the change history."""
    if isinstance(value, Location):
        return {
            "latitude": value.latitude,
            "longitude": value.longitude,
            "coordinate_system": value.coordinate_system.value,
        }
    if isinstance(value, tuple):
        return [_json_value(item) for item in value]
    return value


@dataclass
class Unit:
    """A supervised unit (企业事业单位), identified by its USCC."""

    uscc: str
    name: str
    unit_type: UnitType
    sector: Sector
    sectors: tuple[Sector, ...]
    jurisdiction: str
    address: str
    police_station: str | None = None
    location: Location | None = None
    legal_representative: str = ""
    former_names: tuple[str, ...] = ()
    status: UnitStatus = UnitStatus.ACTIVE
    key_unit: bool = False
    key_unit_category: KeyUnitCategory | None = None
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    jurisdiction_name: str = field(default="", compare=False)
    # Derived from the dossier (materialised, kept by the dossier handlers and the sweep; not versioned).
    flags: DossierFlags = field(default=DossierFlags(), compare=False)

    @classmethod
    def register(cls, draft: UnitDraft, now: datetime) -> Unit:
        """A new active unit from a validated draft (see `validate_draft`)."""
        if draft.unit_type is None or draft.sector is None:
            raise ValueError("register a validated draft")
        return cls(
            uscc=draft.uscc,
            name=draft.name,
            unit_type=draft.unit_type,
            sector=draft.sector,
            sectors=normalise_sectors(draft.sector, draft.sectors),
            jurisdiction=draft.jurisdiction,
            address=draft.address,
            police_station=draft.police_station,
            location=draft.location,
            legal_representative=draft.legal_representative,
            former_names=draft.former_names,
            created_at=now,
            updated_at=now,
        )

    @property
    def etag(self) -> str:
        """The HTTP entity tag of this version."""
        return f'"{self.version}"'

    @property
    def names(self) -> tuple[str, ...]:
        """The current name and the former ones: what name search looks in."""
        return (self.name, *self.former_names)

    def snapshot(self) -> Unit:
        """A copy that later changes to this unit leave alone (for events)."""
        return dataclasses.replace(self)

    def check_version(self, expected: int | None) -> None:
        """VersionConflict unless `expected` is the current version (None or 0: not checked)."""
        if expected and expected != self.version:
            raise VersionConflict(self.uscc, expected, self.version)

    def _require_active(self, operation: str) -> None:
        if self.status is not UnitStatus.ACTIVE:
            raise InvalidState(f"unit {self.uscc} is closed: cannot {operation}")

    def draft(self) -> UnitDraft:
        """The unit's editable fields as a draft (to validate a patched version of it)."""
        return UnitDraft(
            uscc=self.uscc,
            name=self.name,
            unit_type=self.unit_type,
            sector=self.sector,
            sectors=self.sectors,
            jurisdiction=self.jurisdiction,
            police_station=self.police_station,
            address=self.address,
            location=self.location,
            legal_representative=self.legal_representative,
            former_names=self.former_names,
        )

    def patched(self, patch: UnitPatch) -> UnitDraft:
        """The validated draft this unit would become with `patch` applied."""
        unknown = sorted(patch.fields - EDITABLE_FIELDS)
        if unknown:
            raise ValidationFailed(
                [
                    FieldViolation("update_mask", "UNKNOWN_FIELD", f"{name} cannot be changed")
                    for name in unknown
                ]
            )
        values: dict[str, object] = {name: getattr(patch, name) for name in patch.fields}
        if "sectors" in values and "sector" not in values:
            values["sectors"] = normalise_sectors(self.sector, patch.sectors)
        draft = dataclasses.replace(self.draft(), **values)  # type: ignore[arg-type]
        renamed = "name" in patch.fields and _clean_text(patch.name) != self.name
        if renamed and "former_names" not in patch.fields:
            # A rename keeps the old name searchable.
            draft = dataclasses.replace(draft, former_names=(*self.former_names, self.name))
        return validate_draft(draft)

    def apply(self, draft: UnitDraft, now: datetime) -> list[FieldChange]:
        """Take the fields of a validated draft; the changes (none: nothing happens, no new version)."""
        self._require_active("change it")
        if draft.unit_type is None or draft.sector is None:
            raise ValueError("apply a validated draft")
        candidates: Mapping[str, object] = {
            "name": draft.name,
            "former_names": draft.former_names,
            "unit_type": draft.unit_type,
            "sector": draft.sector,
            "sectors": normalise_sectors(draft.sector, draft.sectors),
            "jurisdiction": draft.jurisdiction,
            "police_station": draft.police_station,
            "address": draft.address,
            "location": draft.location,
            "legal_representative": draft.legal_representative,
        }
        changes = []
        for name, new in candidates.items():
            old = getattr(self, name)
            if old != new:
                changes.append(FieldChange(name, _json_value(old), _json_value(new)))
                setattr(self, name, new)
        if changes:
            self._touch(now)
        return changes

    def close(self, now: datetime) -> list[FieldChange]:
        """Close the unit (it stays, with its history)."""
        self._require_active("close it")
        self.status = UnitStatus.CLOSED
        self.closed_at = now
        self._touch(now)
        return [FieldChange("status", UnitStatus.ACTIVE.value, UnitStatus.CLOSED.value)]

    def designate(self, category: KeyUnitCategory, now: datetime) -> list[FieldChange]:
        """Mark the unit a key unit of `category`."""
        self._require_active("designate it")
        changes = [
            FieldChange("key_unit", self.key_unit, True),
            FieldChange("key_unit_category", _enum_value(self.key_unit_category), category.value),
        ]
        self.key_unit, self.key_unit_category = True, category
        self._touch(now)
        return changes

    def withdraw_designation(self, now: datetime) -> list[FieldChange]:
        """The unit is no longer a key unit."""
        changes = [
            FieldChange("key_unit", self.key_unit, False),
            FieldChange("key_unit_category", _enum_value(self.key_unit_category), None),
        ]
        self.key_unit, self.key_unit_category = False, None
        self._touch(now)
        return changes

    def _touch(self, now: datetime) -> None:
        self.version += 1
        self.updated_at = now


def _enum_value(value: KeyUnitCategory | None) -> str | None:
    return None if value is None else value.value


def registration_changes(unit: Unit) -> list[FieldChange]:
    """The history entry of a registration: every field's first value."""
    return [
        FieldChange(name, None, _json_value(getattr(unit, name)))
        for name in sorted(EDITABLE_FIELDS)
        if getattr(unit, name) not in (None, "", ())
    ]


@dataclass
class KeyUnitDesignation:
    """A proposal to make a unit a key unit (治安保卫重点单位), and its confirmation or withdrawal."""

    id: uuid.UUID
    uscc: str
    category: KeyUnitCategory
    state: DesignationState
    reason: str
    proposed_by: Actor
    proposed_at: datetime
    confirmed_by: Actor | None = None
    confirmed_at: datetime | None = None
    designated_on: date | None = None
    withdrawn_by: Actor | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str = ""

    @classmethod
    def propose(
        cls,
        unit: Unit,
        category: KeyUnitCategory | None,
        reason: str,
        *,
        actor: Actor,
        now: datetime,
        pending: KeyUnitDesignation | None,
    ) -> KeyUnitDesignation:
        """A new proposal; `pending` is the unit's designation still proposed or confirmed, if any."""
        violations = _text_violations(
            "reason", _clean_text(reason), required=False, max_length=MAX_REASON_LENGTH
        )
        if category is None:
            violations.append(FieldViolation("category", "REQUIRED", "category is required"))
        if violations or category is None:
            raise ValidationFailed(violations)
        unit._require_active("propose it as a key unit")
        if pending is not None:
            raise InvalidState(f"unit {unit.uscc} already has a {pending.state.value} key-unit designation")
        return cls(
            id=uuid.uuid4(),
            uscc=unit.uscc,
            category=category,
            state=DesignationState.PROPOSED,
            reason=_clean_text(reason),
            proposed_by=actor,
            proposed_at=now,
        )

    @property
    def active(self) -> bool:
        """Proposed or confirmed: not yet withdrawn."""
        return self.state is not DesignationState.WITHDRAWN

    def confirm(self, actor: Actor, designated_on: date, now: datetime) -> None:
        """The city bureau or the province confirms the proposal."""
        if self.state is not DesignationState.PROPOSED:
            raise InvalidState(f"the designation is {self.state.value}, not proposed")
        self.state = DesignationState.CONFIRMED
        self.confirmed_by, self.confirmed_at, self.designated_on = actor, now, designated_on

    def withdraw(self, actor: Actor, reason: str, now: datetime) -> bool:
        """End the designation or drop the proposal; whether the unit had been a key unit."""
        reason = _clean_text(reason)
        violations = _text_violations("reason", reason, required=True, max_length=MAX_REASON_LENGTH)
        if violations:
            raise ValidationFailed(violations)
        if not self.active:
            raise InvalidState("the designation was withdrawn already")
        was_designated = self.state is DesignationState.CONFIRMED
        self.state = DesignationState.WITHDRAWN
        self.withdrawn_by, self.withdrawn_at, self.withdrawal_reason = actor, now, reason
        return was_designated
