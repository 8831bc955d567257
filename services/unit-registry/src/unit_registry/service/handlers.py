"""The use cases: each runs in one unit of work and answers with domain objects.

Reads find only what the caller's scope allows (a foreign unit is NotFound, never Forbidden); writes
then check the write rules of domain.policy on the visible unit.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Generic, TypeVar

from neibao_identity import Principal, Scope
from unit_registry.domain import policy
from unit_registry.domain.dossier import compute_flags, local_date
from unit_registry.domain.enums import ChangeType
from unit_registry.domain.errors import (
    AlreadyExists,
    FieldViolation,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from unit_registry.domain.events import (
    KeyUnitDesignated,
    KeyUnitProposed,
    KeyUnitWithdrawn,
    UnitClosed,
    UnitRegistered,
    UnitUpdated,
)
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.jurisdiction import PROVINCE, JurisdictionNode, build_tree
from unit_registry.domain.model import (
    MAX_REASON_LENGTH,
    Actor,
    ActorKind,
    KeyUnitDesignation,
    Unit,
    UnitDraft,
    checked_police_station,
    checked_uscc,
    registration_changes,
    validate_draft,
)
from unit_registry.domain.search import MAX_QUERY_LENGTH, normalise_search_text, query_tokens
from unit_registry.service.commands import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    KeyUnitConfirmation,
    KeyUnitProposal,
    KeyUnitWithdrawal,
    UnitClose,
    UnitCreate,
    UnitQuery,
    UnitUpdate,
)
from unit_registry.service.pagination import decode_cursor, encode_cursor
from unit_registry.service.unit_of_work import ChangeEntry, UnitFilter, UnitOfWork
from unit_registry.service.views import UnitViews

Clock = Callable[[], datetime]
T = TypeVar("T")


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Requester:
    """The caller as the handlers need it: who acts (write rules, history) and what they may see."""

    actor: Actor
    scope: Scope

    @classmethod
    def from_principal(cls, principal: Principal) -> Requester:
        """From the verified token's principal."""
        actor = Actor(
            subject=principal.subject,
            name=principal.username,
            roles=principal.roles,
            kind=ActorKind.MACHINE if principal.is_machine else ActorKind.USER,
            jurisdiction=principal.jurisdiction,
            sector=principal.sector,
            unit=principal.unit,
            client_id=principal.client_id,
        )
        return cls(actor=actor, scope=Scope.for_principal(principal))


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and the cursor of the next (empty on the last page)."""

    items: Sequence[T]
    next_cursor: str = ""


def page_size(limit: int) -> int:
    """The page size a listing uses for `limit` (0: the default; capped)."""
    if limit < 0:
        raise ValidationFailed([FieldViolation("limit", "OUT_OF_RANGE", "limit must not be negative")])
    return min(limit or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


async def _check_placement(uow: UnitOfWork, draft: UnitDraft, today: date) -> str:
    """The jurisdiction must be a district or county in force, the station one of its own; its name."""
    division = await uow.jurisdictions.get_division(draft.jurisdiction, today)
    if division is None or not division.registrable:
        raise ValidationFailed(
            [
                FieldViolation(
                    "jurisdiction",
                    "UNKNOWN_JURISDICTION",
                    f"jurisdiction {draft.jurisdiction} is not a district or county of Liaoning in force",
                )
            ]
        )
    if draft.police_station is not None:
        station = await uow.jurisdictions.get_station(draft.police_station)
        if station is None or station.jurisdiction != draft.jurisdiction:
            raise ValidationFailed(
                [
                    FieldViolation(
                        "police_station",
                        "UNKNOWN_POLICE_STATION",
                        f"police_station {draft.police_station} is not a station of {draft.jurisdiction}",
                    )
                ]
            )
    return division.name


async def visible_unit(uow: UnitOfWork, uscc: str, scope: Scope, *, for_update: bool = False) -> Unit:
    """The unit if it lies in `scope` (locked for writes); NotFound otherwise, foreign or missing alike."""
    unit = await uow.units.get(uscc.strip().upper(), scope, for_update=for_update)
    if unit is None:
        raise NotFound("unit", uscc)
    return unit


async def refresh_flags(uow: UnitOfWork, unit: Unit, today: date) -> DossierFlags:
    """Recompute the unit's overdue flags from its dossier (after a change) and materialise them."""
    facts = await uow.dossier.facts(unit.uscc, today)
    flags = compute_flags(facts, today)
    if flags != unit.flags:
        await uow.dossier.save_flags(unit.uscc, flags)
        unit.flags = flags
    return flags


