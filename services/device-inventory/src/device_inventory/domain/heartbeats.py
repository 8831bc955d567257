"""Heartbeats: what makes an item valid, and what it does to a device's status."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from device_inventory.domain.enums import DeviceStatus, HeartbeatStatus
from device_inventory.domain.errors import FieldViolation

# A device clock may run ahead of ours by this much; later than that is a wrong clock, not a heartbeat.
MAX_CLOCK_SKEW = timedelta(minutes=5)
# A device counts as offline when silent for its interval plus this grace (sweeps run every few seconds,
# so detection stays within interval + 10 s).
OFFLINE_GRACE = timedelta(seconds=3)


@dataclass(frozen=True, slots=True)
class HeartbeatItem:
    """One heartbeat as received (device id unparsed, time possibly missing)."""

    device_id: str
    at: datetime | None
    status: str = ""


@dataclass(frozen=True, slots=True)
class ValidHeartbeat:
    """A well-formed heartbeat (existence and scope are checked against the database)."""

    index: int
    device_id: uuid.UUID
    at: datetime
    fault: bool


@dataclass(frozen=True, slots=True)
class RejectedHeartbeat:
    """An item that was not kept, and why."""

    index: int
    device_id: str
    violations: tuple[FieldViolation, ...]


def check_items(
    items: list[HeartbeatItem], now: datetime
) -> tuple[list[ValidHeartbeat], list[RejectedHeartbeat]]:
    """Split a batch into well-formed heartbeats and rejected items (each with its reasons)."""
    valid: list[ValidHeartbeat] = []
    rejected: list[RejectedHeartbeat] = []
    latest = now + MAX_CLOCK_SKEW
    for index, item in enumerate(items):
        violations: list[FieldViolation] = []
        device_id: uuid.UUID | None = None
        if not item.device_id:
            violations.append(FieldViolation("device_id", "REQUIRED", "device_id is required"))
        else:
            try:
                device_id = uuid.UUID(item.device_id)
            except ValueError:
                violations.append(FieldViolation("device_id", "INVALID_FORMAT", "device_id must be a UUID"))
        if item.at is None:
            violations.append(FieldViolation("at", "REQUIRED", "at is required"))
        elif item.at.tzinfo is None:
            violations.append(FieldViolation("at", "INVALID_FORMAT", "at needs a time zone"))
        elif item.at > latest:
            violations.append(FieldViolation("at", "IN_FUTURE", "at is in the future"))
        fault = False
        if item.status:
            try:
                fault = HeartbeatStatus(item.status) is HeartbeatStatus.FAULT
            except ValueError:
                violations.append(FieldViolation("status", "UNKNOWN_VALUE", "status must be ok or fault"))
        if violations or device_id is None or item.at is None:
            rejected.append(RejectedHeartbeat(index, item.device_id, tuple(violations)))
        else:
            valid.append(ValidHeartbeat(index, device_id, item.at, fault))
    return valid, rejected


def offline_threshold(interval_seconds: int) -> timedelta:
    """How long a device may be silent before it counts as offline."""
    return timedelta(seconds=interval_seconds) + OFFLINE_GRACE


def status_after_heartbeat(
    current: DeviceStatus, at: datetime, fault: bool, interval_seconds: int, now: datetime
) -> DeviceStatus:
    """A device's status after a heartbeat (the SQL of the heartbeat writer does the same)."""
    if at < now - offline_threshold(interval_seconds):
        return current  # a heartbeat this old says nothing about now
    return DeviceStatus.FAULT if fault else DeviceStatus.ONLINE


def is_overdue(last_heartbeat_at: datetime | None, interval_seconds: int, now: datetime) -> bool:
    """Whether a heard-from device has been silent too long (the sweep's SQL does the same)."""
    return last_heartbeat_at is not None and last_heartbeat_at < now - offline_threshold(interval_seconds)
