"""The repositories over one AsyncSession (SQLAlchemy 2 Core-style statements on the typed tables)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from alarm_routing.adapters.db.tables import (
    AlarmRow,
    EscalationTimerRow,
    ReportRow,
    RouteRow,
    SilenceRow,
    TimelineRow,
    UnitRow,
)
from alarm_routing.domain.enums import (
    ActorKind,
    AlarmKind,
    AlarmStatus,
    Outcome,
    PartyKind,
    RouteRole,
    TimelineType,
)
from alarm_routing.domain.model import Actor, Alarm, Report, Route, TimelineEntry, UnitFacts
from alarm_routing.domain.silences import Silence, SilenceState
from alarm_routing.service.unit_of_work import (
    AlarmFilter,
    AlarmRepository,
    SilenceRepository,
    Timer,
    TimerRepository,
    UnitRepository,
)
from neibao_identity import Scope, scope_clause


def actor_to_json(actor: Actor) -> dict[str, Any]:
    """An actor as stored in JSONB."""
    data = asdict(actor)
    data["kind"] = actor.kind.value
    data["roles"] = list(actor.roles)
    return data


def actor_from_json(data: dict[str, Any]) -> Actor:
    """An actor from JSONB."""
    return Actor(**{**data, "kind": ActorKind(data["kind"]), "roles": tuple(data.get("roles", ()))})


def _route(row: RouteRow) -> Route:
    return Route(
        id=row.id,
        party=PartyKind(row.party),
        target=row.target,
        role=RouteRole(row.role),
        rule_id=row.rule_id,
        rules_version=row.rules_version,
        reason=row.reason,
        routed_at=row.routed_at,
        acknowledge_by=row.acknowledge_by,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=actor_from_json(row.acknowledged_by) if row.acknowledged_by else None,
        note=row.note,
        escalation_level=row.escalation_level,
        repeats=row.repeats,
    )


def _route_values(alarm_id: uuid.UUID, route: Route) -> dict[str, Any]:
    return {
        "id": route.id,
        "alarm_id": alarm_id,
        "party": route.party.value,
        "target": route.target,
        "role": route.role.value,
        "rule_id": route.rule_id,
        "rules_version": route.rules_version,
        "reason": route.reason,
        "routed_at": route.routed_at,
        "acknowledge_by": route.acknowledge_by,
        "acknowledged_at": route.acknowledged_at,
        "acknowledged_by": actor_to_json(route.acknowledged_by) if route.acknowledged_by else None,
        "note": route.note,
        "escalation_level": route.escalation_level,
        "repeats": route.repeats,
    }


def _entry(row: TimelineRow) -> TimelineEntry:
    return TimelineEntry(
        type=TimelineType(row.type),
        at=row.at,
        actor=actor_from_json(row.actor),
        party=PartyKind(row.party) if row.party else None,
        target=row.target,
        detail=row.detail,
        sequence=row.id,
    )


def _alarm(row: AlarmRow, routes: list[Route], timeline: list[TimelineEntry]) -> Alarm:
    return Alarm(
        id=row.id,
        uscc=row.uscc,
        kind=AlarmKind(row.kind),
        priority=row.priority,
        status=AlarmStatus(row.status),
        occurred_at=row.occurred_at,
        received_at=row.received_at,
        description=row.description,
        source=row.source,
        source_id=row.source_id,
        zone=row.zone,
        device_id=row.device_id,
        unit=UnitFacts(
            uscc=row.uscc,
            name=row.unit_name,
            jurisdiction=row.jurisdiction,
            police_station=row.police_station,
            sector=row.sector,
            key_unit=row.key_unit,
        ),
        raised_by=actor_from_json(row.raised_by),
        rules_version=row.rules_version,
        routes=routes,
        timeline=timeline,
        outcome=Outcome(row.outcome) if row.outcome else None,
        updated_at=row.updated_at,
        repeat_count=row.repeat_count,
        last_reported_at=row.last_reported_at,
        silence_id=row.silence_id,
    )


def _scope(scope: Scope) -> ColumnElement[bool]:
    return scope_clause(scope, jurisdiction=AlarmRow.jurisdiction, sector=AlarmRow.sector, unit=AlarmRow.uscc)


class SqlAlarmRepository(AlarmRepository):
    """Alarms in PostgreSQL; remembers how many timeline entries of each alarm are stored."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._stored_entries: dict[uuid.UUID, int] = {}

    async def add(self, alarm: Alarm) -> bool:
        """Insert the alarm, its routes and timeline unless its source id was taken in already."""
        inserted = await self._session.execute(
            insert(AlarmRow)
            .values(
                id=alarm.id,
                uscc=alarm.uscc,
                kind=alarm.kind.value,
                priority=alarm.priority,
                status=alarm.status.value,
                occurred_at=alarm.occurred_at,
                received_at=alarm.received_at,
                updated_at=alarm.updated_at or alarm.received_at,
                description=alarm.description,
                source=alarm.source,
                source_id=alarm.source_id,
                zone=alarm.zone,
                device_id=alarm.device_id,
                jurisdiction=alarm.unit.jurisdiction,
                sector=alarm.unit.sector,
                unit_name=alarm.unit.name,
                police_station=alarm.unit.police_station,
                key_unit=alarm.unit.key_unit,
                rules_version=alarm.rules_version,
                outcome=alarm.outcome.value if alarm.outcome else None,
                raised_by=actor_to_json(alarm.raised_by),
                repeat_count=alarm.repeat_count,
                last_reported_at=alarm.last_reported_at,
                silence_id=alarm.silence_id,
            )
            .on_conflict_do_nothing(
                index_elements=["source", "source_id"], index_where=text("source_id <> ''")
            )
            .returning(AlarmRow.id)
        )
        if inserted.first() is None:
            return False
        self._stored_entries[alarm.id] = 0
        await self._write_children(alarm)
        return True

    async def get(
        self, alarm_id: uuid.UUID, scope: Scope | None, *, for_update: bool = False
    ) -> Alarm | None:
        """One alarm with routes and timeline."""
        statement = select(AlarmRow).where(AlarmRow.id == alarm_id)
        if scope is not None:
            statement = statement.where(_scope(scope))
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement.execution_options(populate_existing=True))).scalar()
        return None if row is None else await self._load(row)

    async def get_by_source(self, source: str, source_id: str) -> Alarm | None:
        """The alarm a sender gave this id, as its first report or a repeat."""
        row = (
            await self._session.execute(
                select(AlarmRow).where(AlarmRow.source == source, AlarmRow.source_id == source_id)
            )
        ).scalar()
        if row is None:
            repeat = select(ReportRow.alarm_id).where(
                ReportRow.source == source, ReportRow.source_id == source_id
            )
            row = (await self._session.execute(select(AlarmRow).where(AlarmRow.id.in_(repeat)))).scalar()
        return None if row is None else await self._load(row)

    async def lock_zone(self, uscc: str, zone: str, kind: AlarmKind) -> None:
        """A transaction-scoped advisory lock on the zone and kind."""
        key = f"alarm-zone:{uscc}:{zone}:{kind.value}"
        await self._session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))

    async def open_for_zone(self, uscc: str, zone: str, kind: AlarmKind, since: datetime) -> Alarm | None:
        """The newest unfinished alarm of the zone and kind reported since `since`, locked."""
        latest = func.coalesce(AlarmRow.last_reported_at, AlarmRow.received_at)
        row = (
            await self._session.execute(
                select(AlarmRow)
                .where(
                    AlarmRow.uscc == uscc,
                    AlarmRow.zone == zone,
                    AlarmRow.kind == kind.value,
                    AlarmRow.zone != "",
                    AlarmRow.status.not_in(("resolved", "closed")),
                    latest >= since,
                )
                .order_by(AlarmRow.seq.desc())
                .limit(1)
                .with_for_update()
            )
        ).scalar()
        return None if row is None else await self._load(row)

    async def add_report(self, alarm: Alarm, report: Report) -> None:
        """Record a repeat report."""
        await self._session.execute(
            insert(ReportRow).values(
                alarm_id=alarm.id,
                source=report.source,
                source_id=report.source_id,
                occurred_at=report.occurred_at,
                received_at=report.received_at,
                description=report.description,
                reported_by=actor_to_json(report.reported_by),
            )
        )

    async def list(self, criteria: AlarmFilter, scope: Scope, limit: int) -> Sequence[tuple[int, Alarm]]:
        """A page, newest first, with routes (timelines are left out of lists)."""
        statement = select(AlarmRow).where(_scope(scope)).order_by(AlarmRow.seq.desc()).limit(limit)
        if criteria.status is not None:
            statement = statement.where(AlarmRow.status == criteria.status.value)
        if criteria.uscc:
            statement = statement.where(AlarmRow.uscc == criteria.uscc)
        if criteria.before_seq is not None:
            statement = statement.where(AlarmRow.seq < criteria.before_seq)
        rows = (await self._session.execute(statement)).scalars().all()
        routes: dict[uuid.UUID, list[Route]] = {row.id: [] for row in rows}
        if rows:
            route_rows = await self._session.execute(
                select(RouteRow)
                .where(RouteRow.alarm_id.in_(routes))
                .order_by(RouteRow.routed_at, RouteRow.id)
            )
            for route_row in route_rows.scalars():
                routes[route_row.alarm_id].append(_route(route_row))
        return [(row.seq, _alarm(row, routes[row.id], [])) for row in rows]

    async def save(self, alarm: Alarm) -> None:
        """Write back state, routes (upserted) and the timeline entries added since loading."""
        await self._session.execute(
            update(AlarmRow)
            .where(AlarmRow.id == alarm.id)
            .values(
                status=alarm.status.value,
                priority=alarm.priority,
                outcome=alarm.outcome.value if alarm.outcome else None,
                updated_at=alarm.updated_at or alarm.received_at,
                repeat_count=alarm.repeat_count,
                last_reported_at=alarm.last_reported_at,
            )
        )
        await self._write_children(alarm)

    async def _write_children(self, alarm: Alarm) -> None:
        if alarm.routes:
            statement = insert(RouteRow).values([_route_values(alarm.id, r) for r in alarm.routes])
            changing = (
                "acknowledge_by",
                "acknowledged_at",
                "acknowledged_by",
                "note",
                "escalation_level",
                "repeats",
            )
            await self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=[RouteRow.id], set_={name: statement.excluded[name] for name in changing}
                )
            )
        stored = self._stored_entries.get(alarm.id, 0)
        new = alarm.timeline[stored:]
        if new:
            await self._session.execute(
                insert(TimelineRow).values(
                    [
                        {
                            "alarm_id": alarm.id,
                            "type": e.type.value,
                            "at": e.at,
                            "actor": actor_to_json(e.actor),
                            "party": e.party.value if e.party else None,
                            "target": e.target,
                            "detail": e.detail,
                        }
                        for e in new
                    ]
                )
            )
        self._stored_entries[alarm.id] = len(alarm.timeline)

    async def _load(self, row: AlarmRow) -> Alarm:
        routes = await self._session.execute(
            select(RouteRow).where(RouteRow.alarm_id == row.id).order_by(RouteRow.routed_at, RouteRow.id)
        )
        entries = await self._session.execute(
            select(TimelineRow).where(TimelineRow.alarm_id == row.id).order_by(TimelineRow.id)
        )
        timeline = [_entry(e) for e in entries.scalars()]
        self._stored_entries[row.id] = len(timeline)
        return _alarm(row, [_route(r) for r in routes.scalars()], timeline)


