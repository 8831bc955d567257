"""Use cases of inspections and hazards: police or regulators inspect and open hazards, the unit rectifies,
the inspecting party verifies.
"""

from __future__ import annotations

from collections.abc import Sequence

from unit_registry.domain import policy
from unit_registry.domain.dossier import local_date
from unit_registry.domain.enums import HazardState
from unit_registry.domain.errors import NotFound
from unit_registry.domain.events import (
    HazardOpened,
    HazardRectified,
    HazardReopened,
    HazardVerified,
    InspectionRecorded,
)
from unit_registry.domain.inspections import Hazard, HazardDraft, Inspection, InspectionDraft
from unit_registry.domain.model import Unit
from unit_registry.service.dossier_commands import (
    HazardOpening,
    HazardQuery,
    HazardRectification,
    HazardVerification,
    ItemCreate,
    PageQuery,
)
from unit_registry.service.dossier_handlers import parse_id, require_active
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
from unit_registry.service.unit_of_work import UnitOfWork


async def _inspection(uow: UnitOfWork, unit: Unit, inspection_id: str) -> Inspection:
    found = await uow.inspections.get(unit.uscc, parse_id(inspection_id, "inspection"))
    if found is None:
        raise NotFound("inspection", inspection_id)
    return found


async def _hazard(uow: UnitOfWork, unit: Unit, hazard_id: str, version: int | None = None) -> Hazard:
    found = await uow.hazards.get(unit.uscc, parse_id(hazard_id, "hazard"), for_update=version is not None)
    if found is None:
        raise NotFound("hazard", hazard_id)
    if version is not None:
        found.check_version(version)
    return found


async def list_inspections(query: PageQuery, requester: Requester, uow: UnitOfWork) -> Page[Inspection]:
    """A visible unit's inspections, newest first."""
    size = page_size(query.limit)
    after = decode_keys("inspections", query.cursor, 2)
    async with uow:
        unit = await visible_unit(uow, query.uscc, requester.scope)
        rows = await uow.inspections.list_page(unit.uscc, after, size + 1)
    items = list(rows[:size])
    last = items[-1] if items else None
    cursor = (
        encode_keys("inspections", last.inspected_on.isoformat(), str(last.id))
        if last and len(rows) > size
        else ""
    )
    return Page(items, cursor)


async def get_inspection(
    uscc: str, inspection_id: str, requester: Requester, uow: UnitOfWork
) -> tuple[Inspection, Sequence[Hazard]]:
    """One inspection of a visible unit and the hazards it found."""
    async with uow:
        unit = await visible_unit(uow, uscc, requester.scope)
        inspection = await _inspection(uow, unit, inspection_id)
        return inspection, await uow.hazards.list_for_inspection(unit.uscc, inspection.id)


async def record_inspection(
    cmd: ItemCreate[InspectionDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Inspection:
    """Police of the unit's jurisdiction or a regulator of its sector inspect it (inspection.recorded)."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        party = policy.inspecting_party(requester.actor, unit)
        require_active(unit)
        inspection = Inspection.record(
            unit.uscc, party, cmd.draft, actor=requester.actor, today=today, now=now
        )
        await uow.inspections.add(inspection)
        flags = await refresh_flags(uow, unit, today)
        uow.publish(InspectionRecorded(unit.snapshot(), inspection, flags, requester.actor, now))
        await uow.commit()
    return inspection


async def list_hazards(
    query: HazardQuery, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Page[Hazard]:
    """A visible unit's hazards by deadline, filtered by state and overdue."""
    size = page_size(query.limit)
    after = decode_keys("hazards", query.cursor, 2)
    today = local_date(clock())
    async with uow:
        unit = await visible_unit(uow, query.uscc, requester.scope)
        rows = await uow.hazards.list_page(
            unit.uscc, query.state, query.overdue, today, after=after, limit=size + 1
        )
    items = list(rows[:size])
    last = items[-1] if items else None
    cursor = (
        encode_keys("hazards", last.deadline.isoformat(), str(last.id)) if last and len(rows) > size else ""
    )
    return Page(items, cursor)


async def get_hazard(uscc: str, hazard_id: str, requester: Requester, uow: UnitOfWork) -> Hazard:
    """One hazard of a visible unit."""
    async with uow:
        unit = await visible_unit(uow, uscc, requester.scope)
        return await _hazard(uow, unit, hazard_id)


async def open_hazard(
    cmd: HazardOpening[HazardDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Hazard:
    """The party that made an inspection opens a hazard found in it (hazard.opened)."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        inspection = await _inspection(uow, unit, cmd.inspection_id)
        policy.check_may_open_hazard(requester.actor, unit, inspection.party)
        require_active(unit)
        hazard = Hazard.open(inspection, cmd.draft, requester.actor, today, now)
        await uow.hazards.add(hazard)
        flags = await refresh_flags(uow, unit, today)
        uow.publish(HazardOpened(unit.snapshot(), hazard, flags, requester.actor, now))
        await uow.commit()
    return hazard


async def rectify_hazard(
    cmd: HazardRectification, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Hazard:
    """The unit's security staff report a hazard rectified, with evidence (hazard.rectified)."""
    now = clock()
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        hazard = await _hazard(uow, unit, cmd.hazard_id, cmd.version)
        policy.check_may_rectify(requester.actor, unit)
        require_active(unit)
        previous_version = hazard.version
        hazard.rectify(cmd.note, cmd.evidence, requester.actor, now)
        await uow.hazards.update(hazard, previous_version)
        flags = await refresh_flags(uow, unit, local_date(now))
        uow.publish(HazardRectified(unit.snapshot(), hazard, flags, requester.actor, now))
        await uow.commit()
    return hazard


async def verify_hazard(
    cmd: HazardVerification, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Hazard:
    """The inspecting party accepts the rectification (hazard.verified) or rejects it (hazard.reopened)."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        hazard = await _hazard(uow, unit, cmd.hazard_id, cmd.version)
        policy.check_may_verify(requester.actor, unit, hazard.party)
        previous_version = hazard.version
        hazard.verify(cmd.accepted, cmd.note, cmd.new_deadline, actor=requester.actor, today=today, now=now)
        await uow.hazards.update(hazard, previous_version)
        flags = await refresh_flags(uow, unit, today)
        event = HazardVerified if hazard.state is HazardState.VERIFIED else HazardReopened
        uow.publish(event(unit.snapshot(), hazard, flags, requester.actor, now))
        await uow.commit()
    return hazard
