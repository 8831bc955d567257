"""gRPC messages <-> commands and domain objects."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from google.protobuf.timestamp_pb2 import Timestamp

from neibao.unitregistry.v1 import jurisdiction_pb2, unit_pb2
from unit_registry.adapters.proto_mapping import (
    COORDINATE_SYSTEM,
    DESIGNATION_STATE,
    DIVISION_LEVEL,
    KEY_UNIT_CATEGORY,
    SECTOR,
    UNIT_STATUS,
    UNIT_TYPE,
    EnumCodec,
    actor_to_proto,
    location_to_proto,
    sectors_to_proto,
    timestamp,
)
from unit_registry.domain.enums import Sector
from unit_registry.domain.errors import FieldViolation, ValidationFailed
from unit_registry.domain.jurisdiction import JurisdictionNode
from unit_registry.domain.model import KeyUnitDesignation, Location, Unit, UnitDraft, UnitPatch
from unit_registry.service.commands import (
    KeyUnitConfirmation,
    KeyUnitProposal,
    KeyUnitWithdrawal,
    UnitClose,
    UnitCreate,
    UnitQuery,
    UnitUpdate,
)
from unit_registry.service.list_views import UnitSummary
from unit_registry.service.unit_of_work import ChangeEntry


def _location(message: unit_pb2.Location | None) -> Location | None:
    if message is None:
        return None
    system = COORDINATE_SYSTEM.from_proto(message.coordinate_system, "location.coordinate_system")
    if system is None:
        raise ValidationFailed(
            [
                FieldViolation(
                    "location.coordinate_system",
                    "REQUIRED",
                    "location.coordinate_system is required with a location",
                )
            ]
        )
    return Location(message.latitude, message.longitude, system)


def _sectors(numbers: Iterable[int]) -> tuple[Sector, ...]:
    found = []
    for number in numbers:
        sector = SECTOR.from_proto(number, "sectors")
        if sector is not None:
            found.append(sector)
    return tuple(found)


def parse_date(value: str, field: str) -> date | None:
    """An ISO 8601 date, None when empty; ValidationFailed otherwise."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(
            [FieldViolation(field, "INVALID_FORMAT", f"{field} must be a date YYYY-MM-DD")]
        ) from exc


def unit_create(request: unit_pb2.CreateUnitRequest) -> UnitCreate:
    """CreateUnit -> command."""
    return UnitCreate(
        UnitDraft(
            uscc=request.uscc,
            name=request.name,
            unit_type=UNIT_TYPE.from_proto(request.unit_type, "unit_type"),
            sector=SECTOR.from_proto(request.sector, "sector"),
            sectors=_sectors(request.sectors),
            jurisdiction=request.jurisdiction,
            police_station=request.police_station or None,
            address=request.address,
            location=_location(request.location if request.HasField("location") else None),
            legal_representative=request.legal_representative,
            former_names=tuple(request.former_names),
        )
    )


def unit_update(request: unit_pb2.UpdateUnitRequest) -> UnitUpdate:
    """UpdateUnit -> command; the mask's paths are the REST field names."""
    fields = frozenset(request.update_mask.paths)
    return UnitUpdate(
        uscc=request.uscc,
        version=request.version,
        patch=UnitPatch(
            fields=fields,
            name=request.name,
            former_names=tuple(request.former_names),
            unit_type=UNIT_TYPE.from_proto(request.unit_type, "unit_type"),
            sector=SECTOR.from_proto(request.sector, "sector"),
            sectors=_sectors(request.sectors),
            jurisdiction=request.jurisdiction,
            police_station=request.police_station or None,
            address=request.address,
            location=_location(request.location if request.HasField("location") else None),
            legal_representative=request.legal_representative,
        ),
    )


def unit_close(request: unit_pb2.CloseUnitRequest) -> UnitClose:
    """CloseUnit -> command."""
    return UnitClose(uscc=request.uscc, version=request.version, reason=request.reason)


