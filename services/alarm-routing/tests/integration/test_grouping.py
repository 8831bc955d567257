"""Grouping on the real database: repeats from one zone are counted on its open alarm (never hidden);
retransmits of a repeat count once; panic alarms, other zones, finished alarms and an expired window are
never grouped. And replaying a proposed rules file against the alarms taken in."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy.ext.asyncio import create_async_engine

import alarm_routing
from alarm_routing import bootstrap
from alarm_routing.adapters.rules import load_policy
from alarm_routing.domain.enums import AlarmKind, PartyKind
from alarm_routing.service.handlers import RaiseAlarm, Requester
from neibao.alarmrouting.v1 import alarm_pb2
from neibao_identity import Principal
from neibao_testkit.endpoints import StackEndpoints

from .conftest import HEPING_SHOP, Running, settings_for

INTRUSION = alarm_pb2.ALARM_KIND_INTRUSION


async def test_repeats_from_a_zone_are_counted_on_its_open_alarm(service: Running) -> None:
    async def report(
        source_id: str, zone: str = "东门", kind: int = INTRUSION
    ) -> alarm_pb2.RaiseAlarmResponse:
        return await service.raise_alarm(
            "security-chief-demo",
            uscc=HEPING_SHOP,
            kind=kind,
            priority=2,
            zone=zone,
            source="panel-3",
            source_id=source_id,
            description=f"红外 {source_id}",
        )

    first, second, third = [await report(n) for n in ("1", "2", "3")]
    assert (first.grouped, second.grouped, third.grouped) == (False, True, True)
    assert first.alarm.id == second.alarm.id == third.alarm.id
    assert third.alarm.repeat_count == 2
    assert third.alarm.HasField("last_reported_at")
    again = await report("2")  # a retransmit of a repeat
    assert again.duplicate
    assert again.alarm.id == first.alarm.id
    assert service.rows("SELECT repeat_count FROM alarm WHERE id = %s", first.alarm.id) == [(2,)]
    assert service.rows("SELECT source, source_id FROM alarm_report ORDER BY id") == [
        ("security-chief-demo/panel-3", "2"),
        ("security-chief-demo/panel-3", "3"),
    ]
    fetched = await service.alarms.GetAlarm(
        alarm_pb2.GetAlarmRequest(id=first.alarm.id), metadata=service.auth("police-heping")
    )
    repeated = [e.detail for e in fetched.alarm.timeline if e.type == alarm_pb2.TIMELINE_ENTRY_TYPE_REPEATED]
    assert repeated == ["红外 2", "红外 3"]
    assert service.event_types().count("neibao.alarm-routing.alarm.repeated.v1") == 2
    # Another zone, a panic alarm from the same zone (twice): each its own alarm.
    assert not (await report("4", zone="西门")).grouped
    panics = [await report(n, kind=alarm_pb2.ALARM_KIND_PANIC) for n in ("5", "6")]
    assert not any(p.grouped for p in panics)
    assert panics[0].alarm.id != panics[1].alarm.id
    # Once resolved, the zone's next report opens a new alarm.
    await service.alarms.ResolveAlarm(
        alarm_pb2.ResolveAlarmRequest(id=first.alarm.id, outcome=alarm_pb2.OUTCOME_REAL),
        metadata=service.auth("police-heping"),
    )
    after = await report("7")
    assert not after.grouped
    assert after.alarm.id != first.alarm.id


async def test_concurrent_repeats_make_one_alarm_and_the_window_expires(
    service: Running, database: str, stack: StackEndpoints
) -> None:
    engine = create_async_engine(database, pool_size=5)
    routing = bootstrap.routing_for(engine, settings_for(database, stack))
    now = datetime.now(UTC)
    routing.clock = lambda: now
    requester = Requester.from_principal(
        Principal(
            subject="s",
            username="security-chief-demo",
            roles=frozenset({"unit-security"}),
            jurisdiction="210102",
            unit=HEPING_SHOP,
        )
    )

    def command(source_id: str) -> RaiseAlarm:
        return RaiseAlarm(
            uscc=HEPING_SHOP,
            kind=AlarmKind.PERIMETER,
            priority=3,
            occurred_at=now,
            zone="北墙",
            source_id=source_id,
        )

    try:
        intakes = await asyncio.gather(*(routing.raise_alarm(command(str(n)), requester) for n in range(6)))
        assert len({i.alarm.id for i in intakes}) == 1
        assert sorted(i.grouped for i in intakes) == [False, True, True, True, True, True]
        routing.clock = lambda: now + timedelta(seconds=routing.policy.grouping_window_seconds + 1)
        late = await routing.raise_alarm(command("late"), requester)
    finally:
        await engine.dispose()
    assert not late.grouped
    assert late.alarm.id != intakes[0].alarm.id
    assert service.rows("SELECT count(*), max(repeat_count) FROM alarm") == [(2, 5)]


async def test_replay_reports_the_alarms_a_proposed_rules_file_routes_differently(
    service: Running, database: str, stack: StackEndpoints, tmp_path: Path
) -> None:
    started = datetime.now(UTC)
    urgent = (await service.raise_alarm("admin", uscc=HEPING_SHOP, kind=INTRUSION, priority=1)).alarm
    ordinary = (await service.raise_alarm("admin", uscc=HEPING_SHOP, kind=INTRUSION, priority=2)).alarm
    proposal = load_policy()
    rules = yaml.safe_load((Path(alarm_routing.__file__).parent / "routing_rules.yaml").read_text())
    for rule in rules["rules"]:
        if rule["party"] == "city_command":
            rule["priorities"] = [1, 2]
    rules["version"] = f"{proposal.version}-proposal"
    path = tmp_path / "proposal.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True))
    report = await bootstrap.replay(settings_for(database, stack), path, started - timedelta(seconds=1), 100)
    assert report.examined == 2
    assert [(c.alarm_id, c.added, c.removed) for c in report.changes] == [
        (uuid.UUID(ordinary.id), ((PartyKind.CITY_COMMAND, "210100"),), ())
    ]
    assert urgent.id not in report.summary()
    unchanged = await bootstrap.replay(
        settings_for(database, stack), None, started - timedelta(seconds=1), 100
    )
    assert (unchanged.examined, unchanged.changes) == (2, [])
