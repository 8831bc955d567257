"""Which device status changes raise device_fault alarms (pure domain, a fixed clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alarm_routing.domain.device_faults import fault_priority, restores

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("device_type", "status", "previous", "networked", "age", "expected"),
    [
        ("one_button_alarm", "offline", "online", True, 0, 2),
        ("one_button_alarm", "fault", "unknown", False, 0, 3),
        ("intrusion_panel", "offline", "online", True, 0, 3),
        ("perimeter_alarm", "fault", "online", False, 60, 3),
        ("video_camera", "offline", "online", True, 0, None),  # a compliance matter, not an alarm
        ("one_button_alarm", "online", "offline", True, 0, None),  # back: no alarm
        ("one_button_alarm", "fault", "offline", True, 0, None),  # still down: raised already
        ("one_button_alarm", "offline", "online", True, 16 * 60, None),  # history, not news
    ],
)
def test_critical_devices_falling_out_raise_device_faults(
    device_type: str, status: str, previous: str, networked: bool, age: int, expected: int | None
) -> None:
    occurred_at = NOW - timedelta(seconds=age)
    assert (
        fault_priority(
            device_type, status, previous, networked_to_police=networked, occurred_at=occurred_at, now=NOW
        )
        == expected
    )


@pytest.mark.parametrize(
    ("device_type", "status", "previous", "expected"),
    [
        ("one_button_alarm", "online", "offline", True),
        ("perimeter_alarm", "online", "fault", True),
        ("one_button_alarm", "online", "online", False),
        ("one_button_alarm", "maintenance", "offline", False),
        ("video_camera", "online", "offline", False),
    ],
)
def test_only_a_critical_device_coming_back_online_restores(
    device_type: str, status: str, previous: str, expected: bool
) -> None:
    assert restores(device_type, status, previous) is expected
