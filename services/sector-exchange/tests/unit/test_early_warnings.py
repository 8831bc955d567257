"""The early-warning rules on facts alone, and the packaged rules file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sector_exchange.adapters.early_warning_rules import InvalidRules, load_rules, parse_rules
from sector_exchange.domain.early_warnings import (
    FuelSale,
    Shipment,
    fuel_sale_warnings,
    shipment_warnings,
    warning_id,
)

BOOK = load_rules()
T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
BUYER = b"\x01" * 16
STATIONS = ("91210102MA0LN001X3", "91210103MA0FT0025A", "91210104MA0FT0033K")


def sale(n: int, station: str, at: datetime, **changes: Any) -> FuelSale:
    values: dict[str, Any] = {
        "record_id": f"r{n}",
        "batch_id": "b1",
        "station_uscc": station,
        "jurisdiction": "210102",
        "sold_at": at,
        "buyer": BUYER,
        "litres": 20.0,
        "certificate_no": f"C{n}",
        "new": True,
    }
    values.update(changes)
    return FuelSale(**values)


def rule_ids(warnings: list[Any]) -> list[str]:
    return sorted(w.rule_id for w in warnings)


def test_the_packaged_rules_cover_the_issue() -> None:
    assert BOOK.version
    assert {r.id for r in BOOK.rules} == {
        "fuel-buyer-many-stations",
        "fuel-certificate-litres-exceeded",
        "fuel-certificate-expired",
        "express-site-xray-below-100",
        "express-prohibited-item",
    }


def test_three_stations_within_a_day_raise_one_warning_about_the_third() -> None:
    sales = [
        sale(1, STATIONS[0], T0),
        sale(2, STATIONS[1], T0 + timedelta(hours=5)),
        sale(3, STATIONS[2], T0 + timedelta(hours=23)),
    ]
    (warning,) = fuel_sale_warnings(BOOK, sales)
    assert warning.rule_id == "fuel-buyer-many-stations"
    assert warning.uscc == STATIONS[2]
    assert warning.record_ids == ("r1", "r2", "r3")
    assert warning.priority == 2
    assert "3个加油站" in warning.summary
    assert BUYER.hex() not in warning.summary
    # The same facts again, in another order: the same warning id.
    assert fuel_sale_warnings(BOOK, list(reversed(sales)))[0].warning_id == warning.warning_id
    # A fourth sale in the same window is the same finding.
    more = [*sales, sale(4, STATIONS[1], T0 + timedelta(hours=23, minutes=30))]
    assert [w.warning_id for w in fuel_sale_warnings(BOOK, more)] == [warning.warning_id]


def test_two_stations_or_three_spread_over_more_than_a_day_raise_nothing() -> None:
    assert fuel_sale_warnings(BOOK, [sale(1, STATIONS[0], T0), sale(2, STATIONS[1], T0)]) == []
    spread = [
        sale(1, STATIONS[0], T0),
        sale(2, STATIONS[1], T0 + timedelta(hours=13)),
        sale(3, STATIONS[2], T0 + timedelta(hours=25)),
    ]
    assert fuel_sale_warnings(BOOK, spread) == []
    same_station = [sale(n, STATIONS[0], T0 + timedelta(hours=n)) for n in range(5)]
    assert fuel_sale_warnings(BOOK, same_station) == []


def test_old_sales_alone_raise_nothing() -> None:
    old = [sale(n, STATIONS[n], T0, new=False) for n in range(3)]
    assert fuel_sale_warnings(BOOK, old) == []


def test_a_certificate_is_checked_for_its_litres_and_its_validity() -> None:
    issued = T0 - timedelta(days=1)
    within = [
        sale(1, STATIONS[0], T0, certificate_no="C", certificate_litres=50.0, certificate_issued_at=issued),
        sale(2, STATIONS[0], T0, certificate_no="C", certificate_litres=50.0, litres=30.0, new=False),
    ]
    assert fuel_sale_warnings(BOOK, within) == []
    over = [*within, sale(3, STATIONS[1], T0 + timedelta(hours=1), certificate_no="C", litres=0.5)]
    (warning,) = fuel_sale_warnings(BOOK, over)
    assert (warning.rule_id, warning.uscc) == ("fuel-certificate-litres-exceeded", STATIONS[1])
    assert warning.warning_id == warning_id("fuel-certificate-litres-exceeded", "C")
    assert "50.5" in warning.summary
    late = sale(4, STATIONS[0], issued + timedelta(days=3, minutes=1), certificate_issued_at=issued)
    assert rule_ids(fuel_sale_warnings(BOOK, [late])) == ["fuel-certificate-expired"]
    on_time = sale(5, STATIONS[0], issued + timedelta(days=3), certificate_issued_at=issued)
    assert fuel_sale_warnings(BOOK, [on_time]) == []


def shipment(n: int, **changes: Any) -> Shipment:
    values: dict[str, Any] = {
        "record_id": f"s{n}",
        "batch_id": "b1",
        "organisation": "91210200MA0YP3D80R",
        "waybill_no": f"W{n}",
        "site_name": "中山区人民路营业部",
        "jurisdiction": "210202",
        "accepted_at": T0,
        "xray_screened": True,
        "prohibited_item_found": False,
    }
    values.update(changes)
    return Shipment(**values)


def test_a_site_below_100_percent_xray_warns_once_per_day_and_a_prohibited_item_per_waybill() -> None:
    assert shipment_warnings(BOOK, [shipment(1), shipment(2)]) == []
    missed = [shipment(1, xray_screened=False), shipment(2, xray_screened=False), shipment(3)]
    (warning,) = shipment_warnings(BOOK, missed)
    assert warning.rule_id == "express-site-xray-below-100"
    assert (warning.uscc, warning.jurisdiction, warning.record_ids) == (
        "91210200MA0YP3D80R",
        "210202",
        ("s1", "s2"),
    )
    assert "2件未过机" in warning.summary
    # 16:30 UTC is the next day in China: another day, another warning.
    next_day = shipment_warnings(
        BOOK, [shipment(4, xray_screened=False, accepted_at=T0 + timedelta(hours=15, minutes=30))]
    )
    assert next_day[0].warning_id != warning.warning_id
    found = shipment_warnings(BOOK, [shipment(5, prohibited_item_found=True)])
    assert rule_ids(found) == ["express-prohibited-item"]
    assert found[0].warning_id == warning_id("express-prohibited-item", "91210200MA0YP3D80R", "W5")


@pytest.mark.parametrize(
    "document",
    [
        {"rules": []},
        {"version": "1", "rules": [{"id": "a", "check": "nope", "priority": 1, "summary": ""}]},
        {
            "version": "1",
            "rules": [{"id": "a", "check": "certificate_expired", "priority": 5, "summary": ""}],
        },
        {
            "version": "1",
            "rules": [
                {"id": "a", "check": "certificate_expired", "priority": 1, "summary": "", "stations": 2}
            ],
        },
        {
            "version": "1",
            "rules": [{"id": "a", "check": "certificate_expired", "priority": 1, "summary": "{buyer}"}],
        },
        {
            "version": "1",
            "rules": [
                {"id": "a", "check": "certificate_expired", "priority": 1, "summary": ""},
                {"id": "a", "check": "prohibited_item_found", "priority": 1, "summary": ""},
            ],
        },
    ],
)
def test_a_malformed_rules_file_is_refused(document: dict[str, Any]) -> None:
    with pytest.raises(InvalidRules):
        parse_rules(document)


def test_a_rules_file_sets_parameters() -> None:
    book = parse_rules(
        {
            "version": "x",
            "rules": [
                {"id": "two", "check": "buyer_at_many_stations", "priority": 1, "summary": "", "stations": 2}
            ],
        }
    )
    (warning,) = fuel_sale_warnings(book, [sale(1, STATIONS[0], T0), sale(2, STATIONS[1], T0)])
    assert (warning.rule_id, warning.rules_version, warning.priority) == ("two", "x", 1)
