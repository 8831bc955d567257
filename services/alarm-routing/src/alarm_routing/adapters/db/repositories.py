"""The repositories over one AsyncSession: Core statements on the tables, built once at import.

A statement built per call (or one naming an ORM entity) is compiled again, or taken through the ORM's
machinery, on every execution; these are compiled once and run with parameters (lists of them for
several rows), which is what the intake's hundreds of alarms a second need.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from psycopg.rows import namedtuple_row
from psycopg.types.json import Jsonb
from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    bindparam,
    delete,
    exists,
    func,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from alarm_routing.adapters.db.driver import AsyncConnectionGetter, Statement, compiled
from alarm_routing.adapters.db.personal_data import PersonalDataCipher
from alarm_routing.adapters.db.tables import (
    alarm_table,
    escalation_timer_table,
    report_table,
    route_table,
    silence_table,
    timeline_table,
    unit_device_table,
    unit_emergency_plan_table,
    unit_key_part_table,
    unit_responsible_person_table,
    unit_table,
)
from alarm_routing.domain.context import (
    EmergencyPlanSummary,
    KeyPartSummary,
    ResponsibleContact,
    ResponsibleRole,
    UnitContext,
)
from alarm_routing.domain.enums import (
    POLICE_PARTIES,
    AcknowledgementOutcome,
    ActorKind,
    AlarmKind,
    AlarmStatus,
    Outcome,
    PartyKind,
    RouteRole,
    TimelineType,
)
from alarm_routing.domain.figures import DayFigures
from alarm_routing.domain.model import Actor, Alarm, Report, Route, TimelineEntry, UnitFacts
from alarm_routing.domain.silences import Silence, SilenceState
from alarm_routing.service.unit_of_work import (
    AlarmFilter,
    AlarmRepository,
    IntakeFacts,
    SilenceRepository,
    Timer,
    TimerRepository,
    UnitContextRepository,
    UnitRepository,
)
from neibao_identity import Scope, scope_clause


def actor_to_json(actor: Actor) -> dict[str, Any]:
    """An actor as stored in JSONB."""
    return {
        "kind": actor.kind.value,
        "subject": actor.subject,
        "name": actor.name,
        "roles": list(actor.roles),
        "jurisdiction": actor.jurisdiction,
        "sector": actor.sector,
        "unit": actor.unit,
        "client_id": actor.client_id,
    }


def actor_from_json(data: dict[str, Any]) -> Actor:
    """An actor from JSONB."""
    return Actor(**{**data, "kind": ActorKind(data["kind"]), "roles": tuple(data.get("roles", ()))})


# --- alarms -----------------------------------------------------------------------------------------

_alarm = alarm_table.c
_route_c = route_table.c
_timeline = timeline_table.c
_report = report_table.c

_SOURCE_TAKEN_AS_REPEAT = exists().where(
    _report.source == bindparam("source"),
    _report.source_id == bindparam("source_id"),
    # The literal lets a generic (prepared) plan use the partial unique index.
    text("source_id <> ''"),
)
_NEW_ALARM_COLUMNS = [column for column in alarm_table.c if column.name != "seq"]
# The alarm unless its source id was taken in already, as an alarm (the conflict) or as a repeat counted
# on one: the retransmit check and the insert in one statement.
_INSERT_ALARM = (
    insert(alarm_table)
    .from_select(
        [column.name for column in _NEW_ALARM_COLUMNS],
        select(*(bindparam(column.name, type_=column.type) for column in _NEW_ALARM_COLUMNS)).where(
            ~_SOURCE_TAKEN_AS_REPEAT
        ),
    )
    .on_conflict_do_nothing(index_elements=["source", "source_id"], index_where=text("source_id <> ''"))
    .returning(_alarm.id)
)
_SELECT_ALARM = select(alarm_table)
_ALARM_BY_ID = _SELECT_ALARM.where(_alarm.id == bindparam("alarm_id"))
_ALARM_BY_ID_LOCKED = _ALARM_BY_ID.with_for_update()
# The literal `source_id <> ''` lets a generic (prepared) plan use the partial unique indexes.
_ALARM_BY_SOURCE = (
    _SELECT_ALARM.where(
        _alarm.id.in_(
            union_all(
                select(_alarm.id).where(
                    _alarm.source == bindparam("source"),
                    _alarm.source_id == bindparam("source_id"),
                    text("source_id <> ''"),
                ),
                select(_report.alarm_id).where(
                    _report.source == bindparam("source"),
                    _report.source_id == bindparam("source_id"),
                    text("source_id <> ''"),
                ),
            )
        )
    )
    .order_by(_alarm.seq)
    .limit(1)
)
_LOCK_ZONE = select(func.pg_advisory_xact_lock(func.hashtextextended(bindparam("key"), 0)))
_OPEN_FOR_ZONE = (
    _SELECT_ALARM.where(
        _alarm.uscc == bindparam("uscc"),
        _alarm.zone == bindparam("zone"),
        _alarm.kind == bindparam("kind"),
        # As the partial index ix_alarm_open_zone says it, so that a generic plan can use it.
        text("zone <> '' AND status NOT IN ('resolved', 'closed')"),
        func.coalesce(_alarm.last_reported_at, _alarm.received_at) >= bindparam("since"),
    )
    .order_by(_alarm.seq.desc())
    .limit(1)
    .with_for_update()
)
_OPEN_FOR_DEVICE = (
    _SELECT_ALARM.where(
        _alarm.uscc == bindparam("uscc"),
        _alarm.device_id == bindparam("device_id"),
        _alarm.kind == bindparam("kind"),
        _alarm.status.not_in(("resolved", "closed")),
    )
    .order_by(_alarm.seq)
    .with_for_update()
)
_INSERT_REPORT = insert(report_table)
# The columns a save writes back are the parameters' keys; the alarm is named by `alarm_id`.
_UPDATE_ALARM = update(alarm_table).where(_alarm.id == bindparam("alarm_id"))
# Several rows go in as one multi-row INSERT per call: with RETURNING, SQLAlchemy batches a list of
# parameter sets into one statement ("insertmanyvalues") instead of the driver's pipelined executemany.
_route_insert = insert(route_table)
# A route's party, target and reason never change; its acknowledgement and escalation do.
_UPSERT_ROUTES = _route_insert.on_conflict_do_update(
    index_elements=[_route_c.id],
    set_={
        name: _route_insert.excluded[name]
        for name in (
            "acknowledge_by",
            "acknowledged_at",
            "acknowledged_by",
            "note",
            "escalation_level",
            "repeats",
            "acknowledgement_outcome",
            "deadline_missed_at",
        )
    },
).returning(_route_c.id)
_INSERT_TIMELINE = insert(timeline_table).returning(_timeline.id)
# A new alarm with its first routes, timeline and timers: one statement on the session's psycopg connection
# (see driver.py), the rows after the alarm's only if it was inserted (foreign keys are checked at its end).
_INSERT_ALARM_SQL = compiled(_INSERT_ALARM)
_INSERT_NEW_ALARM = Statement(
    # The SQL composed here is our own compiled statement, never input: input is bound as parameters.
    f"""WITH new_alarm AS ({_INSERT_ALARM_SQL.sql}),
