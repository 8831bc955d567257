"""Domain events -> CloudEvents with protobuf payloads (neibao.unitregistry.v1 events), for the outbox.

The one piece of personal data an event carries, a responsible person's phone, travels sealed (see
`PHONE_PLACE`): Kafka's log keeps no phone in clear, and only services holding the platform's
personal-data keys can open it.
"""

from __future__ import annotations

import uuid
from typing import Any, Final, Protocol

from google.protobuf.message import Message

from neibao.unitregistry.v1 import dossier_pb2, events_pb2
from neibao_messaging import Event, PayloadRegistry
from unit_registry.adapters.proto_mapping import (
    CHANGE_KIND,
    DEVICE_TYPE,
    DOSSIER_SECTION,
    HAZARD_STATE,
    KEY_UNIT_CATEGORY,
    PARTY_KIND,
    PLAN_STATE,
    RESPONSIBLE_ROLE,
    SECTOR,
    SEVERITY,
    TRAINING_RESULT,
    UNIT_TYPE,
    actor_to_proto,
    flags_to_proto,
    iso,
    location_to_proto,
    sectors_to_proto,
    timestamp,
)
from unit_registry.domain.dossier import EmergencyPlan, KeyPart, ResponsiblePerson
from unit_registry.domain.events import (
    AnnouncedItem,
    DomainEvent,
    DossierFlagsChanged,
    DossierUpdated,
    DrillRecorded,
    FilingAccepted,
    FilingReturned,
    FilingSubmitted,
    HazardOpened,
    HazardOverdue,
    HazardRectified,
    HazardReopened,
    HazardVerified,
    InformantReportFiled,
    InspectionRecorded,
    KeyUnitDesignated,
    KeyUnitProposed,
    KeyUnitWithdrawn,
    TrainingRecorded,
    UnitClosed,
    UnitRegistered,
    UnitUpdated,
)
from unit_registry.domain.inspections import Hazard
from unit_registry.domain.model import Unit

TOPIC: Final = "neibao.unit-registry.events.v1"
SOURCE: Final = "/neibao/unit-registry"

UNIT_REGISTERED: Final = "neibao.unit-registry.unit.registered.v1"
UNIT_UPDATED: Final = "neibao.unit-registry.unit.updated.v1"
UNIT_CLOSED: Final = "neibao.unit-registry.unit.closed.v1"
KEY_UNIT_PROPOSED: Final = "neibao.unit-registry.key-unit.proposed.v1"
KEY_UNIT_DESIGNATED: Final = "neibao.unit-registry.key-unit.designated.v1"
KEY_UNIT_WITHDRAWN: Final = "neibao.unit-registry.key-unit.withdrawn.v1"
FILING_SUBMITTED: Final = "neibao.unit-registry.filing.submitted.v1"
FILING_ACCEPTED: Final = "neibao.unit-registry.filing.accepted.v1"
FILING_RETURNED: Final = "neibao.unit-registry.filing.returned.v1"
DRILL_RECORDED: Final = "neibao.unit-registry.drill.recorded.v1"
TRAINING_RECORDED: Final = "neibao.unit-registry.training.recorded.v1"
INSPECTION_RECORDED: Final = "neibao.unit-registry.inspection.recorded.v1"
HAZARD_OPENED: Final = "neibao.unit-registry.hazard.opened.v1"
HAZARD_RECTIFIED: Final = "neibao.unit-registry.hazard.rectified.v1"
HAZARD_VERIFIED: Final = "neibao.unit-registry.hazard.verified.v1"
HAZARD_REOPENED: Final = "neibao.unit-registry.hazard.reopened.v1"
HAZARD_OVERDUE: Final = "neibao.unit-registry.hazard.overdue.v1"
INFORMANT_REPORT_FILED: Final = "neibao.unit-registry.informant-report.filed.v1"
DOSSIER_UPDATED: Final = "neibao.unit-registry.dossier.updated.v1"
DOSSIER_FLAGS_CHANGED: Final = "neibao.unit-registry.dossier.flags-changed.v1"

