"""The alarm routing's vocabularies, spelled as the REST contract spells them."""

from __future__ import annotations

from enum import StrEnum


class AlarmKind(StrEnum):
    """What raised the alarm."""

    PANIC = "panic"
    INTRUSION = "intrusion"
    PERIMETER = "perimeter"
    HOLD_UP = "hold_up"
    FIRE_LINKAGE = "fire_linkage"
    VIDEO_ANALYTICS = "video_analytics"
    DEVICE_FAULT = "device_fault"
    INFORMANT_REPORT = "informant_report"
    EARLY_WARNING = "early_warning"


# Life safety: always priority 1, never grouped, delayed or silenced without a second person.
LIFE_SAFETY_KINDS = frozenset({AlarmKind.PANIC, AlarmKind.HOLD_UP})


class AlarmStatus(StrEnum):
    """The lifecycle: received → routed → acknowledged → dispatched → on_scene → resolved → closed."""

    RECEIVED = "received"
    ROUTED = "routed"
    ACKNOWLEDGED = "acknowledged"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    RESOLVED = "resolved"
    CLOSED = "closed"


FINISHED_STATUSES = frozenset({AlarmStatus.RESOLVED, AlarmStatus.CLOSED})
# Police are on it: missed acknowledgements no longer escalate.
RESPONDING_STATUSES = frozenset({AlarmStatus.DISPATCHED, AlarmStatus.ON_SCENE})


class PartyKind(StrEnum):
    """Who an alarm goes to."""

    POLICE_STATION = "police_station"
    DISTRICT_BRANCH = "district_branch"
    CITY_COMMAND = "city_command"
    UNIT_SECURITY = "unit_security"
    SECTOR_REGULATOR = "sector_regulator"


POLICE_PARTIES = frozenset({PartyKind.POLICE_STATION, PartyKind.DISTRICT_BRANCH, PartyKind.CITY_COMMAND})


class RouteRole(StrEnum):
    """Whether a party must acknowledge (with a deadline) or is only informed."""

    RESPOND = "respond"
    INFORMED = "informed"


class Outcome(StrEnum):
    """How an alarm ended."""

    REAL = "real"
    FALSE = "false"
    TEST = "test"
    DUPLICATE = "duplicate"


class AcknowledgementOutcome(StrEnum):
    """What an acknowledging party found: police take the alarm; the unit's security office, on site,
    confirms it, finds it false, a test, or cannot verify it."""

    ACCEPTED = "accepted"
    CONFIRMED = "confirmed"
    FALSE_ALARM = "false_alarm"
    TEST = "test"
    UNABLE_TO_VERIFY = "unable_to_verify"


class TimelineType(StrEnum):
    """What a timeline entry records."""

    RECEIVED = "received"
    ROUTED = "routed"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    DISPATCHED = "dispatched"
    RESOLVED = "resolved"
    PRIORITY_RAISED = "priority_raised"
    ON_SCENE = "on_scene"
    CLOSED = "closed"
    REPEATED = "repeated"
    SUPPRESSED = "suppressed"
    DEADLINE_MISSED = "deadline_missed"


class ActorKind(StrEnum):
    """A person, a machine client, or the platform itself."""

    USER = "user"
    MACHINE = "machine"
    SYSTEM = "system"
