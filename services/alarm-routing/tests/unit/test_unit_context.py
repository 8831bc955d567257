"""The unit context beside an alarm: registry items mapped to the read model's rows (phones opened from the
event's sealed form, sealed to their row and indexed), phones disclosed by role, the alarm's key part found
from its zone, the context's proto form."""

from __future__ import annotations

import base64
import os
import uuid

import pytest

from alarm_routing.adapters.db.personal_data import EVENT_PHONE_PLACE, PersonalDataCipher
from alarm_routing.adapters.db.read_model import key_part_values, person_values, plan_values
from alarm_routing.adapters.proto_mapping import context_to_proto
from alarm_routing.domain.context import (
    DisclosureLevel,
    EmergencyPlanSummary,
    KeyPartSummary,
    PersonalDataKind,
    ResponsibleContact,
    ResponsibleRole,
    UnitContext,
    announced,
    disclosed,
    key_part_of,
)
from neibao.alarmrouting.v1 import alarm_pb2
from neibao.unitregistry.v1 import dossier_pb2, events_pb2
from neibao_privacy import FieldCipher, PrivacyKeys, field_context

UNIT = "91210102MA0LN001X3"
POLICE = frozenset({"police"})
ADMIN = frozenset({"province-admin"})
UNIT_SECURITY = frozenset({"unit-security"})
REGULATOR = frozenset({"regulator"})


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def keys() -> PrivacyKeys:
    """Fresh keys per test (never a fixed key in code), shared by the registry and alarm routing."""
    return PrivacyKeys.model_validate({"keys": f"k1:{_key()}", "active_key": "k1", "index_key": _key()})


@pytest.fixture
def cipher(keys: PrivacyKeys) -> PersonalDataCipher:
    return PersonalDataCipher.from_keys(keys)


def registry_person(
    keys: PrivacyKeys, phone: str = "13812345678", **fields: object
) -> events_pb2.DossierUpdated:
    """A DossierUpdated announcing a person as the registry writes it: the phone sealed beside the person."""
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "uscc": UNIT,
        "role": dossier_pb2.RESPONSIBLE_ROLE_FIRST_RESPONSIBLE,
        "name": "王建国",
        "position": "总经理",
        "version": 3,
        **fields,
    }
    person = dossier_pb2.ResponsiblePerson(**values)  # type: ignore[arg-type]
    context = field_context(*EVENT_PHONE_PLACE, person.id)
    sealed = FieldCipher.from_keys(keys).encrypt_text(phone, context=context) if phone else b""
    return events_pb2.DossierUpdated(
        uscc=UNIT, item_id=person.id, responsible_person=person, responsible_person_phone_sealed=sealed
    )


def test_a_person_row_holds_the_phone_sealed_and_blindly_indexed(
    keys: PrivacyKeys, cipher: PersonalDataCipher
) -> None:
    message = registry_person(keys)
    assert b"13812345678" not in message.SerializeToString()  # sealed on the stream too
    values = person_values(message, cipher)

    assert values["role"] == "first_responsible"
    assert values["registry_version"] == 3
    assert b"13812345678" not in values["phone"]
    assert cipher.open_phone(values["id"], values["phone"]) == "13812345678"
    with pytest.raises(Exception, match="authentication failed"):
        cipher.open_phone(uuid.uuid4(), values["phone"])  # copied to another row: unreadable
    assert values["phone_index"] == cipher.phone_index("+86 138-1234-5678")
    assert values["phone_index"] != cipher.phone_index("13812345679")


def test_a_person_without_a_phone_stores_nothing_to_protect(
    keys: PrivacyKeys, cipher: PersonalDataCipher
) -> None:
    values = person_values(registry_person(keys, phone=""), cipher)
    assert values["phone"] is None
    assert values["phone_index"] is None


