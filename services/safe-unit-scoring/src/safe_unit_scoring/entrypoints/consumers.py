"""The Kafka consumer: facts per unit from the registry's, the device inventory's and the alarm routing's
events (idempotent, one event per transaction with the unit's rescoring mark, dead-lettered when it keeps
failing; other event types on those streams are skipped), and after each batch the marked units rescored."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from google.protobuf.message import Message
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from neibao.alarmrouting.v1 import alarm_pb2
from neibao.alarmrouting.v1 import events_pb2 as alarm_events_pb2
from neibao.deviceinventory.v1 import device_pb2
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.unitregistry.v1 import dossier_pb2, inspection_pb2, staff_pb2, unit_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from neibao_messaging import Event, IdempotentConsumer, Producer
from safe_unit_scoring.adapters.db.fact_store import SqlFactStore
from safe_unit_scoring.adapters.events import CONSUMED
from safe_unit_scoring.domain.events import UnitScope
from safe_unit_scoring.domain.facts import ItemKind
from safe_unit_scoring.domain.periods import china_day
from safe_unit_scoring.service.rescoring import ItemChange, Rescoring, UnitFacts

log = logging.getLogger(__name__)
# A batch bounds how long an event waits for its unit's rescoring while the consumer catches up.
MAX_POLL_RECORDS = 200


def _name(enum: Any, number: int) -> str:
    """The REST spelling of an enum value: its name without the type's prefix, lower case ("" if unset)."""
    if number == 0:
        return ""
    prefix = enum.DESCRIPTOR.values[0].name.removesuffix("UNSPECIFIED")
    name: str = enum.Name(number)
    return name.removeprefix(prefix).lower()


def _when(message: Any, event: Event) -> datetime:
    return message.occurred_at.ToDatetime(tzinfo=UTC) if message.HasField("occurred_at") else event.time


def _registry_unit(message: Any, name: str = "") -> UnitScope:
    """The scope keys every registry event carries."""
    if not message.uscc or not message.jurisdiction:
        raise ValueError("a unit event without a USCC or jurisdiction")
    sector = _name(unit_pb2.Sector, message.sector)
    sectors = sorted({_name(unit_pb2.Sector, s) for s in message.sectors} | ({sector} if sector else set()))
    return UnitScope(message.uscc, message.jurisdiction, sector, tuple(sectors), name)


def _flat_unit(uscc: str, jurisdiction: str, sector: str) -> UnitScope:
    """The scope keys of a device or alarm event (lead sector only)."""
    if not uscc or not jurisdiction:
        raise ValueError("an event without a USCC or jurisdiction")
    return UnitScope(uscc, jurisdiction, sector)


def _hazard(message: Any, event: Event, **extra: Any) -> UnitFacts:
    hazard = message.hazard
    if not hazard.hazard_id:
        raise ValueError("a hazard event without a hazard id")
    attributes = {
        "state": _name(inspection_pb2.HazardState, hazard.state),
        "deadline": hazard.deadline,
        "severity": _name(dossier_pb2.Severity, hazard.severity),
        "inspection_id": hazard.inspection_id,
        **extra,
    }
    change = ItemChange(ItemKind.HAZARD, hazard.hazard_id, attributes)
    return UnitFacts(str(event.id), _registry_unit(message), (change,))


