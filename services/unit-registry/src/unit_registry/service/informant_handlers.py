"""Use cases of informants and their reports: police only. For every other caller the unit is looked up in
the police part of their scope, which is empty: NOT_FOUND, as if informants did not exist.
"""

from __future__ import annotations

from collections.abc import Sequence

from unit_registry.domain import policy
from unit_registry.domain.disclosure import Discloser, PersonalDataKind
from unit_registry.domain.dossier import local_date
from unit_registry.domain.enums import DossierSection
from unit_registry.domain.events import InformantReportFiled
from unit_registry.domain.informants import (
    INFORMANT_FIELDS,
    Informant,
    InformantDraft,
    InformantReport,
    InformantReportDraft,
    validate_informant,
)
from unit_registry.domain.model import Actor
from unit_registry.service.dossier_commands import InformantReportFile, ItemCreate, ItemUpdate, ReportQuery
from unit_registry.service.dossier_handlers import (
    Disclosed,
    ItemKind,
    create_item,
    find_item,
    get_item,
    list_items,
    police_only,
    require_active,
    update_item,
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
from unit_registry.service.unit_of_work import UnitOfWork

INFORMANTS: ItemKind[Informant, InformantDraft] = ItemKind(
    name="informant",
    section=DossierSection.INFORMANTS,
    repository=lambda uow: uow.informants,
    check_may_write=policy.check_may_keep_informants,
    validate=validate_informant,
    make=Informant.create,
    draft_type=InformantDraft,
    editable=INFORMANT_FIELDS,
    visible_in=police_only,
)


def disclose_informants(informants: Sequence[Informant], actor: Actor) -> Disclosed[list[Informant]]:
    """Informants' names and phones (police only ever get here: clear)."""
    discloser = Discloser.for_actor(actor)
    shown = [
        discloser.reveal(i, str(i.id), name=PersonalDataKind.NAME, phone=PersonalDataKind.PHONE)
        for i in informants
    ]
    return Disclosed(shown, discloser.result())


def _one(informants: Disclosed[list[Informant]]) -> Disclosed[Informant]:
    return Disclosed(informants.value[0], informants.disclosure)


async def list_informants(
    uscc: str, include_inactive: bool, requester: Requester, uow: UnitOfWork
) -> Disclosed[list[Informant]]:
    """A unit's informants (active ones unless asked)."""
    found = await list_items(INFORMANTS, uscc, requester, uow)
    return disclose_informants([i for i in found if include_inactive or i.active], requester.actor)


async def get_informant(
    uscc: str, informant_id: str, requester: Requester, uow: UnitOfWork
) -> Disclosed[Informant]:
    """One informant."""
    return _one(
        disclose_informants([await get_item(INFORMANTS, uscc, informant_id, requester, uow)], requester.actor)
    )


async def create_informant(
    cmd: ItemCreate[InformantDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Disclosed[Informant]:
    """Add an informant (police of the unit's jurisdiction)."""
    informant = await create_item(INFORMANTS, cmd, requester, uow, clock)
    return _one(disclose_informants([informant], requester.actor))


async def update_informant(
    cmd: ItemUpdate[InformantDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Disclosed[Informant]:
    """Change an informant (active = false retires them)."""
    informant = await update_item(INFORMANTS, cmd, requester, uow, clock)
    return _one(disclose_informants([informant], requester.actor))


async def file_informant_report(
    cmd: InformantReportFile[InformantReportDraft],
    requester: Requester,
    uow: UnitOfWork,
    clock: Clock = utc_now,
) -> InformantReport:
    """An active informant's report (informant-report.filed, for alarm routing)."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, police_only(requester.scope), for_update=True)
        informant = await find_item(INFORMANTS, uow, unit, cmd.informant_id, for_update=False)
        policy.check_may_keep_informants(requester.actor, unit)
        require_active(unit)
        report = InformantReport.file(informant, cmd.draft, requester.actor, today, now)
        await uow.informants.add_report(report)
        flags = await refresh_flags(uow, unit, today)
        uow.publish(InformantReportFiled(unit.snapshot(), report, flags, requester.actor, now))
        await uow.commit()
    return report


async def list_informant_reports(
    query: ReportQuery, requester: Requester, uow: UnitOfWork
) -> Page[InformantReport]:
    """A unit's informant reports, newest first (of one informant when given)."""
    size = page_size(query.limit)
    after = decode_keys("informant-reports", query.cursor, 2)
    async with uow:
        unit = await visible_unit(uow, query.uscc, police_only(requester.scope))
        informant_id = None
        if query.informant_id.strip():
            informant_id = (await find_item(INFORMANTS, uow, unit, query.informant_id, for_update=False)).id
        rows = await uow.informants.list_reports(unit.uscc, informant_id, after, size + 1)
    items = list(rows[:size])
    last = items[-1] if items else None
    cursor = (
        encode_keys("informant-reports", last.reported_on.isoformat(), str(last.id))
        if last and len(rows) > size
        else ""
    )
    return Page(items, cursor)