async def create_unit(cmd: UnitCreate, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now) -> Unit:
    """Register a unit: valid fields, a jurisdiction in force inside the caller's, a USCC not yet taken."""
    draft = validate_draft(cmd.draft)
    policy.check_may_register(requester.actor, draft.jurisdiction)
    now = clock()
    async with uow:
        jurisdiction_name = await _check_placement(uow, draft, now.date())
        if await uow.units.exists(draft.uscc):
            raise AlreadyExists("unit", draft.uscc, "uscc")
        unit = Unit.register(draft, now)
        unit.jurisdiction_name = jurisdiction_name
        await uow.units.add(unit)
        await uow.units.add_change(
            unit, ChangeType.REGISTERED, registration_changes(unit), requester.actor, now
        )
        uow.publish(UnitRegistered(unit.snapshot(), requester.actor, now))
        await uow.commit()
    return unit


async def get_unit(uscc: str, requester: Requester, views: UnitViews) -> Unit:
    """One unit inside the caller's scope (a read view: no unit of work needed)."""
    unit = await views.unit(uscc.strip().upper(), requester.scope)
    if unit is None:
        raise NotFound("unit", uscc)
    return unit


async def update_unit(cmd: UnitUpdate, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now) -> Unit:
    """Change the patched fields of a visible unit, based on the version the caller read."""
    if not cmd.patch.fields:
        raise ValidationFailed(
            [FieldViolation("update_mask", "REQUIRED", "name at least one field to change")]
        )
    if cmd.version <= 0:
        raise ValidationFailed(
            [FieldViolation("version", "REQUIRED", "version (If-Match) is required to change a unit")]
        )
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        moved_to = cmd.patch.jurisdiction.strip() if "jurisdiction" in cmd.patch.fields else unit.jurisdiction
        policy.check_may_update(requester.actor, unit, cmd.patch.fields, moved_to)
        draft = unit.patched(cmd.patch)
        unit.check_version(cmd.version)
        jurisdiction_name = await _check_placement(uow, draft, now.date())
        previous_version = unit.version
        changes = unit.apply(draft, now)
        unit.jurisdiction_name = jurisdiction_name
        if not changes:
            return unit
        await uow.units.update(unit, previous_version)
        await uow.units.add_change(unit, ChangeType.UPDATED, changes, requester.actor, now)
        uow.publish(UnitUpdated(unit.snapshot(), tuple(c.field for c in changes), requester.actor, now))
        await uow.commit()
    return unit


async def close_unit(cmd: UnitClose, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now) -> Unit:
    """Close a visible unit (police of its jurisdiction), based on the version the caller read."""
    reason = cmd.reason.strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            [FieldViolation("reason", "TOO_LONG", f"reason must be at most {MAX_REASON_LENGTH} characters")]
        )
    if cmd.version <= 0:
        raise ValidationFailed(
            [FieldViolation("version", "REQUIRED", "version (If-Match) is required to close")]
        )
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_close(requester.actor, unit)
        unit.check_version(cmd.version)
        previous_version = unit.version
        changes = unit.close(now)
        await uow.units.update(unit, previous_version)
        await refresh_flags(uow, unit, local_date(now))
        await uow.units.add_change(unit, ChangeType.CLOSED, changes, requester.actor, now)
        uow.publish(UnitClosed(unit.snapshot(), reason, requester.actor, now))
        await uow.commit()
    return unit


