"""The demo device platform (`python -m device_inventory demo`, switched on by `seed`): it equips each
unit of the demo province as the unit arrives in the read model, and sends the devices' heartbeats through
Kafka like a real platform would, leaving a few devices silent so that they go offline.

It writes devices with the inventory's own repositories; compliance follows through the sweep (each
equipped unit is marked due), which announces it like any other change.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from device_inventory.adapters.db.repositories import (
    SqlDeviceRepository,
    SqlProtectionRepository,
    SqlUnitRepository,
)
from device_inventory.adapters.db.tables import (
    DemoDeviceRow,
    DemoPlatformRow,
    DemoUnitRow,
    DeviceLivenessRow,
    UnitRow,
)
from device_inventory.adapters.events import HEARTBEAT_BATCH
from device_inventory.demo.plan import plan
from device_inventory.domain.enums import DeviceStatus, DeviceType, Lifecycle
from device_inventory.domain.model import Device, ProtectionItem
from neibao.deviceinventory.v1 import device_pb2
from neibao_messaging import Event, Producer, encode

log = logging.getLogger(__name__)

SOURCE = "/neibao/demo-device-platform"
HEARTBEATS_PER_RECORD = 1000
# A silent device was last heard this long before it was equipped: the next sweep finds it offline.
SILENT_SINCE = timedelta(hours=1)

DUE = text(
    """
    SELECT d.device_id
    FROM demo_device d JOIN device_liveness l ON l.device_id = d.device_id
    WHERE NOT d.silent AND l.supervised
      AND (l.last_heartbeat_at IS NULL
           OR l.last_heartbeat_at < CAST(:now AS timestamptz)
                                    - make_interval(secs => l.interval_seconds / 2.0))
    LIMIT :limit
    """
)


@dataclass(frozen=True, slots=True)
class FillReport:
    """What one fill did."""

    units: int
    devices: int

    def summary(self) -> str:
        """One line."""
        return f"demo platform: {self.units} units equipped with {self.devices} devices"


async def enable(sessions: async_sessionmaker[AsyncSession], now: datetime) -> None:
    """Switch the demo platform on (idempotent)."""
    async with sessions() as session, session.begin():
        await session.execute(
            insert(DemoPlatformRow).values(id=1, enabled_at=now).on_conflict_do_nothing(index_elements=["id"])
        )


async def enabled(sessions: async_sessionmaker[AsyncSession]) -> bool:
    """Whether `seed` switched the demo platform on."""
    async with sessions() as session:
        return (await session.execute(select(DemoPlatformRow.id))).first() is not None


async def fill(
    sessions: async_sessionmaker[AsyncSession],
    intervals: dict[DeviceType, int],
    now: datetime,
    limit: int = 200,
) -> FillReport:
    """Equip up to `limit` units the platform has not seen yet (in one transaction)."""
    units = devices = 0
    async with sessions() as session, session.begin():
        pending = (
            await session.execute(
                select(UnitRow.uscc)
                .where(~select(DemoUnitRow.uscc).where(DemoUnitRow.uscc == UnitRow.uscc).exists())
                .where(UnitRow.name != "")
                .order_by(UnitRow.uscc)
                .limit(limit)
                .with_for_update(of=UnitRow, skip_locked=True)
            )
        ).scalars()
        unit_repository = SqlUnitRepository(session)
        device_repository = SqlDeviceRepository(session)
        protection_repository = SqlProtectionRepository(session)
        for uscc in list(pending):
            units += 1
            await session.execute(insert(DemoUnitRow).values(uscc=uscc))
            unit = await unit_repository.get(uscc, None)
            if unit is None:
                continue
            equipment = plan(unit)
            silent: list[uuid.UUID] = []
            for spec in equipment.devices:
                device = Device(
                    id=uuid.uuid4(),
                    uscc=uscc,
                    device_type=spec.device_type,
                    name=spec.name,
                    lifecycle=Lifecycle.IN_SERVICE,
                    supervision_interval_seconds=intervals[spec.device_type],
                    created_at=now,
                    updated_at=now,
                    key_part=spec.key_part,
                    make=spec.make,
                    model=spec.model,
                    serial=f"DEMO-{uuid.uuid4().hex[:10].upper()}",
                    install_date=(now - timedelta(days=400)).date(),
                    networked_to_police=spec.networked_to_police,
                    retention_days=spec.retention_days,
                    resolution=spec.resolution,
                )
                await device_repository.add(device)
                await session.execute(insert(DemoDeviceRow).values(device_id=device.id, silent=spec.silent))
                if spec.silent:
                    silent.append(device.id)
                devices += 1
            if silent:
                await session.execute(
                    update(DeviceLivenessRow)
                    .where(DeviceLivenessRow.device_id.in_(silent))
                    .values(status=DeviceStatus.ONLINE.value, last_heartbeat_at=now - SILENT_SINCE)
                )
            if equipment.protection:
                items = [ProtectionItem(uscc, kind, quantity) for kind, quantity in equipment.protection]
                await protection_repository.set(uscc, None, items, now)
            await session.execute(update(UnitRow).where(UnitRow.uscc == uscc).values(compliance_dirty=True))
    return FillReport(units, devices)


async def due_heartbeats(
    sessions: async_sessionmaker[AsyncSession], now: datetime, limit: int = 20_000
) -> list[uuid.UUID]:
    """The demo devices that should beat now (half their interval since the last heartbeat)."""
    async with sessions() as session:
        return list((await session.execute(DUE, {"now": now, "limit": limit})).scalars())


def heartbeat_records(device_ids: Sequence[uuid.UUID], now: datetime) -> list[Event]:
    """The heartbeat batches the platform publishes for these devices."""
    events: list[Event] = []
    for start in range(0, len(device_ids), HEARTBEATS_PER_RECORD):
        batch = device_pb2.HeartbeatBatch()
        for device_id in device_ids[start : start + HEARTBEATS_PER_RECORD]:
            batch.heartbeats.add(device_id=str(device_id)).at.FromDatetime(now)
        events.append(Event.create(type=HEARTBEAT_BATCH, source=SOURCE, data=batch, key="demo-platform"))
    return events


def publish(producer: Producer, topic: str, events: Sequence[Event]) -> None:
    """Send the batches and wait for the broker's acknowledgement."""
    futures: list[Any] = []
    for event in events:
        key, value, headers = encode(event)
        futures.append(producer.send(topic, value=value, key=key, headers=headers))
    for future in futures:
        future.get(timeout=30)


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)
