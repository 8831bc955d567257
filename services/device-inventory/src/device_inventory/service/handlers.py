"""Use cases: devices, protection, heartbeats, compliance; each in one unit of work, events included."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from device_inventory.domain import compliance as rules_engine
from device_inventory.domain.compliance import RuleSet, UnitCompliance
from device_inventory.domain.enums import DeviceStatus, DeviceType, Lifecycle
from device_inventory.domain.errors import FieldViolation, NotFound, ValidationFailed, VersionConflict
from device_inventory.domain.events import (
    ComplianceChanged,
    DeviceRegistered,
    DeviceUpdated,
    UnitKeys,
)
from device_inventory.domain.figures import FigureGrouping, FigureRow
from device_inventory.domain.heartbeats import HeartbeatItem, check_items
from device_inventory.domain.model import (
    Actor,
    ActorKind,
    Device,
    DeviceChange,
    DeviceDraft,
    ProtectionItem,
    UnitView,
    changed_device,
    check_uscc,
    clean_protection,
    new_device,
    parse_uuid,
)
from device_inventory.domain.policy import require_write
from device_inventory.service.pagination import decode_cursor, encode_cursor, page_size
from device_inventory.service.unit_of_work import DeviceFilter, UnitOfWork
from neibao_identity import Principal, Scope, jurisdiction_prefix

CURSOR_KIND = "devices"
PROVINCE_PREFIX = "21"  # 辽宁


@dataclass(frozen=True, slots=True)
class Requester:
    """The caller as the handlers need it: who acts (events) and what they may see."""

    actor: Actor
    scope: Scope

    @classmethod
    def from_principal(cls, principal: Principal) -> Requester:
        """From the verified token's principal."""
        actor = Actor(
            subject=principal.subject,
            name=principal.username,
            roles=principal.roles,
            kind=ActorKind.MACHINE if principal.is_machine else ActorKind.USER,
            jurisdiction=principal.jurisdiction,
            sector=principal.sector,
            unit=principal.unit,
            client_id=principal.client_id,
        )
        return cls(actor=actor, scope=Scope.for_principal(principal))


@dataclass(frozen=True, slots=True)
class Inventory:
    """What the handlers run on: a fresh unit of work per call, the rule set, intervals, the clock."""

    unit_of_work: Callable[[], UnitOfWork]
    rules: RuleSet
    intervals: Mapping[DeviceType, int]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class DeviceQuery:
    """Listing criteria as given."""

    uscc: str = ""
    device_type: DeviceType | None = None
    status: DeviceStatus | None = None
    lifecycle: Lifecycle | None = None
    key_part: str = ""
    limit: int = 0
    cursor: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of devices and the cursor of the next (empty on the last page)."""

    items: Sequence[Device]
    next_cursor: str = ""


@dataclass(frozen=True, slots=True)
class HeartbeatResult:
    """One item of a heartbeat batch: kept or not, and why not."""

    index: int
    device_id: str
    accepted: bool
    violations: tuple[FieldViolation, ...] = ()


def keys_of(unit: UnitView) -> UnitKeys:
    """The routing keys events carry."""
    return UnitKeys(unit.uscc, unit.jurisdiction, unit.sector, unit.unit_type)


async def _visible_unit(uow: UnitOfWork, uscc: str, scope: Scope) -> UnitView:
    check_uscc(uscc)
    unit = await uow.units.get(uscc, scope)
    if unit is None:
        raise NotFound("unit", uscc)
    return unit


async def refresh_compliance(
    uow: UnitOfWork, unit: UnitView, rules: RuleSet, now: datetime
) -> UnitCompliance:
    """Evaluate the unit, remember the result, announce it when it differs from the last announced one."""
    devices = await uow.devices.for_unit(unit.uscc)
    protection = await uow.protection.for_unit(unit.uscc)
    result = rules_engine.evaluate(rules, unit, devices, protection, now)
    previous = await uow.units.get_compliance(unit.uscc)
    if previous is None or (previous.compliant, previous.unmet) != (result.compliant, result.unmet):
        uow.publish(
            ComplianceChanged(
                unit=keys_of(unit),
                compliant=result.compliant,
                previously_compliant=previous.compliant if previous else False,
                unmet=result.unmet,
                previously_unmet=previous.unmet if previous else (),
                rules_version=result.rules_version,
                occurred_at=now,
            )
        )
    await uow.units.save_compliance(unit.uscc, result)
    return result


async def register_device(draft: DeviceDraft, requester: Requester, inventory: Inventory) -> Device:
    """Register a device of a unit in scope; its unit's compliance follows."""
    now = inventory.clock()
    async with inventory.unit_of_work() as uow:
        unit = await _visible_unit(uow, draft.uscc, requester.scope)
        require_write(requester.scope, unit)
        device = new_device(draft, unit, inventory.intervals, now)
        await uow.devices.add(device)
        uow.publish(DeviceRegistered(keys_of(unit), device, requester.actor, now))
        await refresh_compliance(uow, unit, inventory.rules, now)
        await uow.commit()
    return device


