"""Submitter health from what a feed sent: late, failing or healthy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sector_exchange.adapters.submitters import parse_submitters
from sector_exchange.domain.health import FeedActivity, FeedStatus, assess
from sector_exchange.domain.submitters import Submitter

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
POSTAL = Submitter("sector-postal-demo", "91210200MA0YP3D80R", "postal", frozenset({"postal/shipments"}))


def test_nothing_ever_sent_is_late_without_rates() -> None:
    health = assess(POSTAL, FeedActivity(), NOW)
    assert health.status is FeedStatus.LATE
    assert (health.rejection_rate, health.late_rate) == (None, None)


def test_a_recent_clean_feed_is_healthy_and_an_old_one_late() -> None:
    recent = FeedActivity(
        last_batch_at=NOW - timedelta(hours=2), records_7d=100, rejected_7d=5, kept_7d=95, late_7d=19
    )
    health = assess(POSTAL, recent, NOW)
    assert health.status is FeedStatus.HEALTHY
    assert health.rejection_rate == pytest.approx(0.05)
    assert health.late_rate == pytest.approx(0.2)
    stale = FeedActivity(last_batch_at=NOW - timedelta(hours=25), records_7d=100, rejected_7d=5)
    assert assess(POSTAL, stale, NOW).status is FeedStatus.LATE


def test_too_many_rejections_is_failing_even_when_on_time() -> None:
    rejecting = FeedActivity(last_batch_at=NOW, records_7d=10, rejected_7d=3)
    assert assess(POSTAL, rejecting, NOW).status is FeedStatus.FAILING
    assert assess(POSTAL, rejecting, NOW, failing_rejection_rate=0.5).status is FeedStatus.HEALTHY


def test_the_expected_interval_comes_from_the_registration() -> None:
    entry = {
        "client_id": "c",
        "organisation": "91210200MA0YP3D80R",
        "sector": "postal",
        "datasets": ["postal/shipments"],
        "expected_interval_hours": 2,
    }
    (submitter,) = parse_submitters({"submitters": [entry]}).all()
    assert (submitter.expected_interval_hours, submitter.division) == (2, "210200")
    late = FeedActivity(last_batch_at=NOW - timedelta(hours=3))
    assert assess(submitter, late, NOW).status is FeedStatus.LATE
    with pytest.raises(ValueError, match="expected_interval_hours"):
        parse_submitters({"submitters": [{**entry, "expected_interval_hours": 0}]})
