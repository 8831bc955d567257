"""Routing rules and escalation policy as data (versioned), and the pure functions that apply them.

`route` decides who an alarm goes to and records why; `escalate` decides what happens when a party misses
its acknowledgement deadline: the next party of the chain is called, and at the chain's end the last
party is called again, up to the repeat limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from alarm_routing.domain.enums import (
    LIFE_SAFETY_KINDS,
    RESPONDING_STATUSES,
    AlarmKind,
    PartyKind,
    RouteRole,
    TimelineType,
)
from alarm_routing.domain.model import SYSTEM, Alarm, Route, TimelineEntry, UnitFacts

PRIORITIES = (1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class RoutingRule:
    """Send alarms that match (all kinds / priorities when None) to a party, for a reason."""

    id: str
    party: PartyKind
    role: RouteRole
    reason: str
    priorities: frozenset[int] | None = None
    kinds: frozenset[AlarmKind] | None = None

    def matches(self, kind: AlarmKind, priority: int) -> bool:
        """Whether an alarm of this kind and priority falls under the rule."""
        return (self.priorities is None or priority in self.priorities) and (
            self.kinds is None or kind in self.kinds
        )


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    """One version of the rules: who gets what, each party's deadline, the escalation chain."""

    version: str
    rules: tuple[RoutingRule, ...]
    # Seconds each responding party has to acknowledge, by priority.
    acknowledge_seconds: Mapping[PartyKind, Mapping[int, int]]
    escalation_chain: tuple[PartyKind, ...]
    # How often the last party of the chain is called again when it does not acknowledge.
    repeat_limit: int
    # Repeats from the zone of an open alarm of the same kind within this many seconds of its latest report
    # are counted on it (0: never grouped).
    grouping_window_seconds: int = 300

    def groups(self, kind: AlarmKind, zone: str) -> bool:
        """Whether reports of this kind from this zone group: never life safety, never without a zone."""
        return bool(zone) and kind not in LIFE_SAFETY_KINDS and self.grouping_window_seconds > 0

    def deadline(self, party: PartyKind, priority: int, at: datetime) -> datetime | None:
        """When the party must have acknowledged an alarm of this priority routed at `at`."""
        seconds = self.acknowledge_seconds.get(party, {}).get(priority)
        return None if seconds is None else at + timedelta(seconds=seconds)


def city_of(jurisdiction: str) -> str:
    """The city-level GB/T 2260 code of a county-level one (210102 → 210100)."""
    return f"{jurisdiction[:4]}00"


def target_of(  # noqa: PLR0911 - one return per party
    party: PartyKind, unit: UnitFacts
) -> tuple[str, str]:
    """The party's key for a unit and a description of it; ("", why) when the unit has none."""
    match party:
        case PartyKind.POLICE_STATION:
            if not unit.police_station:
                return "", "the unit has no police station on record"
            return unit.police_station, f"police station {unit.police_station} of the unit"
        case PartyKind.DISTRICT_BRANCH:
            return unit.jurisdiction, f"district branch of {unit.jurisdiction}"
        case PartyKind.CITY_COMMAND:
            city = city_of(unit.jurisdiction)
            return city, f"command centre of city {city}"
        case PartyKind.UNIT_SECURITY:
            return unit.uscc, f"security office of unit {unit.uscc}"
        case PartyKind.SECTOR_REGULATOR:
            if not unit.sector:
                return "", "the unit has no sector on record"
            return unit.sector, f"{unit.sector} regulator of {city_of(unit.jurisdiction)}"


