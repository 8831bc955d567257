"""Write rules: who may register, change, close and designate which units."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from unit_registry.domain import policy
from unit_registry.domain.enums import Sector, UnitType
from unit_registry.domain.errors import Forbidden
from unit_registry.domain.model import Actor, Unit, UnitDraft

UNIT = Unit.register(
    UnitDraft("91210102MA0LN001X3", "某单位", UnitType.ENTERPRISE, Sector.COMMERCE, "210102", "地址"),
    datetime(2025, 1, 1, tzinfo=UTC),
)


def actor(role: str, jurisdiction: str | None = None, **claims: str) -> Actor:
    return Actor(subject=role, name=role, roles=frozenset({role}), jurisdiction=jurisdiction, **claims)  # type: ignore[arg-type]


ADMIN = actor("province-admin", "210000")
HEPING = actor("police", "210102")
SHENYANG = actor("police", "210100")
DALIAN = actor("police", "210200")
REGULATOR = actor("regulator", "210000", sector="commerce")
OWN_SECURITY = actor("unit-security", "210102", unit="91210102MA0LN001X3")
OTHER_SECURITY = actor("unit-security", "210102", unit="91210200MA0YP3D80R")


@pytest.mark.parametrize(
    ("who", "allowed"), [(ADMIN, True), (HEPING, True), (SHENYANG, True), (DALIAN, False)]
)
def test_police_register_inside_their_jurisdiction(who: Actor, allowed: bool) -> None:
    if allowed:
        policy.check_may_register(who, "210102")
    else:
        with pytest.raises(Forbidden):
            policy.check_may_register(who, "210102")


def test_regulators_and_unit_security_do_not_register() -> None:
    for who in (REGULATOR, OWN_SECURITY):
        with pytest.raises(Forbidden):
            policy.check_may_register(who, "210102")


def test_unit_security_changes_basic_fields_of_its_own_unit_only() -> None:
    policy.check_may_update(OWN_SECURITY, UNIT, frozenset({"name", "address", "location"}), "210102")
    with pytest.raises(Forbidden, match="sector"):
        policy.check_may_update(OWN_SECURITY, UNIT, frozenset({"name", "sector"}), "210102")
    with pytest.raises(Forbidden):
        policy.check_may_update(OTHER_SECURITY, UNIT, frozenset({"name"}), "210102")


def test_regulators_read_only() -> None:
    with pytest.raises(Forbidden):
        policy.check_may_update(REGULATOR, UNIT, frozenset({"name"}), "210102")
    with pytest.raises(Forbidden):
        policy.check_may_close(REGULATOR, UNIT)


def test_police_cannot_move_a_unit_out_of_their_jurisdiction() -> None:
    policy.check_may_update(SHENYANG, UNIT, frozenset({"jurisdiction"}), "210103")
    with pytest.raises(Forbidden):
        policy.check_may_update(HEPING, UNIT, frozenset({"jurisdiction"}), "210103")


def test_district_police_propose_and_city_bureaus_decide() -> None:
    policy.check_may_propose_key_unit(HEPING, UNIT)
    with pytest.raises(Forbidden):
        policy.check_may_decide_key_unit(HEPING, UNIT)
    policy.check_may_decide_key_unit(SHENYANG, UNIT)
    policy.check_may_decide_key_unit(ADMIN, UNIT)
    with pytest.raises(Forbidden):
        policy.check_may_decide_key_unit(DALIAN, UNIT)


@pytest.mark.parametrize(
    ("code", "prefix"), [("210000", "21"), ("210100", "2101"), ("210102", "210102"), ("x", None)]
)
def test_jurisdiction_prefix(code: str, prefix: str | None) -> None:
    assert policy.jurisdiction_prefix(code) == prefix
