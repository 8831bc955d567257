"""The unit read model, applied from the registry's events (sync: the idempotent consumer's session).

Each change marks the unit's compliance due; the sweep re-evaluates and announces it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from device_inventory.adapters.db.tables import KeyPartRow, UnitRow
from neibao.unitregistry.v1 import dossier_pb2, events_pb2, unit_pb2
from neibao_messaging import Event

_UNIT_TYPE_PREFIX = "UNIT_TYPE_"
_SECTOR_PREFIX = "SECTOR_"


def unit_type_name(number: int) -> str:
    """The REST spelling of a registry UnitType ("" for unspecified)."""
    return "" if number == 0 else unit_pb2.UnitType.Name(number).removeprefix(_UNIT_TYPE_PREFIX).lower()  # type: ignore[arg-type]


def sector_name(number: int) -> str:
    """The REST spelling of a registry Sector ("" for unspecified)."""
    return "" if number == 0 else unit_pb2.Sector.Name(number).removeprefix(_SECTOR_PREFIX).lower()  # type: ignore[arg-type]


def _routing(message: Any) -> dict[str, Any]:
    sector = sector_name(message.sector)
    sectors = sorted({sector_name(s) for s in message.sectors} | ({sector} if sector else set()))
    return {
        "jurisdiction": message.jurisdiction,
        "unit_type": unit_type_name(message.unit_type),
        "sector": sector,
        "sectors": sectors,
    }


def _newer(version: int) -> ColumnElement[bool]:
    """Apply only what is not older than what was applied (a replay changes nothing)."""
    return UnitRow.registry_version <= version


def apply_unit_described(session: Session, event: Event) -> None:
    """UnitRegistered / UnitUpdated: the unit's description after the change."""
    message = event.data
    assert isinstance(message, events_pb2.UnitRegistered | events_pb2.UnitUpdated)  # noqa: S101 - registry types
    values = {
        "name": message.name,
        **_routing(message),
        "registry_version": message.version,
        "compliance_dirty": True,
    }
    statement = insert(UnitRow).values(uscc=message.uscc, **values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[UnitRow.uscc],
            set_=values,
            where=_newer(message.version),
        )
    )


def _ensure_unit(session: Session, message: Any) -> None:
    """A unit first heard of through a later event (its registration predates this stream's retention)."""
    session.execute(
        insert(UnitRow)
        .values(uscc=message.uscc, name="", **_routing(message))
        .on_conflict_do_nothing(index_elements=[UnitRow.uscc])
    )


def apply_unit_closed(session: Session, event: Event) -> None:
    """UnitClosed."""
    message = event.payload(events_pb2.UnitClosed)
    _ensure_unit(session, message)
    session.execute(
        update(UnitRow)
        .where(UnitRow.uscc == message.uscc, _newer(message.version))
        .values(closed=True, registry_version=message.version, compliance_dirty=True)
    )


def apply_key_unit(session: Session, event: Event) -> None:
    """KeyUnitDesignated / KeyUnitWithdrawn: whether the unit is a key unit."""
    message = event.data
    assert isinstance(message, events_pb2.KeyUnitDesignated | events_pb2.KeyUnitWithdrawn)  # noqa: S101
    _ensure_unit(session, message)
    designated = isinstance(message, events_pb2.KeyUnitDesignated)
    if isinstance(message, events_pb2.KeyUnitWithdrawn) and not message.was_designated:
        return  # only a proposal was dropped
    session.execute(
        update(UnitRow)
        .where(UnitRow.uscc == message.uscc, _newer(message.version))
        .values(key_unit=designated, registry_version=message.version, compliance_dirty=True)
    )


def apply_dossier_updated(session: Session, event: Event) -> None:
    """DossierUpdated of the key parts section: a key part added, updated (its name) or removed."""
    message = event.payload(events_pb2.DossierUpdated)
    if message.section != dossier_pb2.DOSSIER_SECTION_KEY_PARTS:
        return
    try:
        part = uuid.UUID(message.item_id)
    except ValueError as exc:
        raise ValueError(f"key part id {message.item_id!r} is not a UUID") from exc
    _ensure_unit(session, message)
    if message.change == dossier_pb2.CHANGE_KIND_REMOVED:
        session.execute(delete(KeyPartRow).where(KeyPartRow.id == part))
    elif message.HasField("key_part"):
        described = {"name": message.key_part.name, "location": message.key_part.location}
        session.execute(
            insert(KeyPartRow)
            .values(id=part, uscc=message.uscc, **described)
            .on_conflict_do_update(index_elements=["id"], set_=described)
        )
    else:  # an older event, without the item: keep what is known of it
        session.execute(
            insert(KeyPartRow)
            .values(id=part, uscc=message.uscc)
            .on_conflict_do_nothing(index_elements=["id"])
        )
    session.execute(update(UnitRow).where(UnitRow.uscc == message.uscc).values(compliance_dirty=True))