PAYLOADS: Final = PayloadRegistry(
    {
        UNIT_REGISTERED: events_pb2.UnitRegistered,
        UNIT_UPDATED: events_pb2.UnitUpdated,
        UNIT_CLOSED: events_pb2.UnitClosed,
        KEY_UNIT_PROPOSED: events_pb2.KeyUnitProposed,
        KEY_UNIT_DESIGNATED: events_pb2.KeyUnitDesignated,
        KEY_UNIT_WITHDRAWN: events_pb2.KeyUnitWithdrawn,
        FILING_SUBMITTED: events_pb2.FilingSubmitted,
        FILING_ACCEPTED: events_pb2.FilingAccepted,
        FILING_RETURNED: events_pb2.FilingReturned,
        DRILL_RECORDED: events_pb2.DrillRecorded,
        TRAINING_RECORDED: events_pb2.TrainingRecorded,
        INSPECTION_RECORDED: events_pb2.InspectionRecorded,
        HAZARD_OPENED: events_pb2.HazardOpened,
        HAZARD_RECTIFIED: events_pb2.HazardRectified,
        HAZARD_VERIFIED: events_pb2.HazardVerified,
        HAZARD_REOPENED: events_pb2.HazardReopened,
        HAZARD_OVERDUE: events_pb2.HazardOverdue,
        INFORMANT_REPORT_FILED: events_pb2.InformantReportFiled,
        DOSSIER_UPDATED: events_pb2.DossierUpdated,
        DOSSIER_FLAGS_CHANGED: events_pb2.DossierFlagsChanged,
    }
)
"""Every event type this service publishes and its payload class (for consumers and tests)."""

PHONE_PLACE: Final = ("unit_registry_events", "responsible_person_phone")
"""The (table, column) of `field_context` a sealed phone is bound to, with the person's id as row: the
contract of DossierUpdated.responsible_person_phone_sealed, which consumers open with the same context."""


class Sealer(Protocol):
    """Encrypts a value for its place (the PersonalDataCipher the composition root builds)."""

    def seal(self, table: str, column: str, row_id: uuid.UUID, value: str) -> bytes | None:
        """The ciphertext of `value` bound to `field_context(table, column, row_id)`; None for ""."""


def _unit_fields(unit: Unit) -> dict[str, Any]:
    """What every payload says about the unit: routing and scope keys."""
    return {
        "uscc": unit.uscc,
        "jurisdiction": unit.jurisdiction,
        "unit_type": UNIT_TYPE.to_proto(unit.unit_type),
        "sector": SECTOR.to_proto(unit.sector),
        "sectors": sectors_to_proto(unit.sectors),
    }


def _description(unit: Unit) -> dict[str, Any]:
    return {
        "name": unit.name,
        "police_station": unit.police_station or "",
        "address": unit.address,
        "location": location_to_proto(unit.location),
        "legal_representative": unit.legal_representative,
    }


def _hazard(hazard: Hazard) -> events_pb2.HazardSummary:
    return events_pb2.HazardSummary(
        hazard_id=str(hazard.id),
        inspection_id=str(hazard.inspection_id),
        party=PARTY_KIND.to_proto(hazard.party.kind),
        party_sector=SECTOR.to_proto(hazard.party.sector),
        severity=SEVERITY.to_proto(hazard.severity),
        deadline=hazard.deadline.isoformat(),
        state=HAZARD_STATE.to_proto(hazard.state),
    )


