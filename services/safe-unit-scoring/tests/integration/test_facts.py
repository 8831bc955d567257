"""Facts from real events on real Kafka into real PostgreSQL; the unit rescored in the same transaction;
score and grade events in the outbox; redeliveries change nothing; poison is dead-lettered."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

from kafka import KafkaConsumer

from neibao_messaging import Event, decode
from neibao_testkit.endpoints import StackEndpoints
from safe_unit_scoring.adapters.events import PAYLOADS
from safe_unit_scoring.domain.periods import Period

from .conftest import HEPING_SHOP, Harness, days_ago, today
from .events import (
    HOLD_UP,
    REAL,
    alarm_resolved,
    compliance,
    device,
    drill,
    filing_accepted,
    hazard,
    register,
)

J, S = "210102", "commerce"


def _score(h: Harness) -> tuple[Decimal, str, str, dict]:  # type: ignore[type-arg]
    ((total, grade, reason, explanation),) = h.rows(
        "SELECT total, grade, grade_reason, explanation FROM score WHERE uscc = %s AND period = %s",
        HEPING_SHOP,
        str(Period.of(today())),
    )
    return total, grade, reason, explanation


def _indicator(explanation: dict, indicator: str) -> dict:  # type: ignore[type-arg]
    return next(i for i in explanation["indicators"] if i["indicator"] == indicator)


def _outbox_types(h: Harness) -> list[str]:
    return [headers["ce_type"] for (headers,) in h.rows("SELECT headers FROM outbox ORDER BY id")]


def _in_good_order(h: Harness) -> list[str]:
    """A unit with a filing, drills, devices online and compliant: its event ids."""
    ids = [
        register(h, HEPING_SHOP, "和平测试商场", J, S),
        filing_accepted(h, HEPING_SHOP, J, S, "filing-1"),
        drill(h, HEPING_SHOP, J, S, "drill-1", days_ago(30)),
        drill(h, HEPING_SHOP, J, S, "drill-2", days_ago(200)),
        device(h, HEPING_SHOP, J, S, "cam-1", online=True),
        compliance(h, HEPING_SHOP, J, S, compliant=True),
    ]
    assert h.consume(len(ids)) == len(ids)
    return ids


def test_a_hazard_rectified_late_lowers_the_score_with_the_hazard_as_evidence(harness: Harness) -> None:
    _in_good_order(harness)
    opened = hazard(harness, HEPING_SHOP, J, S, "hazard-1", days_ago(10), "opened", days_ago(40))
    assert harness.consume(1) == 1
    before, _, _, explanation = _score(harness)
    overdue = _indicator(explanation, "hazards_open_overdue")
    assert [e["item_id"] for e in overdue["facts"][0]["evidence"]] == ["hazard-1"]

    rectified = hazard(harness, HEPING_SHOP, J, S, "hazard-1", days_ago(10), "rectified", today())
    assert harness.consume(1) == 1
    after, _, _, explanation = _score(harness)
    assert after < before
    late = _indicator(explanation, "hazards_rectified_late")
    assert Decimal(late["points"]) == Decimal(late["weight"]) - 5
    (evidence,) = late["facts"][0]["evidence"]
    assert evidence["item_id"] == "hazard-1"
    assert evidence["event_ids"] == [opened, rectified]
    assert evidence["note"] == f"deadline {days_ago(10)}, rectified {today()}: 10 days late"
    assert "neibao.safe-unit-scoring.score.changed.v1" in _outbox_types(harness)


def test_each_event_is_applied_once(harness: Harness, stack: StackEndpoints) -> None:
    _in_good_order(harness)
    outbox = len(_outbox_types(harness))
    items = harness.rows("SELECT kind, item_id, event_ids FROM fact_item ORDER BY kind, item_id")
    # The same drill event again (same id): the dedupe table skips it.
    event_id = harness.rows("SELECT event_ids[1] FROM fact_item WHERE item_id = 'drill-1'")[0][0]
    records = _read_back(stack, harness.settings.unit_events_topic)
    again = next(e for e in records if str(e.id) == event_id)
    harness.send(harness.settings.unit_events_topic, again)
    assert harness.consume(1) == 1
    assert harness.rows("SELECT kind, item_id, event_ids FROM fact_item ORDER BY kind, item_id") == items
    assert len(_outbox_types(harness)) == outbox


def _read_back(stack: StackEndpoints, topic: str) -> list[Event]:
    from safe_unit_scoring.adapters.events import CONSUMED

    consumer = KafkaConsumer(
        topic, bootstrap_servers=stack.kafka_bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=3000
    )
    try:
        return [decode(record, CONSUMED) for record in consumer]
    finally:
        consumer.close()


def test_a_real_robbery_demotes_at_once_with_the_reason(harness: Harness) -> None:
    _in_good_order(harness)
    alarm = str(uuid.uuid4())
    cause = alarm_resolved(harness, HEPING_SHOP, J, S, alarm, HOLD_UP, REAL, today())
    assert harness.consume(1) == 1
    total, grade, reason, explanation = _score(harness)
    assert (grade, reason) == ("rectification", "veto: major_incident")
    assert total >= 80  # the total alone would not demote it
    (veto,) = explanation["vetoes"]
    assert [e["item_id"] for e in veto["evidence"]] == [alarm]
    changes = harness.rows(
        "SELECT from_grade, to_grade, reason, cause_event_ids FROM grade_change ORDER BY id"
    )
    assert changes[-1] == ("standard", "rectification", "veto: major_incident", [cause])
    (payload,) = [
        p
        for (t, p) in harness.rows("SELECT headers->>'ce_type', payload FROM outbox ORDER BY id")
        if t == "neibao.safe-unit-scoring.grade.changed.v1" and b"veto" in bytes(p)
    ]
    message = PAYLOADS.get("neibao.safe-unit-scoring.grade.changed.v1")()  # type: ignore[misc]
    message.ParseFromString(bytes(payload))
    assert (message.uscc, message.reason, list(message.cause_event_ids)) == (
        HEPING_SHOP,
        "veto: major_incident",
        [cause],
    )


def test_poison_is_dead_lettered_and_the_stream_goes_on(harness: Harness, stack: StackEndpoints) -> None:
    harness.producer.send(harness.settings.unit_events_topic, value=b"garbage", key=HEPING_SHOP.encode()).get(
        timeout=30
    )
    register(harness, HEPING_SHOP, "和平测试商场", J, S)
    assert harness.consume(2) == 2
    assert harness.rows("SELECT name FROM unit") == [("和平测试商场",)]
    dlq = KafkaConsumer(
        f"{harness.settings.unit_events_topic}.dlq",
        bootstrap_servers=stack.kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=5000,
    )
    try:
        records = list(dlq)
    finally:
        dlq.close()
    assert [r.value for r in records] == [b"garbage"]
    assert json.dumps([dict(r.headers)["dlq_error_type"].decode() for r in records]) == '["PoisonMessage"]'
