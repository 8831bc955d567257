"""Who sees personal data in clear, and who writes which part of a dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from unit_registry.domain import policy
from unit_registry.domain.disclosure import Discloser, DisclosureLevel, PersonalDataKind
from unit_registry.domain.enums import PartyKind, Sector, UnitType
from unit_registry.domain.errors import Forbidden
from unit_registry.domain.inspections import Party
from unit_registry.domain.model import Actor, Unit, UnitDraft

SHOP = Unit.register(
    UnitDraft(
        "91210102MA0LN001X3",
        "沈阳太原街商贸中心有限公司",
        UnitType.RESERVE_OR_TRADE_CENTRE,
        Sector.COMMERCE,
        "210102",
        "地址",
    ),
    datetime(2025, 1, 1, tzinfo=UTC),
)


def actor(role: str, jurisdiction: str | None = None, **claims: str) -> Actor:
    return Actor(subject=role, name=role, roles=frozenset({role}), jurisdiction=jurisdiction, **claims)  # type: ignore[arg-type]


ADMIN = actor("province-admin", "210000")
HEPING = actor("police", "210102")
SHENYANG = actor("police", "210100")
DALIAN = actor("police", "210200")
COMMERCE = actor("regulator", "210000", sector="commerce")
POSTAL = actor("regulator", "210000", sector="postal")
COMMERCE_DALIAN = actor("regulator", "210200", sector="commerce")
OWN = actor("unit-security", "210102", unit="91210102MA0LN001X3")
OTHER = actor("unit-security", "210102", unit="91210200MA0YP3D80R")


@dataclass(frozen=True)
class Person:
    resident_id: str
    phone: str
    name: str = "王芳"


PERSON = Person("11010519491231002X", "13812345678")


@pytest.mark.parametrize(
    ("who", "clear"), [(ADMIN, True), (HEPING, True), (DALIAN, True), (OWN, False), (COMMERCE, False)]
)
def test_police_read_clear_everyone_else_masked(who: Actor, clear: bool) -> None:
    discloser = Discloser.for_actor(who)
    shown = discloser.reveal(
        PERSON, "p1", resident_id=PersonalDataKind.RESIDENT_ID, phone=PersonalDataKind.PHONE
    )
    disclosure = discloser.result()
    assert disclosure.kinds == {PersonalDataKind.RESIDENT_ID, PersonalDataKind.PHONE}
    if clear:
        assert shown == PERSON
        assert (disclosure.level, disclosure.subject_ids) == (DisclosureLevel.CLEAR, ("p1",))
    else:
        assert (shown.resident_id, shown.phone, shown.name) == ("110105********002X", "138****5678", "王芳")
        assert (disclosure.level, disclosure.subject_ids) == (DisclosureLevel.MASKED, ())


def test_no_personal_data_no_disclosure() -> None:
    discloser = Discloser.for_actor(HEPING)
    discloser.reveal(
        Person("", ""), "p1", resident_id=PersonalDataKind.RESIDENT_ID, phone=PersonalDataKind.PHONE
    )
    assert discloser.result().level is DisclosureLevel.NONE
    masked = Discloser(clear=False).reveal(PERSON, "p1", name=PersonalDataKind.NAME)
    assert masked.name == "王*"


def test_unit_security_keeps_its_own_dossier_only() -> None:
    policy.check_may_keep_dossier(OWN, SHOP, "staff")
    for who in (OTHER, HEPING, ADMIN, COMMERCE):
        with pytest.raises(Forbidden):
            policy.check_may_keep_dossier(who, SHOP, "staff")


def test_filings_are_prepared_by_the_unit_or_its_police_and_decided_by_police() -> None:
    for who in (OWN, HEPING, SHENYANG, ADMIN):
        policy.check_may_prepare_filing(who, SHOP)
    for who in (OTHER, DALIAN, COMMERCE):
        with pytest.raises(Forbidden):
            policy.check_may_prepare_filing(who, SHOP)
    for who in (HEPING, SHENYANG, ADMIN):
        policy.check_may_decide_filing(who, SHOP)
    for who in (OWN, DALIAN, COMMERCE):
        with pytest.raises(Forbidden):
            policy.check_may_decide_filing(who, SHOP)


def test_informants_and_workstations_are_police_business() -> None:
    for check in (policy.check_may_keep_informants, policy.check_may_keep_workstations):
        check(HEPING, SHOP)
        for who in (OWN, COMMERCE, DALIAN):
            with pytest.raises(Forbidden):
                check(who, SHOP)


def test_inspecting_parties() -> None:
    assert policy.inspecting_party(HEPING, SHOP) == Party(PartyKind.POLICE)
    assert policy.inspecting_party(ADMIN, SHOP) == Party(PartyKind.POLICE)
    assert policy.inspecting_party(COMMERCE, SHOP) == Party(PartyKind.REGULATOR, Sector.COMMERCE)
    for who in (POSTAL, COMMERCE_DALIAN, OWN, DALIAN):
        with pytest.raises(Forbidden):
            policy.inspecting_party(who, SHOP)


def test_the_inspecting_party_opens_and_verifies_its_hazards() -> None:
    regulator_party = Party(PartyKind.REGULATOR, Sector.COMMERCE)
    policy.check_may_open_hazard(COMMERCE, SHOP, regulator_party)
    policy.check_may_verify(COMMERCE, SHOP, regulator_party)
    policy.check_may_verify(ADMIN, SHOP, regulator_party)
    with pytest.raises(Forbidden):
        policy.check_may_verify(HEPING, SHOP, regulator_party)
    with pytest.raises(Forbidden):
        policy.check_may_open_hazard(COMMERCE, SHOP, Party(PartyKind.POLICE))
    policy.check_may_rectify(OWN, SHOP)
    with pytest.raises(Forbidden):
        policy.check_may_rectify(HEPING, SHOP)


def test_only_police_look_staff_up_by_resident_id() -> None:
    policy.check_may_look_up_resident_id(DALIAN)
    policy.check_may_look_up_resident_id(ADMIN)
    for who in (OWN, COMMERCE):
        with pytest.raises(Forbidden):
            policy.check_may_look_up_resident_id(who)