def announced_item(item: AnnouncedItem | None, sealer: Sealer | None) -> dict[str, Any]:
    """The `item` of a dossier.updated payload: the person (phone sealed beside it), key part or plan version.

    The phone never travels in clear; without a sealer the event is refused rather than sent without it.
    """
    match item:
        case ResponsiblePerson():
            if sealer is None:
                raise ValueError("a responsible person's event needs the personal-data sealer for its phone")
            sealed = sealer.seal(*PHONE_PLACE, item.id, item.phone)
            return {
                "responsible_person": dossier_pb2.ResponsiblePerson(
                    id=str(item.id),
                    uscc=item.uscc,
                    role=RESPONSIBLE_ROLE.to_proto(item.role),
                    name=item.name,
                    position=item.position,
                    responsibilities=item.responsibilities,
                    appointed_on=iso(item.appointed_on),
                    version=item.version,
                    created_at=timestamp(item.created_at),
                    updated_at=timestamp(item.updated_at),
                ),
                "responsible_person_phone_sealed": sealed or b"",
            }
        case KeyPart():
            return {
                "key_part": dossier_pb2.KeyPart(
                    id=str(item.id),
                    uscc=item.uscc,
                    name=item.name,
                    location=item.location,
                    description=item.description,
                    protection_measures=list(item.protection_measures),
                    required_device_types=[DEVICE_TYPE.to_proto(t) for t in item.required_device_types],
                    version=item.version,
                    created_at=timestamp(item.created_at),
                    updated_at=timestamp(item.updated_at),
                )
            }
        case EmergencyPlan():
            return {
                "emergency_plan": dossier_pb2.EmergencyPlan(
                    id=str(item.id),
                    plan_id=str(item.plan_id),
                    uscc=item.uscc,
                    version=item.version,
                    state=PLAN_STATE.to_proto(item.state),
                    title=item.title,
                    scenario=item.scenario,
                    content=item.content,
                    effective_on=iso(item.effective_on),
                    published_by=actor_to_proto(item.published_by),
                    published_at=timestamp(item.published_at),
                    superseded_at=timestamp(item.superseded_at),
                )
            }
    return {}


_HAZARD_EVENTS: Final[dict[type, tuple[str, type[Message]]]] = {
    HazardOpened: (HAZARD_OPENED, events_pb2.HazardOpened),
    HazardRectified: (HAZARD_RECTIFIED, events_pb2.HazardRectified),
    HazardVerified: (HAZARD_VERIFIED, events_pb2.HazardVerified),
    HazardOverdue: (HAZARD_OVERDUE, events_pb2.HazardOverdue),
}


def payload(  # noqa: PLR0911 - one return per event type
    event: DomainEvent, sealer: Sealer | None = None
) -> tuple[str, Message]:
    """The CloudEvents type and the protobuf payload of a domain event (`sealer` seals personal data)."""
    common = {**_unit_fields(event.unit), "actor": actor_to_proto(event.actor)}
    at = timestamp(event.occurred_at)
    match event:
        case UnitRegistered():
            return UNIT_REGISTERED, events_pb2.UnitRegistered(
                **common,
                **_description(event.unit),
                version=event.unit.version,
                occurred_at=at,
            )
        case UnitUpdated():
            return UNIT_UPDATED, events_pb2.UnitUpdated(
                **common,
                **_description(event.unit),
                version=event.unit.version,
                changed_fields=list(event.changed_fields),
                occurred_at=at,
            )
        case UnitClosed():
            return UNIT_CLOSED, events_pb2.UnitClosed(
                **common,
                reason=event.reason,
                version=event.unit.version,
                occurred_at=at,
            )
        case KeyUnitProposed():
            return KEY_UNIT_PROPOSED, events_pb2.KeyUnitProposed(
                **common,
                designation_id=str(event.designation.id),
                category=KEY_UNIT_CATEGORY.to_proto(event.designation.category),
                reason=event.designation.reason,
                occurred_at=at,
            )
        case KeyUnitDesignated():
            designated_on = event.designation.designated_on
            return KEY_UNIT_DESIGNATED, events_pb2.KeyUnitDesignated(
                **common,
                designation_id=str(event.designation.id),
                category=KEY_UNIT_CATEGORY.to_proto(event.designation.category),
                designated_on=designated_on.isoformat() if designated_on else "",
                version=event.unit.version,
                occurred_at=at,
                flags=flags_to_proto(event.flags),
            )
        case KeyUnitWithdrawn():
            return KEY_UNIT_WITHDRAWN, events_pb2.KeyUnitWithdrawn(
                **common,
                designation_id=str(event.designation.id),
                category=KEY_UNIT_CATEGORY.to_proto(event.designation.category),
                reason=event.designation.withdrawal_reason,
                was_designated=event.was_designated,
                version=event.unit.version,
                occurred_at=at,
                flags=flags_to_proto(event.flags),
            )
        case _:
            return _dossier_payload(event, sealer)