def _registry_facts(message: Message, event: Event) -> UnitFacts:  # noqa: PLR0911, PLR0912 - a branch per type
    event_id = str(event.id)
    day = china_day(_when(message, event)).isoformat()
    match message:
        case unit_events_pb2.UnitRegistered() | unit_events_pb2.UnitUpdated():
            return UnitFacts(event_id, _registry_unit(message, message.name))
        case unit_events_pb2.UnitClosed():
            return UnitFacts(event_id, _registry_unit(message), flags={"closed": True})
        case unit_events_pb2.KeyUnitDesignated():
            return UnitFacts(event_id, _registry_unit(message), flags={"key_unit": True})
        case unit_events_pb2.KeyUnitWithdrawn():
            flags = {"key_unit": False} if message.was_designated else {}
            return UnitFacts(event_id, _registry_unit(message), flags=flags)
        case (
            unit_events_pb2.FilingSubmitted()
            | unit_events_pb2.FilingAccepted()
            | unit_events_pb2.FilingReturned()
        ):
            state = {
                unit_events_pb2.FilingSubmitted: "submitted",
                unit_events_pb2.FilingAccepted: "accepted",
                unit_events_pb2.FilingReturned: "returned",
            }[type(message)]
            attributes: dict[str, Any] = {"state": state, f"{state}_on": day}
            if isinstance(message, unit_events_pb2.FilingSubmitted):
                attributes["full_time_staff"] = message.full_time_staff  # kept when it is accepted
            change = ItemChange(ItemKind.FILING, message.filing_id, attributes)
            return UnitFacts(event_id, _registry_unit(message), (change,))
        case unit_events_pb2.DossierUpdated():
            if message.section != dossier_pb2.DOSSIER_SECTION_STAFF or not message.item_id:
                return UnitFacts(event_id, _registry_unit(message), relevant=False)
            removed = message.change == dossier_pb2.CHANGE_KIND_REMOVED
            change = ItemChange(ItemKind.STAFF, message.item_id, {"removed": removed})
            return UnitFacts(event_id, _registry_unit(message), (change,))
        case unit_events_pb2.DrillRecorded():
            attributes = {
                "drilled_on": message.drilled_on,
                "scenario": message.scenario,
                "joint_with_police": message.joint_with_police,
            }
            change = ItemChange(ItemKind.DRILL, message.drill_id, attributes)
            return UnitFacts(event_id, _registry_unit(message), (change,))
        case unit_events_pb2.TrainingRecorded():
            attributes = {
                "trained_on": message.trained_on,
                "course": message.course,
                "result": _name(staff_pb2.TrainingResult, message.result),
                "staff_id": message.staff_id,
            }
            change = ItemChange(ItemKind.TRAINING, message.training_id, attributes)
            return UnitFacts(event_id, _registry_unit(message), (change,))
        case unit_events_pb2.InspectionRecorded():
            attributes = {
                "inspected_on": message.inspected_on,
                "party": _name(inspection_pb2.PartyKind, message.party),
            }
            change = ItemChange(ItemKind.INSPECTION, message.inspection_id, attributes)
            return UnitFacts(event_id, _registry_unit(message), (change,))
        case unit_events_pb2.HazardOpened():
            return _hazard(message, event, opened_on=day)
        case unit_events_pb2.HazardRectified():
            return _hazard(message, event, rectified_on=day)
        case unit_events_pb2.HazardReopened():
            return _hazard(message, event, rectified_on=None)  # the rectification was rejected
        case unit_events_pb2.HazardVerified():
            return _hazard(message, event, verified_on=day)
        case unit_events_pb2.HazardOverdue():
            return _hazard(message, event, overdue_on=day)
    raise TypeError(f"no facts in {type(message).__name__}")


def _device_facts(message: Message, event: Event) -> UnitFacts:
    event_id = str(event.id)
    match message:
        case device_events_pb2.DeviceRegistered() | device_events_pb2.DeviceUpdated():
            device = message.device
            if not device.id:
                raise ValueError("a device event without a device id")
            attributes = {
                "status": _name(device_pb2.DeviceStatus, device.status),
                "retired": device.lifecycle == device_pb2.LIFECYCLE_RETIRED,
                "device_type": _name(device_pb2.DeviceType, device.device_type),
            }
            unit = _flat_unit(message.uscc or device.uscc, message.jurisdiction, message.sector)
            return UnitFacts(event_id, unit, (ItemChange(ItemKind.DEVICE, device.id, attributes),))
        case device_events_pb2.DeviceStatusChanged():
            if not message.device_id:
                raise ValueError("a status change without a device id")
            change = ItemChange(
                ItemKind.DEVICE,
                message.device_id,
                {
                    "status": _name(device_pb2.DeviceStatus, message.status),
                    "device_type": _name(device_pb2.DeviceType, message.device_type),
                },
            )
            return UnitFacts(
                event_id, _flat_unit(message.uscc, message.jurisdiction, message.sector), (change,)
            )
        case device_events_pb2.ComplianceChanged():
            attributes = {
                "compliant": message.compliant,
                "unmet": list(message.unmet),
                "rules_version": message.rules_version,
            }
            change = ItemChange(ItemKind.COMPLIANCE, "devices", attributes)
            return UnitFacts(
                event_id, _flat_unit(message.uscc, message.jurisdiction, message.sector), (change,)
            )
    raise TypeError(f"no facts in {type(message).__name__}")


def _alarm_facts(message: alarm_events_pb2.AlarmResolved, event: Event) -> UnitFacts:
    alarm = message.alarm
    if not alarm.id:
        raise ValueError("an alarm event without an alarm id")
    occurred = (
        alarm.occurred_at.ToDatetime(tzinfo=UTC) if alarm.HasField("occurred_at") else _when(message, event)
    )
    attributes = {
        "outcome": _name(alarm_pb2.Outcome, message.outcome),
        "alarm_kind": _name(alarm_pb2.AlarmKind, alarm.kind),
        "priority": alarm.priority,
        "occurred_on": china_day(occurred).isoformat(),
    }
    unit = _flat_unit(alarm.uscc, alarm.jurisdiction, alarm.sector)
    if message.outcome != alarm_pb2.OUTCOME_REAL:
        return UnitFacts(str(event.id), unit, relevant=False)  # false, test, duplicate: not an incident
    return UnitFacts(str(event.id), unit, (ItemChange(ItemKind.INCIDENT, alarm.id, attributes),))


