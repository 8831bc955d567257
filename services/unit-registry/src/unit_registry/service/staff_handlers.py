"""Use cases of a unit's security staff: records, trainings, assessments, certificates, lookup by resident ID.

Resident IDs and phones leave only through `disclose_staff`: clear for police, masked for everyone else.
"""

from __future__ import annotations

from collections.abc import Sequence

from unit_registry.domain import policy
from unit_registry.domain.disclosure import Discloser, PersonalDataKind
from unit_registry.domain.dossier import local_date
from unit_registry.domain.enums import ChangeKind, DossierSection
from unit_registry.domain.errors import AlreadyExists, ValidationFailed
from unit_registry.domain.events import DossierUpdated, TrainingRecorded
from unit_registry.domain.model import Actor, Unit
from unit_registry.domain.staff import (
    STAFF_FIELDS,
    Assessment,
    AssessmentDraft,
    Certificate,
    StaffDraft,
    StaffMember,
    Training,
    TrainingDraft,
    new_assessment,
    new_certificate,
    new_training,
    resident_id_violations,
    validate_staff,
)
from unit_registry.service.dossier_commands import (
    ItemCreate,
    ItemUpdate,
    StaffQuery,
    StaffRecordAdd,
    StaffRemoval,
)
from unit_registry.service.dossier_handlers import (
    Disclosed,
    ItemKind,
    create_item,
    find_item,
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


async def _one_record_per_person(uow: UnitOfWork, unit: Unit, member: StaffMember) -> None:
    if member.active and await uow.staff.has_active(unit.uscc, member.resident_id, other_than=member.id):
        # The key names the unit, never the number (messages end up in logs).
        raise AlreadyExists("staff member of unit", unit.uscc, "resident_id")


STAFF: ItemKind[StaffMember, StaffDraft] = ItemKind(
    name="staff member",
    section=DossierSection.STAFF,
    repository=lambda uow: uow.staff,
    check_may_write=lambda actor, unit: policy.check_may_keep_dossier(actor, unit, "staff"),
    validate=validate_staff,
    make=StaffMember.create,
    draft_type=StaffDraft,
    editable=STAFF_FIELDS,
    check_consistency=_one_record_per_person,
)


def disclose_staff(members: Sequence[StaffMember], actor: Actor) -> Disclosed[list[StaffMember]]:
    """Staff with resident IDs and phones clear (police) or masked (everyone else)."""
    discloser = Discloser.for_actor(actor)
    shown = [
        discloser.reveal(m, str(m.id), resident_id=PersonalDataKind.RESIDENT_ID, phone=PersonalDataKind.PHONE)
        for m in members
    ]
    return Disclosed(shown, discloser.result())


def _one(members: Disclosed[list[StaffMember]]) -> Disclosed[StaffMember]:
    return Disclosed(members.value[0], members.disclosure)


async def list_staff(
    query: StaffQuery, requester: Requester, uow: UnitOfWork
) -> Disclosed[Page[StaffMember]]:
    """A visible unit's staff by name, a page at a time."""
    size = page_size(query.limit)
    after = decode_keys("staff", query.cursor, 2)
    async with uow:
        unit = await visible_unit(uow, query.uscc, requester.scope)
        rows = await uow.staff.list_page(unit.uscc, query.include_departed, after, size + 1)
    items = list(rows[:size])
    cursor = encode_keys("staff", items[-1].name, str(items[-1].id)) if len(rows) > size else ""
    shown = disclose_staff(items, requester.actor)
    return Disclosed(Page(shown.value, cursor), shown.disclosure)


async def get_staff_member(
    uscc: str, staff_id: str, requester: Requester, uow: UnitOfWork
) -> Disclosed[StaffMember]:
    """One staff member of a visible unit, with trainings, assessments and certificates."""
    async with uow:
        unit = await visible_unit(uow, uscc, requester.scope)
        member = await find_item(STAFF, uow, unit, staff_id, for_update=False)
    return _one(disclose_staff([member], requester.actor))


async def create_staff_member(
    cmd: ItemCreate[StaffDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Disclosed[StaffMember]:
    """Add a staff member (one active record per resident ID and unit)."""
    member = await create_item(STAFF, cmd, requester, uow, clock)
    return _one(disclose_staff([member], requester.actor))


async def update_staff_member(
    cmd: ItemUpdate[StaffDraft], requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Disclosed[StaffMember]:
    """Change a staff member's fields."""
    member = await update_item(STAFF, cmd, requester, uow, clock)
    return _one(disclose_staff([member], requester.actor))


async def remove_staff_member(
    cmd: StaffRemoval, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Disclosed[StaffMember]:
    """The staff member left the unit; the record stays (dossier.updated, removed)."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        member = await find_item(STAFF, uow, unit, cmd.staff_id, for_update=True)
        STAFF.check_may_write(requester.actor, unit)
        require_active(unit)
        member.check_version(cmd.version)
        previous_version = member.version
        member.depart(cmd.departed_on or today, today, now)
        await uow.staff.update(member, previous_version)
        flags = await refresh_flags(uow, unit, today)
        uow.publish(
            DossierUpdated(
                unit.snapshot(),
                DossierSection.STAFF,
                member.id,
                ChangeKind.REMOVED,
                flags,
                requester.actor,
                now,
            )
        )
        await uow.commit()
    return _one(disclose_staff([member], requester.actor))


async def add_staff_record(
    cmd: StaffRecordAdd, requester: Requester, uow: UnitOfWork, clock: Clock = utc_now
) -> Disclosed[StaffMember]:
    """A training (training.recorded), an assessment or a certificate (dossier.updated) of a staff member."""
    now = clock()
    today = local_date(now)
    async with uow:
        unit = await visible_unit(uow, cmd.uscc, requester.scope, for_update=True)
        member = await find_item(STAFF, uow, unit, cmd.staff_id, for_update=True)
        policy.check_may_keep_dossier(requester.actor, unit, "staff records")
        require_active(unit)
        record: Training | Assessment | Certificate
        match cmd.draft:
            case TrainingDraft():
                record = new_training(cmd.draft, today)
            case AssessmentDraft():
                record = new_assessment(cmd.draft, today)
            case _:
                record = new_certificate(cmd.draft, today)
        previous_version = member.version
        member.add_record(record, now)
        await uow.staff.update(member, previous_version)
        flags = await refresh_flags(uow, unit, today)
        match record:
            case Training():
                uow.publish(TrainingRecorded(unit.snapshot(), member.id, record, flags, requester.actor, now))
            case Assessment() | Certificate():
                section = (
                    DossierSection.ASSESSMENTS
                    if isinstance(record, Assessment)
                    else DossierSection.CERTIFICATES
                )
                uow.publish(
                    DossierUpdated(
                        unit.snapshot(), section, record.id, ChangeKind.ADDED, flags, requester.actor, now
                    )
                )
        await uow.commit()
    return _one(disclose_staff([member], requester.actor))


async def find_staff_by_resident_id(
    resident_id: str, requester: Requester, uow: UnitOfWork
) -> Disclosed[list[StaffMember]]:
    """Police only: the staff records in their scope with this resident ID (by blind index)."""
    policy.check_may_look_up_resident_id(requester.actor)
    number, violations = resident_id_violations("resident_id", resident_id)
    if violations:
        raise ValidationFailed(violations)
    async with uow:
        members = await uow.staff.find_by_resident_id(number, requester.scope)
    return disclose_staff(members, requester.actor)
