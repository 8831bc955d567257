"""A list row answers with the very message its Unit would: the list view skips the domain object, not
a field; and the list statement binds every criterion as a value, never as SQL text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import cast

import pytest

from neibao_identity import Scope
from unit_registry.adapters.db.repositories import unit_from_row
from unit_registry.adapters.db.tables import UnitRow
from unit_registry.adapters.db.unit_search import list_statement, rarest_term
from unit_registry.domain.enums import KeyUnitCategory, Sector, UnitType
from unit_registry.domain.search import normalise_search_text, query_tokens
from unit_registry.entrypoints.translate import unit_summary_to_proto, unit_to_proto
from unit_registry.service.list_views import UnitSummary
from unit_registry.service.unit_of_work import UnitFilter

CREATED = datetime(2024, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


def _row(**changes: object) -> UnitSummary:
    row = UnitSummary(
        uscc="91210102MA0LN001X3",
        name="沈阳太原街商贸中心有限公司",
        former_names=["沈阳太原街商场"],
        unit_type=UnitType.RESERVE_OR_TRADE_CENTRE.value,
        sector=Sector.COMMERCE.value,
        sectors=[Sector.COMMERCE.value, Sector.HOUSING.value],
        jurisdiction="210102",
        police_station=None,
        address="辽宁省沈阳市和平区太原街1号",
        latitude=None,
        longitude=None,
        coordinate_system=None,
        legal_representative="",
        status="active",
        key_unit=False,
        key_unit_category=None,
        version=1,
        created_at=CREATED,
        updated_at=CREATED,
        closed_at=None,
        filing_overdue=False,
        drills_overdue=False,
        hazards_overdue=False,
        jurisdiction_name=None,
    )
    return row._replace(**changes)


@pytest.mark.parametrize(
    "row",
    [
        _row(),
        _row(
            police_station="210102010000",
            latitude=41.796,
            longitude=123.411,
            coordinate_system="gcj02",
            legal_representative="张三",
            status="closed",
            key_unit=True,
            key_unit_category=KeyUnitCategory.TRANSPORT_HUB.value,
            version=7,
            updated_at=CREATED + timedelta(days=400, microseconds=999999),
            closed_at=datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=8))),
            filing_overdue=True,
            drills_overdue=True,
            hazards_overdue=True,
            jurisdiction_name="和平区",
        ),
    ],
)
def test_a_list_row_translates_as_its_unit(row: UnitSummary) -> None:
    unit = unit_from_row(cast(UnitRow, row), row.jurisdiction_name)
    assert unit_summary_to_proto(row) == unit_to_proto(unit)
    assert unit_summary_to_proto(row).SerializeToString() == unit_to_proto(unit).SerializeToString()


def _criteria(fragment: str, **more: object) -> UnitFilter:
    text = normalise_search_text(fragment)
    return UnitFilter(tokens=tuple(query_tokens(text)), fragment=text, **more)  # type: ignore[arg-type]


def test_the_rarest_term_walks() -> None:
    frequencies = {"中国": 0.1, "国石": 0.01, "key_unit:false": 0.9}
    assert rarest_term(["中国", "国石", "石化"], frequencies) == "石化"  # not among the common terms
    assert rarest_term(["中国", "国石"], frequencies) == "国石"


def test_criteria_are_bound_values_and_the_scope_stays_in_the_statement() -> None:
    police = Scope(roles=frozenset({"police"}), jurisdiction_prefix="2101")
    sql, values = list_statement(_criteria("x' OR '1'='1"), police, 51, {})
    assert "OR '1'" not in sql
    assert values["fragment"] == "x'or'1'='1"
    assert "unit.jurisdiction LIKE" in sql  # the caller's scope, on every unit row
    assert values["scope_jurisdiction"] == "2101"
    assert values["scope_jurisdiction_end"] == "2102"
    # Same shape, other values: the same statement text (compiled once).
    again, _ = list_statement(_criteria("和平区"), police, 51, {})
    assert again == sql
    _, wild = list_statement(_criteria("100%_"), police, 51, {})
    assert wild["fragment"] == "100/%/_"