def _acknowledgement_facts(message: alarm_events_pb2.AlarmAcknowledged, event: Event) -> UnitFacts:
    """The unit's security office's acknowledgement of an alarm routed to it, and how long it took."""
    alarm = message.alarm
    if not alarm.id:
        raise ValueError("an alarm event without an alarm id")
    unit = _flat_unit(alarm.uscc, alarm.jurisdiction, alarm.sector)
    own = [
        r
        for r in message.routes
        if r.party == alarm_pb2.PARTY_KIND_UNIT_SECURITY
        and r.HasField("acknowledged_at")
        and r.HasField("routed_at")
    ]
    if not own:
        return UnitFacts(str(event.id), unit, relevant=False)  # police acknowledged: not the unit's doing
    first = min(own, key=lambda r: r.acknowledged_at.ToDatetime())
    acknowledged = first.acknowledged_at.ToDatetime(tzinfo=UTC)
    seconds = max(int((acknowledged - first.routed_at.ToDatetime(tzinfo=UTC)).total_seconds()), 0)
    attributes = {"seconds": seconds, "acknowledged_on": china_day(acknowledged).isoformat()}
    return UnitFacts(str(event.id), unit, (ItemChange(ItemKind.ACKNOWLEDGEMENT, alarm.id, attributes),))


def facts_of(event: Event) -> UnitFacts:
    """What an event says about a unit's items (ValueError/TypeError for one that cannot be read)."""
    message = event.data
    if isinstance(message, alarm_events_pb2.AlarmResolved):
        return _alarm_facts(message, event)
    if isinstance(message, alarm_events_pb2.AlarmAcknowledged):
        return _acknowledgement_facts(message, event)
    if event.type.startswith("neibao.device-inventory."):
        return _device_facts(message, event)
    return _registry_facts(message, event)


class FactsProjection:
    """The handler of every consumed type: the event's facts and the unit's rescoring mark, in the
    consumer's transaction (they commit with the dedupe row)."""

    def __init__(self, rescoring: Rescoring, topic: str) -> None:
        self._rescoring = rescoring
        self._topic = topic

    def __call__(self, session: Session, event: Event) -> None:
        """Apply one event."""
        self._rescoring.apply(SqlFactStore(session, self._topic), facts_of(event))


class PendingRescoring:
    """Rescores the marked units, `chunk` per transaction; a unit that fails alone goes to the back of the
    queue with the error logged (it is never dropped: its mark stays)."""

    def __init__(self, engine: Engine, rescoring: Rescoring, topic: str, chunk: int = 50) -> None:
        self._engine = engine
        self._rescoring = rescoring
        self._topic = topic
        self._chunk = chunk

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Rescore every marked unit (until `stop` is set: the marks left are taken up on the next run); how
        many were rescored."""
        total = 0
        while stop is None or not stop.is_set():
            try:
                done = self._pass(self._chunk)
            except Exception:
                log.warning("rescoring a chunk failed; retrying its units one by one", exc_info=True)
                done = self._one_by_one()
            total += done
            if done < self._chunk:
                return total
        return total

    def _pass(self, limit: int) -> int:
        with Session(self._engine) as session, session.begin():
            return len(self._rescoring.rescore_pending(SqlFactStore(session, self._topic), limit))

    def _one_by_one(self) -> int:
        done = 0
        for _ in range(self._chunk):
            try:
                if self._pass(1) == 0:
                    break
                done += 1
            except Exception:
                log.exception("rescoring a unit failed; it stays marked, at the back of the queue")
                with Session(self._engine) as session, session.begin():
                    SqlFactStore(session, self._topic).defer_first_pending()
        return done


def run_consumer(
    consumer: IdempotentConsumer,
    rescoring: PendingRescoring,
    stop: threading.Event,
    poll_timeout: float = 1.0,
) -> None:
    """Poll, apply, rescore the units marked, until `stop` is set; then close the consumer."""
    try:
        rescoring.run_once(stop)  # marks left by a previous run
        while not stop.is_set():
            consumer.poll_once(poll_timeout)
            rescoring.run_once(stop)
    finally:
        consumer.close()


def events_consumer(
    engine: Engine,
    bootstrap: str,
    group: str,
    topics: list[str],
    dlq_producer: Producer,
    *,
    projection: FactsProjection,
    **options: Any,
) -> IdempotentConsumer:
    """The consumer of the three streams the facts come from."""
    handlers: dict[str, Callable[[Session, Event], None]] = dict.fromkeys(CONSUMED.types(), projection)
    return IdempotentConsumer(
        engine,
        bootstrap,
        group,
        topics,
        handlers=handlers,
        registry=CONSUMED,
        dlq_producer=dlq_producer,
        **options,
    )
