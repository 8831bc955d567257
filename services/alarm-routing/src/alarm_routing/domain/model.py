"""An alarm, the routes it went out on, its acknowledgements and its timeline."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from alarm_routing.domain.enums import (
    FINISHED_STATUSES,
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
from alarm_routing.domain.errors import Forbidden, InvalidState


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did something: from the verified token, or the platform itself."""

    kind: ActorKind
    subject: str
    name: str
    roles: tuple[str, ...] = ()
    jurisdiction: str = ""
    sector: str = ""
    unit: str = ""
    client_id: str = ""


SYSTEM = Actor(ActorKind.SYSTEM, "alarm-routing", "alarm-routing")


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What the alarm routing knows of a unit (its read model of the unit registry)."""

    uscc: str
    name: str
    jurisdiction: str
    police_station: str = ""
    sector: str = ""
    key_unit: bool = False
    closed: bool = False


@dataclass(frozen=True, slots=True)
class Party:
    """A party an alarm can go to: its kind and its key (station code, division code, USCC, sector)."""

    kind: PartyKind
    target: str


@dataclass(slots=True)
class Route:
    """One party an alarm went to, why, and whether it acknowledged in time."""

    id: uuid.UUID
    party: PartyKind
    target: str
    role: RouteRole
    rule_id: str
    rules_version: str
    reason: str
    routed_at: datetime
    acknowledge_by: datetime | None
    acknowledged_at: datetime | None = None
    acknowledged_by: Actor | None = None
    note: str = ""
    outcome: AcknowledgementOutcome | None = None
    escalation_level: int = 0
    # When the party first let its deadline pass unacknowledged.
    deadline_missed_at: datetime | None = None
    # How often the party was called again after missing its deadline (the end of the chain).
    repeats: int = 0

    @property
    def pending(self) -> bool:
        """Whether the party must still acknowledge."""
        return self.role is RouteRole.RESPOND and self.acknowledged_at is None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One step of an alarm's life; `sequence` is 0 until stored."""

    type: TimelineType
    at: datetime
    actor: Actor
    party: PartyKind | None = None
    target: str = ""
    detail: str = ""
    sequence: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    """A repeat report: who sent it, its id of the sender's, when, and what it said."""

    source: str
    source_id: str
    occurred_at: datetime
    received_at: datetime
    description: str
    reported_by: Actor


