"""Escalation with durable timers: the real `escalate` process, killed and restarted while timers are
pending; an unacknowledged alarm escalates on time, an acknowledged one never does."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from alarm_routing import bootstrap
from neibao.alarmrouting.v1 import alarm_pb2
from neibao_testkit.endpoints import StackEndpoints

from .conftest import HEPING_SHOP, PII_KEYS, Running, load_units, settings_for, start_service

INTRUSION = alarm_pb2.ALARM_KIND_INTRUSION
# The escalation chain's timers (the security office's own deadline runs a minute in these rules).
POLICE_TIMERS = (
    "SELECT count(*) FROM escalation_timer t JOIN alarm_route r ON r.id = t.route_id"
    " WHERE r.party <> 'unit_security'"
)


def escalator(database: str, stack: StackEndpoints, rules: Path) -> subprocess.Popen[bytes]:
    """`python -m alarm_routing escalate` as the local stack starts it."""
    env = {
        **os.environ,
        "NEIBAO_ALARM_ROUTING_DATABASE_URL": database,
        "NEIBAO_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "NEIBAO_KEYCLOAK_URL": stack.keycloak_url,
        "NEIBAO_ALARM_ROUTING_ROUTING_RULES_PATH": str(rules),
        "NEIBAO_ALARM_ROUTING_ESCALATION_POLL_SECONDS": "0.2",
        **{f"NEIBAO_{name.upper()}": value for name, value in PII_KEYS.items()},
    }
    return subprocess.Popen([sys.executable, "-m", "alarm_routing", "escalate"], env=env)


@pytest.fixture
async def fast_service(
    database: str, stack: StackEndpoints, tokens: dict[str, str], fast_rules: Path
) -> AsyncIterator[Running]:
    """The service with 2-second deadlines."""
    load_units(database)
    async for running in start_service(settings_for(database, stack, routing_rules_path=fast_rules), tokens):
        yield running


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes the test starts; whatever still runs is terminated."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(10)


def routes(service: Running, alarm_id: str) -> set[tuple[str, str]]:
    return {
        (party, rule)
        for party, rule in service.rows(
            "SELECT party, rule_id FROM alarm_route WHERE alarm_id = %s", alarm_id
        )
    }


async def wait_for(condition: Callable[[], bool], within: float) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def test_pending_escalations_survive_a_restart_and_skip_acknowledged_alarms(
    fast_service: Running,
    database: str,
    stack: StackEndpoints,
    fast_rules: Path,
    processes: list[subprocess.Popen[bytes]],
) -> None:
    processes.append(escalator(database, stack, fast_rules))
    ignored = (
        await fast_service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    answered = (
        await fast_service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    await fast_service.alarms.AcknowledgeAlarm(
        alarm_pb2.AcknowledgeAlarmRequest(id=answered.id), metadata=fast_service.auth("police-heping")
    )
    # The escalator dies before any deadline; the deadlines pass while nothing runs.
    processes[0].send_signal(signal.SIGKILL)
    processes[0].wait(10)
    await asyncio.sleep(2.5)
    assert ("district_branch", "escalation") not in routes(fast_service, ignored.id)
    assert fast_service.rows(POLICE_TIMERS) == [(2,)]

    processes.append(escalator(database, stack, fast_rules))
    await wait_for(lambda: ("district_branch", "escalation") in routes(fast_service, ignored.id), within=15)
    escalated = (
        await fast_service.alarms.GetAlarm(
            alarm_pb2.GetAlarmRequest(id=ignored.id), metadata=fast_service.auth("admin")
        )
    ).alarm
    district = next(r for r in escalated.routes if r.party == alarm_pb2.PARTY_KIND_DISTRICT_BRANCH)
    assert district.target == "210102"
    assert district.escalation_level == 1
    assert "did not acknowledge" in district.reason
    assert alarm_pb2.TIMELINE_ENTRY_TYPE_ESCALATED in [e.type for e in escalated.timeline]
    assert "neibao.alarm-routing.alarm.escalated.v1" in fast_service.event_types()
    # The acknowledged alarm's timer was discarded at its due time, without firing.
    await wait_for(
        lambda: (
            fast_service.rows(
                f"{POLICE_TIMERS} AND r.alarm_id = %s",
                answered.id,
            )
            == [(0,)]
        ),
        within=10,
    )
    assert routes(fast_service, answered.id) == {("police_station", "station"), ("unit_security", "security")}

    # Unanswered, it climbs to the city command centre, is called again once, and the chain ends.
    await wait_for(
        lambda: (
            fast_service.rows(
                "SELECT repeats FROM alarm_route WHERE alarm_id = %s AND party = 'city_command'", ignored.id
            )
            == [(1,)]
        ),
        within=15,
    )
    await wait_for(
        lambda: fast_service.rows(f"{POLICE_TIMERS} AND r.alarm_id = %s", ignored.id) == [(0,)],
        within=10,
    )
    escalations = fast_service.event_types().count("neibao.alarm-routing.alarm.escalated.v1")
    assert escalations == 3  # district, city command, one repeated call


async def test_two_escalators_never_fire_one_timer_twice(
    fast_service: Running, database: str, stack: StackEndpoints, fast_rules: Path
) -> None:
    for _ in range(20):
        await fast_service.raise_alarm("security-chief-demo", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    later = datetime.now(UTC) + timedelta(seconds=3)
    engines = [create_async_engine(database, pool_size=2) for _ in range(2)]
    try:
        routings = [
            bootstrap.routing_for(e, settings_for(database, stack, routing_rules_path=fast_rules))
            for e in engines
        ]
        for routing in routings:
            routing.clock = lambda: later
        fired = await asyncio.gather(
            *(routing.escalate_due(limit=5) for routing in routings for _ in range(4))
        )
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(fired) == 20
    assert fast_service.rows("SELECT count(*) FROM alarm_route WHERE party = 'district_branch'") == [(20,)]
    assert fast_service.event_types().count("neibao.alarm-routing.alarm.escalated.v1") == 20


async def test_the_security_office_confirms_with_an_outcome_or_its_missed_deadline_is_announced_once(
    fast_service: Running, database: str, stack: StackEndpoints, fast_rules: Path
) -> None:
    confirmed = (
        await fast_service.raise_alarm("police-heping", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    missed = (
        await fast_service.raise_alarm("police-heping", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)
    ).alarm
    answer = await fast_service.alarms.AcknowledgeAlarm(
        alarm_pb2.AcknowledgeAlarmRequest(
            id=confirmed.id, note="nobody on site", outcome=alarm_pb2.ACKNOWLEDGEMENT_OUTCOME_FALSE_ALARM
        ),
        metadata=fast_service.auth("security-chief-demo"),
    )
    office = next(r for r in answer.alarm.routes if r.party == alarm_pb2.PARTY_KIND_UNIT_SECURITY)
    assert office.acknowledgement_outcome == alarm_pb2.ACKNOWLEDGEMENT_OUTCOME_FALSE_ALARM
    assert office.acknowledgement_note == "nobody on site"
    assert fast_service.rows(
        "SELECT acknowledgement_outcome FROM alarm_route WHERE alarm_id = %s AND party = 'unit_security'",
        confirmed.id,
    ) == [("false_alarm",)]

    later = datetime.now(UTC) + timedelta(seconds=61)
    engine = create_async_engine(database, pool_size=2)
    try:
        routing = bootstrap.routing_for(engine, settings_for(database, stack, routing_rules_path=fast_rules))
        routing.clock = lambda: later
        await routing.escalate_due()
        await routing.escalate_due()
    finally:
        await engine.dispose()
    rows = fast_service.rows(
        "SELECT alarm_id::text, deadline_missed_at IS NOT NULL FROM alarm_route WHERE party = 'unit_security'"
        " ORDER BY alarm_id"
    )
    assert sorted(rows) == sorted([(confirmed.id, False), (missed.id, True)])
    read = (
        await fast_service.alarms.GetAlarm(
            alarm_pb2.GetAlarmRequest(id=missed.id), metadata=fast_service.auth("police-heping")
        )
    ).alarm
    entries = [e for e in read.timeline if e.type == alarm_pb2.TIMELINE_ENTRY_TYPE_DEADLINE_MISSED]
    assert len(entries) == 1
    assert entries[0].party == alarm_pb2.PARTY_KIND_UNIT_SECURITY
    assert fast_service.event_types().count("neibao.alarm-routing.alarm.deadline-missed.v1") == 1
    assert fast_service.rows(
        "SELECT count(*) FROM escalation_timer t JOIN alarm_route r ON r.id = t.route_id"
        " WHERE r.party = 'unit_security'"
    ) == [(0,)]