def unit_query(request: unit_pb2.ListUnitsRequest) -> UnitQuery:
    """ListUnits -> query."""
    return UnitQuery(
        q=request.q,
        uscc=request.uscc,
        jurisdiction=request.jurisdiction,
        sector=SECTOR.from_proto(request.sector, "sector"),
        unit_type=UNIT_TYPE.from_proto(request.unit_type, "unit_type"),
        key_unit=request.key_unit if request.HasField("key_unit") else None,
        status=UNIT_STATUS.from_proto(request.status, "status"),
        police_station=request.police_station,
        filing_overdue=request.filing_overdue if request.HasField("filing_overdue") else None,
        drills_overdue=request.drills_overdue if request.HasField("drills_overdue") else None,
        hazards_overdue=request.hazards_overdue if request.HasField("hazards_overdue") else None,
        limit=request.limit,
        cursor=request.cursor,
    )


def key_unit_proposal(request: unit_pb2.ProposeKeyUnitRequest) -> KeyUnitProposal:
    """ProposeKeyUnit -> command."""
    return KeyUnitProposal(
        uscc=request.uscc,
        category=KEY_UNIT_CATEGORY.from_proto(request.category, "category"),
        reason=request.reason,
    )


def key_unit_confirmation(request: unit_pb2.ConfirmKeyUnitRequest) -> KeyUnitConfirmation:
    """ConfirmKeyUnit -> command."""
    return KeyUnitConfirmation(
        uscc=request.uscc,
        version=request.version,
        designated_on=parse_date(request.designated_on, "designated_on"),
    )


def key_unit_withdrawal(request: unit_pb2.WithdrawKeyUnitRequest) -> KeyUnitWithdrawal:
    """WithdrawKeyUnit -> command."""
    return KeyUnitWithdrawal(uscc=request.uscc, reason=request.reason, version=request.version)


def unit_to_proto(unit: Unit) -> unit_pb2.Unit:
    """The API's Unit."""
    return unit_pb2.Unit(
        uscc=unit.uscc,
        name=unit.name,
        former_names=list(unit.former_names),
        unit_type=UNIT_TYPE.to_proto(unit.unit_type),
        sector=SECTOR.to_proto(unit.sector),
        sectors=sectors_to_proto(unit.sectors),
        jurisdiction=unit.jurisdiction,
        jurisdiction_name=unit.jurisdiction_name,
        police_station=unit.police_station or "",
        address=unit.address,
        location=location_to_proto(unit.location),
        legal_representative=unit.legal_representative,
        status=UNIT_STATUS.to_proto(unit.status),
        key_unit=unit.key_unit,
        key_unit_category=KEY_UNIT_CATEGORY.to_proto(unit.key_unit_category),
        version=unit.version,
        etag=unit.etag,
        created_at=timestamp(unit.created_at),
        updated_at=timestamp(unit.updated_at),
        closed_at=timestamp(unit.closed_at),
        filing_overdue=unit.flags.filing_overdue,
        drills_overdue=unit.flags.drills_overdue,
        hazards_overdue=unit.flags.hazards_overdue,
    )


def _numbers(codec: EnumCodec[Any]) -> dict[str, Any]:
    return {value.value: codec.to_proto(value) for value in codec.domain}


# The list's rows carry enum values as stored text: their proto numbers by a dictionary look-up.
_UNIT_TYPES: Final = _numbers(UNIT_TYPE)
_SECTORS: Final = _numbers(SECTOR)
_STATUSES: Final = _numbers(UNIT_STATUS)
_CATEGORIES: Final = _numbers(KEY_UNIT_CATEGORY)
_COORDINATE_SYSTEMS: Final = _numbers(COORDINATE_SYSTEM)
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND: Final = timedelta(seconds=1)


