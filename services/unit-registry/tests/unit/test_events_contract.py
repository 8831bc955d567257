"""Every domain event has a CloudEvents type and a protobuf payload; none carries personal data."""

from __future__ import annotations

import typing
from datetime import UTC, date, datetime, timedelta

from neibao_messaging import encode
from unit_registry.adapters.events import PAYLOADS, cloud_event, payload
from unit_registry.domain import events as domain_events
from unit_registry.domain.dossier import Drill, DrillDraft, FilingDraft, SecurityFiling
from unit_registry.domain.enums import (
    ChangeKind,
    DossierSection,
    Employment,
    KeyUnitCategory,
    PartyKind,
    Sector,
    Severity,
    TrainingResult,
    UnitType,
)
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.informants import Informant, InformantDraft, InformantReport, InformantReportDraft
from unit_registry.domain.inspections import Hazard, HazardDraft, Inspection, InspectionDraft, Party
from unit_registry.domain.model import SYSTEM_ACTOR, KeyUnitDesignation, Unit, UnitDraft
from unit_registry.domain.staff import StaffDraft, StaffMember, TrainingDraft, new_training

NOW = datetime(2025, 6, 15, 2, 0, tzinfo=UTC)
TODAY = date(2025, 6, 15)
UNIT = Unit.register(
    UnitDraft("91210102MA0LN001X3", "店", UnitType.ENTERPRISE, Sector.COMMERCE, "210102", "地址"), NOW
)
FLAGS = DossierFlags(True, False, True)
RESIDENT_ID = "210102199003071233"


def samples() -> list[domain_events.DomainEvent]:
    filing = SecurityFiling.start(UNIT.uscc, FilingDraft("保卫部", "钱明", 1, 0, TODAY), SYSTEM_ACTOR, NOW)
    drill = Drill.record(UNIT.uscc, DrillDraft(TODAY, "疏散", 10), SYSTEM_ACTOR, NOW)
    member = StaffMember.create(
        UNIT.uscc, StaffDraft("王芳", RESIDENT_ID, "13812345678", Employment.FULL_TIME), NOW
    )
    training = new_training(TrainingDraft(TODAY, "消防", 4, TrainingResult.PASSED), TODAY)
    party = Party(PartyKind.REGULATOR, Sector.COMMERCE)
    draft = InspectionDraft(TODAY, "商务局", ("周杰",))
    inspection = Inspection.record(UNIT.uscc, party, draft, actor=SYSTEM_ACTOR, today=TODAY, now=NOW)
    hazard = Hazard.open(
        inspection, HazardDraft(Severity.HIGH, "x", TODAY + timedelta(days=1)), SYSTEM_ACTOR, TODAY, NOW
    )
    informant = Informant.create(UNIT.uscc, InformantDraft("李强", "13700002222"), NOW)
    report = InformantReport.file(
        informant, InformantReportDraft(TODAY, "机密内容", Severity.HIGH), SYSTEM_ACTOR, TODAY, NOW
    )
    designation = KeyUnitDesignation.propose(
        UNIT, KeyUnitCategory.OTHER_DESIGNATED, "", actor=SYSTEM_ACTOR, now=NOW, pending=None
    )
    a, t = SYSTEM_ACTOR, NOW
    return [
        domain_events.UnitRegistered(UNIT, a, t),
        domain_events.UnitUpdated(UNIT, ("name",), a, t),
        domain_events.UnitClosed(UNIT, "", a, t),
        domain_events.KeyUnitProposed(UNIT, designation, a, t),
        domain_events.KeyUnitDesignated(UNIT, designation, a, t, FLAGS),
        domain_events.KeyUnitWithdrawn(UNIT, designation, True, a, t, FLAGS),
        domain_events.FilingSubmitted(UNIT, filing, False, FLAGS, a, t),
        domain_events.FilingAccepted(UNIT, filing, FLAGS, a, t),
        domain_events.FilingReturned(UNIT, filing, FLAGS, a, t),
        domain_events.DrillRecorded(UNIT, drill, FLAGS, a, t),
        domain_events.TrainingRecorded(UNIT, member.id, training, FLAGS, a, t),
        domain_events.InspectionRecorded(UNIT, inspection, FLAGS, a, t),
        domain_events.HazardOpened(UNIT, hazard, FLAGS, a, t),
        domain_events.HazardRectified(UNIT, hazard, FLAGS, a, t),
        domain_events.HazardVerified(UNIT, hazard, FLAGS, a, t),
        domain_events.HazardReopened(UNIT, hazard, FLAGS, a, t),
        domain_events.HazardOverdue(UNIT, hazard, FLAGS, a, t),
        domain_events.InformantReportFiled(UNIT, report, FLAGS, a, t),
        domain_events.DossierUpdated(UNIT, DossierSection.STAFF, member.id, ChangeKind.ADDED, FLAGS, a, t),
        domain_events.DossierFlagsChanged(UNIT, FLAGS, DossierFlags(), a, t),
    ]


def test_every_domain_event_has_its_own_type_and_payload() -> None:
    events = samples()
    assert {type(e) for e in events} == set(typing.get_args(domain_events.DomainEvent))
    types = [payload(e)[0] for e in events]
    assert len(set(types)) == len(types) == len(PAYLOADS.types())
    for event in events:
        event_type, message = payload(event)
        assert PAYLOADS.get(event_type) is type(message)
        assert getattr(message, "uscc") == UNIT.uscc  # noqa: B009 - every payload's routing key
        if hasattr(message, "flags") and not isinstance(event, domain_events.DossierFlagsChanged):
            assert message.flags.filing_overdue, event_type


def test_no_event_carries_personal_data() -> None:
    for event in samples():
        _key, value, _headers = encode(cloud_event(event))
        for secret in (RESIDENT_ID, "13812345678", "13700002222", "李强", "机密内容"):
            assert secret.encode() not in value
