"""Heartbeats and the offline sweep in set-based SQL, shared by the gRPC handlers (async) and the Kafka
heartbeat consumer (sync): one statement per batch, keeping each device's latest heartbeat."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    TextClause,
    Uuid,
    and_,
    any_,
    bindparam,
    false,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY

from device_inventory.adapters.db.tables import DeviceLivenessRow, DeviceRow, UnitRow
from device_inventory.domain.enums import DeviceStatus, DeviceType
from device_inventory.domain.events import DeviceStatusChanged, UnitKeys
from device_inventory.domain.heartbeats import OFFLINE_GRACE, HeartbeatColumns
from neibao_identity import Role, Scope

GRACE_SECONDS = OFFLINE_GRACE.total_seconds()

# The newest heartbeat per device, applied only where it is newer than the one kept; the status follows
# domain.heartbeats.status_after_heartbeat. One UPDATE per batch: its SET sees the row as locked (a
# concurrent batch's newer heartbeat is re-checked in the WHERE, the sweep's status is the one changed),
# and records the status it replaces in previous_status. One row comes back whatever the batch size: how
# many devices took a heartbeat, and only the rows whose status changed (status_changed_at = :now).
# Times travel as microseconds since the Unix epoch (exact, and cheap to write and to parse).
_NEW_STATUS = """CASE WHEN h.at >= CAST(:now AS timestamptz)
                                  - make_interval(secs => l.interval_seconds + :grace)
                  THEN CASE WHEN h.fault THEN 'fault' ELSE 'online' END
                  ELSE l.status END"""
RECORD: TextClause = text(
    f"""
    WITH h AS (
        SELECT DISTINCT ON (t.id)
               t.id, timestamptz 'epoch' + t.micros * interval '1 microsecond' AS at, t.fault
        FROM unnest(CAST(:ids AS uuid[]), CAST(:ats AS bigint[]), CAST(:faults AS boolean[]))
            AS t(id, micros, fault)
        ORDER BY t.id, t.micros DESC
    ), upd AS (
        UPDATE device_liveness AS l
        SET last_heartbeat_at = h.at,
            status = {_NEW_STATUS},
            previous_status = CASE WHEN {_NEW_STATUS} <> l.status THEN l.status ELSE l.previous_status END,
            status_changed_at = CASE WHEN {_NEW_STATUS} <> l.status
                                     THEN CAST(:now AS timestamptz) ELSE l.status_changed_at END
        FROM h
        WHERE l.device_id = h.id AND l.supervised
          AND (l.last_heartbeat_at IS NULL OR l.last_heartbeat_at < h.at)
        RETURNING l.device_id, l.previous_status, l.status, l.last_heartbeat_at,
                  l.status_changed_at = CAST(:now AS timestamptz) AS changed
    )
    SELECT count(*) AS updated,
           coalesce(array_agg(device_id) FILTER (WHERE changed), '{{}}') AS ids,
           coalesce(array_agg(previous_status) FILTER (WHERE changed), '{{}}') AS olds,
           coalesce(array_agg(status) FILTER (WHERE changed), '{{}}') AS news,
           coalesce(array_agg(last_heartbeat_at) FILTER (WHERE changed), '{{}}') AS ats
    FROM upd
    """  # noqa: S608 - a constant expression, no input
)

# Heard-from devices silent past their interval plus grace; SKIP LOCKED lets several sweeps share work.
MARK_OFFLINE: TextClause = text(
    """
    WITH due AS (
        SELECT device_id, status AS old_status
        FROM device_liveness
        WHERE supervised AND status IN ('online', 'fault')
          AND last_heartbeat_at < CAST(:now AS timestamptz) - make_interval(secs => interval_seconds + :grace)
        LIMIT :limit
        FOR UPDATE SKIP LOCKED
    )
    UPDATE device_liveness AS l
    SET status = 'offline', previous_status = l.status, status_changed_at = CAST(:now AS timestamptz)
    FROM due
    WHERE l.device_id = due.device_id
    RETURNING l.device_id, due.old_status, 'offline' AS new_status, l.last_heartbeat_at
    """
)


def record_params(heartbeats: HeartbeatColumns, now: datetime) -> dict[str, Any]:
    """The parameters of RECORD: each column one array literal, built by joins rather than adapted element
    by element (canonical UUIDs and integers need no quoting)."""
    return {
        "ids": "{" + ",".join(heartbeats.device_ids) + "}",
        "ats": "{" + ",".join(map(str, heartbeats.at_micros)) + "}",
        "faults": "{" + ",".join(["t" if fault else "f" for fault in heartbeats.faults]) + "}",
        "now": now,
        "grace": GRACE_SECONDS,
    }


def offline_params(now: datetime, limit: int) -> dict[str, Any]:
    """The parameters of MARK_OFFLINE."""
    return {"now": now, "grace": GRACE_SECONDS, "limit": limit}


def report_scope(scope: Scope) -> ColumnElement[bool]:
    """The units whose heartbeats the caller may report (mirrors domain.policy.may_report_heartbeats)."""
    if scope.unrestricted:
        return true()
    grants: list[ColumnElement[bool]] = []
    if Role.POLICE in scope.roles and scope.jurisdiction_prefix:
        grants.append(UnitRow.jurisdiction.like(f"{scope.jurisdiction_prefix}%"))
    if Role.UNIT_SECURITY in scope.roles and scope.unit:
        grants.append(UnitRow.uscc == scope.unit)
    if Role.SECTOR_SYSTEM in scope.roles and scope.org:
        grants.append(UnitRow.uscc == scope.org)
    if not grants:
        return false()
    return or_(*grants)


def known_devices(ids: Iterable[uuid.UUID], scope: Scope | None) -> Select[uuid.UUID, bool]:
    """The devices among `ids` the caller may report for, and whether each is supervised."""
    # One array parameter, not an IN list of thousands of parameters.
    wanted = bindparam("ids", list(set(ids)), type_=ARRAY(Uuid))
    query = select(DeviceLivenessRow.device_id, DeviceLivenessRow.supervised).where(
        DeviceLivenessRow.device_id == any_(wanted)
    )
    if scope is not None:
        query = (
            query.join(DeviceRow, DeviceRow.id == DeviceLivenessRow.device_id)
            .join(UnitRow, UnitRow.uscc == DeviceRow.uscc)
            .where(report_scope(scope))
        )
    return query


def change_details(
    ids: Iterable[uuid.UUID],
) -> Select[uuid.UUID, str, uuid.UUID | None, bool, int, str, str, str, str]:
    """What a status-change event says about each changed device and its unit."""
    return (
        select(
            DeviceRow.id,
            DeviceRow.device_type,
            DeviceRow.key_part,
            DeviceRow.networked_to_police,
            DeviceLivenessRow.interval_seconds,
            UnitRow.uscc,
            UnitRow.jurisdiction,
            UnitRow.sector,
            UnitRow.unit_type,
        )
        .join(DeviceLivenessRow, DeviceLivenessRow.device_id == DeviceRow.id)
        .join(UnitRow, and_(UnitRow.uscc == DeviceRow.uscc))
        .where(DeviceRow.id.in_(list(ids)))
    )


Changes = dict[uuid.UUID, tuple[DeviceStatus, DeviceStatus, datetime | None]]


def changed_rows(rows: Iterable[Any]) -> Changes:
    """device id -> (previous, status, last heartbeat) of the rows whose status changed.

    A first heartbeat (unknown -> online) is no news: only offline, back online and faults are announced.
    """
    return {
        row[0]: (DeviceStatus(row[1]), DeviceStatus(row[2]), row[3])
        for row in rows
        if row[1] != row[2] and not (row[1] == DeviceStatus.UNKNOWN and row[2] == DeviceStatus.ONLINE)
    }


def recorded(row: Any) -> tuple[int, Changes]:
    """How many devices took a heartbeat, and the status changes, from RECORD's one row."""
    return int(row.updated), changed_rows(zip(row.ids, row.olds, row.news, row.ats, strict=True))


def status_events(
    changes: Changes,
    details: Iterable[Any],
    now: datetime,
) -> list[DeviceStatusChanged]:
    """The status-change events of the changed devices."""
    events: list[DeviceStatusChanged] = []
    for row in details:
        previous, status, last = changes[row.id]
        events.append(
            DeviceStatusChanged(
                unit=UnitKeys(row.uscc, row.jurisdiction, row.sector, row.unit_type),
                device_id=row.id,
                device_type=DeviceType(row.device_type),
                key_part=row.key_part,
                status=status,
                previous=previous,
                last_heartbeat_at=last,
                supervision_interval_seconds=row.interval_seconds,
                networked_to_police=row.networked_to_police,
                occurred_at=now,
            )
        )
    return events