def unit_filter(query: UnitQuery) -> UnitFilter:
    """Validated criteria from a query; ValidationFailed naming each bad parameter."""
    violations: list[FieldViolation] = []
    fragment = normalise_search_text(query.q)
    if len(fragment) > MAX_QUERY_LENGTH:
        violations.append(FieldViolation("q", "TOO_LONG", f"q must be at most {MAX_QUERY_LENGTH} characters"))
    if any(unicodedata.category(char) == "Cc" for char in fragment):
        violations.append(FieldViolation("q", "INVALID_CHARACTERS", "q must not contain control characters"))
    # A filter is optional: only a given USCC is checked (and normalised).
    uscc = checked_uscc(query.uscc, violations) if query.uscc.strip() else ""
    station = checked_police_station(query.police_station, violations)
    prefix = ""
    jurisdiction = query.jurisdiction.strip()
    if jurisdiction:
        prefix = policy.jurisdiction_prefix(jurisdiction) or ""
        if not prefix:
            violations.append(
                FieldViolation(
                    "jurisdiction", "INVALID_FORMAT", "jurisdiction must be a 6-digit GB/T 2260 code"
                )
            )
    try:
        after = decode_cursor("units", query.cursor)
    except ValidationFailed as exc:
        violations += exc.violations
        after = None
    if query.limit < 0:
        violations.append(FieldViolation("limit", "OUT_OF_RANGE", "limit must not be negative"))
    if violations:
        raise ValidationFailed(violations)
    return UnitFilter(
        tokens=tuple(query_tokens(fragment)),
        fragment=fragment,
        uscc=uscc,
        jurisdiction_prefix=prefix,
        sector=query.sector,
        unit_type=query.unit_type,
        key_unit=query.key_unit,
        status=query.status,
        police_station=station,
        filing_overdue=query.filing_overdue,
        drills_overdue=query.drills_overdue,
        hazards_overdue=query.hazards_overdue,
        after_uscc=after,
    )


async def list_units(query: UnitQuery, requester: Requester, uow: UnitOfWork) -> Page[Unit]:
    """Units matching the query inside the caller's scope, one page at a time (keyset on USCC)."""
    criteria = unit_filter(query)
    size = page_size(query.limit)
    async with uow:
        rows = await uow.units.list(criteria, requester.scope, size + 1)
    items = list(rows[:size])
    next_cursor = encode_cursor("units", items[-1].uscc) if len(rows) > size else ""
    return Page(items, next_cursor)