@pytest.mark.parametrize(
    "broken",
    [{"id": "not-a-uuid"}, {"role": dossier_pb2.RESPONSIBLE_ROLE_UNSPECIFIED}],
    ids=["id", "role"],
)
def test_a_malformed_person_is_refused_so_the_consumer_dead_letters_it(
    broken: dict[str, object], keys: PrivacyKeys, cipher: PersonalDataCipher
) -> None:
    with pytest.raises(ValueError, match=r"UUID|role"):
        person_values(registry_person(keys, "13812345678", **broken), cipher)


def test_a_phone_that_does_not_open_is_refused_so_the_consumer_dead_letters_it(
    keys: PrivacyKeys, cipher: PersonalDataCipher
) -> None:
    other_keys = PrivacyKeys.model_validate({"keys": f"k1:{_key()}", "active_key": "k1", "index_key": _key()})
    moved = registry_person(keys)
    moved.responsible_person.id = str(uuid.uuid4())  # sealed for another person
    tampered = registry_person(keys)
    sealed = tampered.responsible_person_phone_sealed
    tampered.responsible_person_phone_sealed = sealed[:-1] + bytes([sealed[-1] ^ 1])
    foreign = registry_person(other_keys)  # sealed with keys this service does not hold
    unknown = registry_person(
        PrivacyKeys.model_validate({"keys": f"k9:{_key()}", "active_key": "k9", "index_key": _key()})
    )
    for message in (moved, tampered, foreign, unknown):
        with pytest.raises(ValueError, match=r"sealed phone of responsible person .* does not open"):
            person_values(message, cipher)


def test_key_parts_and_plans_map_to_their_rows() -> None:
    part = dossier_pb2.KeyPart(
        id=str(uuid.uuid4()),
        uscc=UNIT,
        name="金库",
        location="地下一层",
        protection_measures=["双人双锁"],
        required_device_types=[
            dossier_pb2.DEVICE_TYPE_VIDEO_CAMERA,
            dossier_pb2.DEVICE_TYPE_ONE_BUTTON_ALARM,
        ],
        version=2,
    )
    plan = dossier_pb2.EmergencyPlan(
        id=str(uuid.uuid4()),
        plan_id=str(uuid.uuid4()),
        uscc=UNIT,
        version=2,
        title="火灾事故应急预案",
        scenario="火灾",
        content="疏散路线……",
        effective_on="2026-01-01",
    )

    part_row = key_part_values(part)
    plan_row = plan_values(plan)

    assert part_row["required_device_types"] == ["video_camera", "one_button_alarm"]
    assert (part_row["name"], part_row["location"], part_row["registry_version"]) == ("金库", "地下一层", 2)
    assert plan_row["plan_id"] == uuid.UUID(plan.plan_id)
    assert (plan_row["version"], plan_row["title"]) == (2, "火灾事故应急预案")
    assert plan_row["effective_on"] == "2026-01-01"


VAULT = KeyPartSummary(id=str(uuid.uuid4()), name="金库", location="地下一层")
CASHIER = KeyPartSummary(id=str(uuid.uuid4()), name="Cashier Desk", location="一层")
CONTEXT = UnitContext(
    emergency_plans=(EmergencyPlanSummary(str(uuid.uuid4()), str(uuid.uuid4()), 1, "火灾事故应急预案"),),
    key_parts=(VAULT, CASHIER),
    responsible_persons=(
        ResponsibleContact("b", ResponsibleRole.CO_RESPONSIBLE, "李四", "保卫科长", "13900001111"),
        ResponsibleContact("a", ResponsibleRole.FIRST_RESPONSIBLE, "张三", "总经理", "13812345678"),
        ResponsibleContact("c", ResponsibleRole.CO_RESPONSIBLE, "赵六", "值班", ""),
    ),
)


