"""Heartbeats: what makes an item valid, and what it does to a device's status."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from device_inventory.domain.enums import DeviceStatus, HeartbeatStatus
from device_inventory.domain.errors import FieldViolation

# A device clock may run ahead of ours by this much; later than that is a wrong clock, not a heartbeat.
MAX_CLOCK_SKEW = timedelta(minutes=5)
# A device counts as offline when silent for its interval plus this grace (sweeps run every few seconds,
# so detection stays within interval + 10 s).
OFFLINE_GRACE = timedelta(seconds=3)
# The form every device id takes once checked (str(uuid.UUID(...))); ids already in it need no parsing.
CANONICAL_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


@dataclass(frozen=True, slots=True)
class HeartbeatColumns:
    """Well-formed heartbeats as parallel columns (canonical device ids, microseconds since the Unix epoch,
    fault flags): a large batch checked and written without one Python object per heartbeat."""

    device_ids: list[str]
    at_micros: list[int]
    faults: list[bool]

    def __len__(self) -> int:
        return len(self.device_ids)

    def slice(self, start: int, stop: int) -> HeartbeatColumns:
        """The heartbeats from `start` to `stop`."""
        return HeartbeatColumns(
            self.device_ids[start:stop], self.at_micros[start:stop], self.faults[start:stop]
        )

    @classmethod
    def of(cls, heartbeats: list[ValidHeartbeat]) -> HeartbeatColumns:
        """The columns of heartbeats checked one by one."""
        return cls(
            [str(h.device_id) for h in heartbeats],
            [to_micros(h.at) for h in heartbeats],
            [h.fault for h in heartbeats],
        )


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch (an aware datetime)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The aware UTC datetime `micros` microseconds after the Unix epoch (OverflowError out of range)."""
    return EPOCH + timedelta(microseconds=micros)


def check_columns(
    device_ids: list[str], at_micros: list[int | None], faults: list[bool], now: datetime
) -> tuple[HeartbeatColumns, list[RejectedHeartbeat]]:
    """check_items for a batch given as columns (`None`: no time); a batch of canonical ids and plausible
    times passes in a few C-level scans, others are checked item by item by the same rules."""
    latest = to_micros(now + MAX_CLOCK_SKEW)
    if all(map(CANONICAL_ID.fullmatch, device_ids)) and None not in at_micros:
        times = cast(list[int], at_micros)
        if min(times, default=0) >= 0 and max(times, default=0) <= latest:
            return HeartbeatColumns(device_ids, times, faults), []
    valid = HeartbeatColumns([], [], [])
    rejected: list[RejectedHeartbeat] = []
    others: list[HeartbeatItem] = []
    positions: list[int] = []
    for index, (device_id, micros, fault) in enumerate(zip(device_ids, at_micros, faults, strict=True)):
        if CANONICAL_ID.fullmatch(device_id) and micros is not None and 0 <= micros <= latest:
            valid.device_ids.append(device_id)
            valid.at_micros.append(micros)
            valid.faults.append(fault)
            continue
        try:
            at = None if micros is None else from_micros(micros)
        except OverflowError:
            violation = FieldViolation("at", "INVALID_FORMAT", "at is out of range")
            rejected.append(RejectedHeartbeat(index, device_id, (violation,)))
            continue
        others.append(HeartbeatItem(device_id, at, HeartbeatStatus.FAULT if fault else HeartbeatStatus.OK))
        positions.append(index)
    checked, refused = check_items(others, now)
    for heartbeat in checked:
        valid.device_ids.append(str(heartbeat.device_id))
        valid.at_micros.append(to_micros(heartbeat.at))
        valid.faults.append(heartbeat.fault)
    rejected += [RejectedHeartbeat(positions[r.index], r.device_id, r.violations) for r in refused]
    return valid, sorted(rejected, key=lambda r: r.index)


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
