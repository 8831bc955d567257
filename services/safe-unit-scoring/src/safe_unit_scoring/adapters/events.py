"""The scoring's events as CloudEvents with protobuf payloads, and the streams it reads."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from neibao.alarmrouting.v1 import events_pb2 as alarm_events_pb2
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.scoring.v1 import events_pb2, scoring_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from neibao_messaging import Event, PayloadRegistry
from safe_unit_scoring.adapters.explanation import grade_to_proto
from safe_unit_scoring.domain.events import (
    DomainEvent,
    GradeChanged,
    ReviewReminder,
    ScoreChanged,
    SelfAssessmentReviewed,
    SelfAssessmentSubmitted,
)

TOPIC: Final = "neibao.safe-unit-scoring.events.v1"
UNIT_EVENTS_TOPIC: Final = "neibao.unit-registry.events.v1"
DEVICE_EVENTS_TOPIC: Final = "neibao.device-inventory.events.v1"
ALARM_EVENTS_TOPIC: Final = "neibao.alarm-routing.events.v1"
SOURCE: Final = "/neibao/safe-unit-scoring"

SCORE_CHANGED: Final = "neibao.safe-unit-scoring.score.changed.v1"
GRADE_CHANGED: Final = "neibao.safe-unit-scoring.grade.changed.v1"
ASSESSMENT_SUBMITTED: Final = "neibao.safe-unit-scoring.self-assessment.submitted.v1"
ASSESSMENT_REVIEWED: Final = "neibao.safe-unit-scoring.self-assessment.reviewed.v1"
REVIEW_DUE_SOON: Final = "neibao.safe-unit-scoring.self-assessment.review-due-soon.v1"
REVIEW_OVERDUE: Final = "neibao.safe-unit-scoring.self-assessment.review-overdue.v1"

PAYLOADS: Final = PayloadRegistry(
    {
        SCORE_CHANGED: events_pb2.ScoreChanged,
        GRADE_CHANGED: events_pb2.GradeChanged,
        ASSESSMENT_SUBMITTED: events_pb2.SelfAssessmentSubmitted,
        ASSESSMENT_REVIEWED: events_pb2.SelfAssessmentReviewed,
        REVIEW_DUE_SOON: events_pb2.SelfAssessmentReviewReminder,
        REVIEW_OVERDUE: events_pb2.SelfAssessmentReviewReminder,
    }
)
"""Every event type this service publishes and its payload class (for consumers and tests)."""

# What the facts are built from (the rest of those streams is skipped).
_REGISTRY = "neibao.unit-registry."
UNIT_REGISTERED: Final = _REGISTRY + "unit.registered.v1"
UNIT_UPDATED: Final = _REGISTRY + "unit.updated.v1"
UNIT_CLOSED: Final = _REGISTRY + "unit.closed.v1"
KEY_UNIT_DESIGNATED: Final = _REGISTRY + "key-unit.designated.v1"
KEY_UNIT_WITHDRAWN: Final = _REGISTRY + "key-unit.withdrawn.v1"
FILING_SUBMITTED: Final = _REGISTRY + "filing.submitted.v1"
FILING_ACCEPTED: Final = _REGISTRY + "filing.accepted.v1"
FILING_RETURNED: Final = _REGISTRY + "filing.returned.v1"
DRILL_RECORDED: Final = _REGISTRY + "drill.recorded.v1"
TRAINING_RECORDED: Final = _REGISTRY + "training.recorded.v1"
INSPECTION_RECORDED: Final = _REGISTRY + "inspection.recorded.v1"
HAZARD_OPENED: Final = _REGISTRY + "hazard.opened.v1"
HAZARD_RECTIFIED: Final = _REGISTRY + "hazard.rectified.v1"
HAZARD_VERIFIED: Final = _REGISTRY + "hazard.verified.v1"
HAZARD_REOPENED: Final = _REGISTRY + "hazard.reopened.v1"
HAZARD_OVERDUE: Final = _REGISTRY + "hazard.overdue.v1"
DEVICE_REGISTERED: Final = "neibao.device-inventory.device.registered.v1"
DEVICE_UPDATED: Final = "neibao.device-inventory.device.updated.v1"
DEVICE_STATUS_CHANGED: Final = "neibao.device-inventory.device.status-changed.v1"
COMPLIANCE_CHANGED: Final = "neibao.device-inventory.compliance.changed.v1"
ALARM_RESOLVED: Final = "neibao.alarm-routing.alarm.resolved.v1"
ALARM_ACKNOWLEDGED: Final = "neibao.alarm-routing.alarm.acknowledged.v1"
DOSSIER_UPDATED: Final = _REGISTRY + "dossier.updated.v1"

CONSUMED: Final = PayloadRegistry(
    {
        UNIT_REGISTERED: unit_events_pb2.UnitRegistered,
        UNIT_UPDATED: unit_events_pb2.UnitUpdated,
        UNIT_CLOSED: unit_events_pb2.UnitClosed,
        KEY_UNIT_DESIGNATED: unit_events_pb2.KeyUnitDesignated,
        KEY_UNIT_WITHDRAWN: unit_events_pb2.KeyUnitWithdrawn,
        FILING_SUBMITTED: unit_events_pb2.FilingSubmitted,
        FILING_ACCEPTED: unit_events_pb2.FilingAccepted,
        FILING_RETURNED: unit_events_pb2.FilingReturned,
        DRILL_RECORDED: unit_events_pb2.DrillRecorded,
        TRAINING_RECORDED: unit_events_pb2.TrainingRecorded,
        INSPECTION_RECORDED: unit_events_pb2.InspectionRecorded,
        HAZARD_OPENED: unit_events_pb2.HazardOpened,
        HAZARD_RECTIFIED: unit_events_pb2.HazardRectified,
        HAZARD_VERIFIED: unit_events_pb2.HazardVerified,
        HAZARD_REOPENED: unit_events_pb2.HazardReopened,
        HAZARD_OVERDUE: unit_events_pb2.HazardOverdue,
        DEVICE_REGISTERED: device_events_pb2.DeviceRegistered,
        DEVICE_UPDATED: device_events_pb2.DeviceUpdated,
        DEVICE_STATUS_CHANGED: device_events_pb2.DeviceStatusChanged,
        COMPLIANCE_CHANGED: device_events_pb2.ComplianceChanged,
        ALARM_RESOLVED: alarm_events_pb2.AlarmResolved,
        ALARM_ACKNOWLEDGED: alarm_events_pb2.AlarmAcknowledged,
        DOSSIER_UPDATED: unit_events_pb2.DossierUpdated,
    }
)


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _timestamp(event: DomainEvent) -> Timestamp:
    return _stamp(event.occurred_at)


_STATES = {
    "submitted": scoring_pb2.ASSESSMENT_STATE_SUBMITTED,
    "agreed": scoring_pb2.ASSESSMENT_STATE_AGREED,
    "adjusted": scoring_pb2.ASSESSMENT_STATE_ADJUSTED,
}


def _assessment_payload(event: DomainEvent) -> tuple[str, Message]:
    """The type and payload of a self-assessment event."""
    unit = event.unit
    scope = {"uscc": unit.uscc, "jurisdiction": unit.jurisdiction, "sector": unit.sector}
    match event:
        case SelfAssessmentSubmitted():
            return ASSESSMENT_SUBMITTED, events_pb2.SelfAssessmentSubmitted(
                **scope,
                assessment_id=event.assessment_id,
                period=event.period,
                claimed_total=float(event.claimed_total),
                review_due_at=_stamp(event.review_due_at),
                occurred_at=_timestamp(event),
            )
        case SelfAssessmentReviewed():
            return ASSESSMENT_REVIEWED, events_pb2.SelfAssessmentReviewed(
                **scope,
                assessment_id=event.assessment_id,
                period=event.period,
                state=_STATES[event.state],
                claimed_total=float(event.claimed_total),
                reviewed_total=float(event.reviewed_total),
                reviewed_by=event.reviewed_by,
                late=event.late,
                occurred_at=_timestamp(event),
            )
        case ReviewReminder():
            return (
                REVIEW_OVERDUE if event.overdue else REVIEW_DUE_SOON,
                events_pb2.SelfAssessmentReviewReminder(
                    **scope,
                    assessment_id=event.assessment_id,
                    period=event.period,
                    submitted_at=_stamp(event.submitted_at),
                    review_due_at=_stamp(event.review_due_at),
                    occurred_at=_timestamp(event),
                ),
            )
    raise TypeError(f"not a self-assessment event: {type(event).__name__}")  # pragma: no cover


def cloud_event(event: DomainEvent) -> Event:
    """A domain event as a CloudEvent keyed by the unit's USCC, with its scope."""
    unit = event.unit
    data: Message
    if isinstance(event, ScoreChanged):
        kind = SCORE_CHANGED
        data = events_pb2.ScoreChanged(
            uscc=unit.uscc,
            jurisdiction=unit.jurisdiction,
            sector=unit.sector,
            period=event.period,
            model_version=event.model_version,
            total=float(event.total),
            grade=grade_to_proto(event.grade),
            cause_event_ids=event.cause_event_ids,
            occurred_at=_timestamp(event),
        )
        if event.previous_total is not None:
            data.previous_total = float(event.previous_total)
    elif isinstance(event, GradeChanged):
        kind = GRADE_CHANGED
        data = events_pb2.GradeChanged(
            uscc=unit.uscc,
            jurisdiction=unit.jurisdiction,
            sector=unit.sector,
            period=event.period,
            from_grade=grade_to_proto(event.from_grade),
            to_grade=grade_to_proto(event.to_grade),
            reason=event.reason,
            total=float(event.total),
            cause_event_ids=event.cause_event_ids,
            occurred_at=_timestamp(event),
        )
    else:
        kind, data = _assessment_payload(event)
    return Event(
        type=kind,
        source=SOURCE,
        data=data,
        key=unit.uscc.encode(),
        time=event.occurred_at,
        subject=unit.uscc,
        jurisdiction=unit.jurisdiction or None,
        sector=unit.sector or None,
        unit=unit.uscc,
    )
