"""SQL repositories: rows <-> domain objects; every unit read is filtered by scope in the query."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, cast

from psycopg import errors as pg_errors
from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, any_, or_, select, text, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from neibao_identity import Scope, scope_clause
from neibao_identity.principal import Role
from neibao_identity.sql import StringColumn
from unit_registry.adapters.db.tables import (
    DivisionRow,
    KeyUnitDesignationRow,
    PoliceStationRow,
    UnitChangeRow,
    UnitRow,
    UnitSearchTermRow,
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
from unit_registry.service.unit_of_work import (
    ChangeEntry,
    DesignationRepository,
    JurisdictionRepository,
    UnitFilter,
    UnitRepository,
)

_UNIT_USCC_CONSTRAINT = "uq_unit_uscc"


def unit_scope(scope: Scope) -> ColumnElement[bool]:
    """The caller's scope over units, via the shared helper (mirrors Scope.allows).

    A unit has several sectors: a regulator's grant is "its sector is one of them" (= ANY(sectors)).
    A sector system's grant (own organisation, own sector where a row records one) compares against the
    lead sector, since the helper also tests that column for NULL.
    """
    sector: StringColumn = (
        UnitRow.sector
        if Role.SECTOR_SYSTEM in scope.roles
        else cast(ColumnElement[str], any_(UnitRow.sectors))
    )
    clause = scope_clause(scope, jurisdiction=UnitRow.jurisdiction, sector=sector, unit=UnitRow.uscc)
    wider = {Role.PROVINCE_ADMIN, Role.POLICE, Role.UNIT_SECURITY, Role.SECTOR_SYSTEM}
    if Role.REGULATOR in scope.roles and scope.sector and scope.roles.isdisjoint(wider):
        # Implied by the clause; stated as array containment so the GIN index on sectors can serve it.
        clause = and_(UnitRow.sectors.contains([scope.sector]), clause)
    return clause


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


# A term on more than this share of the units is dense (see SqlUnitRepository._selective).
_DENSE_TERM = 0.4
_TERM_STATISTICS_SECONDS = 300.0


@dataclass
class _TermStatistics:
    """The common terms' shares of the units, as last read from pg_stats (shared by all sessions)."""

    read_at: float = -_TERM_STATISTICS_SECONDS
    frequencies: dict[str, float] = field(default_factory=dict)


_term_statistics = _TermStatistics()


def _search_terms(criteria: UnitFilter, scope: Scope) -> list[str]:
    """The posting terms (migration 0004's unit_search_terms) every listed unit must have."""
    terms = list(criteria.tokens) if len(criteria.fragment) > 1 else []
    sectors = {criteria.sector.value} if criteria.sector is not None else set()
    if not scope.unrestricted and scope.roles == {Role.REGULATOR} and scope.sector:
        sectors.add(scope.sector)  # a regulator's scope: only units of its sector
    terms += sorted(f"sector:{sector}" for sector in sectors)
    if criteria.key_unit is not None:
        terms.append(f"key_unit:{str(criteria.key_unit).lower()}")
    prefixes = {criteria.jurisdiction_prefix, _required_prefix(scope)}
    if not terms and not any(len(p) == 6 for p in prefixes):
        # A county's units come from the (jurisdiction, uscc) index; a city's from its postings (with
        # other terms, the postings' jurisdiction column narrows them to the city instead).
        terms += sorted(f"city:{p}" for p in prefixes if len(p) == 4)
    return terms


def _required_prefix(scope: Scope) -> str:
    """The jurisdiction prefix every grant of `scope` requires ("" when some grant does not)."""
    if scope.unrestricted or not scope.roles or not scope.roles <= {Role.POLICE, Role.REGULATOR}:
        return ""
    return scope.jurisdiction_prefix or ""


def _jurisdiction_within(prefix: str) -> ColumnElement[bool]:
    """Units under a GB/T 2260 prefix; a county's full code as equality, so its index serves USCC order."""
    if len(prefix) == 6:
        return UnitRow.jurisdiction == prefix
    return UnitRow.jurisdiction.startswith(prefix, autoescape=True)


