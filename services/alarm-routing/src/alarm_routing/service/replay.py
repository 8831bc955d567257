"""Replay routing rules against past alarms: which alarms another version of the rules routes differently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from alarm_routing.domain.routing import RouteChange, RoutingPolicy, replay
from alarm_routing.service.unit_of_work import AlarmFilter, UnitOfWork
from neibao_identity import Role, Scope

EVERYTHING = Scope(roles=frozenset({Role.PROVINCE_ADMIN}))
PAGE = 500


@dataclass
class ReplayReport:
    """The alarms examined and those the rules route differently."""

    rules_version: str
    examined: int = 0
    changes: list[RouteChange] = field(default_factory=list)

    def summary(self) -> str:
        """One line per changed alarm, then the totals."""
        lines = [
            f"{c.alarm_id}: adds {[f'{p.value}:{t}' for p, t in c.added]}, "
            f"drops {[f'{p.value}:{t}' for p, t in c.removed]}"
            for c in self.changes
        ]
        lines.append(
            f"rules {self.rules_version}: {self.examined} alarms examined, "
            f"{len(self.changes)} routed differently"
        )
        return "\n".join(lines)


async def replay_alarms(
    unit_of_work: Callable[[], UnitOfWork], policy: RoutingPolicy, since: datetime, limit: int
) -> ReplayReport:
    """Route the alarms received since `since` (newest first, at most `limit`) again under `policy`."""
    report = ReplayReport(policy.version)
    before: int | None = None
    while report.examined < limit:
        async with unit_of_work() as uow:
            page = await uow.alarms.list(
                AlarmFilter(before_seq=before), EVERYTHING, min(PAGE, limit - report.examined)
            )
        for seq, alarm in page:
            before = seq
            if alarm.received_at < since:
                return report
            report.examined += 1
            change = replay(policy, alarm)
            if change is not None:
                report.changes.append(change)
        if len(page) == 0:
            break
    return report