def _dossier_payload(  # noqa: PLR0911 - one return per type
    event: DomainEvent, sealer: Sealer | None
) -> tuple[str, Message]:
    """Payloads of the dossier events: routing keys, the change, the flags after it."""
    common = {
        **_unit_fields(event.unit),
        "actor": actor_to_proto(event.actor),
        "occurred_at": timestamp(event.occurred_at),
    }
    match event:
        case FilingSubmitted():
            filing = event.filing
            return FILING_SUBMITTED, events_pb2.FilingSubmitted(
                **common,
                filing_id=str(filing.id),
                organisation_name=filing.organisation_name,
                full_time_staff=filing.full_time_staff,
                part_time_staff=filing.part_time_staff,
                resubmission=event.resubmission,
                flags=flags_to_proto(event.flags),
            )
        case FilingAccepted():
            return FILING_ACCEPTED, events_pb2.FilingAccepted(
                **common,
                filing_id=str(event.filing.id),
                note=event.filing.decision_note,
                flags=flags_to_proto(event.flags),
            )
        case FilingReturned():
            return FILING_RETURNED, events_pb2.FilingReturned(
                **common,
                filing_id=str(event.filing.id),
                reasons=list(event.filing.return_reasons),
                flags=flags_to_proto(event.flags),
            )
        case DrillRecorded():
            drill = event.drill
            return DRILL_RECORDED, events_pb2.DrillRecorded(
                **common,
                drill_id=str(drill.id),
                drilled_on=drill.drilled_on.isoformat(),
                scenario=drill.scenario,
                participants=drill.participants,
                joint_with_police=drill.joint_with_police,
                flags=flags_to_proto(event.flags),
            )
        case TrainingRecorded():
            training = event.training
            return TRAINING_RECORDED, events_pb2.TrainingRecorded(
                **common,
                staff_id=str(event.staff_id),
                training_id=str(training.id),
                trained_on=training.trained_on.isoformat(),
                course=training.course,
                hours=training.hours,
                result=TRAINING_RESULT.to_proto(training.result),
                flags=flags_to_proto(event.flags),
            )
        case InspectionRecorded():
            inspection = event.inspection
            return INSPECTION_RECORDED, events_pb2.InspectionRecorded(
                **common,
                inspection_id=str(inspection.id),
                inspected_on=inspection.inspected_on.isoformat(),
                party=PARTY_KIND.to_proto(inspection.party.kind),
                party_sector=SECTOR.to_proto(inspection.party.sector),
                flags=flags_to_proto(event.flags),
            )
        case HazardReopened():
            return HAZARD_REOPENED, events_pb2.HazardReopened(
                **common,
                hazard=_hazard(event.hazard),
                reason=event.hazard.verification_note,
                flags=flags_to_proto(event.flags),
            )
        case HazardOpened() | HazardRectified() | HazardVerified() | HazardOverdue():
            event_type, message = _HAZARD_EVENTS[type(event)]
            return event_type, message(
                **common, hazard=_hazard(event.hazard), flags=flags_to_proto(event.flags)
            )
        case InformantReportFiled():
            report = event.report
            return INFORMANT_REPORT_FILED, events_pb2.InformantReportFiled(
                **common,
                report_id=str(report.id),
                reported_on=iso(report.reported_on),
                severity=SEVERITY.to_proto(report.severity),
                flags=flags_to_proto(event.flags),
            )
        case DossierUpdated():
            return DOSSIER_UPDATED, events_pb2.DossierUpdated(
                **common,
                section=DOSSIER_SECTION.to_proto(event.section),
                item_id=str(event.item_id),
                change=CHANGE_KIND.to_proto(event.change),
                flags=flags_to_proto(event.flags),
                **announced_item(event.item, sealer),
            )
        case DossierFlagsChanged():
            return DOSSIER_FLAGS_CHANGED, events_pb2.DossierFlagsChanged(
                **common, flags=flags_to_proto(event.flags), previous=flags_to_proto(event.previous)
            )
    raise AssertionError(f"no payload for {type(event).__name__}")  # pragma: no cover


def cloud_event(event: DomainEvent, sealer: Sealer) -> Event:
    """The envelope written to the outbox: keyed and subjected by the unit's USCC, personal data sealed."""
    event_type, data = payload(event, sealer)
    unit = event.unit
    # Scope attributes let consumers (the gateway's live streams) filter without decoding the payload.
    return Event.create(
        type=event_type,
        source=SOURCE,
        data=data,
        subject=unit.uscc,
        jurisdiction=unit.jurisdiction,
        sector=unit.sector.value,
        unit=unit.uscc,
    )