@pytest.mark.parametrize("roles", [POLICE, ADMIN], ids=["police", "province-admin"])
def test_police_and_the_province_admin_see_phones_in_clear_and_whose(roles: frozenset[str]) -> None:
    shown = disclosed(CONTEXT, "", roles)

    assert shown.responsible_persons[0].name == "张三"  # the first responsible person first
    assert {p.phone for p in shown.responsible_persons} == {"13812345678", "13900001111", ""}
    assert shown.disclosure.level is DisclosureLevel.CLEAR
    assert shown.disclosure.kinds == {PersonalDataKind.NAME, PersonalDataKind.PHONE}
    assert set(shown.disclosure.subject_ids) == {"a", "b", "c"}


@pytest.mark.parametrize("roles", [UNIT_SECURITY, REGULATOR], ids=["unit-security", "regulator"])
def test_everyone_else_sees_phones_masked_and_no_subjects(roles: frozenset[str]) -> None:
    shown = disclosed(CONTEXT, "", roles)

    assert [p.phone for p in shown.responsible_persons] == ["138****5678", "139****1111", ""]
    assert [p.name for p in shown.responsible_persons] == ["张三", "李四", "赵六"]
    assert shown.disclosure.level is DisclosureLevel.MASKED
    assert shown.disclosure.subject_ids == ()


def test_a_unit_without_people_discloses_nothing() -> None:
    shown = disclosed(UnitContext(key_parts=(VAULT,)), "", POLICE)
    assert shown.disclosure.level is DisclosureLevel.NONE
    assert shown.disclosure.kinds == frozenset()


def test_the_alarms_key_part_is_found_by_id_or_by_name() -> None:
    parts = CONTEXT.key_parts
    assert key_part_of(parts, VAULT.id) == VAULT
    assert key_part_of(parts, VAULT.id.upper()) == VAULT
    assert key_part_of(parts, " 金库 ") == VAULT
    assert key_part_of(parts, "cashier  desk") == CASHIER
    assert key_part_of(parts, "停车场") is None
    assert key_part_of(parts, "") is None
    assert disclosed(CONTEXT, VAULT.id, POLICE).alarm_key_part == VAULT


def test_the_key_part_the_alarms_device_guards_comes_first() -> None:
    parts = CONTEXT.key_parts
    assert key_part_of(parts, "金库", device_key_part=CASHIER.id) == CASHIER
    assert key_part_of(parts, "金库", device_key_part=str(uuid.uuid4())) == VAULT  # not a part of this unit
    assert disclosed(CONTEXT, "", UNIT_SECURITY, CASHIER.id).alarm_key_part == CASHIER


def test_the_context_in_proto_carries_the_disclosure_and_the_alarms_key_part() -> None:
    message = context_to_proto(disclosed(CONTEXT, "金库", UNIT_SECURITY))

    assert message.alarm_key_part.name == "金库"
    assert [p.name for p in message.key_parts] == ["金库", "Cashier Desk"]
    assert message.emergency_plans[0].title == "火灾事故应急预案"
    assert message.responsible_persons[0].role == alarm_pb2.RESPONSIBLE_ROLE_FIRST_RESPONSIBLE
    assert message.responsible_persons[0].phone == "138****5678"
    assert message.disclosure.level == alarm_pb2.DISCLOSURE_LEVEL_MASKED
    assert set(message.disclosure.kinds) == {
        alarm_pb2.PERSONAL_DATA_KIND_NAME,
        alarm_pb2.PERSONAL_DATA_KIND_PHONE,
    }


def test_an_alarm_event_carries_plans_without_content_and_key_parts_but_never_people() -> None:
    with_content = UnitContext(
        emergency_plans=(EmergencyPlanSummary("p", "v", 2, "火灾事故应急预案", "火灾", "疏散路线"),),
        key_parts=CONTEXT.key_parts,
        responsible_persons=CONTEXT.responsible_persons,
    )
    event = announced(with_content, "金库")

    assert event.responsible_persons == ()
    assert [(p.title, p.version, p.content) for p in event.emergency_plans] == [("火灾事故应急预案", 2, "")]
    assert event.key_parts == CONTEXT.key_parts
    assert event.alarm_key_part == VAULT
    assert event.disclosure.level is DisclosureLevel.NONE
