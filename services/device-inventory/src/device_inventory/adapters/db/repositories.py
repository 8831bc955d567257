"""SQL repositories: rows <-> domain objects; every read of a device or unit is filtered by scope in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, any_, delete, func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from device_inventory.adapters.db import liveness
from device_inventory.adapters.db.tables import (
    DeviceLivenessRow,
    DeviceRow,
    KeyPartRow,
    ProtectionRow,
    UnitRow,
)
from device_inventory.domain.compliance import UnitCompliance
from device_inventory.domain.enums import DeviceStatus, DeviceType, Lifecycle, ProtectionKind, ZoneDetector
from device_inventory.domain.errors import VersionConflict
from device_inventory.domain.events import DeviceStatusChanged
from device_inventory.domain.figures import CRITICAL_TYPES, FigureGrouping, FigureRow, grouping_length
from device_inventory.domain.heartbeats import HeartbeatColumns, ValidHeartbeat
from device_inventory.domain.model import Device, ProtectionItem, UnitView, Zone
from device_inventory.service.unit_of_work import (
    ComplianceSnapshot,
    DeviceFilter,
    DeviceRepository,
    FiguresRepository,
    HeartbeatOutcome,
    LivenessRepository,
    ProtectionRepository,
    UnitRepository,
)
from neibao_identity import Role, Scope, scope_clause
from neibao_identity.sql import StringColumn
from neibao_messaging import processed_event_table


def unit_scope(scope: Scope) -> ColumnElement[bool]:
    """The caller's scope over units (mirrors Scope.allows); a regulator's sector is any of the unit's."""
    sector: StringColumn = (
        UnitRow.sector
        if Role.SECTOR_SYSTEM in scope.roles
        else cast(ColumnElement[str], any_(UnitRow.sectors))
    )
    clause = scope_clause(scope, jurisdiction=UnitRow.jurisdiction, sector=sector, unit=UnitRow.uscc)
    wider = {Role.PROVINCE_ADMIN, Role.POLICE, Role.UNIT_SECURITY, Role.SECTOR_SYSTEM}
    if Role.REGULATOR in scope.roles and scope.sector and scope.roles.isdisjoint(wider):
        # Implied by the clause; stated as array containment so the GIN index on sectors can serve it.
        clause = and_(UnitRow.sectors.contains([scope.sector]), clause)
    return clause