def _unit_filters(criteria: UnitFilter, scope: Scope) -> list[ColumnElement[bool]]:
    """The criteria other than the name fragment, as conditions on the unit row."""
    filters: list[ColumnElement[bool]] = []
    if criteria.uscc:
        filters.append(UnitRow.uscc == criteria.uscc)
    if criteria.jurisdiction_prefix:
        filters.append(_jurisdiction_within(criteria.jurisdiction_prefix))
    if len(required := _required_prefix(scope)) == 6:
        filters.append(_jurisdiction_within(required))  # implied by the scope; stated for the index
    if criteria.sector is not None:
        filters.append(UnitRow.sectors.contains([criteria.sector.value]))
    if criteria.unit_type is not None:
        filters.append(UnitRow.unit_type == criteria.unit_type.value)
    if criteria.key_unit is not None:
        filters.append(UnitRow.key_unit.is_(criteria.key_unit))
    if criteria.status is not None:
        filters.append(UnitRow.status == criteria.status.value)
    if criteria.police_station:
        filters.append(UnitRow.police_station == criteria.police_station)
    for column, wanted in (
        (UnitRow.filing_overdue, criteria.filing_overdue),
        (UnitRow.drills_overdue, criteria.drills_overdue),
        (UnitRow.hazards_overdue, criteria.hazards_overdue),
    ):
        if wanted is not None:
            filters.append(column.is_(wanted))
    if criteria.after_uscc is not None:
        filters.append(UnitRow.uscc > criteria.after_uscc)
    return filters


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
        """Matching units inside `scope`, by USCC."""
        filters = _unit_filters(criteria, scope)
        if len(criteria.fragment) == 1:
            # One character: its unigram, by the GIN index on the tokens.
            filters.append(UnitRow.search_tokens.contains(list(criteria.tokens)))
        # Plain rows, not ORM entities: a page of 50 loads ~2 ms faster without the identity map.
        query = select(*UNIT_READ_COLUMNS, current_division_name().label("jurisdiction_name"))
        query = query.where(unit_scope(scope), *filters)
        if (terms := _search_terms(criteria, scope)) and not criteria.uscc:
            selective = await self._selective(terms)
            page = self._page_of_terms(selective, criteria, scope, filters, limit)
            query = query.where(UnitRow.uscc.in_(page))
        rows = (await self._session.execute(query.order_by(UnitRow.uscc).limit(limit))).all()
        return [unit_from_row(cast(UnitRow, row), row.jurisdiction_name) for row in rows]

    async def _selective(self, terms: Sequence[str]) -> Sequence[str]:
        """The terms worth intersecting: dense ones (on more than 40% of the units: 有限, 公司,
        key_unit:false) are left to the check on each unit row, unless nothing rarer is left.

        Intersecting a dense posting list reads it from its start, and dense terms are skewed in USCC
        order (no 12... institution is a 有限公司), so a page could cost a read of most of it.
        """
        frequencies = await self._term_frequencies()
        selective = [term for term in terms if frequencies.get(term, 0.0) <= _DENSE_TERM]
        return selective or [min(terms, key=lambda term: frequencies.get(term, 0.0))]

    async def _term_frequencies(self) -> dict[str, float]:
        """The common terms' shares of all postings (ANALYZE's most common values), cached a while."""
        if time.monotonic() - _term_statistics.read_at < _TERM_STATISTICS_SECONDS:
            return _term_statistics.frequencies
        # Shares of postings times postings per unit: shares of units (a unit has a term at most once).
        rows = await self._session.execute(
            text(
                "SELECT m.term, m.frequency * coalesce(r.postings_per_unit, 1) FROM pg_stats AS s,"
                " unnest(s.most_common_vals::text::text[], s.most_common_freqs) AS m(term, frequency),"
                " (SELECT CASE WHEN u.reltuples > 0 AND p.reltuples > 0 THEN p.reltuples / u.reltuples END"
                "  AS postings_per_unit FROM pg_class AS u, pg_class AS p"
                "  WHERE u.oid = 'unit'::regclass AND p.oid = 'unit_search_term'::regclass) AS r"
                " WHERE s.schemaname = current_schema() AND s.tablename = 'unit_search_term'"
                " AND s.attname = 'term'"
            )
        )
        _term_statistics.frequencies = {str(term): float(share) for term, share in rows}
        _term_statistics.read_at = time.monotonic()
        return _term_statistics.frequencies

    @staticmethod
    def _page_of_terms(
        terms: Sequence[str],
        criteria: UnitFilter,
        scope: Scope,
        filters: Sequence[ColumnElement[bool]],
        limit: int,
    ) -> Select[str]:
        """The USCCs of a page of units that have every term and pass every filter, in USCC order.

        Each term's postings come from the (term, uscc) key in USCC order, the jurisdiction scope applied
        inside the index; the planner intersects them (merge or nested-loop join, by the terms' statistics).
        Each candidate is then checked against its unit (the fragment in one piece, scope, filters) until
        the page is full. OFFSET 0 keeps that check per candidate: as a join, the planner would merge the
        postings with an ordered scan of all units, which crosses long runs of non-matching USCCs.
        """
        postings = [aliased(UnitSearchTermRow, name=f"term_{n}") for n in range(len(terms))]
        first = postings[0]
        query = select(first.uscc).select_from(first)
        prefixes = {criteria.jurisdiction_prefix, _required_prefix(scope)} - {""}
        for posting, term in zip(postings, terms, strict=True):
            if posting is not first:
                query = query.join(posting, posting.uscc == first.uscc)
            query = query.where(posting.term == term)
            query = query.where(*(posting.jurisdiction.startswith(p, autoescape=True) for p in prefixes))
        if criteria.after_uscc is not None:
            query = query.where(first.uscc > criteria.after_uscc)
        unit_checks = [UnitRow.uscc == first.uscc, unit_scope(scope), *filters]
        if len(criteria.fragment) > 1:
            # The fragment in one piece (its bigrams do not prove that, and dense ones are left out).
            unit_checks.append(UnitRow.search_text.contains(criteria.fragment, autoescape=True))
        unit = select(UnitRow.id).where(*unit_checks).offset(0).lateral("unit_hit")
        return query.join(unit, true()).order_by(first.uscc).limit(limit)

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