async def get_device(device_id: str, requester: Requester, inventory: Inventory) -> Device:
    """One device in scope."""
    violations: list[FieldViolation] = []
    parsed = parse_uuid(device_id, "id", violations)
    if parsed is None:
        raise ValidationFailed(violations)
    async with inventory.unit_of_work() as uow:
        device = await uow.devices.get(parsed, requester.scope)
    if device is None:
        raise NotFound("device", device_id)
    return device


async def list_devices(query: DeviceQuery, requester: Requester, inventory: Inventory) -> Page:
    """A page of devices in scope."""
    violations: list[FieldViolation] = []
    if query.uscc:
        try:
            check_uscc(query.uscc)
        except ValidationFailed as error:
            violations += error.violations
    key_part = parse_uuid(query.key_part, "key_part", violations) if query.key_part else None
    after = decode_cursor(CURSOR_KIND, query.cursor)
    after_id = parse_uuid(after, "cursor", violations) if after else None
    limit = page_size(query.limit)
    if violations:
        raise ValidationFailed(violations)
    criteria = DeviceFilter(
        uscc=query.uscc,
        device_type=query.device_type,
        status=query.status,
        lifecycle=query.lifecycle,
        key_part=key_part,
        after_id=after_id,
    )
    async with inventory.unit_of_work() as uow:
        items = await uow.devices.list(criteria, requester.scope, limit + 1)
    if len(items) > limit:
        return Page(items[:limit], encode_cursor(CURSOR_KIND, str(items[limit - 1].id)))
    return Page(items)


async def update_device(change: DeviceChange, requester: Requester, inventory: Inventory) -> Device:
    """Change a device's fields or lifecycle (optimistic concurrency on its version)."""
    violations: list[FieldViolation] = []
    parsed = parse_uuid(change.id, "id", violations)
    if parsed is None:
        raise ValidationFailed(violations)
    now = inventory.clock()
    async with inventory.unit_of_work() as uow:
        device = await uow.devices.get(parsed, requester.scope, for_update=True)
        if device is None:
            raise NotFound("device", change.id)
        unit = await uow.units.get(device.uscc, None)
        if unit is None:
            raise NotFound("device", change.id)
        require_write(requester.scope, unit)
        if change.version and change.version != device.version:
            raise VersionConflict(str(device.id), change.version, device.version)
        updated, changed = changed_device(device, change, unit, now)
        if not changed:
            return device
        await uow.devices.update(updated, device.version)
        uow.publish(DeviceUpdated(keys_of(unit), updated, changed, requester.actor, now))
        await refresh_compliance(uow, unit, inventory.rules, now)
        await uow.commit()
    return updated


