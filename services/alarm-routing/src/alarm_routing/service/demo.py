"""The demo province's alarms (`make run`): a few alarms at the demo units in varied states, raised and
handled through the handlers as the demo accounts would, so the alarm desk, timelines and escalation show
real data.

Idempotent: each alarm has its source id, and one raised before is left as it is.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final

from alarm_routing.domain.enums import AcknowledgementOutcome, AlarmKind, Outcome
from alarm_routing.service.handlers import AlarmRouting, RaiseAlarm, Requester
from neibao_identity import Principal

DEMO_SOURCE: Final = "demo-province"
DEMO_UNIT: Final = "91210102MA0LN001X3"  # 沈阳 和平区, security-chief-demo's unit
DEMO_EXPRESS: Final = "91210200MA0YP3D80R"  # 大连, a postal express unit

# The realm's demo users, by their token claims.
ACCOUNTS: Final = {
    "security-chief-demo": Principal(
        "demo:security-chief-demo",
        "security-chief-demo",
        frozenset({"unit-security"}),
        jurisdiction="210102",
        unit=DEMO_UNIT,
    ),
    "police-heping": Principal("demo:police-heping", "police-heping", frozenset({"police"}), "210102"),
    "police-dalian": Principal("demo:police-dalian", "police-dalian", frozenset({"police"}), "210200"),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One thing a demo account did with the alarm."""

    action: str  # acknowledge | dispatch | arrive | resolve | close
    account: str
    note: str = ""
    found: AcknowledgementOutcome | None = None
    outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class DemoAlarm:
    """An alarm of the demo province and what was done with it."""

    key: str
    uscc: str
    kind: AlarmKind
    priority: int
    minutes_ago: int
    description: str
    zone: str
    raised_by: str
    steps: tuple[Step, ...] = field(default=())


DEMO_ALARMS: Final = (
    DemoAlarm(
        "alarm-1",
        DEMO_UNIT,
        AlarmKind.FIRE_LINKAGE,
        2,
        180,
        "中庭烟感联动报警",
        "中庭",
        "security-chief-demo",
        (
            Step(
                "acknowledge",
                "security-chief-demo",
                "保卫部到场：餐饮档口油烟引发，已处置",
                AcknowledgementOutcome.CONFIRMED,
            ),
            Step("acknowledge", "police-heping", "已接警"),
            Step("resolve", "police-heping", "商户油烟触发，无人员伤亡", outcome=Outcome.REAL),
            Step("close", "police-heping", "已结案"),
        ),
    ),
    DemoAlarm(
        "alarm-2",
        DEMO_UNIT,
        AlarmKind.INTRUSION,
        2,
        45,
        "地下停车场红外对射报警",
        "地下停车场",
        "security-chief-demo",
        (
            Step(
                "acknowledge",
                "security-chief-demo",
                "现场核查：流浪猫触发对射",
                AcknowledgementOutcome.FALSE_ALARM,
            ),
            Step("acknowledge", "police-heping", "已接警，待保卫部核实"),
            Step("resolve", "police-heping", "保卫部核实为误报", outcome=Outcome.FALSE),
        ),
    ),
    DemoAlarm(
        "alarm-3",
        DEMO_EXPRESS,
        AlarmKind.INTRUSION,
        1,
        20,
        "分拣中心仓库夜间入侵报警",
        "分拣中心",
        "police-dalian",
        (
            Step("acknowledge", "police-dalian", "已接警"),
            Step("dispatch", "police-dalian", "派出所巡逻组出警"),
            Step("arrive", "police-dalian", "民警到场，正在核查"),
        ),
    ),
    DemoAlarm(
        "alarm-4",
        DEMO_UNIT,
        AlarmKind.PANIC,
        1,
        2,
        "一层收银台一键报警",
        "收银台",
        "security-chief-demo",
    ),
)


async def _step(routing: AlarmRouting, alarm_id: str, step: Step) -> None:
    requester = Requester.from_principal(ACCOUNTS[step.account])
    match step.action:
        case "acknowledge":
            await routing.acknowledge(alarm_id, step.note, requester, step.found)
        case "dispatch":
            await routing.dispatch(alarm_id, step.note, requester)
        case "arrive":
            await routing.arrive(alarm_id, step.note, requester)
        case "resolve":
            await routing.resolve(alarm_id, step.outcome, step.note, requester)
        case "close":
            await routing.close(alarm_id, step.note, requester)
        case _:  # pragma: no cover - the script above names only these
            raise ValueError(step.action)


async def wait_for_units(routing: AlarmRouting, usccs: set[str], within: float) -> set[str]:
    """The demo units the read model knows once all are there (its consumer runs), or after `within` s."""
    deadline = time.monotonic() + within
    while True:
        known = set()
        for uscc in usccs:
            async with routing.unit_of_work() as uow:
                if await uow.units.get(uscc) is not None:
                    known.add(uscc)
        if known == usccs or time.monotonic() >= deadline:
            return known
        await asyncio.sleep(1)


async def seed_demo_alarms(routing: AlarmRouting, within: float = 120) -> list[str]:
    """Raise and handle the demo alarms not raised before; the keys of those raised now."""
    known = await wait_for_units(routing, {alarm.uscc for alarm in DEMO_ALARMS}, within)
    raised = []
    for demo in DEMO_ALARMS:
        if demo.uscc not in known:
            continue
        command = RaiseAlarm(
            uscc=demo.uscc,
            kind=demo.kind,
            priority=demo.priority,
            occurred_at=routing.clock() - timedelta(minutes=demo.minutes_ago),
            description=demo.description,
            source=DEMO_SOURCE,
            source_id=demo.key,
            zone=demo.zone,
        )
        intake = await routing.raise_alarm(command, Requester.from_principal(ACCOUNTS[demo.raised_by]))
        if intake.duplicate or intake.grouped:
            continue
        for step in demo.steps:
            await _step(routing, str(intake.alarm.id), step)
        raised.append(demo.key)
    return raised
