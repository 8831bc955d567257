"""The demo platform's plan and the status-change rule of heartbeat batches (pure)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from device_inventory.adapters.db.liveness import changed_rows
from device_inventory.demo.plan import plan
from device_inventory.domain.enums import DeviceStatus, DeviceType
from device_inventory.domain.model import UnitView


def test_the_plan_is_deterministic_and_follows_the_unit_type() -> None:
    def unit(uscc: str, unit_type: str) -> UnitView:
        return UnitView(uscc, "单位", "210102", unit_type, "postal", ("postal",))

    express = unit("91210102000000001A", "postal_express")
    assert plan(express) == plan(express)
    schools = [unit(f"91210102MA0LN{index:04d}", "school") for index in range(40)]
    plans = [plan(school) for school in schools]
    alarms = [
        [d for d in p.devices if d.device_type is DeviceType.ONE_BUTTON_ALARM and d.networked_to_police]
        for p in plans
    ]
    # Most schools have their networked one-button alarm; the gaps are the demo's non-compliant ones.
    assert sum(1 for a in alarms if a) >= 25
    assert any(p.gap == "alarm" and not a for p, a in zip(plans, alarms, strict=True))


def test_a_first_heartbeat_is_no_news_but_offline_back_online_and_faults_are() -> None:
    now = datetime.now(UTC)
    first, back, fault, same = (uuid.uuid4() for _ in range(4))
    rows = [
        (first, "unknown", "online", now),
        (back, "offline", "online", now),
        (fault, "unknown", "fault", now),
        (same, "online", "online", now),
    ]
    assert changed_rows(rows) == {
        back: (DeviceStatus.OFFLINE, DeviceStatus.ONLINE, now),
        fault: (DeviceStatus.UNKNOWN, DeviceStatus.FAULT, now),
    }
