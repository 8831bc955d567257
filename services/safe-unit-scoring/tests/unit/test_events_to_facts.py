"""What each consumed event says about a unit's items (the consumer's translation), and the events the
rescoring announces, with an in-memory fact store. No I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from neibao.alarmrouting.v1 import alarm_pb2
from neibao.alarmrouting.v1 import events_pb2 as alarm_events_pb2
from neibao.deviceinventory.v1 import device_pb2
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.scoring.v1 import events_pb2 as scoring_events_pb2
from neibao.unitregistry.v1 import events_pb2, inspection_pb2, unit_pb2
from neibao_messaging import Event
from safe_unit_scoring.adapters import events as types
from safe_unit_scoring.adapters.events import cloud_event
from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.assessments import Claim, ReviewDecision, SelfAssessment
from safe_unit_scoring.domain.events import (
    DomainEvent,
    GradeChanged,
    ReviewReminder,
    ScoreChanged,
    SelfAssessmentReviewed,
    SelfAssessmentSubmitted,
    UnitScope,
)
from safe_unit_scoring.domain.facts import FactItem, ItemKind
from safe_unit_scoring.domain.grading import GradeDecision, PeriodGrade
from safe_unit_scoring.domain.indicators import Grade
from safe_unit_scoring.domain.periods import Period
from safe_unit_scoring.domain.scoring import Score
from safe_unit_scoring.entrypoints.consumers import facts_of
from safe_unit_scoring.service.rescoring import FactStore, ItemChange, Rescoring, StoredScore, UnitFacts

USCC = "91210102MA0TC0001D"
NOON = datetime(2026, 11, 25, 4, tzinfo=UTC)  # 12:00 in Liaoning


def event(event_type: str, data: Message) -> Event:
    return Event(type=event_type, source="/test", data=data, key=USCC.encode(), time=NOON)


def stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


def test_a_hazard_rectification_records_the_day_in_liaoning() -> None:
    late_evening = datetime(2026, 11, 24, 17, tzinfo=UTC)  # 01:00 on the 25th in Liaoning
    message = events_pb2.HazardRectified(
        uscc=USCC,
        jurisdiction="210102",
        sector=unit_pb2.SECTOR_COMMERCE,
        sectors=[unit_pb2.SECTOR_COMMERCE, unit_pb2.SECTOR_HOUSING],
        hazard=events_pb2.HazardSummary(
            hazard_id="h1", deadline="2026-11-24", state=inspection_pb2.HAZARD_STATE_RECTIFIED
        ),
        occurred_at=stamp(late_evening),
    )
    facts = facts_of(event(types.HAZARD_RECTIFIED, message))
    assert facts.unit == UnitScope(USCC, "210102", "commerce", ("commerce", "housing"))
    (change,) = facts.items
    assert (change.kind, change.item_id) == (ItemKind.HAZARD, "h1")
    assert change.attributes["state"] == "rectified"
    assert change.attributes["rectified_on"] == "2026-11-25"


def test_a_reopened_hazard_loses_its_rectification() -> None:
    message = events_pb2.HazardReopened(
        uscc=USCC,
        jurisdiction="210102",
        hazard=events_pb2.HazardSummary(hazard_id="h1", deadline="2026-12-01"),
    )
    (change,) = facts_of(event(types.HAZARD_REOPENED, message)).items
    assert change.attributes["rectified_on"] is None


def test_a_resolved_alarm_is_an_incident_with_its_outcome() -> None:
    message = alarm_events_pb2.AlarmResolved(
        alarm=alarm_events_pb2.AlarmSummary(
            id="a1",
            uscc=USCC,
            kind=alarm_pb2.ALARM_KIND_HOLD_UP,
            jurisdiction="210102",
            sector="commerce",
            occurred_at=stamp(NOON),
        ),
        outcome=alarm_pb2.OUTCOME_REAL,
    )
    facts = facts_of(event(types.ALARM_RESOLVED, message))
    (change,) = facts.items
    assert (change.kind, change.item_id) == (ItemKind.INCIDENT, "a1")
    assert {k: change.attributes[k] for k in ("outcome", "alarm_kind", "occurred_on")} == {
        "outcome": "real",
        "alarm_kind": "hold_up",
        "occurred_on": "2026-11-25",
    }


def test_a_retired_device_is_marked_so() -> None:
    message = device_events_pb2.DeviceUpdated(
        uscc=USCC,
        jurisdiction="210102",
        sector="commerce",
        device=device_pb2.Device(
            id="d1", lifecycle=device_pb2.LIFECYCLE_RETIRED, status=device_pb2.DEVICE_STATUS_OFFLINE
        ),
    )
    (change,) = facts_of(event(types.DEVICE_UPDATED, message)).items
    assert change.attributes["retired"] is True
    assert change.attributes["status"] == "offline"


@pytest.mark.parametrize(
    ("event_type", "message"),
    [
        (types.FILING_ACCEPTED, events_pb2.FilingAccepted(uscc=USCC, filing_id="f1")),  # no jurisdiction
        (types.HAZARD_OPENED, events_pb2.HazardOpened(uscc=USCC, jurisdiction="210102")),  # no hazard id
        (
            types.DEVICE_STATUS_CHANGED,
            device_events_pb2.DeviceStatusChanged(uscc=USCC, jurisdiction="210102"),
        ),
    ],
)
def test_events_that_cannot_be_read_are_refused(event_type: str, message: Message) -> None:
    with pytest.raises(ValueError, match="without"):
        facts_of(event(event_type, message))


class MemoryStore(FactStore):
    """The fact store's contract in memory (for the rescoring's rules only)."""

    def __init__(self) -> None:
        self.units: dict[str, UnitScope] = {}
        self.items_by_key: dict[tuple[str, str, str], FactItem] = {}
        self.scores: dict[tuple[str, Period], tuple[Score, GradeDecision]] = {}
        self.marks: dict[str, tuple[str, ...]] = {}
        self.changes: list[GradeChanged] = []
        self.published: list[DomainEvent] = []
        self.reviewed: list[SelfAssessment] = []

    def save_unit(self, unit: UnitScope, flags: Mapping[str, Any]) -> None:
        self.units[unit.uscc] = unit

    def unit(self, uscc: str) -> UnitScope:
        return self.units[uscc]

    def mark_pending(self, uscc: str, event_id: str) -> None:
        self.marks[uscc] = (*self.marks.get(uscc, ()), event_id)

    def pending(self, limit: int) -> Sequence[tuple[str, tuple[str, ...]]]:
        return list(self.marks.items())[:limit]

    def clear_pending(self, uscc: str) -> None:
        del self.marks[uscc]

    def merge_item(self, uscc: str, change: ItemChange, event_id: str) -> None:
        key = (uscc, change.kind.value, change.item_id)
        old = self.items_by_key.get(key)
        attributes = {**(old.attributes if old else {}), **change.attributes}
        self.items_by_key[key] = FactItem(
            change.kind, change.item_id, attributes, (*(old.event_ids if old else ()), event_id)
        )

    def items(self, uscc: str) -> Sequence[FactItem]:
        return [item for (owner, _, _), item in self.items_by_key.items() if owner == uscc]

    def history(self, uscc: str) -> Sequence[PeriodGrade]:
        return [
            PeriodGrade(period, decision.band, decision.grade)
            for (owner, period), (_, decision) in sorted(self.scores.items(), key=lambda kv: kv[0][1])
            if owner == uscc
        ]

    def stored(self, uscc: str, period: Period) -> StoredScore | None:
        found = self.scores.get((uscc, period))
        return StoredScore(found[0].total, found[1].grade) if found else None

    def save_score(
        self, unit: UnitScope, period: Period, result: Score, decision: GradeDecision, at: datetime
    ) -> None:
        self.scores[(unit.uscc, period)] = (result, decision)

    def reviews(self, uscc: str, period: Period) -> Sequence[SelfAssessment]:
        return [r for r in self.reviewed if r.uscc == uscc and r.period == str(period)]

    def add_grade_change(self, change: GradeChanged) -> None:
        self.changes.append(change)

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.published += events


IN_ORDER = (
    ItemChange(ItemKind.FILING, "f1", {"state": "accepted"}),
    *(
        ItemChange(ItemKind.TRAINING, f"t{n}", {"trained_on": "2026-10-01", "result": "passed"})
        for n in range(4)
    ),
    ItemChange(ItemKind.DRILL, "d1", {"drilled_on": "2026-09-01"}),
    ItemChange(ItemKind.DRILL, "d2", {"drilled_on": "2026-05-01"}),
    ItemChange(ItemKind.DEVICE, "v1", {"status": "online"}),
    ItemChange(ItemKind.COMPLIANCE, "devices", {"compliant": True}),
)


def test_rescoring_announces_changes_only() -> None:
    store = MemoryStore()
    rescoring = Rescoring(load_model(), clock=lambda: NOON)
    unit = UnitScope(USCC, "210102", "commerce", ("commerce",), "测试")
    rescoring.apply(store, UnitFacts("e1", unit, IN_ORDER))
    (first,) = rescoring.rescore_pending(store, 10)
    assert store.marks == {}
    assert first.score.total == 100
    assert [type(e) for e in first.events] == [ScoreChanged, GradeChanged]
    assert (store.changes[0].from_grade, store.changes[0].to_grade) == (None, Grade.STANDARD)
    # The same facts again: nothing to announce.
    rescoring.apply(store, UnitFacts("e2", unit, (ItemChange(ItemKind.FILING, "f1", {"state": "accepted"}),)))
    (again,) = rescoring.rescore_pending(store, 10)
    assert again.events == ()
    # A real robbery: a new total and a veto.
    robbery = ItemChange(
        ItemKind.INCIDENT, "a1", {"outcome": "real", "alarm_kind": "hold_up", "occurred_on": "2026-11-25"}
    )
    rescoring.apply(store, UnitFacts("e3", unit, (robbery,)))
    (vetoed,) = rescoring.rescore_pending(store, 10)
    score_changed, grade_changed = vetoed.events
    assert isinstance(grade_changed, GradeChanged)
    assert (grade_changed.to_grade, grade_changed.reason, grade_changed.cause_event_ids) == (
        Grade.RECTIFICATION,
        "veto: major_incident",
        ("e3",),
    )
    assert isinstance(score_changed, ScoreChanged)
    assert score_changed.previous_total is not None
    assert score_changed.total == score_changed.previous_total - 5


def test_score_events_are_cloud_events_keyed_by_the_unit() -> None:
    unit = UnitScope(USCC, "210102", "commerce")
    change = GradeChanged(
        unit,
        "2026-11",
        None,
        Grade.STANDARD,
        "first period",
        load_model().grading.bands[1].minimum,
        ("e1",),
        NOON,
    )
    envelope = cloud_event(change)
    assert (envelope.type, envelope.key, envelope.jurisdiction, envelope.unit) == (
        types.GRADE_CHANGED,
        USCC.encode(),
        "210102",
        USCC,
    )
    data = envelope.payload(scoring_events_pb2.GradeChanged)
    assert (data.from_grade, data.to_grade, data.total) == (0, 2, 80.0)
    assert date.fromisoformat("2026-11-25") == NOON.date()


def test_a_false_alarm_changes_nothing() -> None:
    message = alarm_events_pb2.AlarmResolved(
        alarm=alarm_events_pb2.AlarmSummary(id="a2", uscc=USCC, jurisdiction="210102", sector="commerce"),
        outcome=alarm_pb2.OUTCOME_TEST,
    )
    facts = facts_of(event(types.ALARM_RESOLVED, message))
    assert (facts.relevant, facts.items) == (False, ())
    store = MemoryStore()
    Rescoring(load_model(), clock=lambda: NOON).apply(store, facts)
    assert (store.units, store.marks) == ({}, {})


def test_later_rescorings_keep_the_reviewers_points() -> None:
    """A reviewer's points stand for the indicators adjusted when new events rescore the period."""
    model = load_model()
    store = MemoryStore()
    rescoring = Rescoring(model, clock=lambda: NOON)
    unit = UnitScope(USCC, "210102", "commerce", ("commerce",), "测试")
    rescoring.apply(store, UnitFacts("e1", unit, IN_ORDER))
    (first,) = rescoring.rescore_pending(store, 10)
    assert first.score.total == 100
    sheet = [Claim(i.id, i.points) for f in model.families for i in f.indicators]
    submitted = SelfAssessment.submit(
        model,
        uscc=USCC,
        period="2026-11",
        items=sheet,
        note="",
        by="unit",
        at=NOON,
        current=Period(2026, 11),
        computed_total=first.score.total,
    )
    reviewed = submitted.review(
        model,
        ReviewDecision.ADJUST,
        [Claim("drills", Decimal(0), "演练记录不实")],
        "",
        by="police",
        at=NOON,
    )
    store.reviewed.append(reviewed)
    # A new event about the unit: the drills stay at the reviewer's 0 points.
    rescoring.apply(
        store, UnitFacts("e2", unit, (ItemChange(ItemKind.DRILL, "d3", {"drilled_on": "2026-11-01"}),))
    )
    (again,) = rescoring.rescore_pending(store, 10)
    drills = again.score.indicator("drills")
    assert drills.points == 0
    assert drills.computed is not None
    assert drills.computed[0] == drills.weight
    assert str(reviewed.id) in drills.explanation
    assert again.score.total == 100 - drills.weight
    assert str(reviewed.id) in again.decision.reason
    assert again.decision.grade is Grade.STANDARD  # the first period's ceiling, in the 达标 band (85)


