"""Use cases of the unit dossier: summary, filing workflow, responsible persons, key parts, plans, drills,
police workstations. Staff, informants and inspections: staff_handlers, informant_handlers,
inspection_handlers.

Each runs in one unit of work: the unit is found in the caller's scope (NotFound otherwise) and locked
for writes, the write rule is checked (Forbidden), the input validated (ValidationFailed, nothing
written), the change written with the unit's refreshed flags and exactly one event.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from neibao_identity import Scope
from unit_registry.domain import policy
from unit_registry.domain.disclosure import Discloser, Disclosure, PersonalDataKind
from unit_registry.domain.dossier import (
    KEY_PART_FIELDS,
    RESPONSIBLE_PERSON_FIELDS,
    WORKSTATION_FIELDS,
    DossierItem,
    DossierSummary,
    Drill,
    DrillDraft,
    EmergencyPlan,
    EmergencyPlanDraft,
    KeyPart,
    KeyPartDraft,
    ResponsiblePerson,
    ResponsiblePersonDraft,
    SecurityFiling,
    Workstation,
    WorkstationDraft,
    local_date,
    validate_drill,
    validate_emergency_plan,
    validate_filing_draft,
    validate_key_part,
    validate_responsible_person,
    validate_workstation,
)
from unit_registry.domain.enums import ChangeKind, DossierSection, FilingState, ResponsibleRole, UnitStatus
from unit_registry.domain.errors import (
    AlreadyExists,
    FieldViolation,
    InvalidState,
    NotFound,
    ValidationFailed,
)
from unit_registry.domain.events import (
    AnnouncedItem,
    DossierUpdated,
    DrillRecorded,
    FilingAccepted,
    FilingReturned,
    FilingSubmitted,
)
from unit_registry.domain.fields import apply_mask
from unit_registry.domain.model import Actor, Unit
from unit_registry.service.dossier_commands import (
    FilingAcceptance,
    FilingDraftSave,
    FilingReturn,
    FilingSubmission,
    ItemCreate,
    ItemDelete,
    ItemUpdate,
    PageQuery,
    PlanPublication,
)
from unit_registry.service.handlers import (
    Clock,
    Page,
    Requester,
    page_size,
    refresh_flags,
    utc_now,
    visible_unit,
)
from unit_registry.service.pagination import decode_keys, encode_keys
from unit_registry.service.unit_of_work import ItemRepository, UnitOfWork

I = TypeVar("I", bound=DossierItem)  # noqa: E741 - the usual name of an item type
D = TypeVar("D")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Disclosed(Generic[T]):
    """A result holding personal data, and how it was disclosed to the caller."""

    value: T
    disclosure: Disclosure


def announced(item: DossierItem) -> AnnouncedItem | None:
    """The item a dossier.updated event carries whole: responsible persons and key parts (for alarms)."""
    return item if isinstance(item, ResponsiblePerson | KeyPart) else None


def parse_id(value: str, kind: str) -> uuid.UUID:
    """The UUID of an item named in a path; NotFound when it is none (no such item can exist)."""
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise NotFound(kind, value) from None


def require_active(unit: Unit) -> None:
    """A closed unit's dossier is kept as it was."""
    if unit.status is not UnitStatus.ACTIVE:
        raise InvalidState(f"unit {unit.uscc} is closed: its dossier is no longer kept")


def police_only(scope: Scope) -> Scope:
    """The part of a scope granted by police roles: what informants are visible in."""
    roles = scope.roles & {policy.POLICE, policy.PROVINCE_ADMIN}
    return Scope(roles=frozenset(roles), jurisdiction_prefix=scope.jurisdiction_prefix)


def _same_scope(scope: Scope) -> Scope:
    return scope


@dataclass(frozen=True)
class ItemKind(Generic[I, D]):
    """How one kind of editable dossier item is kept: who writes it, how it is validated and made."""

    name: str
    section: DossierSection
    repository: Callable[[UnitOfWork], ItemRepository[I]]
    check_may_write: Callable[[Actor, Unit], None]
    validate: Callable[[D, date], D]
    make: Callable[[str, D, datetime], I]
    draft_type: type[D]
    editable: frozenset[str]
    # Rules that need the database (uniqueness, references), run on the validated item before writing.
    check_consistency: Callable[[UnitOfWork, Unit, I], Awaitable[None]] | None = None
    visible_in: Callable[[Scope], Scope] = _same_scope


