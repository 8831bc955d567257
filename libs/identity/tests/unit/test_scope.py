"""Scope: jurisdiction prefixes, the pure predicate and the SQL clause (rendered)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import String, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from neibao_identity import Principal, Role, Scope, jurisdiction_prefix, scope_clause

HEPING_UNIT = "91210102MA0LN001X3"
POSTAL_ORG = "91210200MA0YP3D80R"


class Base(DeclarativeBase):
    pass


class Unit(Base):
    __tablename__ = "units"
    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))
    sector: Mapped[str | None] = mapped_column(String(32))


def person(role: str, jurisdiction: str | None = None, **claims: str) -> Principal:
    return Principal(
        subject=f"sub-{role}", username=role, roles=frozenset({role}), jurisdiction=jurisdiction, **claims
    )


def where(scope: Scope, *, sector: bool = True, unit: bool = True) -> str:
    clause = scope_clause(
        scope,
        jurisdiction=Unit.jurisdiction,
        sector=Unit.sector if sector else None,
        unit=Unit.uscc if unit else None,
    )
    statement = select(Unit.uscc).where(clause)
    sql = str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    sql = sql.replace("%%", "%")  # the psycopg dialects escape % for their pyformat paramstyle
    return " ".join(sql.split("WHERE", 1)[1].split()) if "WHERE" in sql else "<no where>"


@pytest.mark.parametrize(
    ("code", "prefix"),
    [
        ("210000", "21"),
        ("210100", "2101"),
        ("210102", "210102"),
        ("210200", "2102"),
        ("210010", "210010"),  # only whole "00" pairs are stripped
        ("110000", "11"),
    ],
)
def test_jurisdiction_prefix_strips_trailing_zero_pairs(code: str, prefix: str) -> None:
    assert jurisdiction_prefix(code) == prefix


@pytest.mark.parametrize(
    "code", ["000000", "", "21", "2101", "21010", "2101020", "21a102", " 210102", "021000"]
)
def test_anything_but_a_six_digit_code_has_no_prefix(code: str) -> None:
    assert jurisdiction_prefix(code) is None


def test_scope_for_each_demo_account() -> None:
    admin = Scope.for_principal(person(Role.PROVINCE_ADMIN, "210000"))
    shenyang = Scope.for_principal(person(Role.POLICE, "210100"))
    postal = Scope.for_principal(person(Role.REGULATOR, "210000", sector="postal"))
    chief = Scope.for_principal(person(Role.UNIT_SECURITY, "210102", unit=HEPING_UNIT))

    assert admin.unrestricted
    assert admin.province_wide
    assert shenyang.jurisdiction_prefix == "2101"
    assert not shenyang.province_wide
    assert not shenyang.unrestricted
    assert postal.province_wide
    assert not postal.unrestricted
    assert postal.sector == "postal"
    assert chief.unit == HEPING_UNIT
    assert chief.jurisdiction_prefix == "210102"


def test_allows_follows_the_rules() -> None:
    admin = Scope.for_principal(person(Role.PROVINCE_ADMIN))
    heping = Scope.for_principal(person(Role.POLICE, "210102"))
    shenyang = Scope.for_principal(person(Role.POLICE, "210100"))
    commerce_dalian = Scope.for_principal(person(Role.REGULATOR, "210200", sector="commerce"))
    chief = Scope.for_principal(person(Role.UNIT_SECURITY, "210102", unit=HEPING_UNIT))
    system = Scope.for_principal(
        Principal("s", "service-account-x", frozenset({Role.SECTOR_SYSTEM}), sector="postal", org=POSTAL_ORG)
    )
    nobody = Scope.for_principal(person("offline_access", "210000"))

    assert admin.allows(jurisdiction="110000")
    assert shenyang.allows(jurisdiction="210102")
    assert shenyang.allows(jurisdiction="210100")
    assert not shenyang.allows(jurisdiction="210202")
    assert not shenyang.allows(jurisdiction=None)
    assert heping.allows(jurisdiction="210102")
    assert not heping.allows(jurisdiction="210103")
    assert commerce_dalian.allows(jurisdiction="210211", sector="commerce")
    assert not commerce_dalian.allows(jurisdiction="210211", sector="postal")
    assert not commerce_dalian.allows(jurisdiction="210102", sector="commerce")
    assert not commerce_dalian.allows(jurisdiction="210211")
    assert chief.allows(jurisdiction="210102", unit=HEPING_UNIT)
    assert not chief.allows(jurisdiction="210102", unit=POSTAL_ORG)  # not its jurisdiction: its unit
    assert system.allows(unit=POSTAL_ORG, sector="postal")
    assert system.allows(unit=POSTAL_ORG)
    assert not system.allows(unit=POSTAL_ORG, sector="banking")
    assert not system.allows(jurisdiction="210200", unit=HEPING_UNIT)
    assert not nobody.allows(jurisdiction="210102", sector="postal", unit=HEPING_UNIT)


def test_scope_without_its_claim_grants_nothing() -> None:
    for principal in (
        person(Role.POLICE),
        person(Role.POLICE, "000000"),
        person(Role.REGULATOR, "210000"),  # no sector
        person(Role.REGULATOR, sector="postal"),  # no jurisdiction
        person(Role.UNIT_SECURITY, "210102"),  # no unit
        Principal("s", "service-account-x", frozenset({Role.SECTOR_SYSTEM}), sector="postal"),  # no org
    ):
        scope = Scope.for_principal(principal)
        assert not scope.allows(jurisdiction="210102", sector="postal", unit=HEPING_UNIT)
        assert where(scope) == "false"


def test_sql_for_province_admin_is_unrestricted() -> None:
    assert where(Scope.for_principal(person(Role.PROVINCE_ADMIN, "210000"))) == "true"


def test_sql_for_police_is_a_jurisdiction_prefix() -> None:
    assert where(Scope.for_principal(person(Role.POLICE, "210100"))) == "units.jurisdiction LIKE '2101%'"
    assert where(Scope.for_principal(person(Role.POLICE, "210000"))) == "units.jurisdiction LIKE '21%'"


def test_sql_for_a_regulator_is_prefix_and_sector() -> None:
    scope = Scope.for_principal(person(Role.REGULATOR, "210200", sector="commerce"))
    assert where(scope) == "units.jurisdiction LIKE '2102%' AND units.sector = 'commerce'"
    assert where(scope, sector=False) == "false"  # a table without a sector cannot show a regulator anything


def test_sql_for_unit_security_is_its_unit() -> None:
    scope = Scope.for_principal(person(Role.UNIT_SECURITY, "210102", unit=HEPING_UNIT))
    assert where(scope) == f"units.uscc = '{HEPING_UNIT}'"
    assert where(scope, unit=False) == "false"


def test_sql_for_a_sector_system_is_its_organisation_and_sector() -> None:
    scope = Scope.for_principal(
        Principal("s", "service-account-x", frozenset({Role.SECTOR_SYSTEM}), sector="postal", org=POSTAL_ORG)
    )
    assert (
        where(scope) == f"units.uscc = '{POSTAL_ORG}' AND (units.sector IS NULL OR units.sector = 'postal')"
    )
    assert where(scope, sector=False) == f"units.uscc = '{POSTAL_ORG}'"


def test_sql_for_several_roles_is_the_union_of_their_grants() -> None:
    principal = Principal(
        "s", "both", frozenset({Role.POLICE, Role.UNIT_SECURITY}), jurisdiction="210200", unit=HEPING_UNIT
    )
    assert where(Scope.for_principal(principal)) == (
        f"units.jurisdiction LIKE '2102%' OR units.uscc = '{HEPING_UNIT}'"
    )


def test_sql_without_any_platform_role_is_false() -> None:
    assert where(Scope.for_principal(person("default-roles-neibao", "210000", sector="postal"))) == "false"


def test_sql_binds_values_as_parameters() -> None:
    scope = Scope.for_principal(person(Role.UNIT_SECURITY, unit="x' OR '1'='1"))
    compiled = select(Unit.uscc).where(scope_clause(scope, jurisdiction=Unit.jurisdiction, unit=Unit.uscc))
    sql = str(compiled.compile(dialect=postgresql.dialect()))
    assert "x' OR" not in sql
    assert "%(uscc_1)s" in sql


codes = st.sampled_from(["210000", "210100", "210102", "210103", "210200", "210211", "110000", "000000"])
sectors = st.sampled_from(["postal", "commerce", "banking"])
units = st.sampled_from([HEPING_UNIT, POSTAL_ORG])
roles = st.frozensets(st.sampled_from(list(Role)), max_size=2)


@given(
    granted=roles,
    jurisdiction=st.none() | codes,
    sector=st.none() | sectors,
    unit=st.none() | units,
    org=st.none() | units,
    row_jurisdiction=codes,
    row_sector=sectors,
    row_unit=units,
)
def test_no_scope_sees_outside_its_jurisdiction_unless_by_unit_or_admin(
    *,
    granted: frozenset[str],
    jurisdiction: str | None,
    sector: str | None,
    unit: str | None,
    org: str | None,
    row_jurisdiction: str,
    row_sector: str,
    row_unit: str,
) -> None:
    principal = Principal("s", "u", granted, jurisdiction=jurisdiction, sector=sector, unit=unit, org=org)
    scope = Scope.for_principal(principal)
    visible = scope.allows(jurisdiction=row_jurisdiction, sector=row_sector, unit=row_unit)
    by_jurisdiction = scope.within_jurisdiction(row_jurisdiction)
    by_unit = row_unit in {unit, org} - {None}
    if visible:
        assert Role.PROVINCE_ADMIN in granted or by_jurisdiction or by_unit
    if not granted & {Role.PROVINCE_ADMIN, Role.POLICE}:
        # Without admin or police, a visible row matches the caller's sector or unit.
        assert not visible or row_sector == sector or by_unit
