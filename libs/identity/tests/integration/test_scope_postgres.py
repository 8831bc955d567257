"""scope_clause on real PostgreSQL selects exactly the rows Scope.allows admits."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from neibao_identity import Principal, Role, Scope, scope_clause

HEPING_UNIT = "91210102MA0LN001X3"
POSTAL_ORG = "91210200MA0YP3D80R"
OTHER_UNIT = "91210211MA0QK7E244"


class Base(DeclarativeBase):
    pass


class UnitRow(Base):
    __tablename__ = "scoped_units"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18))
    jurisdiction: Mapped[str] = mapped_column(String(6))
    sector: Mapped[str | None] = mapped_column(String(32))


ROWS = [
    {"uscc": uscc, "jurisdiction": jurisdiction, "sector": sector}
    for uscc, jurisdiction, sector in itertools.product(
        (HEPING_UNIT, POSTAL_ORG, OTHER_UNIT),
        ("210102", "210103", "210100", "210211", "210200", "210000", "110101", "210"),
        ("postal", "commerce", None),
    )
]

PRINCIPALS = {
    "admin": Principal("1", "admin", frozenset({Role.PROVINCE_ADMIN}), jurisdiction="210000"),
    "police-province": Principal("2", "p", frozenset({Role.POLICE}), jurisdiction="210000"),
    "police-shenyang": Principal("3", "p", frozenset({Role.POLICE}), jurisdiction="210100"),
    "police-heping": Principal("4", "p", frozenset({Role.POLICE}), jurisdiction="210102"),
    "regulator-postal": Principal(
        "5", "r", frozenset({Role.REGULATOR}), jurisdiction="210000", sector="postal"
    ),
    "regulator-commerce-dalian": Principal(
        "6", "r", frozenset({Role.REGULATOR}), jurisdiction="210200", sector="commerce"
    ),
    "security-chief": Principal(
        "7", "s", frozenset({Role.UNIT_SECURITY}), jurisdiction="210102", unit=HEPING_UNIT
    ),
    "sector-system": Principal(
        "8", "service-account-x", frozenset({Role.SECTOR_SYSTEM}), sector="postal", org=POSTAL_ORG
    ),
    "police-and-chief": Principal(
        "9", "x", frozenset({Role.POLICE, Role.UNIT_SECURITY}), jurisdiction="210200", unit=HEPING_UNIT
    ),
    "no-role": Principal("10", "n", frozenset({"offline_access"}), jurisdiction="210000", sector="postal"),
    "police-bad-code": Principal("11", "p", frozenset({Role.POLICE}), jurisdiction="000000"),
}


@pytest.fixture
def engine(pg_database: str) -> Iterator[Engine]:
    engine = create_engine(pg_database)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(UnitRow(**row) for row in ROWS)
        session.commit()
    yield engine
    engine.dispose()


@pytest.mark.parametrize("name", sorted(PRINCIPALS))
def test_sql_and_predicate_agree_row_by_row(engine: Engine, name: str) -> None:
    scope = Scope.for_principal(PRINCIPALS[name])
    clause = scope_clause(scope, jurisdiction=UnitRow.jurisdiction, sector=UnitRow.sector, unit=UnitRow.uscc)

    with Session(engine) as session:
        selected = set(session.scalars(select(UnitRow.id).where(clause)))
        every = session.scalars(select(UnitRow)).all()
    admitted = {
        row.id
        for row in every
        if scope.allows(jurisdiction=row.jurisdiction, sector=row.sector, unit=row.uscc)
    }

    assert selected == admitted
    assert len(every) == len(ROWS)
    if name == "admin":
        assert len(selected) == len(ROWS)
    if name in {"no-role", "police-bad-code"}:
        assert selected == set()
    if name == "police-heping":
        assert {row.jurisdiction for row in every if row.id in selected} == {"210102"}
