"""Model 2026.2's facts from events already on the wire, each with its evidence: full-time staff in the
accepted filing, staff training currency, the median time the unit's security office takes to acknowledge
its alarms, inspection findings left unrectified; and the model's arithmetic over them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from neibao.alarmrouting.v1 import alarm_pb2
from neibao.alarmrouting.v1 import events_pb2 as alarm_events_pb2
from neibao.unitregistry.v1 import dossier_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from neibao_messaging import Event
from safe_unit_scoring.adapters import events as types
from safe_unit_scoring.adapters.indicator_model import load_model, load_packaged
from safe_unit_scoring.domain import facts
from safe_unit_scoring.domain.facts import FactItem, ItemKind
from safe_unit_scoring.domain.indicators import IndicatorModel
from safe_unit_scoring.domain.scoring import score
from safe_unit_scoring.entrypoints.consumers import facts_of

TODAY = date(2026, 11, 25)
MODEL = load_packaged("2026.2")
USCC = "91210102MA0TC0001D"


def item(kind: ItemKind, item_id: str, **attributes: Any) -> FactItem:
    return FactItem(kind, item_id, attributes, (f"ev-{item_id}",))


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def exemplary_unit() -> list[FactItem]:
    """Everything 2026.2 asks for in order."""
    return [
        item(ItemKind.FILING, "f1", state="accepted", full_time_staff=2),
        item(ItemKind.STAFF, "s1", removed=False),
        item(ItemKind.STAFF, "s2", removed=False),
        *(
            item(
                ItemKind.TRAINING, f"t{n}", trained_on=ago(30 + n), result="passed", staff_id=f"s{n % 2 + 1}"
            )
            for n in range(4)
        ),
        item(ItemKind.DRILL, "d1", drilled_on=ago(75)),
        item(ItemKind.DRILL, "d2", drilled_on=ago(200)),
        item(ItemKind.DEVICE, "v1", status="online"),
        item(ItemKind.COMPLIANCE, "devices", compliant=True, unmet=[]),
        item(ItemKind.ACKNOWLEDGEMENT, "a1", seconds=120, acknowledged_on=ago(10)),
    ]


def test_2026_2_weighs_100_points_and_keeps_the_current_models_place() -> None:
    assert MODEL.version == "2026.2"
    assert sum(f.weight for f in MODEL.families) == 100
    assert all(sum(i.points for i in f.indicators) == f.weight for f in MODEL.families)
    assert load_model().version == "2026.1"  # 2026.2 is chosen by configuration, not yet the default


def test_a_unit_with_everything_in_order_scores_100_under_2026_2() -> None:
    result = score(MODEL, exemplary_unit(), TODAY)
    assert result.total == 100
    assert all(i.points == i.weight for i in result.indicators)


def test_full_time_staff_come_from_the_accepted_filing() -> None:
    assert facts.full_time_security_staff([], TODAY).value is None
    submitted = [item(ItemKind.FILING, "f1", state="submitted", full_time_staff=3)]
    assert facts.full_time_security_staff(submitted, TODAY).value is None  # not accepted yet
    accepted = [item(ItemKind.FILING, "f1", state="accepted", full_time_staff=1)]
    fact = facts.full_time_security_staff(accepted, TODAY)
    assert fact.value == 1
    assert [(e.item_id, e.note) for e in fact.evidence] == [
        ("f1", "1 full-time staff in the accepted filing")
    ]
    indicator = score(MODEL, accepted, TODAY).indicator("full_time_staff")
    assert indicator.points == 2  # 1 of the 2 required
    assert score(MODEL, [], TODAY).indicator("full_time_staff").points == 0


def test_staff_training_is_current_for_12_months_and_a_failure_does_not_count() -> None:
    items = [
        item(ItemKind.STAFF, "s1", removed=False),
        item(ItemKind.STAFF, "s2", removed=False),
        item(ItemKind.STAFF, "s3", removed=True),  # left the unit
        item(ItemKind.TRAINING, "t1", staff_id="s1", trained_on=ago(20), result="passed"),
        item(ItemKind.TRAINING, "t2", staff_id="s2", trained_on=ago(400), result="passed"),  # lapsed
        item(ItemKind.TRAINING, "t3", staff_id="s2", trained_on=ago(10), result="failed"),
        item(ItemKind.TRAINING, "t4", staff_id="s3", trained_on=ago(10), result="passed"),
    ]
    assert facts.security_staff(items, TODAY).value == 2
    current = facts.staff_trained_12m(items, TODAY)
    assert current.value == 1
    assert [(e.kind, e.item_id, e.note) for e in current.evidence] == [
        ("staff", "s1", f"trained on {ago(20)}")
    ]
    assert score(MODEL, items, TODAY).indicator("staff_training_current").points == 2


@pytest.mark.parametrize(
    ("minutes", "median", "points"),
    [
        ([2, 4, 40], Decimal(4), Decimal(5)),
        ([10, 20], Decimal(15), Decimal(3)),  # 15 of 5..30: (30 − 15) / 25 of the points
        ([31, 45, 50], Decimal(45), Decimal(0)),
    ],
)
def test_the_median_acknowledgement_time_earns_points_up_to_its_limit(
    minutes: list[int], median: Decimal, points: Decimal
) -> None:
    items = [
        item(ItemKind.ACKNOWLEDGEMENT, f"a{n}", seconds=m * 60, acknowledged_on=ago(5 + n))
        for n, m in enumerate(minutes)
    ]
    items.append(item(ItemKind.ACKNOWLEDGEMENT, "old", seconds=3600, acknowledged_on=ago(500)))
    fact = facts.median_acknowledgement_minutes_12m(items, TODAY)
    assert fact.value == median
    assert "old" not in {e.item_id for e in fact.evidence}
    assert fact.evidence[0].note.startswith(f"acknowledged in {max(minutes)}.0 min")  # slowest first
    assert score(MODEL, items, TODAY).indicator("alarm_acknowledgement").points == points


def test_no_acknowledgement_keeps_the_points() -> None:
    indicator = score(MODEL, [], TODAY).indicator("alarm_acknowledgement")
    assert (indicator.points, indicator.explanation) == (
        Decimal(5),
        "median_acknowledgement_minutes_12m unknown: full points",
    )


def test_inspection_findings_left_unrectified_are_deducted_each() -> None:
    items = [
        item(ItemKind.HAZARD, "h1", state="open", inspection_id="i1", opened_on=ago(20), deadline=ago(-10)),
        item(ItemKind.HAZARD, "h2", state="open", inspection_id="i1", opened_on=ago(40), deadline=ago(5)),
        item(
            ItemKind.HAZARD, "h3", state="rectified", inspection_id="i1", opened_on=ago(40), deadline=ago(5)
        ),
        item(ItemKind.HAZARD, "h4", state="open", inspection_id="", opened_on=ago(40)),  # not an inspection's
        item(
            ItemKind.HAZARD, "h5", state="open", inspection_id="i0", opened_on=ago(400)
        ),  # before the window
    ]
    fact = facts.inspection_findings_unrectified_12m(items, TODAY)
    assert fact.value == 2
    assert [e.item_id for e in fact.evidence] == ["h1", "h2"]
    assert fact.evidence[0].note == f"found by inspection i1 on {ago(20)}, deadline {ago(-10)}, not rectified"
    assert score(MODEL, items, TODAY).indicator("inspection_findings_unrectified").points == 3


def test_an_at_most_limit_must_be_above_its_target() -> None:
    document = MODEL.model_dump(mode="json")
    indicator = document["families"][4]["indicators"][1]
    indicator["formula"]["limit"] = "5"
    with pytest.raises(ValueError, match="limit must be above"):
        IndicatorModel.model_validate(document)


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _event(event_type: str, message: Any) -> Event:
    return Event(type=event_type, source="/test", data=message, key=USCC.encode())


def test_the_consumer_keeps_the_filings_staff_and_the_staff_on_the_dossier() -> None:
    submitted = facts_of(
        _event(
            types.FILING_SUBMITTED,
            unit_events_pb2.FilingSubmitted(
                uscc=USCC, jurisdiction="210102", filing_id="f1", full_time_staff=3
            ),
        )
    )
    assert submitted.items[0].attributes["full_time_staff"] == 3
    added = facts_of(
        _event(
            types.DOSSIER_UPDATED,
            unit_events_pb2.DossierUpdated(
                uscc=USCC,
                jurisdiction="210102",
                section=dossier_pb2.DOSSIER_SECTION_STAFF,
                item_id="s1",
                change=dossier_pb2.CHANGE_KIND_REMOVED,
            ),
        )
    )
    ((kind, item_id, attributes),) = [(c.kind, c.item_id, dict(c.attributes)) for c in added.items]
    assert (kind, item_id, attributes) == (ItemKind.STAFF, "s1", {"removed": True})
    plan = facts_of(
        _event(
            types.DOSSIER_UPDATED,
            unit_events_pb2.DossierUpdated(
                uscc=USCC,
                jurisdiction="210102",
                section=dossier_pb2.DOSSIER_SECTION_EMERGENCY_PLANS,
                item_id="p",
            ),
        )
    )
    assert (plan.relevant, plan.items) == (False, ())


def test_the_consumer_times_the_units_own_acknowledgement_only() -> None:
    routed = datetime(2026, 11, 20, 2, tzinfo=UTC)
    summary = alarm_events_pb2.AlarmSummary(id="a1", uscc=USCC, jurisdiction="210102", sector="commerce")
    police = alarm_pb2.Route(
        party=alarm_pb2.PARTY_KIND_POLICE_STATION,
        routed_at=_stamp(routed),
        acknowledged_at=_stamp(routed + timedelta(minutes=1)),
    )
    own = alarm_pb2.Route(
        party=alarm_pb2.PARTY_KIND_UNIT_SECURITY,
        routed_at=_stamp(routed),
        acknowledged_at=_stamp(routed + timedelta(minutes=7)),
    )
    acknowledged = facts_of(
        _event(
            types.ALARM_ACKNOWLEDGED, alarm_events_pb2.AlarmAcknowledged(alarm=summary, routes=[police, own])
        )
    )
    ((change),) = acknowledged.items
    assert (change.kind, change.item_id, dict(change.attributes)) == (
        ItemKind.ACKNOWLEDGEMENT,
        "a1",
        {"seconds": 420, "acknowledged_on": "2026-11-20"},
    )
    by_police = facts_of(
        _event(types.ALARM_ACKNOWLEDGED, alarm_events_pb2.AlarmAcknowledged(alarm=summary, routes=[police]))
    )
    assert (by_police.relevant, by_police.items) == (False, ())
