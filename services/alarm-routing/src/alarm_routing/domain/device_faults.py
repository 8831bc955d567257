"""Which device status changes become device_fault alarms (§11: alarm devices must keep working)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

FAILED: Final = frozenset({"offline", "fault"})
# The devices an alarm depends on; a camera's outage is a compliance matter, not an alarm.
CRITICAL_PRIORITY: Final = {"one_button_alarm": 2, "intrusion_panel": 3, "perimeter_alarm": 3}
# An outage announced longer ago than this is history: later events tell the device's present state.
MAX_AGE: Final = timedelta(minutes=15)


def fault_priority(
    device_type: str,
    status: str,
    previous: str,
    *,
    networked_to_police: bool,
    occurred_at: datetime,
    now: datetime,
) -> int | None:
    """The priority of the device_fault alarm a status change raises, or None when it raises none.

    Only a critical device falling from working (or never heard from) into offline or fault counts; a
    one-button alarm networked to the police is the most urgent, since the police lose its signal.
    """
    priority = CRITICAL_PRIORITY.get(device_type)
    if priority is None or status not in FAILED or previous in FAILED or now - occurred_at > MAX_AGE:
        return None
    return priority if networked_to_police or priority > 2 else priority + 1


def restores(device_type: str, status: str, previous: str) -> bool:
    """Whether a status change brings a critical device back from offline or fault (its device_fault
    alarms are then resolved by the platform)."""
    return device_type in CRITICAL_PRIORITY and previous in FAILED and status == "online"
