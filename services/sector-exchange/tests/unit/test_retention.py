"""Retention periods as data and the months records are partitioned into."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sector_exchange.adapters.retention import load_retention, parse_retention
from sector_exchange.domain.retention import Month, droppable, months_ahead

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def test_every_dataset_has_a_period_and_identity_data_is_kept_a_year() -> None:
    policy = load_retention()
    assert policy.days["commerce/fuel-sales"] >= 366
    periods = dict(policy.days)
    periods["postal/shipments"] = 365
    with pytest.raises(ValueError, match="identity data"):
        parse_retention({"datasets": periods})
    periods["postal/shipments"] = 400
    periods["banking/outlet-events"] = 30  # no identity data: a short period is allowed
    assert parse_retention({"datasets": periods}).days["banking/outlet-events"] == 30
    with pytest.raises(ValueError, match="no retention period"):
        parse_retention({"datasets": {"postal/shipments": 400}})
    with pytest.raises(ValueError, match="unknown"):
        parse_retention({"datasets": {**periods, "postal/parcels": 400}})


def test_months_are_named_and_bounded_in_utc() -> None:
    december = Month.of(datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert (december.name, december.start.isoformat(), december.end.isoformat()) == (
        "record_y2026m12",
        "2026-12-01T00:00:00+00:00",
        "2027-01-01T00:00:00+00:00",
    )
    assert Month.from_name("record_y2026m12") == december
    assert Month.from_name("record_default") is None
    assert [m.name for m in months_ahead(NOW, 2)] == ["record_y2026m11", "record_y2026m12", "record_y2027m01"]


def test_a_month_is_dropped_only_when_every_dataset_is_past_its_period() -> None:
    policy = parse_retention({"datasets": {**load_retention().days, "banking/outlet-events": 30}})
    months = [Month(2025, 9), Month(2025, 10), Month(2025, 11), Month(2026, 10)]
    # 400 days before 2026-11-25 is 2025-10-21: September 2025 is wholly past it, October not.
    assert droppable(months, policy, NOW) == [Month(2025, 9)]
    assert policy.cutoff("banking/outlet-events", NOW) == datetime(2026, 10, 26, 6, 0, tzinfo=UTC)
