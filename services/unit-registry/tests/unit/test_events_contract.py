"""Every domain event has a CloudEvents type and a protobuf payload; none carries personal data in clear
(a responsible person's phone travels sealed with the platform's personal-data keys)."""

from __future__ import annotations

import os
import typing
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import SecretBytes

from neibao.unitregistry.v1 import events_pb2
from neibao_messaging import encode
from neibao_privacy import FieldCipher, InvalidCiphertext, PrivacyKeys, field_context
from unit_registry.adapters.db.personal_data import PersonalDataCipher
from unit_registry.adapters.events import PAYLOADS, PHONE_PLACE, cloud_event, payload
from unit_registry.domain import events as domain_events
from unit_registry.domain.dossier import (
    Drill,
    DrillDraft,
    FilingDraft,
    ResponsiblePerson,
    ResponsiblePersonDraft,
    SecurityFiling,
)
from unit_registry.domain.enums import (
    ChangeKind,
    DossierSection,
    Employment,
    KeyUnitCategory,
    PartyKind,
    ResponsibleRole,
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
PERSON_PHONE = "13911112222"
PERSON = ResponsiblePerson.create(
    UNIT.uscc,
    ResponsiblePersonDraft(ResponsibleRole.FIRST_RESPONSIBLE, "赵建国", "经理", PERSON_PHONE),
    NOW,
)

KEYS = PrivacyKeys(
    keys={"k1": SecretBytes(os.urandom(32))}, active_key="k1", index_key=SecretBytes(os.urandom(32))
)
PII = PersonalDataCipher.from_keys(KEYS)


def person_updated(change: ChangeKind = ChangeKind.ADDED) -> domain_events.DossierUpdated:
    return domain_events.DossierUpdated(
        UNIT, DossierSection.RESPONSIBLE_PERSONS, PERSON.id, change, FLAGS, SYSTEM_ACTOR, NOW, PERSON
    )


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


def test_no_event_carries_personal_data_in_clear() -> None:
    for event in [*samples(), person_updated(), person_updated(ChangeKind.REMOVED)]:
        _key, value, _headers = encode(cloud_event(event, PII))
        for secret in (RESIDENT_ID, "13812345678", "13700002222", "李强", "机密内容", PERSON_PHONE):
            assert secret.encode() not in value


def test_a_responsible_persons_phone_travels_sealed_to_the_person() -> None:
    _type, message = payload(person_updated(), PII)
    assert isinstance(message, events_pb2.DossierUpdated)
    assert (message.responsible_person.name, message.responsible_person.phone) == ("赵建国", "")
    sealed = message.responsible_person_phone_sealed
    cipher = FieldCipher.from_keys(KEYS)
    assert cipher.decrypt_text(sealed, context=field_context(*PHONE_PLACE, PERSON.id)) == PERSON_PHONE
    # Bound to the person: moved beside another item it does not open.
    with pytest.raises(InvalidCiphertext):
        cipher.decrypt_text(sealed, context=field_context(*PHONE_PLACE, UNIT.uscc.lower()))


def test_without_a_sealer_a_person_event_is_refused_rather_than_sent_without_its_phone() -> None:
    with pytest.raises(ValueError, match="sealer"):
        payload(person_updated())


def test_other_items_carry_no_sealed_phone() -> None:
    for event in samples():
        _type, message = payload(event, PII)
        if isinstance(message, events_pb2.DossierUpdated):
            assert message.responsible_person_phone_sealed == b""
