"""Model 2026.2's facts from real events on Kafka: staff on the dossier, the filing's full-time staff and
the unit's own acknowledgement of an alarm become items with their events, and score under 2026.2."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy.orm import Session

from neibao.alarmrouting.v1 import alarm_pb2
from neibao.alarmrouting.v1 import events_pb2 as alarm_events_pb2
from neibao.unitregistry.v1 import dossier_pb2, unit_pb2
from neibao.unitregistry.v1 import events_pb2 as unit_events_pb2
from safe_unit_scoring.adapters import events as types
from safe_unit_scoring.adapters.db.fact_store import SqlFactStore
from safe_unit_scoring.adapters.indicator_model import load_packaged
from safe_unit_scoring.domain.scoring import score

from .conftest import HEPING_SHOP, Harness, today
from .events import register

SCOPE = {"jurisdiction": "210102", "sector": unit_pb2.SECTOR_COMMERCE, "sectors": [unit_pb2.SECTOR_COMMERCE]}


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def test_staff_filings_and_acknowledgements_become_facts(harness: Harness) -> None:
    register(harness, HEPING_SHOP, "和平商店", "210102", "commerce")
    topic = harness.settings.unit_events_topic
    submitted = harness.publish(
        topic,
        types.FILING_SUBMITTED,
        unit_events_pb2.FilingSubmitted(uscc=HEPING_SHOP, filing_id="f1", full_time_staff=2, **SCOPE),  # type: ignore[arg-type]
        HEPING_SHOP,
    )
    harness.publish(
        topic,
        types.FILING_ACCEPTED,
        unit_events_pb2.FilingAccepted(uscc=HEPING_SHOP, filing_id="f1", **SCOPE),  # type: ignore[arg-type]
        HEPING_SHOP,
    )
    staff = harness.publish(
        topic,
        types.DOSSIER_UPDATED,
        unit_events_pb2.DossierUpdated(
            uscc=HEPING_SHOP,
            section=dossier_pb2.DOSSIER_SECTION_STAFF,
            item_id="s1",
            change=dossier_pb2.CHANGE_KIND_ADDED,
            **SCOPE,  # type: ignore[arg-type]
        ),
        HEPING_SHOP,
    )
    routed = datetime.now(UTC) - timedelta(hours=1)
    acknowledged = harness.publish(
        harness.settings.alarm_events_topic,
        types.ALARM_ACKNOWLEDGED,
        alarm_events_pb2.AlarmAcknowledged(
            alarm=alarm_events_pb2.AlarmSummary(
                id="a1", uscc=HEPING_SHOP, jurisdiction="210102", sector="commerce"
            ),
            routes=[
                alarm_pb2.Route(
                    party=alarm_pb2.PARTY_KIND_UNIT_SECURITY,
                    routed_at=_stamp(routed),
                    acknowledged_at=_stamp(routed + timedelta(minutes=3)),
                )
            ],
        ),
        HEPING_SHOP,
    )
    assert harness.consume(5) == 5
    rows = {
        (kind, item_id): (attributes, event_ids)
        for kind, item_id, attributes, event_ids in harness.rows(
            "SELECT kind, item_id, attributes, event_ids FROM fact_item WHERE uscc = %s", HEPING_SHOP
        )
    }
    assert rows[("filing", "f1")][0]["full_time_staff"] == 2
    assert str(submitted.id) in rows[("filing", "f1")][1]
    assert rows[("staff", "s1")] == ({"removed": False}, [str(staff.id)])
    assert rows[("acknowledgement", "a1")][0]["seconds"] == 180
    assert rows[("acknowledgement", "a1")][1] == [str(acknowledged.id)]

    with Session(harness.engine) as session:
        items = SqlFactStore(session, harness.settings.events_topic).items(HEPING_SHOP)
    result = score(load_packaged("2026.2"), items, today())
    assert result.indicator("full_time_staff").points == 4
    assert result.indicator("alarm_acknowledgement").points == 5
    (ack,) = result.indicator("alarm_acknowledgement").facts["median_acknowledgement_minutes_12m"].evidence
    assert (ack.item_id, ack.event_ids) == ("a1", (str(acknowledged.id),))