new_routes AS (
    INSERT INTO alarm_route (id, alarm_id, party, target, role, rule_id, rules_version, reason, routed_at,
        acknowledge_by)
    SELECT r.id, new_alarm.id, r.party, r.target, r.role, r.rule_id, r.rules_version, r.reason, r.routed_at,
        r.acknowledge_by
    FROM new_alarm, unnest(%(route_id)s::uuid[], %(route_party)s::text[], %(route_target)s::text[],
        %(route_role)s::text[], %(route_rule_id)s::text[], %(route_rules_version)s::text[],
        %(route_reason)s::text[], %(route_routed_at)s::timestamptz[], %(route_acknowledge_by)s::timestamptz[])
        AS r(id, party, target, role, rule_id, rules_version, reason, routed_at, acknowledge_by)
),
new_entries AS (
    INSERT INTO alarm_timeline (alarm_id, type, at, actor, party, target, detail)
    SELECT new_alarm.id, e.type, e.at, e.actor, e.party, e.target, e.detail
    FROM new_alarm, unnest(%(entry_type)s::text[], %(entry_at)s::timestamptz[], %(entry_actor)s::jsonb[],
        %(entry_party)s::text[], %(entry_target)s::text[], %(entry_detail)s::text[])
        AS e(type, at, actor, party, target, detail)
),
new_timers AS (
    INSERT INTO escalation_timer (alarm_id, route_id, due_at)
    SELECT new_alarm.id, t.route_id, t.due_at
    FROM new_alarm, unnest(%(timer_route)s::uuid[], %(timer_due)s::timestamptz[]) AS t(route_id, due_at)
)
SELECT id FROM new_alarm""",  # noqa: S608
    _INSERT_ALARM_SQL.literals,
)
_ROUTES_OF = (
    select(route_table)
    .where(_route_c.alarm_id == bindparam("alarm_id"))
    .order_by(_route_c.routed_at, _route_c.id)
)
_ROUTES_OF_MANY = (
    select(route_table)
    .where(_route_c.alarm_id.in_(bindparam("alarm_ids", expanding=True)))
    .order_by(_route_c.routed_at, _route_c.id)
)
_TIMELINE_OF = (
    select(timeline_table).where(_timeline.alarm_id == bindparam("alarm_id")).order_by(_timeline.id)
)


def _route(row: Row[Any]) -> Route:
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
        outcome=AcknowledgementOutcome(row.acknowledgement_outcome) if row.acknowledgement_outcome else None,
        escalation_level=row.escalation_level,
        repeats=row.repeats,
        deadline_missed_at=row.deadline_missed_at,
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
        "acknowledgement_outcome": route.outcome.value if route.outcome else None,
        "deadline_missed_at": route.deadline_missed_at,
    }


def _entry_values(alarm_id: uuid.UUID, entry: TimelineEntry) -> dict[str, Any]:
    return {
        "alarm_id": alarm_id,
        "type": entry.type.value,
        "at": entry.at,
        "actor": actor_to_json(entry.actor),
        "party": entry.party.value if entry.party else None,
        "target": entry.target,
        "detail": entry.detail,
    }


def _entry(row: Row[Any]) -> TimelineEntry:
    return TimelineEntry(
        type=TimelineType(row.type),
        at=row.at,
        actor=actor_from_json(row.actor),
        party=PartyKind(row.party) if row.party else None,
        target=row.target,
        detail=row.detail,
        sequence=row.id,
    )


def _alarm_of(row: Row[Any], routes: list[Route], timeline: list[TimelineEntry]) -> Alarm:
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


def _alarm_values(alarm: Alarm) -> dict[str, Any]:
    return {
        "id": alarm.id,
        "uscc": alarm.uscc,
        "kind": alarm.kind.value,
        "priority": alarm.priority,
        "status": alarm.status.value,
        "occurred_at": alarm.occurred_at,
        "received_at": alarm.received_at,
        "updated_at": alarm.updated_at or alarm.received_at,
        "description": alarm.description,
        "source": alarm.source,
        "source_id": alarm.source_id,
        "zone": alarm.zone,
        "device_id": alarm.device_id,
        "jurisdiction": alarm.unit.jurisdiction,
        "sector": alarm.unit.sector,
        "unit_name": alarm.unit.name,
        "police_station": alarm.unit.police_station,
        "key_unit": alarm.unit.key_unit,
        "rules_version": alarm.rules_version,
        "outcome": alarm.outcome.value if alarm.outcome else None,
        "raised_by": Jsonb(actor_to_json(alarm.raised_by)),
        "repeat_count": alarm.repeat_count,
        "last_reported_at": alarm.last_reported_at,
        "silence_id": alarm.silence_id,
    }


def _route_params(alarm_id: uuid.UUID, route: Route) -> dict[str, Any]:
    values = _route_values(alarm_id, route)
    if values["acknowledged_by"] is not None:
        values["acknowledged_by"] = Jsonb(values["acknowledged_by"])
    return values


def _entry_params(alarm_id: uuid.UUID, entry: TimelineEntry) -> dict[str, Any]:
    values = _entry_values(alarm_id, entry)
    values["actor"] = Jsonb(values["actor"])
    return values


def _scope(scope: Scope) -> ColumnElement[bool]:
    return scope_clause(scope, jurisdiction=_alarm.jurisdiction, sector=_alarm.sector, unit=_alarm.uscc)


# --- figures ---------------------------------------------------------------------------------------------

_DAY = func.date(func.timezone("Asia/Shanghai", _alarm.received_at)).label("day")
_FIRST_POLICE_ACK = (
    select(func.min(_route_c.acknowledged_at))
    .where(
        _route_c.alarm_id == _alarm.id,
        _route_c.party.in_([party.value for party in POLICE_PARTIES]),
    )
    .scalar_subquery()
)
_ACK_SECONDS = func.extract("epoch", _FIRST_POLICE_ACK - _alarm.received_at)
_MISSED = exists().where(_route_c.alarm_id == _alarm.id, _route_c.deadline_missed_at.is_not(None))
_IN_PERIOD = _alarm.received_at >= bindparam("since")
_DAY_FIGURES = (
    select(
        _DAY,
        func.count().label("raised"),
        func.count().filter(_alarm.outcome == "real").label("real"),
        func.count().filter(_alarm.outcome == "false").label("false_alarms"),
        func.count().filter(_MISSED).label("deadlines_missed"),
        func.percentile_cont(0.5).within_group(_ACK_SECONDS).label("median"),
        func.percentile_cont(0.9).within_group(_ACK_SECONDS).label("p90"),
    )
    .where(_IN_PERIOD)
    .group_by(_DAY)
)
_DAY_PRIORITIES = (
    select(_DAY, _alarm.priority, func.count().label("alarms"))
    .where(_IN_PERIOD)
    .group_by(_DAY, _alarm.priority)
)
_OPEN_BY_PRIORITY = (
    select(_alarm.priority, func.count().label("alarms"))
    .where(_alarm.status.not_in(("resolved", "closed")))
    .group_by(_alarm.priority)
)


class SqlAlarmRepository(AlarmRepository):
    """Alarms in PostgreSQL; remembers how many timeline entries of each alarm are stored."""

    def __init__(self, session: AsyncSession, driver: AsyncConnectionGetter | None = None) -> None:
        self._session = session
        self._driver = driver or AsyncConnectionGetter(session)
        self._stored_entries: dict[uuid.UUID, int] = {}

    async def add(self, alarm: Alarm, timers: Sequence[tuple[uuid.UUID, datetime]] = ()) -> bool:
        """Insert the alarm with its routes, timeline and timers, in one statement, unless its source id was
        taken in already (as an alarm or as a repeat)."""
        connection = await self._driver()
        values = _alarm_values(alarm)
        values.update(
            route_id=[r.id for r in alarm.routes],
            route_party=[r.party.value for r in alarm.routes],
            route_target=[r.target for r in alarm.routes],
            route_role=[r.role.value for r in alarm.routes],
            route_rule_id=[r.rule_id for r in alarm.routes],
            route_rules_version=[r.rules_version for r in alarm.routes],
            route_reason=[r.reason for r in alarm.routes],
            route_routed_at=[r.routed_at for r in alarm.routes],
            route_acknowledge_by=[r.acknowledge_by for r in alarm.routes],
            entry_type=[e.type.value for e in alarm.timeline],
            entry_at=[e.at for e in alarm.timeline],
            entry_actor=[Jsonb(actor_to_json(e.actor)) for e in alarm.timeline],
            entry_party=[e.party.value if e.party else None for e in alarm.timeline],
            entry_target=[e.target for e in alarm.timeline],
            entry_detail=[e.detail for e in alarm.timeline],
            timer_route=[route_id for route_id, _ in timers],
            timer_due=[due_at for _, due_at in timers],
        )
        inserted = await connection.execute(_INSERT_NEW_ALARM.sql, _INSERT_NEW_ALARM.params(values))
        if await inserted.fetchone() is None:
            return False
        self._stored_entries[alarm.id] = len(alarm.timeline)
        return True

    async def get(
        self, alarm_id: uuid.UUID, scope: Scope | None, *, for_update: bool = False
    ) -> Alarm | None:
        """One alarm with routes and timeline."""
        statement = _ALARM_BY_ID_LOCKED if for_update else _ALARM_BY_ID
        if scope is not None:
            statement = statement.where(_scope(scope))
        row = (await self._session.execute(statement, {"alarm_id": alarm_id})).first()
        return None if row is None else await self._load(row)

    async def get_by_source(self, source: str, source_id: str) -> Alarm | None:
        """The alarm a sender gave this id, as its first report or a repeat (one query either way)."""
        if not source_id:
            return None
        found = await self._session.execute(_ALARM_BY_SOURCE, {"source": source, "source_id": source_id})
        row = found.first()
        return None if row is None else await self._load(row)

    async def lock_zone(self, uscc: str, zone: str, kind: AlarmKind) -> None:
        """A transaction-scoped advisory lock on the zone and kind."""
        await self._session.execute(_LOCK_ZONE, {"key": f"alarm-zone:{uscc}:{zone}:{kind.value}"})

    async def open_for_zone(self, uscc: str, zone: str, kind: AlarmKind, since: datetime) -> Alarm | None:
        """The newest unfinished alarm of the zone and kind reported since `since`, locked."""
        if not zone:
            return None
        found = await self._session.execute(
            _OPEN_FOR_ZONE, {"uscc": uscc, "zone": zone, "kind": kind.value, "since": since}
        )
        row = found.first()
        return None if row is None else await self._load(row)

    async def open_for_device(self, uscc: str, device_id: str, kind: AlarmKind) -> Sequence[Alarm]:
        """The unfinished alarms of this kind from one device of the unit, locked, oldest first."""
        found = await self._session.execute(
            _OPEN_FOR_DEVICE, {"uscc": uscc, "device_id": device_id, "kind": kind.value}
        )
        return [await self._load(row) for row in found.all()]

    async def add_report(self, alarm: Alarm, report: Report) -> None:
        """Record a repeat report."""
        await self._session.execute(
            _INSERT_REPORT,
            {
                "alarm_id": alarm.id,
                "source": report.source,
                "source_id": report.source_id,
                "occurred_at": report.occurred_at,
                "received_at": report.received_at,
                "description": report.description,
                "reported_by": actor_to_json(report.reported_by),
            },
        )

    async def list(self, criteria: AlarmFilter, scope: Scope, limit: int) -> Sequence[tuple[int, Alarm]]:
        """A page, newest first, with routes (timelines are left out of lists)."""
        statement = _SELECT_ALARM.where(_scope(scope)).order_by(_alarm.seq.desc()).limit(limit)
        if criteria.status is not None:
            statement = statement.where(_alarm.status == criteria.status.value)
        if criteria.uscc:
            statement = statement.where(_alarm.uscc == criteria.uscc)
        if criteria.kind is not None:
            statement = statement.where(_alarm.kind == criteria.kind.value)
        if criteria.before_seq is not None:
            statement = statement.where(_alarm.seq < criteria.before_seq)
        rows = (await self._session.execute(statement)).all()
        routes: dict[uuid.UUID, list[Route]] = {row.id: [] for row in rows}
        if rows:
            route_rows = await self._session.execute(_ROUTES_OF_MANY, {"alarm_ids": list(routes)})
            for route_row in route_rows:
                routes[route_row.alarm_id].append(_route(route_row))
        return [(row.seq, _alarm_of(row, routes[row.id], [])) for row in rows]

    async def figures(self, scope: Scope, since: datetime) -> tuple[Sequence[DayFigures], dict[int, int]]:
        """Per day (China time) since `since`, in scope, and the unresolved alarms per priority."""
        scoped = {"since": since}
        days: dict[date, DayFigures] = {}
        for row in await self._session.execute(_DAY_FIGURES.where(_scope(scope)), scoped):
            days[row.day] = DayFigures(
                day=row.day,
                raised=row.raised,
                real=row.real,
                false_alarms=row.false_alarms,
                deadlines_missed=row.deadlines_missed,
                median_acknowledge_seconds=row.median,
                p90_acknowledge_seconds=row.p90,
            )
        by_priority: dict[date, dict[int, int]] = {}
        for row in await self._session.execute(_DAY_PRIORITIES.where(_scope(scope)), scoped):
            by_priority.setdefault(row.day, {})[row.priority] = row.alarms
        found = [replace(figures, by_priority=by_priority.get(day, {})) for day, figures in days.items()]
        open_rows = await self._session.execute(_OPEN_BY_PRIORITY.where(_scope(scope)))
        return found, {row.priority: row.alarms for row in open_rows}

    async def save(self, alarm: Alarm) -> None:
        """Write back state, routes (upserted) and the timeline entries added since loading."""
        await self._session.execute(
            _UPDATE_ALARM,
            {
                "alarm_id": alarm.id,
                "status": alarm.status.value,
                "priority": alarm.priority,
                "outcome": alarm.outcome.value if alarm.outcome else None,
                "updated_at": alarm.updated_at or alarm.received_at,
                "repeat_count": alarm.repeat_count,
                "last_reported_at": alarm.last_reported_at,
            },
        )
        await self._write_children(alarm)

    async def _write_children(self, alarm: Alarm) -> None:
        # One statement for all routes, one for all new entries (several parameter sets, one compilation).
        if alarm.routes:
            await self._session.execute(_UPSERT_ROUTES, [_route_values(alarm.id, r) for r in alarm.routes])
        stored = self._stored_entries.get(alarm.id, 0)
        new = alarm.timeline[stored:]
        if new:
            await self._session.execute(_INSERT_TIMELINE, [_entry_values(alarm.id, e) for e in new])
        self._stored_entries[alarm.id] = len(alarm.timeline)

    async def _load(self, row: Row[Any]) -> Alarm:
        routes = await self._session.execute(_ROUTES_OF, {"alarm_id": row.id})
        entries = await self._session.execute(_TIMELINE_OF, {"alarm_id": row.id})
        timeline = [_entry(e) for e in entries]
        self._stored_entries[row.id] = len(timeline)
        return _alarm_of(row, [_route(r) for r in routes], timeline)


# --- read models --------------------------------------------------------------------------------------

_unit = unit_table.c
_UNIT = select(
    _unit.uscc,
    _unit.name,
    _unit.jurisdiction,
    _unit.police_station,
    _unit.sector,
    _unit.key_unit,
    _unit.closed,
).where(_unit.uscc == bindparam("uscc"))


_UNIT_SQL = compiled(_UNIT)


class SqlUnitRepository(UnitRepository):
    """The unit read model."""

    def __init__(self, session: AsyncSession, driver: AsyncConnectionGetter | None = None) -> None:
        self._session = session
        self._driver = driver or AsyncConnectionGetter(session)

    async def get(self, uscc: str) -> UnitFacts | None:
        """What is known of the unit."""
        connection = await self._driver()
        row = await (await connection.execute(_UNIT_SQL.sql, _UNIT_SQL.params({"uscc": uscc}))).fetchone()
        if row is None:
            return None
        return UnitFacts(*row)


def _of_unit(table: Any, *order: Any) -> Select[Any]:
    return select(table).where(table.c.uscc == bindparam("uscc")).order_by(*order)


_plan = unit_emergency_plan_table.c
_part = unit_key_part_table.c
_person = unit_responsible_person_table.c
_PLANS = _of_unit(unit_emergency_plan_table, _plan.title, _plan.plan_id)
_KEY_PARTS = _of_unit(unit_key_part_table, _part.name, _part.id)
_PEOPLE = _of_unit(unit_responsible_person_table, _person.name, _person.id)
_DEVICE_KEY_PART = select(unit_device_table.c.key_part).where(
    unit_device_table.c.id == bindparam("device_id"), unit_device_table.c.uscc == bindparam("uscc")
)


_PLANS_SQL = compiled(_PLANS)
_KEY_PARTS_SQL = compiled(_KEY_PARTS)
_PEOPLE_SQL = compiled(_PEOPLE)
_DEVICE_KEY_PART_SQL = compiled(_DEVICE_KEY_PART)


# Everything intake reads of a unit in one round trip; the silences themselves only when one is in force.
_INTAKE_FACTS = Statement(
    """SELECT u.uscc, u.name, u.jurisdiction, u.police_station, u.sector, u.key_unit, u.closed,
    EXISTS (SELECT FROM silence s WHERE s.uscc = %(uscc)s AND s.state = 'active' AND s.starts_at <= %(at)s
        AND s.ends_at > %(at)s) AS silenced,
    (SELECT json_agg(json_build_array(p.plan_id, p.id, p.version, p.title, p.scenario, p.effective_on)
        ORDER BY p.title, p.plan_id) FROM unit_emergency_plan p WHERE p.uscc = %(uscc)s) AS plans,
    (SELECT json_agg(json_build_array(k.id, k.name, k.location, k.description, k.protection_measures,
        k.required_device_types) ORDER BY k.name, k.id)
        FROM unit_key_part k WHERE k.uscc = %(uscc)s) AS parts,
    (SELECT d.key_part FROM unit_device d WHERE d.id = %(device_id)s AND d.uscc = %(uscc)s) AS device_part
