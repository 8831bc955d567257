"""What happened to an alarm, announced on the alarm stream (written to the outbox with the change)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alarm_routing.domain.context import UnitContext
from alarm_routing.domain.model import Actor, Alarm, Report, Route, UnitFacts
from alarm_routing.domain.routing import Escalation
from alarm_routing.domain.silences import Silence


@dataclass(frozen=True, slots=True)
class AlarmRaised:
    """An alarm was taken in and routed (its routes are the alarm's at intake); `context`: what responders
    need of the unit, without its people."""

    alarm: Alarm
    occurred_at: datetime
    context: UnitContext | None = None


@dataclass(frozen=True, slots=True)
class AlarmAcknowledged:
    """Parties acknowledged."""

    alarm: Alarm
    routes: tuple[Route, ...]
    note: str
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AlarmEscalated:
    """A party missed its deadline and the next (or the same, again) was called."""

    alarm: Alarm
    escalation: Escalation
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AlarmDispatched:
    """Police sent responders."""

    alarm: Alarm
    note: str
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AlarmResolved:
    """The alarm is over."""

    alarm: Alarm
    note: str
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AlarmRepeated:
    """A repeat report from the alarm's zone was counted on it."""

    alarm: Alarm
    report: Report
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AlarmOnScene:
    """Police responders reached the scene."""

    alarm: Alarm
    note: str
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AlarmClosed:
    """The case is closed."""

    alarm: Alarm
    note: str
    actor: Actor
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class AlarmDeadlineMissed:
    """A responding party outside the escalation chain let its deadline pass."""

    alarm: Alarm
    route: Route
    occurred_at: datetime


AlarmEvent = (
    AlarmRaised
    | AlarmRepeated
    | AlarmAcknowledged
    | AlarmEscalated
    | AlarmDispatched
    | AlarmOnScene
    | AlarmResolved
    | AlarmClosed
    | AlarmDeadlineMissed
)


@dataclass(frozen=True, slots=True)
class SilenceChanged:
    """A silence was created, approved or cancelled (`change`); `unit`: whose scope announces it."""

    silence: Silence
    change: str
    unit: UnitFacts
    actor: Actor
    occurred_at: datetime


DomainEvent = AlarmEvent | SilenceChanged
