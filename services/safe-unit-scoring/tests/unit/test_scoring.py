"""The model's arithmetic: each indicator's points from facts derived as of a day, with evidence."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.facts import FactItem, ItemKind
from safe_unit_scoring.domain.scoring import score

TODAY = date(2026, 11, 25)
MODEL = load_model()


def item(kind: ItemKind, item_id: str, *events: str, **attributes: Any) -> FactItem:
    return FactItem(kind, item_id, attributes, events or (f"ev-{item_id}",))


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def exemplary_unit() -> list[FactItem]:
    """Everything in order: full marks."""
    return [
        item(ItemKind.FILING, "f1", state="accepted"),
        *(item(ItemKind.TRAINING, f"t{n}", trained_on=ago(30 + n), result="passed") for n in range(4)),
        item(ItemKind.DRILL, "d1", drilled_on=ago(75)),
        item(ItemKind.DRILL, "d2", drilled_on=ago(200)),
        item(ItemKind.DEVICE, "v1", status="online"),
        item(ItemKind.DEVICE, "v2", status="online"),
        item(ItemKind.COMPLIANCE, "devices", compliant=True, unmet=[]),
    ]


def test_a_unit_with_everything_in_order_scores_100() -> None:
    result = score(MODEL, exemplary_unit(), TODAY)
    assert result.total == Decimal("100.00")
    assert all(i.points == i.weight for i in result.indicators)
    assert result.vetoes == ()


def test_a_unit_nothing_is_known_of_scores_only_what_it_has_not_lost() -> None:
    result = score(MODEL, [], TODAY)
    # No filing, training, drill, device or compliance: 0; no hazards or incidents: nothing deducted.
    assert result.total == Decimal("40.00")
    assert result.indicator("filing_accepted").explanation == "filing_accepted unknown: zero points"


def test_counts_below_the_threshold_give_points_in_proportion() -> None:
    items = [i for i in exemplary_unit() if i.item_id != "d2"]
    items.append(item(ItemKind.DRILL, "d-old", drilled_on=ago(420)))  # outside the 12 months
    drills = score(MODEL, items, TODAY).indicator("drills")
    assert drills.points == Decimal("7.50")
    assert [e.item_id for e in drills.facts["drills_12m"].evidence] == ["d1"]


def test_a_hazard_rectified_late_is_deducted_with_the_hazard_as_evidence() -> None:
    late = item(
        ItemKind.HAZARD,
        "h-late",
        "ev-open",
        "ev-rectified",
        state="rectified",
        deadline=ago(10),
        rectified_on=ago(2),
    )
    on_time = item(ItemKind.HAZARD, "h-ok", state="verified", deadline=ago(5), rectified_on=ago(8))
    result = score(MODEL, [*exemplary_unit(), late, on_time], TODAY)
    deduction = result.indicator("hazards_rectified_late")
    assert deduction.points == Decimal("5.00")
    (evidence,) = deduction.facts["hazards_rectified_late_12m"].evidence
    assert (evidence.item_id, evidence.event_ids) == ("h-late", ("ev-open", "ev-rectified"))
    assert evidence.note == f"deadline {ago(10)}, rectified {ago(2)}: 8 days late"
    assert result.indicator("hazards_on_time").points == Decimal("5.00")  # 1 of 2 on time
    assert result.total == Decimal("90.00")


def test_rectifying_an_overdue_hazard_late_lowers_the_score() -> None:
    open_overdue = item(ItemKind.HAZARD, "h1", state="open", deadline=ago(10))
    before = score(MODEL, [*exemplary_unit(), open_overdue], TODAY)
    rectified = item(
        ItemKind.HAZARD, "h1", state="rectified", deadline=ago(10), rectified_on=TODAY.isoformat()
    )
    after = score(MODEL, [*exemplary_unit(), rectified], TODAY)
    assert before.indicator("hazards_open_overdue").points == Decimal("3.00")
    assert after.indicator("hazards_open_overdue").points == Decimal("5.00")
    assert after.indicator("hazards_rectified_late").points == Decimal("5.00")
    assert after.total < before.total


def test_deductions_stop_at_zero() -> None:
    incidents = [
        item(ItemKind.INCIDENT, f"a{n}", outcome="real", alarm_kind="intrusion", occurred_on=ago(n + 1))
        for n in range(4)
    ]
    result = score(MODEL, [*exemplary_unit(), *incidents], TODAY)
    assert result.indicator("real_incidents").points == Decimal("0.00")
    assert result.vetoes == ()


def test_false_alarms_are_not_incidents() -> None:
    false = item(ItemKind.INCIDENT, "a1", outcome="false", alarm_kind="hold_up", occurred_on=ago(1))
    assert score(MODEL, [*exemplary_unit(), false], TODAY).total == Decimal("100.00")


def test_a_real_robbery_is_a_veto_with_its_alarm_as_evidence() -> None:
    robbery = item(ItemKind.INCIDENT, "a1", outcome="real", alarm_kind="hold_up", occurred_on=ago(1))
    result = score(MODEL, [*exemplary_unit(), robbery], TODAY)
    (veto,) = result.vetoes
    assert (veto.veto, [e.item_id for e in veto.evidence]) == ("major_incident", ["a1"])


@pytest.mark.parametrize(("online", "points"), [(0, "0.00"), (1, "5.00"), (2, "10.00"), (3, "15.00")])
def test_device_online_rate(online: int, points: str) -> None:
    devices = [item(ItemKind.DEVICE, f"v{n}", status="online" if n < online else "offline") for n in range(3)]
    devices.append(item(ItemKind.DEVICE, "retired", status="offline", retired=True))
    result = score(MODEL, devices, TODAY)
    assert result.indicator("devices_online").points == Decimal(points)


def test_a_returned_filing_is_not_accepted() -> None:
    result = score(MODEL, [item(ItemKind.FILING, "f1", state="returned")], TODAY)
    indicator = result.indicator("filing_accepted")
    assert indicator.points == Decimal("0.00")
    assert [e.note for e in indicator.facts["filing_accepted"].evidence] == ["returned"]


def test_the_stored_explanation_lists_at_most_50_items_per_fact() -> None:
    from safe_unit_scoring.adapters.explanation import MAX_EVIDENCE, explanation_json

    drills = [item(ItemKind.DRILL, f"d{n}", drilled_on=ago(n + 1)) for n in range(MAX_EVIDENCE + 10)]
    document = explanation_json(score(MODEL, drills, TODAY))
    (fact,) = next(i for i in document["indicators"] if i["indicator"] == "drills")["facts"]
    assert (fact["value"], len(fact["evidence"])) == (str(MAX_EVIDENCE + 10), MAX_EVIDENCE)