class SqlUnitRepository(UnitRepository):
    """The unit read model."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, uscc: str, scope: Scope | None) -> UnitView | None:
        """The unit with its key parts, inside `scope`."""
        query = select(UnitRow).where(UnitRow.uscc == uscc)
        if scope is not None:
            query = query.where(unit_scope(scope))
        row = (await self._session.execute(query)).scalar_one_or_none()
        if row is None:
            return None
        parts = (
            await self._session.execute(select(KeyPartRow.id, KeyPartRow.name).where(KeyPartRow.uscc == uscc))
        ).all()
        return UnitView(
            uscc=row.uscc,
            name=row.name,
            jurisdiction=row.jurisdiction,
            unit_type=row.unit_type,
            sector=row.sector,
            sectors=tuple(row.sectors),
            key_unit=row.key_unit,
            closed=row.closed,
            key_parts=frozenset(part for part, _ in parts),
            key_part_names={part: name for part, name in parts if name},
        )

    async def get_compliance(self, uscc: str) -> ComplianceSnapshot | None:
        """The last announced evaluation."""
        row = (
            await self._session.execute(
                select(UnitRow.compliant, UnitRow.unmet, UnitRow.rules_version).where(UnitRow.uscc == uscc)
            )
        ).one_or_none()
        if row is None or row.compliant is None:
            return None
        return ComplianceSnapshot(row.compliant, tuple(row.unmet or ()), row.rules_version or "")

    async def save_compliance(self, uscc: str, compliance: UnitCompliance) -> None:
        """Store the evaluation and clear the unit's due flag."""
        await self._session.execute(
            update(UnitRow)
            .where(UnitRow.uscc == uscc)
            .values(
                compliant=compliance.compliant,
                unmet=list(compliance.unmet),
                rules_version=compliance.rules_version,
                compliance_evaluated_at=compliance.evaluated_at,
                compliance_dirty=False,
            )
        )

    async def due_for_compliance(self, limit: int) -> Sequence[str]:
        """Units flagged for re-evaluation, locked."""
        query = (
            select(UnitRow.uscc)
            .where(UnitRow.compliance_dirty)
            .order_by(UnitRow.uscc)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self._session.execute(query)).scalars())

    async def forget_processed(self, before: datetime, limit: int) -> int:
        """Oldest first, in bounded deletes (processed_at is indexed)."""
        table = processed_event_table
        oldest = (
            select(table.c.consumer_group, table.c.event_id)
            .where(table.c.processed_at < before)
            .order_by(table.c.processed_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        result = await self._session.execute(
            delete(table).where(tuple_(table.c.consumer_group, table.c.event_id).in_(oldest))
        )
        return cast(int, getattr(result, "rowcount", 0))


def _zone(document: dict[str, Any]) -> Zone:
    key_part = document.get("key_part")
    return Zone(
        number=document["number"],
        name=document["name"],
        detector=ZoneDetector(document["detector"]),
        key_part=uuid.UUID(key_part) if key_part else None,
    )


def _zone_document(zone: Zone) -> dict[str, Any]:
    return {
        "number": zone.number,
        "name": zone.name,
        "key_part": str(zone.key_part) if zone.key_part else None,
        "detector": zone.detector.value,
    }


def _device(device: DeviceRow, live: DeviceLivenessRow, jurisdiction: str) -> Device:
    return Device(
        id=device.id,
        uscc=device.uscc,
        device_type=DeviceType(device.device_type),
        name=device.name,
        lifecycle=Lifecycle(device.lifecycle),
        supervision_interval_seconds=live.interval_seconds,
        created_at=device.created_at,
        updated_at=device.updated_at,
        key_part=device.key_part,
        make=device.make,
        model=device.model,
        serial=device.serial,
        install_date=device.install_date,
        location=device.location,
        networked_to_police=device.networked_to_police,
        network_id=device.network_id,
        retention_days=device.retention_days,
        resolution=device.resolution,
        version=device.version,
        status=DeviceStatus(live.status),
        last_heartbeat_at=live.last_heartbeat_at,
        status_changed_at=live.status_changed_at,
        jurisdiction=jurisdiction,
        zones=tuple(_zone(z) for z in device.zones),
    )


def _columns(device: Device) -> dict[str, Any]:
    return {
        "uscc": device.uscc,
        "key_part": device.key_part,
        "device_type": device.device_type.value,
        "name": device.name,
        "make": device.make,
        "model": device.model,
        "serial": device.serial,
        "install_date": device.install_date,
        "location": device.location,
        "networked_to_police": device.networked_to_police,
        "network_id": device.network_id,
        "retention_days": device.retention_days,
        "resolution": device.resolution,
        "zones": [_zone_document(z) for z in device.zones],
        "lifecycle": device.lifecycle.value,
        "version": device.version,
        "created_at": device.created_at,
        "updated_at": device.updated_at,
    }


class SqlDeviceRepository(DeviceRepository):
    """Devices joined with their liveness and their unit's jurisdiction."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _select(self) -> Select[DeviceRow, DeviceLivenessRow, str]:
        return (
            select(DeviceRow, DeviceLivenessRow, UnitRow.jurisdiction)
            .join(DeviceLivenessRow, DeviceLivenessRow.device_id == DeviceRow.id)
            .join(UnitRow, UnitRow.uscc == DeviceRow.uscc)
        )

    async def add(self, device: Device) -> None:
        """Insert the device and its liveness row."""
        await self._session.execute(insert(DeviceRow).values(id=device.id, **_columns(device)))
        await self._session.execute(
            insert(DeviceLivenessRow).values(
                device_id=device.id,
                interval_seconds=device.supervision_interval_seconds,
                supervised=device.lifecycle is not Lifecycle.RETIRED,
                status=device.status.value,
            )
        )

    async def get(self, device_id: uuid.UUID, scope: Scope, *, for_update: bool = False) -> Device | None:
        """The device inside `scope`."""
        query = self._select().where(DeviceRow.id == device_id, unit_scope(scope))
        if for_update:
            query = query.with_for_update(of=DeviceRow)
        row = (await self._session.execute(query)).one_or_none()
        return _device(row[0], row[1], row[2]) if row else None

    async def list(self, criteria: DeviceFilter, scope: Scope, limit: int) -> Sequence[Device]:
        """Matching devices inside `scope`, by id."""
        query = self._select().where(unit_scope(scope))
        if criteria.uscc:
            query = query.where(DeviceRow.uscc == criteria.uscc)
        if criteria.device_type is not None:
            query = query.where(DeviceRow.device_type == criteria.device_type.value)
        if criteria.status is not None:
            query = query.where(DeviceLivenessRow.status == criteria.status.value)
        if criteria.lifecycle is not None:
            query = query.where(DeviceRow.lifecycle == criteria.lifecycle.value)
        if criteria.key_part is not None:
            query = query.where(DeviceRow.key_part == criteria.key_part)
        if criteria.after_id is not None:
            query = query.where(DeviceRow.id > criteria.after_id)
        rows = (await self._session.execute(query.order_by(DeviceRow.id).limit(limit))).all()
        return [_device(row[0], row[1], row[2]) for row in rows]

    async def for_unit(self, uscc: str) -> Sequence[Device]:
        """Every device of the unit."""
        rows = (await self._session.execute(self._select().where(DeviceRow.uscc == uscc))).all()
        return [_device(row[0], row[1], row[2]) for row in rows]

    async def update(self, device: Device, previous_version: int) -> None:
        """Write back under optimistic concurrency; the liveness follows the lifecycle."""
        columns = _columns(device)
        del columns["created_at"]
        result = await self._session.execute(
            update(DeviceRow)
            .where(DeviceRow.id == device.id, DeviceRow.version == previous_version)
            .values(**columns)
            .returning(DeviceRow.id)
        )
        if result.first() is None:
            raise VersionConflict(str(device.id), previous_version, device.version)
        await self._session.execute(
            update(DeviceLivenessRow)
            .where(DeviceLivenessRow.device_id == device.id)
            .values(supervised=device.lifecycle is not Lifecycle.RETIRED)
        )


class SqlProtectionRepository(ProtectionRepository):
    """Protection quantities per unit, key part and kind."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set(
        self, uscc: str, key_part: uuid.UUID | None, items: Sequence[ProtectionItem], now: datetime
    ) -> None:
        """Upsert positive quantities, delete zeros."""
        same_part = (
            ProtectionRow.key_part.is_(None) if key_part is None else ProtectionRow.key_part == key_part
        )
        zero = [i.kind.value for i in items if i.quantity == 0]
        if zero:
            await self._session.execute(
                delete(ProtectionRow).where(
                    ProtectionRow.uscc == uscc, same_part, ProtectionRow.kind.in_(zero)
                )
            )
        rows = [
            {
                "uscc": uscc,
                "key_part": key_part,
                "kind": i.kind.value,
                "quantity": i.quantity,
                "note": i.note,
                "updated_at": now,
            }
            for i in items
            if i.quantity > 0
        ]
        if rows:
            statement = insert(ProtectionRow).values(rows)
            await self._session.execute(
                statement.on_conflict_do_update(
                    index_elements=["uscc", "key_part", "kind"],
                    set_={
                        "quantity": statement.excluded.quantity,
                        "note": statement.excluded.note,
                        "updated_at": statement.excluded.updated_at,
                    },
                )
            )

    async def for_unit(self, uscc: str) -> Sequence[ProtectionItem]:
        """The unit's quantities, by key part (the unit itself first) and kind."""
        rows = (
            await self._session.execute(
                select(ProtectionRow)
                .where(ProtectionRow.uscc == uscc)
                .order_by(ProtectionRow.key_part.nulls_first(), ProtectionRow.kind)
            )
        ).scalars()
        return [
            ProtectionItem(
                uscc=row.uscc,
                kind=ProtectionKind(row.kind),
                quantity=row.quantity,
                key_part=row.key_part,
                note=row.note,
                updated_at=row.updated_at,
            )
            for row in rows
        ]


class SqlLivenessRepository(LivenessRepository):
    """Heartbeats and the offline sweep (liveness.py holds the SQL, shared with the Kafka consumer)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, heartbeats: Sequence[ValidHeartbeat], scope: Scope | None, now: datetime
    ) -> HeartbeatOutcome:
        """Apply the heartbeats of the devices the caller may report for."""
        if not heartbeats:
            return HeartbeatOutcome(frozenset(), frozenset(), ())
        known = (
            await self._session.execute(liveness.known_devices((h.device_id for h in heartbeats), scope))
        ).all()
        supervised = frozenset(device_id for device_id, watched in known if watched)
        retired = frozenset(device_id for device_id, watched in known if not watched)
        kept = [h for h in heartbeats if h.device_id in supervised]
        changes: list[DeviceStatusChanged] = []
        if kept:
            row = (
                await self._session.execute(
                    liveness.RECORD, liveness.record_params(HeartbeatColumns.of(kept), now)
                )
            ).one()
            changes = await self._events(liveness.recorded(row)[1], now)
        return HeartbeatOutcome(supervised, retired, changes)

    async def mark_offline(self, now: datetime, limit: int) -> Sequence[DeviceStatusChanged]:
        """Silent devices become offline."""
        rows = (await self._session.execute(liveness.MARK_OFFLINE, liveness.offline_params(now, limit))).all()
        return await self._events(liveness.changed_rows(rows), now)

    async def _events(self, changes: liveness.Changes, now: datetime) -> list[DeviceStatusChanged]:
        if not changes:
            return []
        details = (await self._session.execute(liveness.change_details(changes))).all()
        return liveness.status_events(changes, details, now)


class SqlFigures(FiguresRepository):
    """Dashboard counts in two grouped queries (devices, units), scope applied in SQL."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def figures(
        self, scope: Scope, prefix: str, sector: str, grouping: FigureGrouping, group_prefix: str
    ) -> list[FigureRow]:
        """One row per group, ordered by key."""
        if grouping is FigureGrouping.SECTOR:
            key: ColumnElement[str] = UnitRow.sector.expression
        else:
            length = grouping_length(group_prefix)
            key = func.rpad(func.substr(UnitRow.jurisdiction, 1, length), 6, "0")
        where = [unit_scope(scope), UnitRow.closed.is_(False)]
        if prefix:
            where.append(UnitRow.jurisdiction.like(f"{prefix}%"))
        if sector:
            where.append(UnitRow.sectors.contains([sector]))
        status = DeviceLivenessRow.status
        critical = DeviceRow.device_type.in_([t.value for t in CRITICAL_TYPES])
        device_rows = (
            await self._session.execute(
                select(
                    key.label("key"),
                    func.count(),
                    func.count().filter(status == "online"),
                    func.count().filter(status == "offline"),
                    func.count().filter(status == "fault"),
                    func.count().filter(status == "unknown"),
                    func.count().filter(critical, status.in_(["offline", "fault"])),
                )
                .select_from(DeviceRow)
                .join(DeviceLivenessRow, DeviceLivenessRow.device_id == DeviceRow.id)
                .join(UnitRow, UnitRow.uscc == DeviceRow.uscc)
                .where(
                    *where, DeviceRow.lifecycle.in_([Lifecycle.INSTALLED.value, Lifecycle.IN_SERVICE.value])
                )
                .group_by(key)
            )
        ).all()
        unit_rows = (
            await self._session.execute(
                select(
                    key.label("key"),
                    func.count(),
                    func.count().filter(UnitRow.compliant.is_not(None)),
                    func.count().filter(UnitRow.compliant.is_(True)),
                )
                .where(*where, UnitRow.name != "")
                .group_by(key)
            )
        ).all()
        rows: dict[str, FigureRow] = {}
        for k, devices, online, offline, fault, unknown, critical_count in device_rows:
            rows[k] = FigureRow(k, devices, online, offline, fault, unknown, critical_count)
        for k, units, evaluated, compliant in unit_rows:
            rows[k] = replace(
                rows.get(k, FigureRow(k)), units=units, units_evaluated=evaluated, units_compliant=compliant
            )
        return [rows[k] for k in sorted(rows)]
