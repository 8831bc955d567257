"""Protobuf requests -> commands, domain results -> protobuf responses."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from device_inventory.adapters.proto_mapping import (
    DEVICE_STATUS,
    DEVICE_TYPE,
    LIFECYCLE,
    PROTECTION_CATEGORY,
    PROTECTION_KIND,
    ZONE_DETECTOR,
    device_to_proto,
    timestamp,
)
from device_inventory.domain.compliance import UnitCompliance
from device_inventory.domain.errors import FieldViolation, ValidationFailed
from device_inventory.domain.figures import FigureGrouping, FigureRow
from device_inventory.domain.heartbeats import HeartbeatItem
from device_inventory.domain.model import (
    DeviceChange,
    DeviceDraft,
    DeviceFields,
    ProtectionItem,
    ZoneDraft,
)
from device_inventory.service.handlers import DeviceQuery, HeartbeatResult
from neibao.deviceinventory.v1 import compliance_pb2, device_pb2, figures_pb2

__all__ = ["device_to_proto"]

_CHANGEABLE = (
    "name",
    "key_part",
    "make",
    "model",
    "serial",
    "install_date",
    "location",
    "networked_to_police",
    "network_id",
    "retention_days",
    "resolution",
)


def zone_drafts(zones: Iterable[device_pb2.Zone]) -> tuple[ZoneDraft, ...]:
    """The zones as given; an unknown detector number is left for the domain to reject."""
    drafts: list[ZoneDraft] = []
    for zone in zones:
        try:
            detector = ZONE_DETECTOR.name_of(zone.detector, "detector")
        except ValidationFailed:
            detector = str(zone.detector)
        drafts.append(ZoneDraft(zone.number, zone.name, detector, zone.key_part))
    return tuple(drafts)


def device_draft(request: device_pb2.RegisterDeviceRequest) -> DeviceDraft:
    """A registration as given (validated by the domain)."""
    return DeviceDraft(
        uscc=request.uscc,
        device_type=DEVICE_TYPE.name_of(request.device_type, "device_type"),
        lifecycle=LIFECYCLE.name_of(request.lifecycle, "lifecycle"),
        fields=DeviceFields(
            key_part=request.key_part,
            name=request.name,
            make=request.make,
            model=request.model,
            serial=request.serial,
            install_date=request.install_date,
            location=request.location,
            networked_to_police=request.networked_to_police,
            network_id=request.network_id,
            retention_days=request.retention_days if request.HasField("retention_days") else None,
            resolution=request.resolution,
        ),
        zones=zone_drafts(request.zones),
    )


def device_change(request: device_pb2.UpdateDeviceRequest) -> DeviceChange:
    """The fields present in the request."""
    fields = {name: getattr(request, name) for name in _CHANGEABLE if request.HasField(name)}  # type: ignore[arg-type]
    if request.zones and not request.replace_zones:
        raise ValidationFailed(
            [FieldViolation("replace_zones", "REQUIRED", "zones are sent only with replace_zones set")]
        )
    return DeviceChange(
        id=request.id,
        version=request.version,
        fields=fields,
        lifecycle=LIFECYCLE.name_of(request.lifecycle, "lifecycle"),
        zones=zone_drafts(request.zones) if request.replace_zones else None,
    )


def device_query(request: device_pb2.ListDevicesRequest) -> DeviceQuery:
    """Listing criteria."""
    return DeviceQuery(
        uscc=request.uscc,
        device_type=DEVICE_TYPE.from_proto(request.device_type, "device_type"),
        status=DEVICE_STATUS.from_proto(request.status, "status"),
        lifecycle=LIFECYCLE.from_proto(request.lifecycle, "lifecycle"),
        key_part=request.key_part,
        limit=request.limit,
        cursor=request.cursor,
    )


def protection_items(request: device_pb2.SetProtectionRequest) -> list[tuple[str, int, str]]:
    """(kind, quantity, note) of each item; an unknown kind number is left for the domain to reject."""
    items: list[tuple[str, int, str]] = []
    for item in request.items:
        try:
            kind = PROTECTION_KIND.name_of(item.kind, "kind")
        except ValidationFailed:
            kind = str(item.kind)
        items.append((kind, item.quantity, item.note))
    return items


def protection_to_proto(item: ProtectionItem) -> device_pb2.ProtectionItem:
    """The proto ProtectionItem."""
    return device_pb2.ProtectionItem(
        uscc=item.uscc,
        key_part=str(item.key_part) if item.key_part else "",
        kind=PROTECTION_KIND.to_proto(item.kind),
        category=PROTECTION_CATEGORY.to_proto(item.kind.category),
        quantity=item.quantity,
        note=item.note,
        updated_at=timestamp(item.updated_at),
    )


def heartbeat_items(heartbeats: list[device_pb2.Heartbeat]) -> list[HeartbeatItem]:
    """The items as given (the domain checks each one)."""
    items: list[HeartbeatItem] = []
    for heartbeat in heartbeats:
        at = heartbeat.at.ToDatetime(tzinfo=UTC) if heartbeat.HasField("at") else None
        try:
            status = HEARTBEAT_STATUS_NAMES[heartbeat.status]
        except KeyError:
            status = str(heartbeat.status)
        items.append(HeartbeatItem(heartbeat.device_id, at, status))
    return items


HEARTBEAT_STATUS_NAMES = {
    device_pb2.HEARTBEAT_STATUS_UNSPECIFIED: "",
    device_pb2.HEARTBEAT_STATUS_OK: "ok",
    device_pb2.HEARTBEAT_STATUS_FAULT: "fault",
}


def heartbeat_results(results: list[HeartbeatResult]) -> device_pb2.RecordHeartbeatsResponse:
    """Per-item results and totals."""
    accepted = sum(1 for r in results if r.accepted)
    return device_pb2.RecordHeartbeatsResponse(
        results=[
            device_pb2.HeartbeatResult(
                index=r.index,
                device_id=r.device_id,
                accepted=r.accepted,
                violations=[
                    device_pb2.ItemViolation(field=v.field, reason=v.reason, description=v.description)
                    for v in r.violations
                ],
            )
            for r in results
        ],
        accepted=accepted,
        rejected=len(results) - accepted,
    )


def compliance_to_proto(result: UnitCompliance) -> compliance_pb2.UnitCompliance:
    """The proto UnitCompliance."""
    return compliance_pb2.UnitCompliance(
        uscc=result.uscc,
        rules_version=result.rules_version,
        compliant=result.compliant,
        requirements=[
            compliance_pb2.Requirement(
                rule_id=r.rule_id,
                title=r.title,
                rule=r.rule,
                measures=list(r.measures),
                met=r.met,
                evidence=list(r.evidence),
                device_ids=[str(i) for i in r.device_ids],
            )
            for r in result.requirements
        ],
        evaluated_at=timestamp(result.evaluated_at),
    )


def figure_grouping(number: int) -> FigureGrouping:
    """The grouping asked for (by jurisdiction when unspecified)."""
    return (
        FigureGrouping.SECTOR if number == figures_pb2.FIGURE_GROUPING_SECTOR else FigureGrouping.JURISDICTION
    )


def figure_row(row: FigureRow) -> figures_pb2.FigureRow:
    """The proto FigureRow."""
    return figures_pb2.FigureRow(
        key=row.key,
        devices=row.devices,
        online=row.online,
        offline=row.offline,
        fault=row.fault,
        unknown=row.unknown,
        online_rate=row.online_rate,
        offline_critical=row.offline_critical,
        units=row.units,
        units_evaluated=row.units_evaluated,
        units_compliant=row.units_compliant,
        compliance_rate=row.compliance_rate,
    )
