"""Event payloads as the other services publish them (their proto messages), for the tests."""

from __future__ import annotations

from datetime import date

from neibao.alarmrouting.v1 import alarm_pb2
from neibao.alarmrouting.v1 import events_pb2 as alarm_events_pb2
from neibao.deviceinventory.v1 import device_pb2
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.unitregistry.v1 import dossier_pb2, inspection_pb2, unit_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from safe_unit_scoring.adapters import events as types

from .conftest import Harness, at, stamp

SECTORS = {"commerce": unit_pb2.SECTOR_COMMERCE, "postal": unit_pb2.SECTOR_POSTAL}


def _scope(jurisdiction: str, sector: str) -> dict[str, object]:
    return {"jurisdiction": jurisdiction, "sector": SECTORS[sector], "sectors": [SECTORS[sector]]}


def register(h: Harness, uscc: str, name: str, jurisdiction: str, sector: str) -> str:
    data = unit_events_pb2.UnitRegistered(uscc=uscc, name=name, version=1, **_scope(jurisdiction, sector))  # type: ignore[arg-type]
    return str(h.publish(h.settings.unit_events_topic, types.UNIT_REGISTERED, data, uscc).id)


def filing_accepted(h: Harness, uscc: str, jurisdiction: str, sector: str, filing_id: str) -> str:
    data = unit_events_pb2.FilingAccepted(uscc=uscc, filing_id=filing_id, **_scope(jurisdiction, sector))  # type: ignore[arg-type]
    return str(h.publish(h.settings.unit_events_topic, types.FILING_ACCEPTED, data, uscc).id)


def drill(h: Harness, uscc: str, jurisdiction: str, sector: str, drill_id: str, on: date) -> str:
    data = unit_events_pb2.DrillRecorded(
        uscc=uscc,
        drill_id=drill_id,
        drilled_on=on.isoformat(),
        **_scope(jurisdiction, sector),  # type: ignore[arg-type]
    )
    return str(h.publish(h.settings.unit_events_topic, types.DRILL_RECORDED, data, uscc).id)


def hazard(
    h: Harness,
    uscc: str,
    jurisdiction: str,
    sector: str,
    hazard_id: str,
    deadline: date,
    state: str,
    on: date,
) -> str:
    """A hazard event: opened, rectified, verified or reopened, happening on `on`."""
    kinds = {
        "opened": (unit_events_pb2.HazardOpened, types.HAZARD_OPENED, inspection_pb2.HAZARD_STATE_OPEN),
        "rectified": (
            unit_events_pb2.HazardRectified,
            types.HAZARD_RECTIFIED,
            inspection_pb2.HAZARD_STATE_RECTIFIED,
        ),
        "verified": (
            unit_events_pb2.HazardVerified,
            types.HAZARD_VERIFIED,
            inspection_pb2.HAZARD_STATE_VERIFIED,
        ),
        "reopened": (unit_events_pb2.HazardReopened, types.HAZARD_REOPENED, inspection_pb2.HAZARD_STATE_OPEN),
    }
    message, event_type, hazard_state = kinds[state]
    summary = unit_events_pb2.HazardSummary(
        hazard_id=hazard_id,
        inspection_id="insp-1",
        severity=dossier_pb2.SEVERITY_MEDIUM,
        deadline=deadline.isoformat(),
        state=hazard_state,
    )
    data = message(uscc=uscc, hazard=summary, occurred_at=stamp(at(on)), **_scope(jurisdiction, sector))  # type: ignore[operator]
    return str(h.publish(h.settings.unit_events_topic, event_type, data, uscc, at(on)).id)


def device(h: Harness, uscc: str, jurisdiction: str, sector: str, device_id: str, online: bool) -> str:
    status = device_pb2.DEVICE_STATUS_ONLINE if online else device_pb2.DEVICE_STATUS_OFFLINE
    data = device_events_pb2.DeviceRegistered(
        uscc=uscc,
        jurisdiction=jurisdiction,
        sector=sector,
        device=device_pb2.Device(
            id=device_id, uscc=uscc, lifecycle=device_pb2.LIFECYCLE_IN_SERVICE, status=status, version=1
        ),
    )
    return str(h.publish(h.settings.device_events_topic, types.DEVICE_REGISTERED, data, uscc).id)


def compliance(h: Harness, uscc: str, jurisdiction: str, sector: str, compliant: bool) -> str:
    data = device_events_pb2.ComplianceChanged(
        uscc=uscc, jurisdiction=jurisdiction, sector=sector, compliant=compliant, rules_version="1"
    )
    return str(h.publish(h.settings.device_events_topic, types.COMPLIANCE_CHANGED, data, uscc).id)


def alarm_resolved(
    h: Harness, uscc: str, jurisdiction: str, sector: str, alarm_id: str, kind: int, outcome: int, on: date
) -> str:
    summary = alarm_events_pb2.AlarmSummary(
        id=alarm_id,
        uscc=uscc,
        kind=kind,
        priority=1,
        jurisdiction=jurisdiction,
        sector=sector,
        occurred_at=stamp(at(on)),
    )
    data = alarm_events_pb2.AlarmResolved(alarm=summary, outcome=outcome)  # type: ignore[arg-type]
    return str(h.publish(h.settings.alarm_events_topic, types.ALARM_RESOLVED, data, uscc).id)


HOLD_UP = alarm_pb2.ALARM_KIND_HOLD_UP
INTRUSION = alarm_pb2.ALARM_KIND_INTRUSION
REAL = alarm_pb2.OUTCOME_REAL
FALSE = alarm_pb2.OUTCOME_FALSE
