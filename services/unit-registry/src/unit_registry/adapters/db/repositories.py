"""SQL repositories: rows <-> domain objects; every unit read is filtered by scope in the query."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Final, cast

from psycopg import errors as pg_errors
from sqlalchemy import ScalarSelect, Select, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from neibao_identity import Scope
from unit_registry.adapters.db import unit_search
from unit_registry.adapters.db.scope import unit_scope
from unit_registry.adapters.db.tables import (
    DivisionRow,
    KeyUnitDesignationRow,
    PoliceStationRow,
    UnitChangeRow,
    UnitRow,
)
from unit_registry.domain.enums import (
    ChangeType,
    CoordinateSystem,
    DesignationState,
    KeyUnitCategory,
    Sector,
    UnitStatus,
    UnitType,
)
from unit_registry.domain.errors import AlreadyExists, VersionConflict
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.jurisdiction import Division, PoliceStation
from unit_registry.domain.model import Actor, FieldChange, KeyUnitDesignation, Location, Unit
from unit_registry.domain.search import search_text, search_tokens
from unit_registry.service.list_views import UnitSummary
from unit_registry.service.unit_of_work import (
    ChangeEntry,
    DesignationRepository,
    JurisdictionRepository,
    UnitFilter,
    UnitRepository,
)

_UNIT_USCC_CONSTRAINT = "uq_unit_uscc"


# What a read maps to a Unit: every column but the search ones (a unit's ~30 tokens, never shown).
UNIT_READ_COLUMNS: Final = tuple(
    column for column in UnitRow.__table__.columns if column.name not in {"search_text", "search_tokens"}
)


def current_division_name() -> ScalarSelect[str]:
    return (
        select(DivisionRow.name)
        .where(DivisionRow.code == UnitRow.jurisdiction, DivisionRow.valid_to.is_(None))
        .limit(1)
        .scalar_subquery()
    )


def actor_to_json(actor: Actor) -> dict[str, Any]:
    """An actor as stored in history and designation rows."""
    return {
        "subject": actor.subject,
        "name": actor.name,
        "kind": actor.kind,
        "roles": sorted(actor.roles),
        "jurisdiction": actor.jurisdiction,
        "sector": actor.sector,
        "unit": actor.unit,
        "client_id": actor.client_id,
    }


def actor_from_json(data: dict[str, Any] | None) -> Actor | None:
    """The actor of a stored row."""
    if data is None:
        return None
    return Actor(
        subject=data.get("subject", ""),
        name=data.get("name", ""),
        kind=data.get("kind", "user"),
        roles=frozenset(data.get("roles", ())),
        jurisdiction=data.get("jurisdiction"),
        sector=data.get("sector"),
        unit=data.get("unit"),
        client_id=data.get("client_id"),
    )


def unit_values(unit: Unit) -> dict[str, Any]:
    """The column values of a unit (without id and timestamps' defaults)."""
    location = unit.location
    return {
        "uscc": unit.uscc,
        "name": unit.name,
        "former_names": list(unit.former_names),
        "unit_type": unit.unit_type.value,
        "sector": unit.sector.value,
        "sectors": [sector.value for sector in unit.sectors],
        "jurisdiction": unit.jurisdiction,
        "police_station": unit.police_station,
        "address": unit.address,
        "latitude": location.latitude if location else None,
        "longitude": location.longitude if location else None,
        "coordinate_system": location.coordinate_system.value if location else None,
        "legal_representative": unit.legal_representative,
        "status": unit.status.value,
        "key_unit": unit.key_unit,
        "key_unit_category": unit.key_unit_category.value if unit.key_unit_category else None,
        "version": unit.version,
        "created_at": unit.created_at,
        "updated_at": unit.updated_at,
        "closed_at": unit.closed_at,
        "search_text": search_text(unit.names),
        "search_tokens": search_tokens(unit.names),
    }


def unit_from_row(row: UnitRow, jurisdiction_name: str | None = None) -> Unit:
    """The domain unit of a row."""
    location = None
    if row.latitude is not None and row.longitude is not None and row.coordinate_system:
        location = Location(row.latitude, row.longitude, CoordinateSystem(row.coordinate_system))
    return Unit(
        uscc=row.uscc,
        name=row.name,
        unit_type=UnitType(row.unit_type),
        sector=Sector(row.sector),
        sectors=tuple(Sector(s) for s in row.sectors),
        jurisdiction=row.jurisdiction,
        address=row.address,
        police_station=row.police_station,
        location=location,
        legal_representative=row.legal_representative,
        former_names=tuple(row.former_names),
        status=UnitStatus(row.status),
        key_unit=row.key_unit,
        key_unit_category=KeyUnitCategory(row.key_unit_category) if row.key_unit_category else None,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        closed_at=row.closed_at,
        jurisdiction_name=jurisdiction_name or "",
        flags=DossierFlags(row.filing_overdue, row.drills_overdue, row.hazards_overdue),
    )


class SqlUnitRepository(UnitRepository):
    """Units in PostgreSQL."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, unit: Unit) -> None:
        """Insert; AlreadyExists when the USCC is taken (also under a concurrent insert)."""
        self._session.add(UnitRow(**unit_values(unit)))
        try:
            await self._session.flush()
        except IntegrityError as exc:
            if isinstance(exc.orig, pg_errors.UniqueViolation) and _constraint(exc) == _UNIT_USCC_CONSTRAINT:
                raise AlreadyExists("unit", unit.uscc, "uscc") from exc
            raise

    def _select(self, scope: Scope) -> Select[UnitRow, str]:
        return select(UnitRow, current_division_name()).where(unit_scope(scope))

    async def get(self, uscc: str, scope: Scope, *, for_update: bool = False) -> Unit | None:
        """The unit inside `scope`, or None."""
        query = self._select(scope).where(UnitRow.uscc == uscc)
        if for_update:
            query = query.with_for_update(of=UnitRow)
        found = (await self._session.execute(query)).first()
        if found is None:
            return None
        row, name = found
        return unit_from_row(row, name)

    async def exists(self, uscc: str) -> bool:
        """Whether the USCC is taken, in any scope."""
        return bool(
            await self._session.scalar(select(select(UnitRow.id).where(UnitRow.uscc == uscc).exists()))
        )

    async def update(self, unit: Unit, previous_version: int) -> None:
        """Write back; VersionConflict when the stored version moved on meanwhile."""
        values = unit_values(unit)
        del values["uscc"], values["created_at"]
        result = await self._session.execute(
            update(UnitRow)
            .where(UnitRow.uscc == unit.uscc, UnitRow.version == previous_version)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if cast(Any, result).rowcount != 1:
            current = await self._session.scalar(select(UnitRow.version).where(UnitRow.uscc == unit.uscc))
            raise VersionConflict(unit.uscc, previous_version, current or 0)

    async def list(self, criteria: UnitFilter, scope: Scope, limit: int) -> Sequence[Unit]:
        """Matching units inside `scope`, by USCC (the list view's statement, run in this session)."""
        statistics = unit_search.term_statistics
        if statistics.stale:
            statistics.update((await self._session.execute(text(unit_search.TERM_FREQUENCIES_SQL))).all())
        sql, values = unit_search.list_statement(criteria, scope, limit, statistics.frequencies)
        connection = await self._session.connection()
        rows = (await connection.exec_driver_sql(sql, values)).all()
        summaries = [UnitSummary._make(row) for row in rows]
        return [unit_from_row(cast(UnitRow, row), row.jurisdiction_name) for row in summaries]

    async def add_change(
        self, unit: Unit, change_type: ChangeType, changes: Sequence[FieldChange], actor: Actor, at: datetime
    ) -> None:
        """Append a history entry."""
        self._session.add(
            UnitChangeRow(
                uscc=unit.uscc,
                version=unit.version,
                change_type=change_type.value,
                changes=[{"field": c.field, "old": c.old, "new": c.new} for c in changes],
                actor=actor_to_json(actor),
                changed_at=at,
            )
        )
        await self._session.flush()

    async def list_changes(self, uscc: str, before_id: int | None, limit: int) -> Sequence[ChangeEntry]:
        """History entries, newest first."""
        query = select(UnitChangeRow).where(UnitChangeRow.uscc == uscc)
        if before_id is not None:
            query = query.where(UnitChangeRow.id < before_id)
        rows = (await self._session.scalars(query.order_by(UnitChangeRow.id.desc()).limit(limit))).all()
        return [
            ChangeEntry(
                id=row.id,
                uscc=row.uscc,
                version=row.version,
                change_type=ChangeType(row.change_type),
                changes=tuple(FieldChange(c["field"], c.get("old"), c.get("new")) for c in row.changes),
                actor=actor_from_json(row.actor) or Actor(subject="", name=""),
                changed_at=row.changed_at,
            )
            for row in rows
        ]


def _constraint(exc: IntegrityError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "constraint_name", None)


def designation_values(designation: KeyUnitDesignation) -> dict[str, Any]:
    """The column values of a designation."""
    return {
        "id": designation.id,
        "uscc": designation.uscc,
        "category": designation.category.value,
        "state": designation.state.value,
        "reason": designation.reason,
        "proposed_by": actor_to_json(designation.proposed_by),
        "proposed_at": designation.proposed_at,
        "confirmed_by": actor_to_json(designation.confirmed_by) if designation.confirmed_by else None,
        "confirmed_at": designation.confirmed_at,
        "designated_on": designation.designated_on,
        "withdrawn_by": actor_to_json(designation.withdrawn_by) if designation.withdrawn_by else None,
        "withdrawn_at": designation.withdrawn_at,
        "withdrawal_reason": designation.withdrawal_reason,
    }


def _designation_from_row(row: KeyUnitDesignationRow) -> KeyUnitDesignation:
    return KeyUnitDesignation(
        id=row.id,
        uscc=row.uscc,
        category=KeyUnitCategory(row.category),
        state=DesignationState(row.state),
        reason=row.reason,
        proposed_by=actor_from_json(row.proposed_by) or Actor(subject="", name=""),
        proposed_at=row.proposed_at,
        confirmed_by=actor_from_json(row.confirmed_by),
        confirmed_at=row.confirmed_at,
        designated_on=row.designated_on,
        withdrawn_by=actor_from_json(row.withdrawn_by),
        withdrawn_at=row.withdrawn_at,
        withdrawal_reason=row.withdrawal_reason,
    )


class SqlDesignationRepository(DesignationRepository):
    """Key-unit designations in PostgreSQL."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, designation: KeyUnitDesignation) -> None:
        """Insert."""
        self._session.add(KeyUnitDesignationRow(**designation_values(designation)))
        await self._session.flush()

    async def update(self, designation: KeyUnitDesignation) -> None:
        """Write back."""
        values = designation_values(designation)
        del values["id"]
        await self._session.execute(
            update(KeyUnitDesignationRow)
            .where(KeyUnitDesignationRow.id == designation.id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def get_active(self, uscc: str) -> KeyUnitDesignation | None:
        """The proposal or designation in force, locked."""
        row = await self._session.scalar(
            select(KeyUnitDesignationRow)
            .where(
                KeyUnitDesignationRow.uscc == uscc,
                KeyUnitDesignationRow.state.in_(
                    [DesignationState.PROPOSED.value, DesignationState.CONFIRMED.value]
                ),
            )
            .with_for_update()
        )
        return None if row is None else _designation_from_row(row)

    async def list_for(self, uscc: str) -> Sequence[KeyUnitDesignation]:
        """All of the unit's designations, newest first."""
        rows = await self._session.scalars(
            select(KeyUnitDesignationRow)
            .where(KeyUnitDesignationRow.uscc == uscc)
            .order_by(KeyUnitDesignationRow.proposed_at.desc())
        )
        return [_designation_from_row(row) for row in rows]


def _division(row: DivisionRow) -> Division:
    return Division(code=row.code, name=row.name, valid_from=row.valid_from, valid_to=row.valid_to)


def _station(row: PoliceStationRow) -> PoliceStation:
    return PoliceStation(code=row.code, name=row.name, jurisdiction=row.jurisdiction, address=row.address)


class SqlJurisdictionRepository(JurisdictionRepository):
    """Divisions and police stations in PostgreSQL."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_division(self, code: str, on: date) -> Division | None:
        """The version of `code` in force on `on`."""
        row = await self._session.scalar(
            select(DivisionRow).where(
                DivisionRow.code == code,
                or_(DivisionRow.valid_from.is_(None), DivisionRow.valid_from <= on),
                or_(DivisionRow.valid_to.is_(None), DivisionRow.valid_to >= on),
            )
        )
        return None if row is None else _division(row)

    async def divisions(self, prefix: str) -> Sequence[Division]:
        """Every version of the divisions under `prefix`, and of the division itself."""
        rows = await self._session.scalars(
            select(DivisionRow)
            .where(DivisionRow.code.startswith(prefix, autoescape=True))
            .order_by(DivisionRow.code)
        )
        return [_division(row) for row in rows]

    async def stations(self, prefix: str) -> Sequence[PoliceStation]:
        """The stations under `prefix`."""
        rows = await self._session.scalars(
            select(PoliceStationRow)
            .where(PoliceStationRow.jurisdiction.startswith(prefix, autoescape=True))
            .order_by(PoliceStationRow.code)
        )
        return [_station(row) for row in rows]

    async def get_station(self, code: str) -> PoliceStation | None:
        """One station."""
        row = await self._session.get(PoliceStationRow, code)
        return None if row is None else _station(row)