def _timestamp(moment: datetime | None) -> Timestamp | None:
    """A protobuf Timestamp of an aware datetime (as Timestamp.FromDatetime, in a fraction of its time)."""
    if moment is None:
        return None
    return Timestamp(seconds=(moment - _EPOCH) // _SECOND, nanos=moment.microsecond * 1000)


def unit_summary_to_proto(row: UnitSummary) -> unit_pb2.Unit:
    """The API's Unit of a list row: the same message as unit_to_proto of the row's Unit."""
    location = None
    if row.latitude is not None and row.longitude is not None and row.coordinate_system:
        location = unit_pb2.Location(
            latitude=row.latitude,
            longitude=row.longitude,
            coordinate_system=_COORDINATE_SYSTEMS[row.coordinate_system],
        )
    return unit_pb2.Unit(
        uscc=row.uscc,
        name=row.name,
        former_names=row.former_names,
        unit_type=_UNIT_TYPES[row.unit_type],
        sector=_SECTORS[row.sector],
        sectors=[_SECTORS[sector] for sector in row.sectors],
        jurisdiction=row.jurisdiction,
        jurisdiction_name=row.jurisdiction_name or "",
        police_station=row.police_station or "",
        address=row.address,
        location=location,
        legal_representative=row.legal_representative,
        status=_STATUSES[row.status],
        key_unit=row.key_unit,
        key_unit_category=_CATEGORIES.get(row.key_unit_category or "", 0),
        version=row.version,
        etag=f'"{row.version}"',
        created_at=_timestamp(row.created_at),
        updated_at=_timestamp(row.updated_at),
        closed_at=_timestamp(row.closed_at),
        filing_overdue=row.filing_overdue,
        drills_overdue=row.drills_overdue,
        hazards_overdue=row.hazards_overdue,
    )


def designation_to_proto(designation: KeyUnitDesignation) -> unit_pb2.KeyUnitDesignation:
    """The API's KeyUnitDesignation."""
    return unit_pb2.KeyUnitDesignation(
        id=str(designation.id),
        uscc=designation.uscc,
        category=KEY_UNIT_CATEGORY.to_proto(designation.category),
        state=DESIGNATION_STATE.to_proto(designation.state),
        reason=designation.reason,
        proposed_by=actor_to_proto(designation.proposed_by),
        proposed_at=timestamp(designation.proposed_at),
        confirmed_by=actor_to_proto(designation.confirmed_by),
        confirmed_at=timestamp(designation.confirmed_at),
        designated_on=designation.designated_on.isoformat() if designation.designated_on else "",
        withdrawn_by=actor_to_proto(designation.withdrawn_by),
        withdrawn_at=timestamp(designation.withdrawn_at),
        withdrawal_reason=designation.withdrawal_reason,
    )


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False)


def change_to_proto(entry: ChangeEntry) -> unit_pb2.UnitChange:
    """The API's UnitChange; values as JSON text."""
    return unit_pb2.UnitChange(
        version=entry.version,
        change_type=entry.change_type.value,
        changes=[
            unit_pb2.FieldChange(field=c.field, old_value=_json(c.old), new_value=_json(c.new))
            for c in entry.changes
        ],
        actor=actor_to_proto(entry.actor),
        changed_at=timestamp(entry.changed_at),
    )


def jurisdiction_to_proto(node: JurisdictionNode) -> jurisdiction_pb2.Jurisdiction:
    """A division with its subtree and police stations."""
    division = node.division
    return jurisdiction_pb2.Jurisdiction(
        code=division.code,
        name=division.name,
        level=DIVISION_LEVEL.to_proto(division.level),
        parent=division.parent or "",
        valid_from=division.valid_from.isoformat() if division.valid_from else "",
        valid_to=division.valid_to.isoformat() if division.valid_to else "",
        children=[jurisdiction_to_proto(child) for child in node.children],
        police_stations=[
            jurisdiction_pb2.PoliceStation(
                code=s.code, name=s.name, jurisdiction=s.jurisdiction, address=s.address
            )
            for s in node.police_stations
        ],
    )