def route(
    policy: RoutingPolicy,
    alarm: Alarm,
    at: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> list[Route]:
    """The routes the rules choose for an alarm, each with the rule and the reason that chose it."""
    routes: list[Route] = []
    chosen: set[tuple[PartyKind, str]] = set()
    for rule in policy.rules:
        if not rule.matches(alarm.kind, alarm.priority):
            continue
        party = rule.party
        target, described = target_of(party, alarm.unit)
        reason = f"{rule.reason}: {described}"
        if not target and party is PartyKind.POLICE_STATION:
            # Never lose the police: without a station on record the district branch answers in its place.
            party = PartyKind.DISTRICT_BRANCH
            target, instead = target_of(party, alarm.unit)
            reason = f"{rule.reason}: {described}, so the {instead} instead"
        if not target or (party, target) in chosen:
            continue
        chosen.add((party, target))
        deadline = policy.deadline(party, alarm.priority, at) if rule.role is RouteRole.RESPOND else None
        routes.append(
            Route(
                id=new_id(),
                party=party,
                target=target,
                role=rule.role,
                rule_id=rule.id,
                rules_version=policy.version,
                reason=reason,
                routed_at=at,
                acknowledge_by=deadline,
            )
        )
    return routes


def needs_timer(route: Route) -> bool:
    """Whether the route's deadline needs a timer: a missed one escalates (the chain's parties) or is
    announced (the others, e.g. the unit's security office that must confirm on site)."""
    return route.pending and route.acknowledge_by is not None


def miss_deadline(policy: RoutingPolicy, alarm: Alarm, route_id: uuid.UUID, at: datetime) -> Route | None:
    """A due timer of a party outside the escalation chain: the route, marked and recorded as having missed
    its deadline, or None when nothing is missed (acknowledged, finished, a chain party, marked before)."""
    missed = next((r for r in alarm.routes if r.id == route_id), None)
    if (
        missed is None
        or not missed.pending
        or alarm.finished
        or missed.party in policy.escalation_chain
        or missed.deadline_missed_at is not None
    ):
        return None
    missed.deadline_missed_at = at
    deadline = f"{missed.acknowledge_by:%H:%M:%S}" if missed.acknowledge_by else "its deadline"
    alarm.record(
        TimelineEntry(
            TimelineType.DEADLINE_MISSED,
            at,
            SYSTEM,
            missed.party,
            missed.target,
            f"{missed.party.value} {missed.target} did not acknowledge by {deadline} UTC",
        )
    )
    return missed


@dataclass(frozen=True, slots=True)
class Escalation:
    """What a missed deadline led to: a newly called route, or the same route called again."""

    missed: Route
    called: Route
    repeated: bool


def escalate(  # noqa: PLR0911 - each way out says why nothing fires
    policy: RoutingPolicy,
    alarm: Alarm,
    route_id: uuid.UUID,
    at: datetime,
    new_id: Callable[[], uuid.UUID] = uuid.uuid4,
) -> Escalation | None:
    """Apply a due timer of `route_id` to the alarm; None when it no longer has anything to do.

    Nothing happens once the route was acknowledged, the alarm dispatched or finished, or a party
    further up the chain acknowledged (someone above has the alarm).
    """
    missed = next((r for r in alarm.routes if r.id == route_id), None)
    if missed is None or not missed.pending or alarm.finished or alarm.status in RESPONDING_STATUSES:
        return None
    chain = policy.escalation_chain
    if missed.party not in chain:
        return None
    position = chain.index(missed.party)
    above = set(chain[position + 1 :])
    if any(r.party in above and r.acknowledged_at is not None for r in alarm.routes):
        return None
    if missed.deadline_missed_at is None:
        missed.deadline_missed_at = at
    for party in chain[position + 1 :]:
        target, described = target_of(party, alarm.unit)
        if not target:
            continue
        existing = alarm.route_by_party(party, target)
        if existing is not None:
            if existing.pending:
                return None  # already called: its own deadline runs
            continue
        called = Route(
            id=new_id(),
            party=party,
            target=target,
            role=RouteRole.RESPOND,
            rule_id="escalation",
            rules_version=policy.version,
            reason=f"{missed.party.value} {missed.target} did not acknowledge by its deadline: {described}",
            routed_at=at,
            acknowledge_by=policy.deadline(party, alarm.priority, at),
            escalation_level=missed.escalation_level + 1,
        )
        alarm.routes.append(called)
        alarm.record(TimelineEntry(TimelineType.ESCALATED, at, SYSTEM, party, target, called.reason))
        return Escalation(missed, called, repeated=False)
    # The end of the chain: call the last party again, a limited number of times.
    if missed.repeats >= policy.repeat_limit:
        alarm.record(
            TimelineEntry(
                TimelineType.ESCALATED,
                at,
                SYSTEM,
                missed.party,
                missed.target,
                f"not acknowledged after {policy.repeat_limit} repeated calls: no further escalation",
            )
        )
        return None
    missed.repeats += 1
    missed.acknowledge_by = policy.deadline(missed.party, alarm.priority, at)
    detail = f"not acknowledged by its deadline: repeated call {missed.repeats} of {policy.repeat_limit}"
    alarm.record(TimelineEntry(TimelineType.ESCALATED, at, SYSTEM, missed.party, missed.target, detail))
    return Escalation(missed, missed, repeated=True)


@dataclass(frozen=True, slots=True)
class RouteChange:
    """How another version of the rules would have routed an alarm: parties it adds and drops."""

    alarm_id: uuid.UUID
    added: tuple[tuple[PartyKind, str], ...]
    removed: tuple[tuple[PartyKind, str], ...]


def replay(policy: RoutingPolicy, alarm: Alarm) -> RouteChange | None:
    """Route a past alarm again under `policy` (as at its intake); None when the parties would be the same.

    Escalations are left out: they answer missed deadlines, not the rules.
    """
    before = {(r.party, r.target) for r in alarm.routes if r.rule_id != "escalation"}
    after = {(r.party, r.target) for r in route(policy, alarm, alarm.received_at)}
    if before == after:
        return None
    return RouteChange(alarm.id, tuple(sorted(after - before)), tuple(sorted(before - after)))
