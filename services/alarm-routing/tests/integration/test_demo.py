"""The demo province's alarms: raised and handled through the handlers once the units are known, in the
states the script gives them, and not again on a second seed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import create_async_engine

from alarm_routing import bootstrap
from alarm_routing.service.demo import DEMO_ALARMS, seed_demo_alarms
from neibao_testkit.endpoints import StackEndpoints

from .conftest import Running, settings_for


async def test_the_demo_alarms_are_raised_once_in_their_states(
    service: Running, stack: StackEndpoints
) -> None:
    engine = create_async_engine(service.database_url, pool_size=2)
    try:
        routing = bootstrap.routing_for(engine, settings_for(service.database_url, stack))
        first = await seed_demo_alarms(routing, within=5)
        again = await seed_demo_alarms(routing, within=5)
    finally:
        await engine.dispose()
    assert first == [alarm.key for alarm in DEMO_ALARMS]
    assert again == []
    rows = service.rows("SELECT source_id, status, outcome FROM alarm ORDER BY source_id")
    assert rows == [
        ("alarm-1", "closed", "real"),
        ("alarm-2", "resolved", "false"),
        ("alarm-3", "on_scene", None),
        ("alarm-4", "routed", None),
    ]
    found = service.rows(
        "SELECT a.source_id, r.acknowledgement_outcome FROM alarm_route r JOIN alarm a ON a.id = r.alarm_id"
        " WHERE r.party = 'unit_security' AND r.acknowledged_at IS NOT NULL ORDER BY a.source_id"
    )
    assert found == [("alarm-1", "confirmed"), ("alarm-2", "false_alarm")]