@dataclass(slots=True)
class Alarm:
    """An alarm: what happened where, who it went to, and what was done."""

    id: uuid.UUID
    uscc: str
    kind: AlarmKind
    priority: int
    status: AlarmStatus
    occurred_at: datetime
    received_at: datetime
    description: str
    source: str
    source_id: str
    zone: str
    device_id: str
    unit: UnitFacts
    raised_by: Actor
    rules_version: str = ""
    routes: list[Route] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    outcome: Outcome | None = None
    updated_at: datetime | None = None
    repeat_count: int = 0
    last_reported_at: datetime | None = None
    silence_id: uuid.UUID | None = None

    @property
    def jurisdiction(self) -> str:
        """The unit's jurisdiction at intake: what police scope reads by."""
        return self.unit.jurisdiction

    @property
    def sector(self) -> str:
        """The unit's lead sector at intake: what regulators' scope reads by."""
        return self.unit.sector

    @property
    def finished(self) -> bool:
        """Whether the alarm is resolved or closed."""
        return self.status in FINISHED_STATUSES

    def record(self, entry: TimelineEntry) -> None:
        """Append to the timeline (stored with the alarm)."""
        self.timeline.append(entry)
        self.updated_at = entry.at

    def route(self, routes: list[Route], at: datetime) -> None:
        """Send the alarm out on its first routes."""
        self.routes.extend(routes)
        self.status = AlarmStatus.ROUTED
        for route in routes:
            self.record(
                TimelineEntry(TimelineType.ROUTED, at, SYSTEM, route.party, route.target, route.reason)
            )

    def route_by_party(self, party: PartyKind, target: str) -> Route | None:
        """The route to this party, if the alarm went to it."""
        return next((r for r in self.routes if r.party is party and r.target == target), None)

    def acknowledge(
        self,
        parties: frozenset[Party],
        actor: Actor,
        note: str,
        at: datetime,
        outcome: AcknowledgementOutcome = AcknowledgementOutcome.ACCEPTED,
    ) -> list[Route]:
        """The caller acknowledges for the parties it speaks for, with what it found; the routes it
        acknowledged now.

        Acknowledging again changes nothing (an empty list). Forbidden if the caller is none of the parties.
        """
        if self.finished:
            raise InvalidState(f"alarm {self.id} is {self.status.value}: nothing to acknowledge")
        mine = [r for r in self.routes if Party(r.party, r.target) in parties]
        if not mine:
            raise Forbidden("the caller is none of the parties this alarm went to")
        acknowledged = []
        for route in mine:
            if route.acknowledged_at is not None:
                continue
            route.acknowledged_at = at
            route.acknowledged_by = actor
            route.note = note
            route.outcome = outcome
            acknowledged.append(route)
            # Police taking an alarm is the common case: its entry keeps the note alone.
            detail = (
                note
                if outcome is AcknowledgementOutcome.ACCEPTED
                else f"{outcome.value}: {note}".rstrip(": ")
            )
            self.record(
                TimelineEntry(TimelineType.ACKNOWLEDGED, at, actor, route.party, route.target, detail)
            )
        responded = any(r.role is RouteRole.RESPOND for r in acknowledged)
        if responded and self.status in (AlarmStatus.RECEIVED, AlarmStatus.ROUTED):
            self.status = AlarmStatus.ACKNOWLEDGED
        return acknowledged

    def dispatch(self, parties: frozenset[Party], actor: Actor, note: str, at: datetime) -> None:
        """Police responding to the alarm sent people."""
        if not any(p.kind in POLICE_PARTIES for p in parties if self.route_by_party(p.kind, p.target)):
            raise Forbidden("only police the alarm went to dispatch responders")
        if self.status not in (AlarmStatus.ROUTED, AlarmStatus.ACKNOWLEDGED):
            raise InvalidState(f"alarm {self.id} is {self.status.value}: it cannot be dispatched")
        # Dispatching is also an acknowledgement by the dispatching police.
        self.acknowledge(frozenset(p for p in parties if p.kind in POLICE_PARTIES), actor, note, at)
        self.status = AlarmStatus.DISPATCHED
        self.record(TimelineEntry(TimelineType.DISPATCHED, at, actor, detail=note))

    def arrive(self, parties: frozenset[Party], actor: Actor, note: str, at: datetime) -> None:
        """Police responders reached the scene (arriving is also their acknowledgement)."""
        police = frozenset(
            p for p in parties if p.kind in POLICE_PARTIES and self.route_by_party(p.kind, p.target)
        )
        if not police:
            raise Forbidden("only police the alarm went to report arriving on scene")
        if self.status not in (AlarmStatus.ROUTED, AlarmStatus.ACKNOWLEDGED, AlarmStatus.DISPATCHED):
            raise InvalidState(f"alarm {self.id} is {self.status.value}: nobody can arrive on scene now")
        self.acknowledge(police, actor, note, at)
        self.status = AlarmStatus.ON_SCENE
        self.record(TimelineEntry(TimelineType.ON_SCENE, at, actor, detail=note))

    def close(self, actor: Actor, note: str, at: datetime) -> None:
        """The case of a resolved alarm is closed: nothing changes it any more."""
        if self.status is not AlarmStatus.RESOLVED:
            raise InvalidState(f"alarm {self.id} is {self.status.value}: only a resolved alarm is closed")
        self.status = AlarmStatus.CLOSED
        self.record(TimelineEntry(TimelineType.CLOSED, at, actor, detail=note))

    def resolve(self, outcome: Outcome, actor: Actor, note: str, at: datetime) -> None:
        """The alarm is over: pending deadlines no longer matter."""
        if self.finished:
            raise InvalidState(f"alarm {self.id} is {self.status.value} already")
        self.status = AlarmStatus.RESOLVED
        self.outcome = outcome
        self.record(
            TimelineEntry(TimelineType.RESOLVED, at, actor, detail=f"{outcome.value}: {note}".rstrip(": "))
        )

    def suppress(self, silence_id: uuid.UUID, reason: str, at: datetime) -> None:
        """A silence covers the alarm: it is kept and shown as suppressed, and goes to nobody."""
        self.silence_id = silence_id
        self.record(
            TimelineEntry(TimelineType.SUPPRESSED, at, SYSTEM, detail=f"silence {silence_id}: {reason}")
        )

    def repeat(self, actor: Actor, description: str, at: datetime) -> None:
        """Count a repeat report from the alarm's zone on it (visible in its count and timeline)."""
        if self.finished:
            raise InvalidState(f"alarm {self.id} is {self.status.value}: repeats open a new alarm")
        self.repeat_count += 1
        self.last_reported_at = at
        self.record(TimelineEntry(TimelineType.REPEATED, at, actor, detail=description))

    def raise_priority(self, priority: int, reason: str, at: datetime) -> None:
        """Raise the priority (never lowered by a rule)."""
        if priority < self.priority:
            self.record(
                TimelineEntry(
                    TimelineType.PRIORITY_RAISED, at, SYSTEM, detail=f"{self.priority} → {priority}: {reason}"
                )
            )
            self.priority = priority
