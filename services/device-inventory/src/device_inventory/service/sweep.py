"""The periodic sweep: silent devices go offline, units due for it get their compliance re-evaluated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from device_inventory.service.handlers import Inventory, refresh_compliance

BATCH = 5000


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep did."""

    offline: int
    evaluated: int

    def summary(self) -> str:
        """One line for a log or a terminal."""
        return f"{self.offline} devices went offline, {self.evaluated} units' compliance re-evaluated"


async def mark_offline(inventory: Inventory, limit: int = BATCH) -> int:
    """Devices silent past their interval become offline, each change announced; how many."""
    async with inventory.unit_of_work() as uow:
        changes = await uow.liveness.mark_offline(inventory.clock(), limit)
        for event in changes:
            uow.publish(event)
        await uow.commit()
    return len(changes)


async def evaluate_due(inventory: Inventory, limit: int = 200) -> int:
    """Re-evaluate the units a unit event made due (announcing changes); how many."""
    now = inventory.clock()
    async with inventory.unit_of_work() as uow:
        due = await uow.units.due_for_compliance(limit)
        for uscc in due:
            unit = await uow.units.get(uscc, None)
            if unit is not None:
                await refresh_compliance(uow, unit, inventory.rules, now)
        await uow.commit()
    return len(due)


async def forget_processed(inventory: Inventory, retention: timedelta, limit: int = BATCH) -> int:
    """Dedupe records of unit events older than `retention` are deleted, in bounded transactions (a
    redelivery older than that would be applied again: the retention outlasts any redelivery); how many."""
    before = inventory.clock() - retention
    forgotten = 0
    while True:
        async with inventory.unit_of_work() as uow:
            count = await uow.units.forget_processed(before, limit)
            await uow.commit()
        forgotten += count
        if count < limit:
            return forgotten


async def sweep_once(inventory: Inventory) -> SweepReport:
    """One full sweep: offline devices until none is left, then due compliance until none is left."""
    offline = evaluated = 0
    while (count := await mark_offline(inventory)) > 0:
        offline += count
        if count < BATCH:
            break
    while (count := await evaluate_due(inventory)) > 0:
        evaluated += count
    return SweepReport(offline, evaluated)