def test_self_assessment_events_are_cloud_events_keyed_by_the_unit() -> None:
    unit = UnitScope(USCC, "210102", "commerce")
    due = NOON + timedelta(days=15)
    submitted = cloud_event(SelfAssessmentSubmitted(unit, "a1", "2026-11", Decimal(90), due, NOON))
    assert (submitted.type, submitted.key, submitted.jurisdiction) == (
        types.ASSESSMENT_SUBMITTED,
        USCC.encode(),
        "210102",
    )
    data = submitted.payload(scoring_events_pb2.SelfAssessmentSubmitted)
    assert (data.assessment_id, data.claimed_total, data.review_due_at.ToDatetime(tzinfo=UTC)) == (
        "a1",
        90,
        due,
    )
    reviewed = cloud_event(
        SelfAssessmentReviewed(unit, "a1", "2026-11", "adjusted", Decimal(90), Decimal(80), "p1", True, NOON)
    )
    body = reviewed.payload(scoring_events_pb2.SelfAssessmentReviewed)
    assert (reviewed.type, body.state, body.reviewed_total, body.late) == (
        types.ASSESSMENT_REVIEWED,
        3,
        80,
        True,
    )
    for overdue, kind in ((False, types.REVIEW_DUE_SOON), (True, types.REVIEW_OVERDUE)):
        reminder = cloud_event(ReviewReminder(unit, "a1", "2026-11", overdue, NOON, due, NOON))
        assert (reminder.type, reminder.unit) == (kind, USCC)
        assert reminder.payload(scoring_events_pb2.SelfAssessmentReviewReminder).assessment_id == "a1"
