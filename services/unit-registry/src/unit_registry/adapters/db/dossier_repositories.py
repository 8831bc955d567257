"""SQL repositories of the unit dossier: rows <-> domain objects, personal fields sealed and opened here.

Handlers find the unit in the caller's scope first (one scoped query) and then read its dossier by USCC;
the one cross-unit read, staff by resident ID, applies the scope in its own query.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar, cast

from psycopg import errors as pg_errors
from sqlalchemy import (
    ColumnElement,
    Executable,
    Result,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    not_,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from neibao_identity import Scope
from unit_registry.adapters.db.personal_data import PersonalDataCipher
from unit_registry.adapters.db.repositories import (
    _constraint,
    actor_from_json,
    actor_to_json,
    unit_from_row,
)
from unit_registry.adapters.db.scope import unit_scope
from unit_registry.adapters.db.tables import (
    DossierItemRow,
    DrillRow,
    EmergencyPlanRow,
    HazardRow,
    InformantReportRow,
    InformantRow,
    InspectionRow,
    KeyPartRow,
    KeyUnitDesignationRow,
    ResponsiblePersonRow,
    SecurityFilingRow,
    SecurityStaffRow,
    StaffAssessmentRow,
    StaffCertificateRow,
    StaffTrainingRow,
    UnitRow,
    WorkstationRow,
)
from unit_registry.domain.dossier import (
    CERTIFICATE_WARNING_DAYS,
    OPEN_FILING_STATES,
    DossierFacts,
    DossierItem,
    Drill,
    EmergencyPlan,
    FilingStep,
    KeyPart,
    ResponsiblePerson,
    SecurityFiling,
    Workstation,
    drill_window_start,
)
from unit_registry.domain.enums import (
    AssessmentResult,
    DesignationState,
    DeviceType,
    Employment,
    FilingState,
    HazardState,
    PartyKind,
    PlanState,
    ResponsibleRole,
    Sector,
    Severity,
    SkillGrade,
    StaffState,
    TrainingResult,
    UnitStatus,
)
from unit_registry.domain.errors import AlreadyExists, FieldViolation, ValidationFailed, VersionConflict
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.informants import Informant, InformantReport
from unit_registry.domain.inspections import Evidence, Hazard, Inspection, Party
from unit_registry.domain.model import Actor, Unit
from unit_registry.domain.staff import Assessment, Certificate, StaffMember, Training
from unit_registry.service.unit_of_work import (
    After,
    DossierCounts,
    DossierRepository,
    DrillRepository,
    FilingRepository,
    HazardRepository,
    InformantRepository,
    InspectionRepository,
    ItemRepository,
    PlanRepository,
    StaffRepository,
)

I = TypeVar("I", bound=DossierItem)  # noqa: E741 - the usual name of an item type
R = TypeVar("R", bound=DossierItemRow)

_NOBODY = Actor(subject="", name="")


def _actor(data: dict[str, Any] | None) -> Actor:
    return actor_from_json(data) or _NOBODY


def _optional_actor(actor: Actor | None) -> dict[str, Any] | None:
    return actor_to_json(actor) if actor is not None else None


def _rowcount(result: Result[Any]) -> int:
    return int(cast(Any, result).rowcount)


class SqlItemRepository(ItemRepository[I], Generic[I, R]):
    """Editable items of one kind in one table: insert, get, list, versioned update, delete."""

    row: type[R]
    # Unique constraints that mean "exists already": name -> (kind, REST field).
    unique: ClassVar[dict[str, tuple[str, str]]] = {}

    def __init__(self, session: AsyncSession, pii: PersonalDataCipher) -> None:
        self._session = session
        self._pii = pii

    @abc.abstractmethod
    def values(self, item: I) -> dict[str, Any]:
        """The row's column values."""

    @abc.abstractmethod
    def item(self, row: R) -> I:
        """The domain item of a row."""

    def order(self) -> list[Any]:
        """The natural order of a unit's items."""
        return [self.row.created_at, self.row.id]

    async def items(self, rows: Sequence[R]) -> list[I]:
        """Domain items of rows (kinds with child records load them here)."""
        return [self.item(row) for row in rows]

    async def _execute(self, statement: Executable, item: I) -> Result[Any]:
        try:
            return await self._session.execute(statement)
        except IntegrityError as exc:
            name = _constraint(exc)
            if isinstance(exc.orig, pg_errors.UniqueViolation) and name in self.unique:
                kind, field = self.unique[name]
                raise AlreadyExists(kind, item.uscc, field) from exc
            raise

    async def add(self, item: I) -> None:
        """Insert."""
        await self._execute(insert(self.row).values(**self.values(item)), item)

    async def get(self, uscc: str, item_id: uuid.UUID, *, for_update: bool = False) -> I | None:
        """The unit's item, or None."""
        query = (
            select(self.row)
            .where(self.row.uscc == uscc, self.row.id == item_id)
            .execution_options(populate_existing=True)
        )
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        return None if row is None else (await self.items([row]))[0]

    async def list_for(self, uscc: str) -> Sequence[I]:
        """The unit's items in their natural order."""
        rows = await self._session.scalars(
            select(self.row)
            .where(self.row.uscc == uscc)
            .order_by(*self.order())
            .execution_options(populate_existing=True)
        )
        return await self.items(rows.all())

    async def update(self, item: I, previous_version: int) -> None:
        """Write back; VersionConflict when the stored version moved on."""
        values = self.values(item)
        for key in ("id", "uscc", "created_at"):
            values.pop(key, None)
        result = await self._execute(
            update(self.row)
            .where(self.row.id == item.id, self.row.version == previous_version)
            .values(**values)
            .execution_options(synchronize_session=False),
            item,
        )
        if _rowcount(result) != 1:
            current = await self._session.scalar(select(self.row.version).where(self.row.id == item.id))
            raise VersionConflict(str(item.id), previous_version, current or 0, item.collection)

    async def delete(self, item: I) -> None:
        """Remove."""
        await self._session.execute(delete(self.row).where(self.row.id == item.id))