FROM (SELECT %(uscc)s::varchar AS uscc) AS q LEFT JOIN unit AS u ON u.uscc = q.uscc""",
    {},
)


def _plan_summary(  # noqa: PLR0917 - a plan's columns, as both reads select them
    plan_id: Any, id_: Any, version: int, title: str, scenario: str, effective_on: Any, content: str = ""
) -> EmergencyPlanSummary:
    return EmergencyPlanSummary(
        plan_id=str(plan_id),
        id=str(id_),
        version=version,
        title=title,
        scenario=scenario,
        content=content,
        effective_on=effective_on,
    )


def _key_part_summary(  # noqa: PLR0917 - a key part's columns, as both reads select them
    id_: Any, name: str, location: str, description: str, measures: Any, device_types: Any
) -> KeyPartSummary:
    return KeyPartSummary(
        id=str(id_),
        name=name,
        location=location,
        description=description,
        protection_measures=tuple(measures or ()),
        required_device_types=tuple(device_types or ()),
    )


async def read_intake_facts(
    driver: AsyncConnectionGetter, uscc: str, device_id: str, at: datetime
) -> IntakeFacts:
    """The unit's facts, silences in force, context without contacts and the device's key part."""
    connection = await driver()
    cursor = await connection.execute(_INTAKE_FACTS.sql, {"uscc": uscc, "at": at, "device_id": device_id})
    row = await cursor.fetchone()
    assert row is not None  # noqa: S101 - the query always returns its one row
    known, silenced, plans, parts, device_part = row[0] is not None, row[7], row[8], row[9], row[10]
    silences: Sequence[Silence] = ()
    if silenced:
        async with connection.cursor(row_factory=namedtuple_row) as rows:
            await rows.execute(_IN_FORCE_SQL.sql, _IN_FORCE_SQL.params({"uscc": uscc, "at": at}))
            silences = [_silence(found) for found in await rows.fetchall()]
    context = UnitContext(
        emergency_plans=tuple(_plan_summary(*p) for p in plans or ()),
        key_parts=tuple(_key_part_summary(*k) for k in parts or ()),
    )
    return IntakeFacts(UnitFacts(*row[:7]) if known else None, silences, context, device_part or "")


class SqlUnitContextRepository(UnitContextRepository):
    """The unit context read model; phones opened here (the handler discloses them)."""

    def __init__(
        self,
        session: AsyncSession,
        personal_data: PersonalDataCipher,
        driver: AsyncConnectionGetter | None = None,
    ) -> None:
        self._session = session
        self._personal_data = personal_data
        self._driver = driver or AsyncConnectionGetter(session)

    async def get(self, uscc: str) -> UnitContext:
        """The unit's current plans, key parts and responsible persons."""
        key = {"uscc": uscc}
        connection = await self._driver()
        async with connection.cursor(row_factory=namedtuple_row) as cursor:
            plans: list[Any] = await (await cursor.execute(_PLANS_SQL.sql, _PLANS_SQL.params(key))).fetchall()
            parts: list[Any] = await (
                await cursor.execute(_KEY_PARTS_SQL.sql, _KEY_PARTS_SQL.params(key))
            ).fetchall()
            people: list[Any] = await (
                await cursor.execute(_PEOPLE_SQL.sql, _PEOPLE_SQL.params(key))
            ).fetchall()
        return UnitContext(
            emergency_plans=tuple(
                _plan_summary(r.plan_id, r.id, r.version, r.title, r.scenario, r.effective_on, r.content)
                for r in plans
            ),
            key_parts=tuple(
                _key_part_summary(
                    r.id, r.name, r.location, r.description, r.protection_measures, r.required_device_types
                )
                for r in parts
            ),
            responsible_persons=tuple(
                ResponsibleContact(
                    id=str(row.id),
                    role=ResponsibleRole(row.role),
                    name=row.name,
                    position=row.position,
                    phone=self._personal_data.open_phone(row.id, row.phone),
                )
                for row in people
            ),
        )

    async def device_key_part(self, uscc: str, device_id: str) -> str:
        """The key part the device guards, as the device inventory last announced it."""
        if not device_id:
            return ""
        connection = await self._driver()
        found = await (
            await connection.execute(
                _DEVICE_KEY_PART_SQL.sql, _DEVICE_KEY_PART_SQL.params({"device_id": device_id, "uscc": uscc})
            )
        ).fetchone()
        return str(found[0] or "") if found else ""