class SqlUnitRepository(UnitRepository):
    """The unit read model."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, uscc: str) -> UnitFacts | None:
        """What is known of the unit."""
        row = (await self._session.execute(select(UnitRow).where(UnitRow.uscc == uscc))).scalar()
        if row is None:
            return None
        return UnitFacts(
            uscc=row.uscc,
            name=row.name,
            jurisdiction=row.jurisdiction,
            police_station=row.police_station,
            sector=row.sector,
            key_unit=row.key_unit,
            closed=row.closed,
        )


class SqlTimerRepository(TimerRepository):
    """Escalation timers: a due-time table polled with FOR UPDATE SKIP LOCKED."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set(self, alarm_id: uuid.UUID, route_id: uuid.UUID, due_at: datetime) -> None:
        """Arm or re-arm."""
        statement = insert(EscalationTimerRow).values(alarm_id=alarm_id, route_id=route_id, due_at=due_at)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=["route_id"], set_={"due_at": due_at})
        )

    async def due(self, now: datetime, limit: int) -> Sequence[Timer]:
        """Due timers, earliest first; those another escalator has locked are skipped."""
        rows = await self._session.execute(
            select(EscalationTimerRow)
            .where(EscalationTimerRow.due_at <= now)
            .order_by(EscalationTimerRow.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [Timer(r.id, r.alarm_id, r.route_id, r.due_at) for r in rows.scalars()]

    async def delete(self, timer_id: int) -> None:
        """Disarm."""
        await self._session.execute(delete(EscalationTimerRow).where(EscalationTimerRow.id == timer_id))


def _silence(row: SilenceRow) -> Silence:
    return Silence(
        id=row.id,
        uscc=row.uscc,
        device_id=row.device_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        reason=row.reason,
        includes_life_safety=row.includes_life_safety,
        state=SilenceState(row.state),
        created_by=actor_from_json(row.created_by),
        created_at=row.created_at,
        approved_by=actor_from_json(row.approved_by) if row.approved_by else None,
        approved_at=row.approved_at,
        cancelled_by=actor_from_json(row.cancelled_by) if row.cancelled_by else None,
        cancelled_at=row.cancelled_at,
    )


class SqlSilenceRepository(SilenceRepository):
    """Silences in PostgreSQL, scoped like alarms by the unit's jurisdiction, sector and USCC."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, silence: Silence, unit: UnitFacts) -> None:
        """Insert."""
        await self._session.execute(
            insert(SilenceRow).values(
                id=silence.id,
                uscc=silence.uscc,
                device_id=silence.device_id,
                jurisdiction=unit.jurisdiction,
                sector=unit.sector,
                starts_at=silence.starts_at,
                ends_at=silence.ends_at,
                reason=silence.reason,
                includes_life_safety=silence.includes_life_safety,
                state=silence.state.value,
                created_by=actor_to_json(silence.created_by),
                created_at=silence.created_at,
            )
        )

    async def get(self, silence_id: uuid.UUID, scope: Scope, *, for_update: bool = False) -> Silence | None:
        """One silence in scope."""
        statement = select(SilenceRow).where(SilenceRow.id == silence_id, _silence_scope(scope))
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).scalar()
        return None if row is None else _silence(row)

    async def list(self, uscc: str, scope: Scope, limit: int) -> Sequence[Silence]:
        """Newest first."""
        statement = (
            select(SilenceRow)
            .where(_silence_scope(scope))
            .order_by(SilenceRow.created_at.desc())
            .limit(limit)
        )
        if uscc:
            statement = statement.where(SilenceRow.uscc == uscc)
        return [_silence(row) for row in (await self._session.execute(statement)).scalars()]

    async def save(self, silence: Silence) -> None:
        """Write back state, approval and cancellation."""
        await self._session.execute(
            update(SilenceRow)
            .where(SilenceRow.id == silence.id)
            .values(
                state=silence.state.value,
                approved_by=actor_to_json(silence.approved_by) if silence.approved_by else None,
                approved_at=silence.approved_at,
                cancelled_by=actor_to_json(silence.cancelled_by) if silence.cancelled_by else None,
                cancelled_at=silence.cancelled_at,
            )
        )

    async def in_force(self, uscc: str, at: datetime) -> Sequence[Silence]:
        """The unit's active silences spanning `at`."""
        rows = await self._session.execute(
            select(SilenceRow).where(
                SilenceRow.uscc == uscc,
                SilenceRow.state == SilenceState.ACTIVE.value,
                SilenceRow.starts_at <= at,
                SilenceRow.ends_at > at,
            )
        )
        return [_silence(row) for row in rows.scalars()]


def _silence_scope(scope: Scope) -> ColumnElement[bool]:
    return scope_clause(
        scope, jurisdiction=SilenceRow.jurisdiction, sector=SilenceRow.sector, unit=SilenceRow.uscc
    )