def _item_values(item: DossierItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "uscc": item.uscc,
        "version": item.version,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def _item_fields(row: DossierItemRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "uscc": row.uscc,
        "version": row.version,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


# Rows of the records (also what the demo seed COPYs) -------------------------------------------


def training_values(staff_id: uuid.UUID, record: Training) -> dict[str, Any]:
    """The columns of a training row."""
    return {
        "id": record.id,
        "staff_id": staff_id,
        "trained_on": record.trained_on,
        "course": record.course,
        "hours": record.hours,
        "result": record.result.value,
        "provider": record.provider,
    }


def assessment_values(staff_id: uuid.UUID, record: Assessment) -> dict[str, Any]:
    """The columns of an assessment row."""
    return {
        "id": record.id,
        "staff_id": staff_id,
        "assessed_on": record.assessed_on,
        "subject": record.subject,
        "score": record.score,
        "result": record.result.value,
    }


def certificate_values(staff_id: uuid.UUID, record: Certificate) -> dict[str, Any]:
    """The columns of a certificate row."""
    return {
        "id": record.id,
        "staff_id": staff_id,
        "name": record.name,
        "number": record.number,
        "issuer": record.issuer,
        "issued_on": record.issued_on,
        "expires_on": record.expires_on,
    }


def report_values(report: InformantReport) -> dict[str, Any]:
    """The columns of an informant report row."""
    return {
        "id": report.id,
        "informant_id": report.informant_id,
        "uscc": report.uscc,
        "reported_on": report.reported_on,
        "content": report.content,
        "severity": report.severity.value,
        "received_by": actor_to_json(report.received_by),
        "received_at": report.received_at,
    }


def plan_values(plan: EmergencyPlan) -> dict[str, Any]:
    """The columns of an emergency plan row."""
    return {
        "id": plan.id,
        "plan_id": plan.plan_id,
        "uscc": plan.uscc,
        "version": plan.version,
        "state": plan.state.value,
        "title": plan.title,
        "scenario": plan.scenario,
        "content": plan.content,
        "effective_on": plan.effective_on,
        "published_by": actor_to_json(plan.published_by),
        "published_at": plan.published_at,
        "superseded_at": plan.superseded_at,
    }


def drill_values(drill: Drill) -> dict[str, Any]:
    """The columns of a drill row."""
    return {
        "id": drill.id,
        "uscc": drill.uscc,
        "drilled_on": drill.drilled_on,
        "scenario": drill.scenario,
        "participants": drill.participants,
        "findings": drill.findings,
        "plan_id": drill.plan_id,
        "joint_with_police": drill.joint_with_police,
        "recorded_by": actor_to_json(drill.recorded_by),
        "recorded_at": drill.recorded_at,
    }


def inspection_values(inspection: Inspection) -> dict[str, Any]:
    """The columns of an inspection row."""
    return {
        "id": inspection.id,
        "uscc": inspection.uscc,
        "inspected_on": inspection.inspected_on,
        "party": inspection.party.kind.value,
        "party_sector": inspection.party.sector.value if inspection.party.sector else None,
        "organisation": inspection.organisation,
        "inspectors": list(inspection.inspectors),
        "findings": inspection.findings,
        "recorded_by": actor_to_json(inspection.recorded_by),
        "recorded_at": inspection.recorded_at,
    }


# Filings ----------------------------------------------------------------------------------------------


def _step_json(step: FilingStep) -> dict[str, Any]:
    return {
        "action": step.action,
        "actor": actor_to_json(step.actor),
        "at": step.at.isoformat(),
        "note": step.note,
        "reasons": list(step.reasons),
    }


def _step(data: dict[str, Any]) -> FilingStep:
    return FilingStep(
        action=data["action"],
        actor=_actor(data.get("actor")),
        at=datetime.fromisoformat(data["at"]),
        note=data.get("note", ""),
        reasons=tuple(data.get("reasons", ())),
    )


def filing_values(item: SecurityFiling, pii: PersonalDataCipher) -> dict[str, Any]:
    """The columns of a SecurityFiling row."""
    return {
        **_item_values(item),
        "state": item.state.value,
        "organisation_name": item.organisation_name,
        "head_name": item.head_name,
        "full_time_staff": item.full_time_staff,
        "part_time_staff": item.part_time_staff,
        "established_on": item.established_on,
        "duties": item.duties,
        "submitted_by": _optional_actor(item.submitted_by),
        "submitted_at": item.submitted_at,
        "decided_by": _optional_actor(item.decided_by),
        "decided_at": item.decided_at,
        "decision_note": item.decision_note,
        "return_reasons": list(item.return_reasons),
        "history": [_step_json(step) for step in item.history],
    }


class SqlFilingRepository(SqlItemRepository[SecurityFiling, SecurityFilingRow], FilingRepository):
    """Filings; the latest accepted one of a unit is in force."""

    row = SecurityFilingRow

    def values(self, item: SecurityFiling) -> dict[str, Any]:
        """Columns."""
        return filing_values(item, self._pii)

    def item(self, row: SecurityFilingRow) -> SecurityFiling:
        """The filing."""
        return SecurityFiling(
            **_item_fields(row),
            state=FilingState(row.state),
            organisation_name=row.organisation_name,
            head_name=row.head_name,
            full_time_staff=row.full_time_staff,
            part_time_staff=row.part_time_staff,
            established_on=row.established_on,
            duties=row.duties,
            submitted_by=actor_from_json(row.submitted_by),
            submitted_at=row.submitted_at,
            decided_by=actor_from_json(row.decided_by),
            decided_at=row.decided_at,
            decision_note=row.decision_note,
            return_reasons=tuple(row.return_reasons),
            history=[_step(step) for step in row.history],
        )

    def order(self) -> list[Any]:
        """Newest first."""
        return [SecurityFilingRow.created_at.desc(), SecurityFilingRow.id]

    async def list_for(self, uscc: str) -> Sequence[SecurityFiling]:
        """Newest first; the latest accepted one marked in force."""
        filings = await super().list_for(uscc)
        accepted = [f for f in filings if f.state is FilingState.ACCEPTED and f.decided_at is not None]
        if accepted:
            max(accepted, key=lambda f: cast(Any, f.decided_at)).in_force = True
        return filings

    async def get_open(self, uscc: str, *, for_update: bool = False) -> SecurityFiling | None:
        """The filing being written or reviewed."""
        query = (
            select(SecurityFilingRow)
            .where(
                SecurityFilingRow.uscc == uscc,
                SecurityFilingRow.state.in_([state.value for state in OPEN_FILING_STATES]),
            )
            .execution_options(populate_existing=True)
        )
        if for_update:
            query = query.with_for_update()
        row = await self._session.scalar(query)
        return None if row is None else self.item(row)

    async def get_in_force(self, uscc: str) -> SecurityFiling | None:
        """The latest accepted filing."""
        row = await self._session.scalar(
            select(SecurityFilingRow)
            .where(SecurityFilingRow.uscc == uscc, SecurityFilingRow.state == FilingState.ACCEPTED.value)
            .order_by(SecurityFilingRow.decided_at.desc())
            .limit(1)
        )
        if row is None:
            return None
        filing = self.item(row)
        filing.in_force = True
        return filing


# Responsible persons, key parts, workstations ---------------------------------------------------------


def responsible_person_values(item: ResponsiblePerson, pii: PersonalDataCipher) -> dict[str, Any]:
    """The columns of a ResponsiblePerson row."""
    return {
        **_item_values(item),
        "role": item.role.value,
        "name": item.name,
        "position": item.position,
        "phone": pii.seal("responsible_person", "phone", item.id, item.phone),
        "responsibilities": item.responsibilities,
        "appointed_on": item.appointed_on,
    }


class SqlResponsiblePersonRepository(SqlItemRepository[ResponsiblePerson, ResponsiblePersonRow]):
    """Responsible persons; phones sealed."""

    row = ResponsiblePersonRow
    unique: ClassVar[dict[str, tuple[str, str]]] = {
        "uq_responsible_person_first": ("first responsible person", "role")
    }

    def values(self, item: ResponsiblePerson) -> dict[str, Any]:
        """Columns."""
        return responsible_person_values(item, self._pii)

    def item(self, row: ResponsiblePersonRow) -> ResponsiblePerson:
        """The person."""
        return ResponsiblePerson(
            **_item_fields(row),
            role=ResponsibleRole(row.role),
            name=row.name,
            position=row.position,
            phone=self._pii.open("responsible_person", "phone", row.id, row.phone),
            responsibilities=row.responsibilities,
            appointed_on=row.appointed_on,
        )

    def order(self) -> list[Any]:
        """The first responsible person first."""
        first = case((ResponsiblePersonRow.role == ResponsibleRole.FIRST_RESPONSIBLE.value, 0), else_=1)
        return [first, ResponsiblePersonRow.created_at, ResponsiblePersonRow.id]


def key_part_values(item: KeyPart, pii: PersonalDataCipher) -> dict[str, Any]:
    """The columns of a KeyPart row."""
    return {
        **_item_values(item),
        "name": item.name,
        "location": item.location,
        "description": item.description,
        "protection_measures": list(item.protection_measures),
        "required_device_types": [t.value for t in item.required_device_types],
    }


class SqlKeyPartRepository(SqlItemRepository[KeyPart, KeyPartRow]):
    """Key parts; names unique per unit."""

    row = KeyPartRow
    unique: ClassVar[dict[str, tuple[str, str]]] = {"uq_key_part_uscc_name": ("key part", "name")}

    def values(self, item: KeyPart) -> dict[str, Any]:
        """Columns."""
        return key_part_values(item, self._pii)

    def item(self, row: KeyPartRow) -> KeyPart:
        """The key part."""
        return KeyPart(
            **_item_fields(row),
            name=row.name,
            location=row.location,
            description=row.description,
            protection_measures=tuple(row.protection_measures),
            required_device_types=tuple(DeviceType(t) for t in row.required_device_types),
        )

    def order(self) -> list[Any]:
        """By name."""
        return [KeyPartRow.name, KeyPartRow.id]


def workstation_values(item: Workstation, pii: PersonalDataCipher) -> dict[str, Any]:
    """The columns of a Workstation row."""
    return {
        **_item_values(item),
        "police_station": item.police_station,
        "name": item.name,
        "location": item.location,
        "officers": item.officers,
        "duty_phone": item.duty_phone,
        "opened_on": item.opened_on,
        "closed_on": item.closed_on,
    }


class SqlWorkstationRepository(SqlItemRepository[Workstation, WorkstationRow]):
    """Police workstations."""

    row = WorkstationRow

    def values(self, item: Workstation) -> dict[str, Any]:
        """Columns."""
        return workstation_values(item, self._pii)

    def item(self, row: WorkstationRow) -> Workstation:
        """The workstation."""
        return Workstation(
            **_item_fields(row),
            police_station=row.police_station,
            name=row.name,
            location=row.location,
            officers=row.officers,
            duty_phone=row.duty_phone,
            opened_on=row.opened_on,
            closed_on=row.closed_on,
        )


# Staff --------------------------------------------------------------------------------------------------


def _training(row: StaffTrainingRow) -> Training:
    return Training(row.id, row.trained_on, row.course, row.hours, TrainingResult(row.result), row.provider)


def _assessment(row: StaffAssessmentRow) -> Assessment:
    return Assessment(row.id, row.assessed_on, row.subject, AssessmentResult(row.result), row.score)


def _certificate(row: StaffCertificateRow) -> Certificate:
    return Certificate(row.id, row.name, row.number, row.issuer, row.issued_on, row.expires_on)


def staff_values(item: StaffMember, pii: PersonalDataCipher) -> dict[str, Any]:
    """The columns of a StaffMember row."""
    return {
        **_item_values(item),
        "name": item.name,
        "resident_id": pii.seal("security_staff", "resident_id", item.id, item.resident_id),
        "resident_id_index": pii.resident_id_index(item.resident_id),
        "phone": pii.seal("security_staff", "phone", item.id, item.phone),
        "employment": item.employment.value,
        "position": item.position,
        "skill_grade": item.skill_grade.value if item.skill_grade else None,
        "hired_on": item.hired_on,
        "state": item.state.value,
        "departed_on": item.departed_on,
    }


class SqlStaffRepository(SqlItemRepository[StaffMember, SecurityStaffRow], StaffRepository):
    """Security staff; resident IDs and phones sealed, resident IDs indexed blindly."""

    row = SecurityStaffRow
    unique: ClassVar[dict[str, tuple[str, str]]] = {
        "uq_security_staff_active_person": ("staff member of unit", "resident_id")
    }

    def values(self, item: StaffMember) -> dict[str, Any]:
        """Columns."""
        return staff_values(item, self._pii)

    def item(self, row: SecurityStaffRow) -> StaffMember:
        """The staff member, without records (see `items`)."""
        return StaffMember(
            **_item_fields(row),
            name=row.name,
            resident_id=self._pii.open("security_staff", "resident_id", row.id, row.resident_id),
            phone=self._pii.open("security_staff", "phone", row.id, row.phone),
            employment=Employment(row.employment),
            position=row.position,
            skill_grade=SkillGrade(row.skill_grade) if row.skill_grade else None,
            hired_on=row.hired_on,
            state=StaffState(row.state),
            departed_on=row.departed_on,
        )

    def order(self) -> list[Any]:
        """By name."""
        return [SecurityStaffRow.name, SecurityStaffRow.id]

    async def items(self, rows: Sequence[SecurityStaffRow]) -> list[StaffMember]:
        """Staff with their trainings, assessments and certificates (three queries for any number)."""
        members = [self.item(row) for row in rows]
        if not members:
            return members
        ids = [m.id for m in members]
        trainings: dict[uuid.UUID, list[Training]] = {}
        for training_row in await self._session.scalars(
            select(StaffTrainingRow)
            .where(StaffTrainingRow.staff_id.in_(ids))
            .order_by(StaffTrainingRow.trained_on.desc(), StaffTrainingRow.id)
        ):
            trainings.setdefault(training_row.staff_id, []).append(_training(training_row))
        assessments: dict[uuid.UUID, list[Assessment]] = {}
        for assessment_row in await self._session.scalars(
            select(StaffAssessmentRow)
            .where(StaffAssessmentRow.staff_id.in_(ids))
            .order_by(StaffAssessmentRow.assessed_on.desc(), StaffAssessmentRow.id)
        ):
            assessments.setdefault(assessment_row.staff_id, []).append(_assessment(assessment_row))
        certificates: dict[uuid.UUID, list[Certificate]] = {}
        for certificate_row in await self._session.scalars(
            select(StaffCertificateRow)
            .where(StaffCertificateRow.staff_id.in_(ids))
            .order_by(StaffCertificateRow.issued_on, StaffCertificateRow.id)
        ):
            certificates.setdefault(certificate_row.staff_id, []).append(_certificate(certificate_row))
        for member in members:
            member.trainings = tuple(trainings.get(member.id, ()))
            member.assessments = tuple(assessments.get(member.id, ()))
            member.certificates = tuple(certificates.get(member.id, ()))
        return members

    async def add(self, item: StaffMember) -> None:
        """Insert the member and any records already added."""
        await super().add(item)
        await self._add_records(item)

    async def update(self, item: StaffMember, previous_version: int) -> None:
        """Write back, with the records added since it was read."""
        await super().update(item, previous_version)
        await self._add_records(item)

    async def _add_records(self, item: StaffMember) -> None:
        for record in item.added:
            match record:
                case Training():
                    statement = insert(StaffTrainingRow).values(**training_values(item.id, record))
                case Assessment():
                    statement = insert(StaffAssessmentRow).values(**assessment_values(item.id, record))
                case Certificate():
                    statement = insert(StaffCertificateRow).values(**certificate_values(item.id, record))
            await self._session.execute(statement)
        item.added.clear()

    async def list_page(
        self, uscc: str, include_departed: bool, after: After, limit: int
    ) -> Sequence[StaffMember]:
        """A page by (name, id)."""
        query = select(SecurityStaffRow).where(SecurityStaffRow.uscc == uscc)
        if not include_departed:
            query = query.where(SecurityStaffRow.state == StaffState.ACTIVE.value)
        if after is not None:
            query = query.where(
                tuple_(SecurityStaffRow.name, SecurityStaffRow.id) > (after[0], _uuid(after[1]))
            )
        rows = await self._session.scalars(query.order_by(*self.order()).limit(limit))
        return await self.items(rows.all())

    async def find_by_resident_id(self, resident_id: str, scope: Scope) -> Sequence[StaffMember]:
        """By blind index, in units inside `scope`; candidates decrypted and compared (indexes collide)."""
        rows = await self._session.scalars(
            select(SecurityStaffRow)
            .join(UnitRow, UnitRow.uscc == SecurityStaffRow.uscc)
            .where(SecurityStaffRow.resident_id_index == self._pii.resident_id_index(resident_id))
            .where(unit_scope(scope))
            .order_by(SecurityStaffRow.uscc, SecurityStaffRow.id)
        )
        members = await self.items(rows.all())
        return [m for m in members if m.resident_id == resident_id]

    async def has_active(self, uscc: str, resident_id: str, other_than: uuid.UUID | None = None) -> bool:
        """Whether an active member of the unit has this resident ID."""
        query = select(SecurityStaffRow.id).where(
            SecurityStaffRow.uscc == uscc,
            SecurityStaffRow.resident_id_index == self._pii.resident_id_index(resident_id),
            SecurityStaffRow.state == StaffState.ACTIVE.value,
        )
        if other_than is not None:
            query = query.where(SecurityStaffRow.id != other_than)
        return bool(await self._session.scalar(select(query.exists())))


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        [FieldViolation("cursor", "INVALID_CURSOR", "cursor is not a next_cursor of this listing")]
    )


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise _bad_cursor() from None


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad_cursor() from None


def _after_desc(date_column: Any, id_column: Any, after: After) -> ColumnElement[bool] | None:
    """Keyset condition for newest-first listings by (date, id)."""
    if after is None:
        return None
    return tuple_(date_column, id_column) < (_date(after[0]), _uuid(after[1]))


# Informants ---------------------------------------------------------------------------------------------


def informant_values(item: Informant, pii: PersonalDataCipher) -> dict[str, Any]:
    """The columns of a Informant row."""
    return {
        **_item_values(item),
        "name": pii.seal("informant", "name", item.id, item.name),
        "phone": pii.seal("informant", "phone", item.id, item.phone),
        "department": item.department,
        "recruited_on": item.recruited_on,
        "active": item.active,
        "note": item.note,
    }


class SqlInformantRepository(SqlItemRepository[Informant, InformantRow], InformantRepository):
    """Informants (names and phones sealed) and their reports."""

    row = InformantRow

    def values(self, item: Informant) -> dict[str, Any]:
        """Columns."""
        return informant_values(item, self._pii)

    def item(self, row: InformantRow) -> Informant:
        """The informant."""
        return Informant(
            **_item_fields(row),
            name=self._pii.open("informant", "name", row.id, row.name),
            phone=self._pii.open("informant", "phone", row.id, row.phone),
            department=row.department,
            recruited_on=row.recruited_on,
            active=row.active,
            note=row.note,
        )

    async def items(self, rows: Sequence[InformantRow]) -> list[Informant]:
        """Informants with their report counts."""
        informants = [self.item(row) for row in rows]
        if informants:
            reports = await self._session.execute(
                select(InformantReportRow.informant_id, func.count())
                .where(InformantReportRow.informant_id.in_([i.id for i in informants]))
                .group_by(InformantReportRow.informant_id)
            )
            counts: dict[uuid.UUID, int] = {row[0]: row[1] for row in reports}
            for informant in informants:
                informant.reports = int(counts.get(informant.id, 0))
        return informants

    async def add_report(self, report: InformantReport) -> None:
        """Insert a report."""
        await self._session.execute(insert(InformantReportRow).values(**report_values(report)))

    async def list_reports(
        self, uscc: str, informant_id: uuid.UUID | None, after: After, limit: int
    ) -> Sequence[InformantReport]:
        """Newest first."""
        query = select(InformantReportRow).where(InformantReportRow.uscc == uscc)
        if informant_id is not None:
            query = query.where(InformantReportRow.informant_id == informant_id)
        keyset = _after_desc(InformantReportRow.reported_on, InformantReportRow.id, after)
        if keyset is not None:
            query = query.where(keyset)
        rows = await self._session.scalars(
            query.order_by(InformantReportRow.reported_on.desc(), InformantReportRow.id.desc()).limit(limit)
        )
        return [
            InformantReport(
                id=row.id,
                informant_id=row.informant_id,
                uscc=row.uscc,
                reported_on=row.reported_on,
                content=row.content,
                severity=Severity(row.severity),
                received_by=_actor(row.received_by),
                received_at=row.received_at,
            )
            for row in rows
        ]


# Plans, drills, inspections, hazards ----------------------------------------------------------------------


def _plan(row: EmergencyPlanRow) -> EmergencyPlan:
    return EmergencyPlan(
        id=row.id,
        plan_id=row.plan_id,
        uscc=row.uscc,
        version=row.version,
        title=row.title,
        scenario=row.scenario,
        content=row.content,
        effective_on=row.effective_on,
        published_by=_actor(row.published_by),
        published_at=row.published_at,
        state=PlanState(row.state),
        superseded_at=row.superseded_at,
    )


class SqlPlanRepository(PlanRepository):
    """Emergency plan versions."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, plan: EmergencyPlan) -> None:
        """Insert a version."""
        await self._session.execute(insert(EmergencyPlanRow).values(**plan_values(plan)))

    async def supersede(self, plan: EmergencyPlan) -> None:
        """Write back the state of a version."""
        await self._session.execute(
            update(EmergencyPlanRow)
            .where(EmergencyPlanRow.id == plan.id)
            .values(state=plan.state.value, superseded_at=plan.superseded_at)
            .execution_options(synchronize_session=False)
        )

    async def get_current(self, uscc: str, plan_id: uuid.UUID) -> EmergencyPlan | None:
        """The current version, locked."""
        row = await self._session.scalar(
            select(EmergencyPlanRow)
            .where(
                EmergencyPlanRow.uscc == uscc,
                EmergencyPlanRow.plan_id == plan_id,
                EmergencyPlanRow.state == PlanState.CURRENT.value,
            )
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return None if row is None else _plan(row)

    async def list_for(self, uscc: str, include_superseded: bool) -> Sequence[EmergencyPlan]:
        """By title, newest version first."""
        query = select(EmergencyPlanRow).where(EmergencyPlanRow.uscc == uscc)
        if not include_superseded:
            query = query.where(EmergencyPlanRow.state == PlanState.CURRENT.value)
        rows = await self._session.scalars(
            query.order_by(EmergencyPlanRow.title, EmergencyPlanRow.plan_id, EmergencyPlanRow.version.desc())
        )
        return [_plan(row) for row in rows]


class SqlDrillRepository(DrillRepository):
    """Drill records."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, drill: Drill) -> None:
        """Insert."""
        await self._session.execute(insert(DrillRow).values(**drill_values(drill)))

    async def list_page(self, uscc: str, after: After, limit: int) -> Sequence[Drill]:
        """Newest first."""
        query = select(DrillRow).where(DrillRow.uscc == uscc)
        keyset = _after_desc(DrillRow.drilled_on, DrillRow.id, after)
        if keyset is not None:
            query = query.where(keyset)
        rows = await self._session.scalars(
            query.order_by(DrillRow.drilled_on.desc(), DrillRow.id.desc()).limit(limit)
        )
        return [
            Drill(
                id=row.id,
                uscc=row.uscc,
                drilled_on=row.drilled_on,
                scenario=row.scenario,
                participants=row.participants,
                findings=row.findings,
                plan_id=row.plan_id,
                joint_with_police=row.joint_with_police,
                recorded_by=_actor(row.recorded_by),
                recorded_at=row.recorded_at,
            )
            for row in rows
        ]


def _party(kind: str, sector: str | None) -> Party:
    return Party(PartyKind(kind), Sector(sector) if sector else None)


def _inspection(row: InspectionRow) -> Inspection:
    return Inspection(
        id=row.id,
        uscc=row.uscc,
        inspected_on=row.inspected_on,
        party=_party(row.party, row.party_sector),
        organisation=row.organisation,
        inspectors=tuple(row.inspectors),
        findings=row.findings,
        recorded_by=_actor(row.recorded_by),
        recorded_at=row.recorded_at,
    )


class SqlInspectionRepository(InspectionRepository):
    """Inspection records."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, inspection: Inspection) -> None:
        """Insert."""
        await self._session.execute(insert(InspectionRow).values(**inspection_values(inspection)))

    async def get(self, uscc: str, inspection_id: uuid.UUID) -> Inspection | None:
        """One of the unit's inspections."""
        row = await self._session.scalar(
            select(InspectionRow).where(InspectionRow.uscc == uscc, InspectionRow.id == inspection_id)
        )
        return None if row is None else _inspection(row)

    async def list_page(self, uscc: str, after: After, limit: int) -> Sequence[Inspection]:
        """Newest first."""
        query = select(InspectionRow).where(InspectionRow.uscc == uscc)
        keyset = _after_desc(InspectionRow.inspected_on, InspectionRow.id, after)
        if keyset is not None:
            query = query.where(keyset)
        rows = await self._session.scalars(
            query.order_by(InspectionRow.inspected_on.desc(), InspectionRow.id.desc()).limit(limit)
        )
        return [_inspection(row) for row in rows]


def _overdue_clause(today: date) -> ColumnElement[bool]:
    return and_(HazardRow.state == HazardState.OPEN.value, HazardRow.deadline < today)


def hazard_values(item: Hazard, pii: PersonalDataCipher) -> dict[str, Any]:
    """The columns of a Hazard row."""
    return {
        **_item_values(item),
        "inspection_id": item.inspection_id,
        "party": item.party.kind.value,
        "party_sector": item.party.sector.value if item.party.sector else None,
        "severity": item.severity.value,
        "description": item.description,
        "deadline": item.deadline,
        "state": item.state.value,
        "opened_by": actor_to_json(item.opened_by),
        "opened_at": item.opened_at,
        "rectification_note": item.rectification_note,
        "evidence": [{"description": e.description, "uri": e.uri} for e in item.evidence],
        "rectified_by": _optional_actor(item.rectified_by),
        "rectified_at": item.rectified_at,
        "verification_note": item.verification_note,
        "verified_by": _optional_actor(item.verified_by),
        "verified_at": item.verified_at,
        "overdue_announced_for": item.overdue_announced_for,
    }


class SqlHazardRepository(SqlItemRepository[Hazard, HazardRow], HazardRepository):
    """Hazards."""

    row = HazardRow

    def values(self, item: Hazard) -> dict[str, Any]:
        """Columns."""
        return hazard_values(item, self._pii)

    def item(self, row: HazardRow) -> Hazard:
        """The hazard."""
        return Hazard(
            **_item_fields(row),
            inspection_id=row.inspection_id,
            party=_party(row.party, row.party_sector),
            severity=Severity(row.severity),
            description=row.description,
            deadline=row.deadline,
            state=HazardState(row.state),
            opened_by=_actor(row.opened_by),
            opened_at=row.opened_at,
            rectification_note=row.rectification_note,
            evidence=tuple(Evidence(e.get("description", ""), e.get("uri", "")) for e in row.evidence),
            rectified_by=actor_from_json(row.rectified_by),
            rectified_at=row.rectified_at,
            verification_note=row.verification_note,
            verified_by=actor_from_json(row.verified_by),
            verified_at=row.verified_at,
            overdue_announced_for=row.overdue_announced_for,
        )

    def order(self) -> list[Any]:
        """By deadline."""
        return [HazardRow.deadline, HazardRow.id]

    async def list_page(
        self,
        uscc: str,
        state: HazardState | None,
        overdue: bool | None,
        today: date,
        *,
        after: After,
        limit: int,
    ) -> Sequence[Hazard]:
        """By (deadline, id), filtered."""
        query = select(HazardRow).where(HazardRow.uscc == uscc)
        if state is not None:
            query = query.where(HazardRow.state == state.value)
        if overdue is not None:
            query = query.where(_overdue_clause(today) if overdue else not_(_overdue_clause(today)))
        if after is not None:
            query = query.where(tuple_(HazardRow.deadline, HazardRow.id) > (_date(after[0]), _uuid(after[1])))
        rows = await self._session.scalars(query.order_by(*self.order()).limit(limit))
        return await self.items(rows.all())

    async def list_for_inspection(self, uscc: str, inspection_id: uuid.UUID) -> Sequence[Hazard]:
        """The hazards of one inspection."""
        rows = await self._session.scalars(
            select(HazardRow)
            .where(HazardRow.uscc == uscc, HazardRow.inspection_id == inspection_id)
            .order_by(*self.order())
        )
        return await self.items(rows.all())

    async def unannounced_overdue(self, today: date, limit: int) -> Sequence[Hazard]:
        """Open, past the deadline, not announced for it; locked, skipping rows another sweep holds."""
        rows = await self._session.scalars(
            select(HazardRow)
            .where(
                _overdue_clause(today),
                or_(
                    HazardRow.overdue_announced_for.is_(None),
                    HazardRow.overdue_announced_for != HazardRow.deadline,
                ),
            )
            .order_by(HazardRow.deadline, HazardRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return await self.items(rows.all())


# The dossier as a whole -----------------------------------------------------------------------------------


def _facts_columns(today: date) -> tuple[Any, ...]:
    """Correlated subqueries, per unit row, of what its flags depend on."""
    designated_on = (
        select(KeyUnitDesignationRow.designated_on)
        .where(
            KeyUnitDesignationRow.uscc == UnitRow.uscc,
            KeyUnitDesignationRow.state == DesignationState.CONFIRMED.value,
        )
        .order_by(KeyUnitDesignationRow.confirmed_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    accepted = exists().where(
        SecurityFilingRow.uscc == UnitRow.uscc, SecurityFilingRow.state == FilingState.ACCEPTED.value
    )
    drills = (
        select(func.count())
        .select_from(DrillRow)
        .where(
            DrillRow.uscc == UnitRow.uscc,
            DrillRow.drilled_on >= drill_window_start(today),
            DrillRow.drilled_on <= today,
        )
        .scalar_subquery()
    )
    deadline = (
        select(func.min(HazardRow.deadline))
        .where(HazardRow.uscc == UnitRow.uscc, HazardRow.state == HazardState.OPEN.value)
        .scalar_subquery()
    )
    return designated_on, accepted, drills, deadline


def _facts(
    row: UnitRow, designated_on: date | None, accepted: bool, drills: int, deadline: date | None
) -> DossierFacts:
    return DossierFacts(
        active=row.status == UnitStatus.ACTIVE.value,
        key_unit=row.key_unit,
        designated_on=designated_on,
        filing_accepted=bool(accepted),
        drills_in_window=int(drills or 0),
        earliest_open_deadline=deadline,
    )


def _flags_values(flags: DossierFlags) -> dict[str, bool]:
    return {
        "filing_overdue": flags.filing_overdue,
        "drills_overdue": flags.drills_overdue,
        "hazards_overdue": flags.hazards_overdue,
    }


def _count(table: Any, *conditions: Any) -> Any:
    return select(func.count()).select_from(table).where(*conditions).scalar_subquery()


class SqlDossierRepository(DossierRepository):
    """Facts and flags of units, and the counts of a dossier summary."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def facts(self, uscc: str, today: date) -> DossierFacts:
        """One unit's facts."""
        found = (
            await self._session.execute(select(UnitRow, *_facts_columns(today)).where(UnitRow.uscc == uscc))
        ).one()
        return _facts(*found)

    async def save_flags(self, uscc: str, flags: DossierFlags) -> None:
        """Set the unit's flags."""
        await self._session.execute(
            update(UnitRow)
            .where(UnitRow.uscc == uscc)
            .values(**_flags_values(flags))
            .execution_options(synchronize_session=False)
        )

    async def flag_candidates(
        self, after_uscc: str | None, limit: int, today: date
    ) -> Sequence[tuple[Unit, DossierFacts]]:
        """Key units, flagged units and units with open hazards, by USCC."""
        open_hazard = exists().where(
            HazardRow.uscc == UnitRow.uscc, HazardRow.state == HazardState.OPEN.value
        )
        query = select(UnitRow, *_facts_columns(today)).where(
            or_(
                UnitRow.key_unit,
                UnitRow.filing_overdue,
                UnitRow.drills_overdue,
                UnitRow.hazards_overdue,
                open_hazard,
            )
        )
        if after_uscc is not None:
            query = query.where(UnitRow.uscc > after_uscc)
        rows = await self._session.execute(
            query.order_by(UnitRow.uscc).limit(limit).execution_options(populate_existing=True)
        )
        return [(unit_from_row(row[0]), _facts(*row)) for row in rows]

    async def replace_flags(self, uscc: str, expected: DossierFlags, flags: DossierFlags) -> bool:
        """Compare and set."""
        result = await self._session.execute(
            update(UnitRow)
            .where(
                UnitRow.uscc == uscc,
                UnitRow.filing_overdue.is_(expected.filing_overdue),
                UnitRow.drills_overdue.is_(expected.drills_overdue),
                UnitRow.hazards_overdue.is_(expected.hazards_overdue),
            )
            .values(**_flags_values(flags))
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    async def counts(self, uscc: str, today: date) -> DossierCounts:
        """Every count of the summary in one statement."""
        window = drill_window_start(today)
        active_staff = select(SecurityStaffRow.id).where(
            SecurityStaffRow.uscc == uscc, SecurityStaffRow.state == StaffState.ACTIVE.value
        )
        staff = SecurityStaffRow
        certificates = StaffCertificateRow
        row = (
            await self._session.execute(
                select(
                    _count(ResponsiblePersonRow, ResponsiblePersonRow.uscc == uscc),
                    _count(
                        ResponsiblePersonRow,
                        ResponsiblePersonRow.uscc == uscc,
                        ResponsiblePersonRow.role == ResponsibleRole.FIRST_RESPONSIBLE.value,
                    ),
                    *(
                        _count(
                            staff,
                            staff.uscc == uscc,
                            staff.state == StaffState.ACTIVE.value,
                            staff.employment == employment.value,
                        )
                        for employment in (Employment.FULL_TIME, Employment.PART_TIME)
                    ),
                    _count(
                        certificates, certificates.staff_id.in_(active_staff), certificates.expires_on < today
                    ),
                    _count(
                        certificates,
                        certificates.staff_id.in_(active_staff),
                        certificates.expires_on >= today,
                        certificates.expires_on <= today + timedelta(days=CERTIFICATE_WARNING_DAYS),
                    ),
                    _count(KeyPartRow, KeyPartRow.uscc == uscc),
                    _count(
                        EmergencyPlanRow,
                        EmergencyPlanRow.uscc == uscc,
                        EmergencyPlanRow.state == PlanState.CURRENT.value,
                    ),
                    _count(DrillRow, DrillRow.uscc == uscc, DrillRow.drilled_on >= window),
                    select(func.max(DrillRow.drilled_on)).where(DrillRow.uscc == uscc).scalar_subquery(),
                    _count(InspectionRow, InspectionRow.uscc == uscc, InspectionRow.inspected_on >= window),
                    _count(HazardRow, HazardRow.uscc == uscc, HazardRow.state == HazardState.OPEN.value),
                    _count(HazardRow, HazardRow.uscc == uscc, _overdue_clause(today)),
                    _count(HazardRow, HazardRow.uscc == uscc, HazardRow.state == HazardState.RECTIFIED.value),
                    _count(WorkstationRow, WorkstationRow.uscc == uscc, WorkstationRow.closed_on.is_(None)),
                    _count(InformantRow, InformantRow.uscc == uscc, InformantRow.active),
                )
            )
        ).one()
        (
            persons,
            first,
            full_time,
            part_time,
            expired,
            expiring,
            key_parts,
            plans,
            drills,
            last_drill,
            inspections,
            hazards_open,
            hazards_overdue,
            awaiting,
            workstations,
            informants,
        ) = row
        return DossierCounts(
            responsible_persons=persons,
            has_first_responsible=first > 0,
            staff_full_time=full_time,
            staff_part_time=part_time,
            certificates_expired=expired,
            certificates_expiring=expiring,
            key_parts=key_parts,
            current_plans=plans,
            drills_last_12_months=drills,
            last_drill_on=last_drill,
            inspections_last_12_months=inspections,
            hazards_open=hazards_open,
            hazards_overdue=hazards_overdue,
            hazards_awaiting_verification=awaiting,
            workstations_open=workstations,
            informants=informants,
        )