async def find_item(
    kind: ItemKind[I, D], uow: UnitOfWork, unit: Unit, item_id: str, *, for_update: bool
) -> I:
    """The unit's item of this kind; NotFound when there is none (or the id names nothing)."""
    found = await kind.repository(uow).get(unit.uscc, parse_id(item_id, kind.name), for_update=for_update)
    if found is None:
        raise NotFound(kind.name, item_id)
    return found


async def list_items(kind: ItemKind[I, D], uscc: str, requester: Requester, uow: UnitOfWork) -> Sequence[I]:
    """Every item of a kind in a visible unit's dossier."""
    async with uow:
        unit = await visible_unit(uow, uscc, kind.visible_in(requester.scope))
        return await kind.repository(uow).list_for(unit.uscc)


async def get_item(kind: ItemKind[I, D], uscc: str, item_id: str, requester: Requester, uow: UnitOfWork) -> I:
    """One item of a visible unit's dossier."""
    async with uow:
        unit = await visible_unit(uow, uscc, kind.visible_in(requester.scope))
        return await find_item(kind, uow, unit, item_id, for_update=False)


async def create_item(
    kind: ItemKind[I, D], cmd: ItemCreate[D], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> I:
    """Add an item to a visible unit's dossier (dossier.updated, added)."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, kind.visible_in(requester.scope), for_update=True)
        kind.check_may_write(requester.actor, unit)
        require_active(unit)
        draft = kind.validate(cmd.draft, today)
        item = kind.make(unit.uscc, draft, now)
        if kind.check_consistency is not None:
            await kind.check_consistency(uow, unit, item)
        await kind.repository(uow).add(item)
        flags = await refresh_flags(uow, unit, today)
        uow.publish(
            DossierUpdated(
                unit.snapshot(),
                kind.section,
                item.id,
                ChangeKind.ADDED,
                flags,
                requester.actor,
                now,
                announced(item),
            )
        )
        await uow.commit()
    return item


async def update_item(
    kind: ItemKind[I, D], cmd: ItemUpdate[D], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> I:
    """Change the named fields of an item (dossier.updated, updated); no change, no version, no event."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, kind.visible_in(requester.scope), for_update=True)
        item = await find_item(kind, uow, unit, cmd.item_id, for_update=True)
        kind.check_may_write(requester.actor, unit)
        require_active(unit)
        draft = kind.validate(
            apply_mask(item.draft_as(kind.draft_type), cmd.draft, cmd.fields, kind.editable), today
        )
        item.check_version(cmd.version)
        previous_version = item.version
        if not item.apply(draft, now):
            return item
        if kind.check_consistency is not None:
            await kind.check_consistency(uow, unit, item)
        await kind.repository(uow).update(item, previous_version)
        flags = await refresh_flags(uow, unit, today)
        uow.publish(
            DossierUpdated(
                unit.snapshot(),
                kind.section,
                item.id,
                ChangeKind.UPDATED,
                flags,
                requester.actor,
                now,
                announced(item),
            )
        )
        await uow.commit()
    return item


async def delete_item(
    kind: ItemKind[I, D], cmd: ItemDelete, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> None:
    """Remove an item (dossier.updated, removed)."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, kind.visible_in(requester.scope), for_update=True)
        item = await find_item(kind, uow, unit, cmd.item_id, for_update=True)
        kind.check_may_write(requester.actor, unit)
        require_active(unit)
        item.check_version(cmd.version)
        await kind.repository(uow).delete(item)
        flags = await refresh_flags(uow, unit, local_date(now))
        uow.publish(
            DossierUpdated(
                unit.snapshot(),
                kind.section,
                item.id,
                ChangeKind.REMOVED,
                flags,
                requester.actor,
                now,
                announced(item),
            )
        )
        await uow.commit()


# The summary ----------------------------------------------------------------------------------------


async def get_dossier(
    uscc: str, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> DossierSummary:
    """A visible unit's dossier at a glance; the informant count only for its police."""
    today = local_date(clock())
    async with uow:
        unit = await visible_unit(uow, uscc, requester.scope)
        counts = await uow.dossier.counts(unit.uscc, today)
        in_force = await uow.filings.get_in_force(unit.uscc)
        open_filing = await uow.filings.get_open(unit.uscc)
    return DossierSummary(
        uscc=unit.uscc,
        key_unit=unit.key_unit,
        flags=unit.flags,
        filing_in_force=in_force,
        open_filing=open_filing,
        responsible_persons=counts.responsible_persons,
        has_first_responsible=counts.has_first_responsible,
        staff_full_time=counts.staff_full_time,
        staff_part_time=counts.staff_part_time,
        certificates_expired=counts.certificates_expired,
        certificates_expiring=counts.certificates_expiring,
        key_parts=counts.key_parts,
        current_plans=counts.current_plans,
        drills_last_12_months=counts.drills_last_12_months,
        last_drill_on=counts.last_drill_on,
        inspections_last_12_months=counts.inspections_last_12_months,
        hazards_open=counts.hazards_open,
        hazards_overdue=counts.hazards_overdue,
        hazards_awaiting_verification=counts.hazards_awaiting_verification,
        workstations_open=counts.workstations_open,
        informants=counts.informants if policy.is_police_in(requester.actor, unit.jurisdiction) else None,
    )


# Filing (备案, §1) -----------------------------------------------------------------------------------


async def list_filings(uscc: str, requester: Requester, uow: UnitOfWork) -> Sequence[SecurityFiling]:
    """A visible unit's filings, newest first."""
    async with uow:
        unit = await visible_unit(uow, uscc, requester.scope)
        return await uow.filings.list_for(unit.uscc)


async def save_filing_draft(
    cmd: FilingDraftSave, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> SecurityFiling:
    """Revise the unit's open filing (a returned one becomes a draft again), or start a new draft."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_prepare_filing(requester.actor, unit)
        require_active(unit)
        draft = validate_filing_draft(cmd.draft, today)
        filing = await uow.filings.get_open(unit.uscc, for_update=True)
        if filing is None:
            filing = SecurityFiling.start(unit.uscc, draft, requester.actor, now)
            await uow.filings.add(filing)
            change = ChangeKind.ADDED
        else:
            if filing.state is FilingState.SUBMITTED:
                raise InvalidState("the unit's filing is with the police for review: wait for their decision")
            filing.check_version(cmd.version)
            previous_version = filing.version
            filing.revise(draft, requester.actor, now)
            await uow.filings.update(filing, previous_version)
            change = ChangeKind.UPDATED
        flags = await refresh_flags(uow, unit, today)
        uow.publish(
            DossierUpdated(
                unit.snapshot(), DossierSection.FILING, filing.id, change, flags, requester.actor, now
            )
        )
        await uow.commit()
    return filing


async def _filing_for_update(uow: UnitOfWork, unit: Unit, filing_id: str, version: int) -> SecurityFiling:
    filing = await uow.filings.get(unit.uscc, parse_id(filing_id, "filing"), for_update=True)
    if filing is None:
        raise NotFound("filing", filing_id)
    filing.check_version(version)
    return filing


async def submit_filing(
    cmd: FilingSubmission, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> SecurityFiling:
    """Submit a draft or resubmit a returned filing (filing.submitted)."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_prepare_filing(requester.actor, unit)
        require_active(unit)
        filing = await _filing_for_update(uow, unit, cmd.filing_id, cmd.version)
        previous_version = filing.version
        resubmission = filing.submit(requester.actor, now, key_unit=unit.key_unit)
        await uow.filings.update(filing, previous_version)
        flags = await refresh_flags(uow, unit, local_date(now))
        uow.publish(FilingSubmitted(unit.snapshot(), filing, resubmission, flags, requester.actor, now))
        await uow.commit()
    return filing


async def accept_filing(
    cmd: FilingAcceptance, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> SecurityFiling:
    """The unit's police accept a submitted filing: it is in force (filing.accepted)."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_decide_filing(requester.actor, unit)
        filing = await _filing_for_update(uow, unit, cmd.filing_id, cmd.version)
        previous_version = filing.version
        filing.accept(requester.actor, now, cmd.note)
        filing.in_force = True
        await uow.filings.update(filing, previous_version)
        flags = await refresh_flags(uow, unit, local_date(now))
        uow.publish(FilingAccepted(unit.snapshot(), filing, flags, requester.actor, now))
        await uow.commit()
    return filing


async def return_filing(
    cmd: FilingReturn, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> SecurityFiling:
    """The unit's police return a submitted filing with reasons (filing.returned)."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_decide_filing(requester.actor, unit)
        filing = await _filing_for_update(uow, unit, cmd.filing_id, cmd.version)
        previous_version = filing.version
        filing.send_back(requester.actor, now, cmd.reasons)
        await uow.filings.update(filing, previous_version)
        flags = await refresh_flags(uow, unit, local_date(now))
        uow.publish(FilingReturned(unit.snapshot(), filing, flags, requester.actor, now))
        await uow.commit()
    return filing


# Responsible persons (§21) --------------------------------------------------------------------------


async def _one_first_responsible(uow: UnitOfWork, unit: Unit, person: ResponsiblePerson) -> None:
    if person.role is not ResponsibleRole.FIRST_RESPONSIBLE:
        return
    others = await uow.responsible_persons.list_for(unit.uscc)
    if any(p.role is ResponsibleRole.FIRST_RESPONSIBLE and p.id != person.id for p in others):
        raise AlreadyExists("first responsible person", unit.uscc, "role")


RESPONSIBLE_PERSONS: ItemKind[ResponsiblePerson, ResponsiblePersonDraft] = ItemKind(
    name="responsible person",
    section=DossierSection.RESPONSIBLE_PERSONS,
    repository=lambda uow: uow.responsible_persons,
    check_may_write=lambda actor, unit: policy.check_may_keep_dossier(actor, unit, "responsible persons"),
    validate=validate_responsible_person,
    make=ResponsiblePerson.create,
    draft_type=ResponsiblePersonDraft,
    editable=RESPONSIBLE_PERSON_FIELDS,
    check_consistency=_one_first_responsible,
)


def disclose_people(people: Sequence[ResponsiblePerson], actor: Actor) -> Disclosed[list[ResponsiblePerson]]:
    """Responsible persons with their phones clear or masked for `actor`."""
    discloser = Discloser.for_actor(actor)
    shown = [discloser.reveal(p, str(p.id), phone=PersonalDataKind.PHONE) for p in people]
    return Disclosed(shown, discloser.result())


async def list_responsible_persons(
    uscc: str, requester: Requester, uow: UnitOfWork
) -> Disclosed[list[ResponsiblePerson]]:
    """A visible unit's responsible persons, the first responsible person first."""
    people = await list_items(RESPONSIBLE_PERSONS, uscc, requester, uow)
    return disclose_people(people, requester.actor)


async def create_responsible_person(
    cmd: ItemCreate[ResponsiblePersonDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Disclosed[ResponsiblePerson]:
    """Add a responsible person (one first responsible person per unit)."""
    person = await create_item(RESPONSIBLE_PERSONS, cmd, requester, uow, clock)
    shown = disclose_people([person], requester.actor)
    return Disclosed(shown.value[0], shown.disclosure)


async def update_responsible_person(
    cmd: ItemUpdate[ResponsiblePersonDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Disclosed[ResponsiblePerson]:
    """Change a responsible person."""
    person = await update_item(RESPONSIBLE_PERSONS, cmd, requester, uow, clock)
    shown = disclose_people([person], requester.actor)
    return Disclosed(shown.value[0], shown.disclosure)


async def delete_responsible_person(
    cmd: ItemDelete, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> None:
    """Remove a responsible person."""
    await delete_item(RESPONSIBLE_PERSONS, cmd, requester, uow, clock)


# Key parts (§6) ---------------------------------------------------------------------------------------


def _validate_key_part(draft: KeyPartDraft, today: date) -> KeyPartDraft:
    return validate_key_part(draft)


KEY_PARTS: ItemKind[KeyPart, KeyPartDraft] = ItemKind(
    name="key part",
    section=DossierSection.KEY_PARTS,
    repository=lambda uow: uow.key_parts,
    check_may_write=lambda actor, unit: policy.check_may_keep_dossier(actor, unit, "key parts"),
    validate=_validate_key_part,
    make=KeyPart.create,
    draft_type=KeyPartDraft,
    editable=KEY_PART_FIELDS,
)


# Police workstations (§16) --------------------------------------------------------------------------


async def _station_of_the_unit(uow: UnitOfWork, unit: Unit, workstation: Workstation) -> None:
    station = await uow.jurisdictions.get_station(workstation.police_station)
    if station is None or station.jurisdiction != unit.jurisdiction:
        raise ValidationFailed(
            [
                FieldViolation(
                    "police_station",
                    "UNKNOWN_POLICE_STATION",
                    f"police_station {workstation.police_station} is not a station of {unit.jurisdiction}",
                )
            ]
        )


WORKSTATIONS: ItemKind[Workstation, WorkstationDraft] = ItemKind(
    name="workstation",
    section=DossierSection.WORKSTATIONS,
    repository=lambda uow: uow.workstations,
    check_may_write=policy.check_may_keep_workstations,
    validate=validate_workstation,
    make=Workstation.create,
    draft_type=WorkstationDraft,
    editable=WORKSTATION_FIELDS,
    check_consistency=_station_of_the_unit,
)


# Emergency plans and drills (§4) --------------------------------------------------------------------


async def list_emergency_plans(
    uscc: str, include_superseded: bool, requester: Requester, uow: UnitOfWork
) -> Sequence[EmergencyPlan]:
    """A visible unit's plans (current versions, or every version)."""
    async with uow:
        unit = await visible_unit(uow, uscc, requester.scope)
        return await uow.plans.list_for(unit.uscc, include_superseded)


async def publish_emergency_plan(
    cmd: PlanPublication[EmergencyPlanDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> EmergencyPlan:
    """A new plan, or a new version superseding the current one (dossier.updated)."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_keep_dossier(requester.actor, unit, "emergency plans")
        require_active(unit)
        draft = validate_emergency_plan(cmd.draft)
        previous = None
        if cmd.plan_id.strip():
            previous = await uow.plans.get_current(unit.uscc, parse_id(cmd.plan_id, "emergency plan"))
            if previous is None:
                raise NotFound("emergency plan", cmd.plan_id)
        plan = EmergencyPlan.publish(unit.uscc, draft, requester.actor, now, previous)
        if previous is not None:
            await uow.plans.supersede(previous)
        await uow.plans.add(plan)
        flags = await refresh_flags(uow, unit, local_date(now))
        change = ChangeKind.UPDATED if previous else ChangeKind.ADDED
        uow.publish(
            DossierUpdated(
                unit.snapshot(),
                DossierSection.EMERGENCY_PLANS,
                plan.plan_id,
                change,
                flags,
                requester.actor,
                now,
                plan,
            )
        )
        await uow.commit()
    return plan


async def list_drills(query: PageQuery, requester: Requester, uow: UnitOfWork) -> Page[Drill]:
    """A visible unit's drills, newest first."""
    size = page_size(query.limit)
    after = decode_keys("drills", query.cursor, 2)
    async with uow:
        unit = await visible_unit(uow, query.uscc, requester.scope)
        rows = await uow.drills.list_page(unit.uscc, after, size + 1)
    items = list(rows[:size])
    last = items[-1] if items else None
    cursor = (
        encode_keys("drills", last.drilled_on.isoformat(), str(last.id)) if last and len(rows) > size else ""
    )
    return Page(items, cursor)


async def record_drill(
    cmd: ItemCreate[DrillDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Drill:
    """Record a drill of a visible unit (drill.recorded); it may name one of the unit's plans."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        policy.check_may_keep_dossier(requester.actor, unit, "drills")
        require_active(unit)
        draft = validate_drill(cmd.draft, today)
        if draft.plan_id is not None and await uow.plans.get_current(unit.uscc, draft.plan_id) is None:
            raise ValidationFailed(
                [FieldViolation("plan_id", "UNKNOWN_PLAN", "plan_id is not an emergency plan of this unit")]
            )
        drill = Drill.record(unit.uscc, draft, requester.actor, now)
        await uow.drills.add(drill)
        flags = await refresh_flags(uow, unit, today)
        uow.publish(DrillRecorded(unit.snapshot(), drill, flags, requester.actor, now))
        await uow.commit()
    return drill
