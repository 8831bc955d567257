"""The overdue sweep, run by a periodic job (`python -m unit_registry sweep`): time makes things overdue.

Handlers keep the flags right whenever the dossier changes; the sweep catches what only the calendar
changes: hazard deadlines passing, filing grace periods running out, drills leaving the 12-month window.
It is idempotent: a hazard's passed deadline is announced once (hazard.overdue), a unit's flags change
by compare-and-set (dossier.flags-changed only when they did). Concurrent sweeps skip each other's
hazards and lose the compare-and-set race harmlessly. Work goes in batches, each in its own transaction.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from neibao_identity import Scope
from neibao_identity.principal import Role
from unit_registry.domain.dossier import compute_flags, local_date
from unit_registry.domain.events import DossierFlagsChanged, HazardOverdue
from unit_registry.domain.model import SYSTEM_ACTOR
from unit_registry.service.handlers import Clock, refresh_flags, utc_now
from unit_registry.service.unit_of_work import UnitOfWork

DEFAULT_BATCH = 500


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What a sweep did."""

    hazards_overdue: int
    flags_changed: int
    units_checked: int
    seconds: float

    def summary(self) -> str:
        """One line for the console."""
        return (
            f"sweep: {self.hazards_overdue} hazards newly overdue, {self.flags_changed} units' flags "
            f"changed, {self.units_checked} units checked in {self.seconds:.1f}s"
        )


async def sweep_overdue(
    unit_of_work: Callable[[], UnitOfWork], clock: Clock = utc_now, batch: int = DEFAULT_BATCH
) -> SweepReport:
    """Announce newly overdue hazards, then bring every unit's flags up to date; events once each."""
    started = time.perf_counter()
    now = clock()
    today = local_date(now)
    hazards = 0
    while True:
        uow = unit_of_work()
        async with uow:
            due = await uow.hazards.unannounced_overdue(today, batch)
            if not due:
                break
            for hazard in due:
                unit = await uow.units.get(hazard.uscc, _everything(), for_update=True)
                if unit is None or not hazard.announce_overdue(today):
                    continue
                await uow.hazards.update(hazard, hazard.version)
                flags = await refresh_flags(uow, unit, today)
                uow.publish(
                    HazardOverdue(unit.snapshot(), dataclasses.replace(hazard), flags, SYSTEM_ACTOR, now)
                )
                hazards += 1
            await uow.commit()
    changed = checked = 0
    after: str | None = None
    while True:
        uow = unit_of_work()
        async with uow:
            candidates = await uow.dossier.flag_candidates(after, batch, today)
            if not candidates:
                break
            for unit, facts in candidates:
                checked += 1
                flags = compute_flags(facts, today)
                if flags != unit.flags and await uow.dossier.replace_flags(unit.uscc, unit.flags, flags):
                    previous, unit.flags = unit.flags, flags
                    uow.publish(DossierFlagsChanged(unit.snapshot(), flags, previous, SYSTEM_ACTOR, now))
                    changed += 1
            await uow.commit()
            after = candidates[-1][0].uscc
    return SweepReport(hazards, changed, checked, time.perf_counter() - started)


def _everything() -> Scope:
    """The system's own scope: the sweep acts on every unit."""
    return Scope(roles=frozenset({Role.PROVINCE_ADMIN}))
