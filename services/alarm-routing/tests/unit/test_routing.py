"""Routing and escalation rules with a controllable clock (pure domain, no I/O)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from alarm_routing.adapters.rules import InvalidRules, load_policy, parse_policy
from alarm_routing.domain.enums import (
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
from alarm_routing.domain.model import Actor, Alarm, Party, UnitFacts
from alarm_routing.domain.parties import Caller, parties_of
from alarm_routing.domain.routing import escalate, miss_deadline, needs_timer, replay, route

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SHOP = UnitFacts("91210102MA0LN001X3", "沈阳太原街商贸中心", "210102", "210102003", "commerce")
NO_STATION = UnitFacts("91210102000000001A", "沈阳和平快捷速递", "210102", "", "postal")
PERSON = Actor(ActorKind.USER, "u-1", "police-heping", ("police",), "210102")
POLICY = load_policy()


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def new_alarm(unit: UnitFacts = SHOP, kind: AlarmKind = AlarmKind.INTRUSION, priority: int = 2) -> Alarm:
    alarm = Alarm(
        id=uuid.uuid4(),
        uscc=unit.uscc,
        kind=kind,
        priority=priority,
        status=AlarmStatus.RECEIVED,
        occurred_at=T0,
        received_at=T0,
        description="",
        source="test",
        source_id="",
        zone="",
        device_id="",
        unit=unit,
        raised_by=PERSON,
    )
    alarm.route(route(POLICY, alarm, T0), T0)
    return alarm


def parties(alarm: Alarm) -> dict[PartyKind, str]:
    return {r.party: r.target for r in alarm.routes}


def test_priority_2_goes_to_the_station_the_security_office_and_informs_the_regulator() -> None:
    alarm = new_alarm()
    assert parties(alarm) == {
        PartyKind.POLICE_STATION: "210102003",
        PartyKind.UNIT_SECURITY: SHOP.uscc,
        PartyKind.SECTOR_REGULATOR: "commerce",
    }
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert station is not None
    assert station.acknowledge_by == T0 + timedelta(seconds=120)
    assert station.rule_id == "police-station-of-jurisdiction"
    assert station.rules_version == POLICY.version
    assert "210102003" in station.reason
    regulator = alarm.route_by_party(PartyKind.SECTOR_REGULATOR, "commerce")
    assert regulator is not None
    assert regulator.role is RouteRole.INFORMED
    assert regulator.acknowledge_by is None
    assert alarm.status is AlarmStatus.ROUTED
    assert [e.type for e in alarm.timeline].count(TimelineType.ROUTED) == 3


def test_priority_1_also_goes_to_the_city_command_centre_with_its_reason() -> None:
    alarm = new_alarm(priority=1)
    assert parties(alarm)[PartyKind.CITY_COMMAND] == "210100"
    command = alarm.route_by_party(PartyKind.CITY_COMMAND, "210100")
    assert command is not None
    assert command.rule_id == "city-command-for-priority-1"
    assert command.acknowledge_by == T0 + timedelta(seconds=60)


def test_without_a_police_station_the_district_branch_answers_and_says_why() -> None:
    alarm = new_alarm(NO_STATION)
    assert PartyKind.POLICE_STATION not in parties(alarm)
    branch = alarm.route_by_party(PartyKind.DISTRICT_BRANCH, "210102")
    assert branch is not None
    assert "no police station on record" in branch.reason


def test_an_unacknowledged_station_escalates_to_the_district_then_the_city_then_repeats() -> None:
    clock = Clock(T0)
    alarm = new_alarm()
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert station is not None
    assert needs_timer(station)
    first = escalate(POLICY, alarm, station.id, clock.advance(120))
    assert first is not None
    assert (first.called.party, first.called.target) == (PartyKind.DISTRICT_BRANCH, "210102")
    assert first.called.escalation_level == 1
    assert first.called.acknowledge_by == clock.now + timedelta(seconds=120)
    # The missed route's timer has done its work: firing it again does nothing.
    assert escalate(POLICY, alarm, station.id, clock.advance(1)) is None
    second = escalate(POLICY, alarm, first.called.id, clock.advance(120))
    assert second is not None
    assert (second.called.party, second.called.target) == (PartyKind.CITY_COMMAND, "210100")
    command = second.called
    for call in range(1, POLICY.repeat_limit + 1):
        repeat = escalate(POLICY, alarm, command.id, clock.advance(120))
        assert repeat is not None
        assert repeat.repeated
        assert command.repeats == call
    assert escalate(POLICY, alarm, command.id, clock.advance(120)) is None
    assert "no further escalation" in alarm.timeline[-1].detail


def test_an_acknowledged_route_never_escalates() -> None:
    alarm = new_alarm()
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert station is not None
    heping = Caller(frozenset({"police"}), "210102")
    alarm.acknowledge(parties_of(heping, alarm), PERSON, "on our way", T0 + timedelta(seconds=30))
    assert escalate(POLICY, alarm, station.id, T0 + timedelta(seconds=120)) is None
    assert alarm.status is AlarmStatus.ACKNOWLEDGED


def test_a_resolved_or_dispatched_alarm_never_escalates() -> None:
    resolved = new_alarm()
    resolved.resolve(Outcome.FALSE, PERSON, "", T0)
    station = resolved.routes[0]
    assert escalate(POLICY, resolved, station.id, T0 + timedelta(hours=1)) is None
    dispatched = new_alarm()
    heping = Caller(frozenset({"police"}), "210102")
    dispatched.dispatch(parties_of(heping, dispatched), PERSON, "", T0)
    assert escalate(POLICY, dispatched, dispatched.routes[0].id, T0 + timedelta(hours=1)) is None


def test_the_city_acknowledging_stops_the_station_chain() -> None:
    alarm = new_alarm(priority=1)
    shenyang = Caller(frozenset({"police"}), "2101")
    alarm.acknowledge(parties_of(shenyang, alarm), PERSON, "", T0 + timedelta(seconds=10))
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert station is not None
    assert station.pending
    assert escalate(POLICY, alarm, station.id, T0 + timedelta(seconds=60)) is None


def test_parties_come_from_the_callers_claims() -> None:
    alarm = new_alarm(priority=1)
    kinds = {
        name: {p.kind for p in parties_of(caller, alarm)}
        for name, caller in {
            "heping": Caller(frozenset({"police"}), "210102"),
            "shenyang": Caller(frozenset({"police"}), "2101"),
            "dalian": Caller(frozenset({"police"}), "2102"),
            "security": Caller(frozenset({"unit-security"}), "210102", unit=SHOP.uscc),
            "other-security": Caller(frozenset({"unit-security"}), "210102", unit="91210102000000001A"),
            "regulator": Caller(frozenset({"regulator"}), "21", sector="commerce"),
            "postal-regulator": Caller(frozenset({"regulator"}), "21", sector="postal"),
            "admin": Caller(frozenset({"province-admin"}), "21"),
        }.items()
    }
    assert kinds == {
        "heping": {PartyKind.POLICE_STATION},
        "shenyang": {PartyKind.CITY_COMMAND},
        "dalian": set(),
        "security": {PartyKind.UNIT_SECURITY},
        "other-security": set(),
        "regulator": {PartyKind.SECTOR_REGULATOR},
        "postal-regulator": set(),
        "admin": set(),
    }


def test_acknowledging_is_per_party_and_idempotent() -> None:
    alarm = new_alarm()
    security = Caller(frozenset({"unit-security"}), "210102", unit=SHOP.uscc)
    done = alarm.acknowledge(parties_of(security, alarm), PERSON, "checking", T0 + timedelta(seconds=5))
    assert [r.party for r in done] == [PartyKind.UNIT_SECURITY]
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert station is not None
    assert station.pending
    assert alarm.acknowledge(parties_of(security, alarm), PERSON, "again", T0 + timedelta(seconds=9)) == []
    with pytest.raises(Forbidden):
        alarm.acknowledge(frozenset({Party(PartyKind.CITY_COMMAND, "210200")}), PERSON, "", T0)


def test_lifecycle_rules() -> None:
    alarm = new_alarm()
    security = Caller(frozenset({"unit-security"}), "210102", unit=SHOP.uscc)
    with pytest.raises(Forbidden):
        alarm.dispatch(parties_of(security, alarm), PERSON, "", T0)
    alarm.resolve(Outcome.TEST, PERSON, "drill", T0)
    with pytest.raises(InvalidState):
        alarm.resolve(Outcome.REAL, PERSON, "", T0)
    with pytest.raises(InvalidState):
        alarm.acknowledge(parties_of(security, alarm), PERSON, "", T0)


def test_panic_is_raised_to_priority_1() -> None:
    alarm = new_alarm(kind=AlarmKind.PANIC, priority=3)
    alarm.raise_priority(1, "panic alarms are life safety", T0)
    assert alarm.priority == 1
    assert alarm.timeline[-1].type is TimelineType.PRIORITY_RAISED


def test_rules_file_errors_are_refused() -> None:
    with pytest.raises(InvalidRules, match="no deadline"):
        parse_policy(
            {
                "version": "x",
                "rules": [{"id": "a", "party": "police_station", "role": "respond", "reason": "r"}],
                "acknowledge_seconds": {"police_station": {1: 60}},
                "escalation": {"chain": ["police_station"], "repeat_limit": 1},
            }
        )
    with pytest.raises(InvalidRules):
        parse_policy({"version": "x", "rules": [{"party": "nobody"}]})


def test_on_scene_stops_escalation_and_closing_needs_a_resolution() -> None:
    alarm = new_alarm()
    heping = Caller(frozenset({"police"}), "210102")
    security = Caller(frozenset({"unit-security"}), "210102", unit=SHOP.uscc)
    with pytest.raises(Forbidden):
        alarm.arrive(parties_of(security, alarm), PERSON, "", T0)
    alarm.arrive(parties_of(heping, alarm), PERSON, "到达现场", T0 + timedelta(seconds=50))
    assert alarm.status is AlarmStatus.ON_SCENE
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert station is not None
    assert station.acknowledged_at == T0 + timedelta(seconds=50)
    security_office = alarm.route_by_party(PartyKind.UNIT_SECURITY, SHOP.uscc)
    assert security_office is not None
    assert escalate(POLICY, alarm, security_office.id, T0 + timedelta(hours=1)) is None
    with pytest.raises(InvalidState):
        alarm.close(PERSON, "", T0)
    alarm.resolve(Outcome.REAL, PERSON, "", T0 + timedelta(minutes=30))
    alarm.close(PERSON, "结案", T0 + timedelta(hours=2))
    assert alarm.status is AlarmStatus.CLOSED
    assert [e.type for e in alarm.timeline][-3:] == [
        TimelineType.ON_SCENE,
        TimelineType.RESOLVED,
        TimelineType.CLOSED,
    ]
    with pytest.raises(InvalidState):
        alarm.arrive(parties_of(heping, alarm), PERSON, "", T0)


def test_repeats_group_by_zone_but_life_safety_never_does() -> None:
    assert POLICY.grouping_window_seconds > 0
    assert POLICY.groups(AlarmKind.INTRUSION, "东门")
    assert not POLICY.groups(AlarmKind.INTRUSION, "")
    assert not POLICY.groups(AlarmKind.PANIC, "收银台")
    assert not POLICY.groups(AlarmKind.HOLD_UP, "金库")
    alarm = new_alarm()
    alarm.repeat(PERSON, "again", T0 + timedelta(seconds=30))
    alarm.repeat(PERSON, "and again", T0 + timedelta(seconds=40))
    assert (alarm.repeat_count, alarm.last_reported_at) == (2, T0 + timedelta(seconds=40))
    assert [e.type for e in alarm.timeline].count(TimelineType.REPEATED) == 2
    alarm.resolve(Outcome.REAL, PERSON, "", T0 + timedelta(minutes=1))
    with pytest.raises(InvalidState):
        alarm.repeat(PERSON, "late", T0 + timedelta(minutes=2))


def test_replay_names_what_another_rules_version_would_route_differently() -> None:
    alarm = new_alarm(priority=2)
    assert replay(POLICY, alarm) is None
    # An escalation is not a difference of rules.
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert station is not None
    escalate(POLICY, alarm, station.id, T0 + timedelta(seconds=120))
    assert replay(POLICY, alarm) is None
    wider = replace(
        POLICY,
        version="proposal",
        rules=tuple(
            replace(rule, priorities=frozenset({1, 2})) if rule.party is PartyKind.CITY_COMMAND else rule
            for rule in POLICY.rules
            if rule.party is not PartyKind.SECTOR_REGULATOR
        ),
    )
    change = replay(wider, alarm)
    assert change is not None
    assert change.added == ((PartyKind.CITY_COMMAND, "210100"),)
    assert change.removed == ((PartyKind.SECTOR_REGULATOR, "commerce"),)


def test_the_security_office_missing_its_on_site_deadline_is_recorded_once_and_calls_nobody() -> None:
    clock = Clock(T0)
    alarm = new_alarm()
    office = alarm.route_by_party(PartyKind.UNIT_SECURITY, SHOP.uscc)
    assert office is not None
    assert needs_timer(office)
    assert office.acknowledge_by == T0 + timedelta(seconds=600)
    assert escalate(POLICY, alarm, office.id, clock.advance(600)) is None
    missed = miss_deadline(POLICY, alarm, office.id, clock.now)
    assert missed is office
    assert office.deadline_missed_at == clock.now
    entry = alarm.timeline[-1]
    assert (entry.type, entry.party, entry.target) == (
        TimelineType.DEADLINE_MISSED,
        PartyKind.UNIT_SECURITY,
        SHOP.uscc,
    )
    assert "08:10:00" in entry.detail
    assert miss_deadline(POLICY, alarm, office.id, clock.advance(1)) is None
    assert len(alarm.routes) == 3  # nobody else called


def test_a_deadline_is_not_missed_once_acknowledged_or_by_a_chain_party() -> None:
    alarm = new_alarm()
    office = alarm.route_by_party(PartyKind.UNIT_SECURITY, SHOP.uscc)
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert office is not None
    assert station is not None
    assert miss_deadline(POLICY, alarm, station.id, T0 + timedelta(hours=1)) is None
    chief = Actor(ActorKind.USER, "u-2", "security-chief", ("unit-security",), unit=SHOP.uscc)
    alarm.acknowledge(
        frozenset({Party(PartyKind.UNIT_SECURITY, SHOP.uscc)}),
        chief,
        "on site",
        T0,
        AcknowledgementOutcome.FALSE_ALARM,
    )
    assert office.outcome is AcknowledgementOutcome.FALSE_ALARM
    assert alarm.timeline[-1].detail == "false_alarm: on site"
    assert miss_deadline(POLICY, alarm, office.id, T0 + timedelta(hours=1)) is None


def test_escalation_marks_when_the_chain_party_missed_its_deadline() -> None:
    alarm = new_alarm()
    station = alarm.route_by_party(PartyKind.POLICE_STATION, "210102003")
    assert station is not None
    at = T0 + timedelta(seconds=120)
    assert escalate(POLICY, alarm, station.id, at) is not None
    assert station.deadline_missed_at == at


def test_alarm_figures_cover_every_day_of_the_period_in_china_time() -> None:
    from alarm_routing.domain.figures import DayFigures, every_day, period

    # 2026-11-24 20:00 UTC is already the 25th in Shenyang.
    first, last, begins = period(datetime(2026, 11, 24, 20, 0, tzinfo=UTC), 3)
    assert (first.isoformat(), last.isoformat()) == ("2026-11-23", "2026-11-25")
    assert begins.astimezone(UTC) == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    filled = every_day([DayFigures(last, raised=2, by_priority={1: 2})], first, last)
    assert [(d.day.isoformat(), d.raised) for d in filled] == [
        ("2026-11-23", 0),
        ("2026-11-24", 0),
        ("2026-11-25", 2),
    ]
