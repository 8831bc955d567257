"""The Kafka consumer: the unit read model from the registry's events (idempotent, one event per
transaction, dead-lettered when it keeps failing), the unit context shown with alarms (responsible persons,
their phones opened from the events' sealed form; key parts, plans) from its dossier events, which key part
each device guards and device_fault alarms from the device inventory's (resolved when the device is back), and
early_warning alarms from the sector exchange's warnings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from alarm_routing.adapters.db import read_model
from alarm_routing.adapters.db.read_model import DossierContextProjection
from alarm_routing.adapters.events import (
    DEVICE_PAYLOADS,
    DEVICE_REGISTERED,
    DEVICE_STATUS_CHANGED,
    DEVICE_UPDATED,
    DOSSIER_UPDATED,
    EXCHANGE_PAYLOADS,
    EXCHANGE_WARNING_RAISED,
    KEY_UNIT_DESIGNATED,
    KEY_UNIT_WITHDRAWN,
    UNIT_CLOSED,
    UNIT_PAYLOADS,
    UNIT_REGISTERED,
    UNIT_UPDATED,
)
from alarm_routing.domain.device_faults import fault_priority, restores
from alarm_routing.service.handlers import AlarmRouting, DeviceFault, EarlyWarning
from neibao.deviceinventory.v1 import device_pb2
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.sectorexchange.v1 import events_pb2 as exchange_events_pb2
from neibao_messaging import Event, IdempotentConsumer, PayloadRegistry, Producer

UNIT_HANDLERS: dict[str, Callable[[Session, Event], None]] = {
    UNIT_REGISTERED: read_model.apply_unit_described,
    UNIT_UPDATED: read_model.apply_unit_described,
    UNIT_CLOSED: read_model.apply_unit_closed,
    KEY_UNIT_DESIGNATED: read_model.apply_key_unit,
    KEY_UNIT_WITHDRAWN: read_model.apply_key_unit,
}
DEVICE_HANDLERS: dict[str, Callable[[Session, Event], None]] = {
    DEVICE_REGISTERED: read_model.apply_device,
    DEVICE_UPDATED: read_model.apply_device,
}


def _name(enum: Any, number: int) -> str:
    """The REST spelling of a device-inventory enum value ("" for unspecified)."""
    if number == 0:
        return ""
    prefix = enum.DESCRIPTOR.values[0].name.removesuffix("UNSPECIFIED")
    name: str = enum.Name(number)
    return name.removeprefix(prefix).lower()


class DeviceFaultIntake:
    """Raises a device_fault alarm for a critical device's outage, through the intake handler.

    The alarm is written in the intake's own transaction, not the consumer's: the device event's id is its
    source id, so a redelivery after a crash between the two commits finds the alarm and adds nothing.
    """

    def __init__(
        self,
        routing: AlarmRouting,
        loop: asyncio.AbstractEventLoop,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._routing = routing
        self._loop = loop
        self._clock = clock

    def __call__(self, _session: Session, event: Event) -> None:
        """Handle a DeviceStatusChanged event."""
        message = event.payload(device_events_pb2.DeviceStatusChanged)
        device_type = _name(device_pb2.DeviceType, message.device_type)
        status = _name(device_pb2.DeviceStatus, message.status)
        occurred_at = (
            message.occurred_at.ToDatetime(tzinfo=UTC) if message.HasField("occurred_at") else event.time
        )
        previous = _name(device_pb2.DeviceStatus, message.previous)
        if restores(device_type, status, previous):
            description = f"{device_type} {message.device_id} is {status} again"
            self._loop.run_until_complete(
                self._routing.resolve_device_faults(message.uscc, message.device_id, description)
            )
            return
        priority = fault_priority(
            device_type,
            status,
            previous,
            networked_to_police=message.networked_to_police,
            occurred_at=occurred_at,
            now=self._clock(),
        )
        if priority is None:
            return
        fault = DeviceFault(
            event_id=str(event.id),
            uscc=message.uscc,
            jurisdiction=message.jurisdiction,
            sector=message.sector,
            device_id=message.device_id,
            key_part=message.key_part,
            priority=priority,
            description=f"{device_type} {message.device_id} is {status}",
            occurred_at=occurred_at,
        )
        self._loop.run_until_complete(self._routing.raise_device_fault(fault))


class EarlyWarningIntake:
    """Raises an early_warning alarm for a sector-exchange warning, through the intake handler (in its own
    transaction: the warning's id is the alarm's source id, so a redelivery adds nothing)."""

    def __init__(self, routing: AlarmRouting, loop: asyncio.AbstractEventLoop) -> None:
        self._routing = routing
        self._loop = loop

    def __call__(self, _session: Session, event: Event) -> None:
        """Handle an EarlyWarningRaised event (an invalid one fails and is dead-lettered with the reason)."""
        message = event.payload(exchange_events_pb2.EarlyWarningRaised)
        warning = EarlyWarning(
            warning_id=message.warning_id or str(event.id),
            rule_id=message.rule_id,
            uscc=message.uscc,
            jurisdiction=message.jurisdiction,
            sector=message.sector,
            priority=message.priority,
            summary=message.summary,
            occurred_at=(
                message.occurred_at.ToDatetime(tzinfo=UTC) if message.HasField("occurred_at") else event.time
            ),
        )
        self._loop.run_until_complete(self._routing.raise_early_warning(warning))


def events_consumer(
    engine: Engine,
    bootstrap: str,
    group: str,
    topics: list[str],
    dlq_producer: Producer,
    *,
    dossier_context: DossierContextProjection,
    device_faults: DeviceFaultIntake | None = None,
    early_warnings: EarlyWarningIntake | None = None,
    **options: Any,
) -> IdempotentConsumer:
    """The consumer of the registry's unit and dossier events and the device inventory's device descriptions
    (and, with `device_faults`, its status changes; with `early_warnings`, the sector exchange's warnings);
    other event types on those streams are skipped."""
    handlers: dict[str, Callable[[Session, Event], None]] = {
        **UNIT_HANDLERS,
        DOSSIER_UPDATED: dossier_context,
        **DEVICE_HANDLERS,
    }
    types = {t: UNIT_PAYLOADS.get(t) for t in UNIT_PAYLOADS.types()}
    types.update({t: DEVICE_PAYLOADS.get(t) for t in DEVICE_HANDLERS})
    if device_faults is not None:
        handlers[DEVICE_STATUS_CHANGED] = device_faults
        types[DEVICE_STATUS_CHANGED] = DEVICE_PAYLOADS.get(DEVICE_STATUS_CHANGED)
    if early_warnings is not None:
        handlers[EXCHANGE_WARNING_RAISED] = early_warnings
        types[EXCHANGE_WARNING_RAISED] = EXCHANGE_PAYLOADS.get(EXCHANGE_WARNING_RAISED)
    registry = PayloadRegistry({t: c for t, c in types.items() if c is not None})
    return IdempotentConsumer(
        engine,
        bootstrap,
        group,
        topics,
        handlers=handlers,
        registry=registry,
        dlq_producer=dlq_producer,
        **options,
    )