# --- escalation timers --------------------------------------------------------------------------------

_timer = escalation_timer_table.c
_timer_insert = insert(escalation_timer_table)
_ARM_TIMER = _timer_insert.on_conflict_do_update(
    index_elements=["route_id"], set_={"due_at": _timer_insert.excluded.due_at}
)
_DUE_TIMERS = (
    select(_timer.id, _timer.alarm_id, _timer.route_id, _timer.due_at)
    .where(_timer.due_at <= bindparam("now"))
    .order_by(_timer.due_at)
    .limit(bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_DISARM_TIMER = delete(escalation_timer_table).where(_timer.id == bindparam("timer_id"))


_ARM_TIMER_SQL = compiled(_ARM_TIMER, ["alarm_id", "route_id", "due_at"])


class SqlTimerRepository(TimerRepository):
    """Escalation timers: a due-time table polled with FOR UPDATE SKIP LOCKED."""

    def __init__(self, session: AsyncSession, driver: AsyncConnectionGetter | None = None) -> None:
        self._session = session
        self._driver = driver or AsyncConnectionGetter(session)

    async def set(self, alarm_id: uuid.UUID, route_id: uuid.UUID, due_at: datetime) -> None:
        """Arm or re-arm."""
        connection = await self._driver()
        values = {"alarm_id": alarm_id, "route_id": route_id, "due_at": due_at}
        await connection.execute(_ARM_TIMER_SQL.sql, _ARM_TIMER_SQL.params(values))

    async def due(self, now: datetime, limit: int) -> Sequence[Timer]:
        """Due timers, earliest first; those another escalator has locked are skipped."""
        rows = await self._session.execute(_DUE_TIMERS, {"now": now, "limit": limit})
        return [Timer(r.id, r.alarm_id, r.route_id, r.due_at) for r in rows]

    async def delete(self, timer_id: int) -> None:
        """Disarm."""
        await self._session.execute(_DISARM_TIMER, {"timer_id": timer_id})


# --- silences -----------------------------------------------------------------------------------------

_silence_c = silence_table.c
_INSERT_SILENCE = insert(silence_table)
_UPDATE_SILENCE = update(silence_table).where(_silence_c.id == bindparam("silence_id"))
_SELECT_SILENCE = select(silence_table)
_IN_FORCE = _SELECT_SILENCE.where(
    _silence_c.uscc == bindparam("uscc"),
    _silence_c.state == SilenceState.ACTIVE.value,
    _silence_c.starts_at <= bindparam("at"),
    _silence_c.ends_at > bindparam("at"),
)


def _silence(row: Any) -> Silence:
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


def _silence_scope(scope: Scope) -> ColumnElement[bool]:
    return scope_clause(
        scope, jurisdiction=_silence_c.jurisdiction, sector=_silence_c.sector, unit=_silence_c.uscc
    )


_IN_FORCE_SQL = compiled(_IN_FORCE)


class SqlSilenceRepository(SilenceRepository):
    """Silences in PostgreSQL, scoped like alarms by the unit's jurisdiction, sector and USCC."""

    def __init__(self, session: AsyncSession, driver: AsyncConnectionGetter | None = None) -> None:
        self._session = session
        self._driver = driver or AsyncConnectionGetter(session)

    async def add(self, silence: Silence, unit: UnitFacts) -> None:
        """Insert."""
        await self._session.execute(
            _INSERT_SILENCE,
            {
                "id": silence.id,
                "uscc": silence.uscc,
                "device_id": silence.device_id,
                "jurisdiction": unit.jurisdiction,
                "sector": unit.sector,
                "starts_at": silence.starts_at,
                "ends_at": silence.ends_at,
                "reason": silence.reason,
                "includes_life_safety": silence.includes_life_safety,
                "state": silence.state.value,
                "created_by": actor_to_json(silence.created_by),
                "created_at": silence.created_at,
            },
        )

    async def get(self, silence_id: uuid.UUID, scope: Scope, *, for_update: bool = False) -> Silence | None:
        """One silence in scope."""
        statement = _SELECT_SILENCE.where(_silence_c.id == silence_id, _silence_scope(scope))
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return None if row is None else _silence(row)

    async def list(self, uscc: str, scope: Scope, limit: int) -> Sequence[Silence]:
        """Newest first."""
        statement = (
            _SELECT_SILENCE.where(_silence_scope(scope)).order_by(_silence_c.created_at.desc()).limit(limit)
        )
        if uscc:
            statement = statement.where(_silence_c.uscc == uscc)
        return [_silence(row) for row in await self._session.execute(statement)]

    async def save(self, silence: Silence) -> None:
        """Write back state, approval and cancellation."""
        await self._session.execute(
            _UPDATE_SILENCE,
            {
                "silence_id": silence.id,
                "state": silence.state.value,
                "approved_by": actor_to_json(silence.approved_by) if silence.approved_by else None,
                "approved_at": silence.approved_at,
                "cancelled_by": actor_to_json(silence.cancelled_by) if silence.cancelled_by else None,
                "cancelled_at": silence.cancelled_at,
            },
        )