async def propose_key_unit(
    cmd: KeyUnitProposal, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> KeyUnitDesignation:
    """Police propose a visible unit as a key unit; one open proposal or designation at a time."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_propose_key_unit(requester.actor, unit)
        pending = await uow.designations.get_active(unit.uscc)
        designation = KeyUnitDesignation.propose(
            unit, cmd.category, cmd.reason, actor=requester.actor, now=now, pending=pending
        )
        await uow.designations.add(designation)
        await uow.units.add_change(unit, ChangeType.KEY_UNIT_PROPOSED, [], requester.actor, now)
        uow.publish(KeyUnitProposed(unit.snapshot(), dataclasses.replace(designation), requester.actor, now))
        await uow.commit()
    return designation


async def confirm_key_unit(
    cmd: KeyUnitConfirmation, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> tuple[Unit, KeyUnitDesignation]:
    """A city bureau or the province confirms the pending proposal: the unit becomes a key unit."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_decide_key_unit(requester.actor, unit)
        unit.check_version(cmd.version)
        designation = await uow.designations.get_active(unit.uscc)
        if designation is None:
            raise InvalidState(f"unit {unit.uscc} has no key-unit proposal to confirm")
        designation.confirm(requester.actor, cmd.designated_on or now.date(), now)
        previous_version = unit.version
        changes = unit.designate(designation.category, now)
        await uow.designations.update(designation)
        await uow.units.update(unit, previous_version)
        flags = await refresh_flags(uow, unit, local_date(now))
        await uow.units.add_change(unit, ChangeType.KEY_UNIT_DESIGNATED, changes, requester.actor, now)
        uow.publish(
            KeyUnitDesignated(unit.snapshot(), dataclasses.replace(designation), requester.actor, now, flags)
        )
        await uow.commit()
    return unit, designation


async def withdraw_key_unit(
    cmd: KeyUnitWithdrawal, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> tuple[Unit, KeyUnitDesignation]:
    """A city bureau or the province withdraws the designation (or drops the pending proposal)."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_decide_key_unit(requester.actor, unit)
        unit.check_version(cmd.version)
        designation = await uow.designations.get_active(unit.uscc)
        if designation is None:
            raise InvalidState(f"unit {unit.uscc} has no key-unit designation to withdraw")
        was_designated = designation.withdraw(requester.actor, cmd.reason, now)
        await uow.designations.update(designation)
        if was_designated:
            previous_version = unit.version
            changes = unit.withdraw_designation(now)
            await uow.units.update(unit, previous_version)
        else:
            changes = []
        flags = await refresh_flags(uow, unit, local_date(now))
        await uow.units.add_change(unit, ChangeType.KEY_UNIT_WITHDRAWN, changes, requester.actor, now)
        uow.publish(
            KeyUnitWithdrawn(
                unit.snapshot(), dataclasses.replace(designation), was_designated, requester.actor, now, flags
            )
        )
        await uow.commit()
    return unit, designation


async def list_key_unit_designations(
    uscc: str, requester: Requester, uow: UnitOfWork
) -> Sequence[KeyUnitDesignation]:
    """The designation history of a visible unit, newest first."""
    async with uow:
        unit = await visible_unit(uow, uscc, requester.scope)
        return await uow.designations.list_for(unit.uscc)


async def list_unit_changes(
    uscc: str, limit: int, cursor: str, requester: Requester, uow: UnitOfWork
) -> Page[ChangeEntry]:
    """The change history of a visible unit, newest first, a page at a time."""
    size = page_size(limit)
    before = decode_cursor("changes", cursor)
    if before is not None and not before.isdigit():
        raise ValidationFailed([FieldViolation("cursor", "INVALID_CURSOR", "cursor is not valid")])
    async with uow:
        unit = await visible_unit(uow, uscc, requester.scope)
        rows = await uow.units.list_changes(unit.uscc, int(before) if before else None, size + 1)
    items = list(rows[:size])
    next_cursor = encode_cursor("changes", str(items[-1].id)) if len(rows) > size else ""
    return Page(items, next_cursor)


def _as_of(value: date | None, clock: Clock) -> date:
    return value or clock().date()


async def list_jurisdictions(
    parent: str, as_of: date | None, uow: UnitOfWork, clock: Clock = utc_now
) -> JurisdictionNode:
    """The division tree under `parent` (the province by default) in force on `as_of`, with stations."""
    return await get_jurisdiction(parent or PROVINCE, uow, as_of=as_of, clock=clock, field="parent")


async def get_jurisdiction(
    code: str, uow: UnitOfWork, *, as_of: date | None = None, clock: Clock = utc_now, field: str = "code"
) -> JurisdictionNode:
    """One division in force with its sub-divisions and police stations."""
    code = code.strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise ValidationFailed(
            [FieldViolation(field, "INVALID_FORMAT", f"{field} must be a 6-digit GB/T 2260 code")]
        )
    prefix = policy.jurisdiction_prefix(code) or code
    on = _as_of(as_of, clock)
    async with uow:
        divisions = await uow.jurisdictions.divisions(prefix)
        stations = await uow.jurisdictions.stations(prefix)
    node = build_tree(code, divisions, stations, on)
    if node is None:
        raise NotFound("jurisdiction", code)
    return node