async def set_protection(
    uscc: str, key_part: str, items: list[tuple[str, int, str]], requester: Requester, inventory: Inventory
) -> Sequence[ProtectionItem]:
    """Set protection quantities of a unit or key part; the unit's whole stock after the change."""
    now = inventory.clock()
    async with inventory.unit_of_work() as uow:
        unit = await _visible_unit(uow, uscc, requester.scope)
        require_write(requester.scope, unit)
        part, clean = clean_protection(unit, key_part, items)
        await uow.protection.set(unit.uscc, part, clean, now)
        await refresh_compliance(uow, unit, inventory.rules, now)
        stock = await uow.protection.for_unit(unit.uscc)
        await uow.commit()
    return stock


async def list_protection(uscc: str, requester: Requester, inventory: Inventory) -> Sequence[ProtectionItem]:
    """A unit's protection stock."""
    async with inventory.unit_of_work() as uow:
        unit = await _visible_unit(uow, uscc, requester.scope)
        return await uow.protection.for_unit(unit.uscc)


async def record_heartbeats(
    items: list[HeartbeatItem], requester: Requester | None, inventory: Inventory
) -> list[HeartbeatResult]:
    """Apply a batch: every item answered on its own; the valid ones are kept whatever the others are.

    `requester` None: a trusted platform stream (no scope).
    """
    now = inventory.clock()
    valid, rejected = check_items(items, now)
    async with inventory.unit_of_work() as uow:
        outcome = await uow.liveness.record(valid, requester.scope if requester else None, now)
        for event in outcome.changes:
            uow.publish(event)
        await uow.commit()
    results = [HeartbeatResult(r.index, r.device_id, False, r.violations) for r in rejected]
    for heartbeat in valid:
        device_id = str(heartbeat.device_id)
        if heartbeat.device_id in outcome.accepted:
            results.append(HeartbeatResult(heartbeat.index, device_id, True))
        elif heartbeat.device_id in outcome.retired:
            violation = FieldViolation("device_id", "RETIRED", "the device is retired")
            results.append(HeartbeatResult(heartbeat.index, device_id, False, (violation,)))
        else:
            violation = FieldViolation("device_id", "NOT_FOUND", "no such device")
            results.append(HeartbeatResult(heartbeat.index, device_id, False, (violation,)))
    return sorted(results, key=lambda r: r.index)


async def get_compliance(uscc: str, requester: Requester, inventory: Inventory) -> UnitCompliance:
    """A unit's compliance now, each requirement explained."""
    now = inventory.clock()
    async with inventory.unit_of_work() as uow:
        unit = await _visible_unit(uow, uscc, requester.scope)
        devices = await uow.devices.for_unit(unit.uscc)
        protection = await uow.protection.for_unit(unit.uscc)
    return rules_engine.evaluate(inventory.rules, unit, devices, protection, now)


async def get_figures(
    jurisdiction: str, sector: str, grouping: FigureGrouping, requester: Requester, inventory: Inventory
) -> tuple[FigureRow, list[FigureRow]]:
    """The total and the rows of the dashboard figures in the caller's scope."""
    violations: list[FieldViolation] = []
    prefix = ""
    if jurisdiction:
        found = jurisdiction_prefix(jurisdiction)
        if found is None:
            violations.append(
                FieldViolation("jurisdiction", "INVALID_FORMAT", "jurisdiction is a 6-digit division code")
            )
        else:
            prefix = found
    if len(sector) > 40:
        violations.append(FieldViolation("sector", "TOO_LONG", "sector is too long"))
    if violations:
        raise ValidationFailed(violations)
    # Without a jurisdiction, rows are one level under the caller's own (the province's cities for the admin).
    group_prefix = prefix or requester.scope.jurisdiction_prefix or PROVINCE_PREFIX
    async with inventory.unit_of_work() as uow:
        rows = await uow.figures.figures(requester.scope, prefix, sector, grouping, group_prefix)
    total = FigureRow("")
    for row in rows:
        total = total.plus(row)
    return total, rows
