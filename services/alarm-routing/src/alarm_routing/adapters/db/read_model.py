"""The unit read model, applied from the registry's events (sync: the idempotent consumer's session).

What the registry's events carry: USCC, name, jurisdiction, police station, sectors, key-unit designation,
closure. Not carried (so not kept here yet): the emergency plans, key parts and responsible persons
themselves — DossierUpdated names only the section and the item id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from alarm_routing.adapters.db.tables import UnitRow
from neibao.unitregistry.v1 import events_pb2, unit_pb2
from neibao_messaging import Event

_SECTOR_PREFIX = "SECTOR_"


def sector_name(number: int) -> str:
    """The REST spelling of a registry Sector ("" for unspecified)."""
    if number == 0:
        return ""
    return unit_pb2.Sector.Name(number).removeprefix(_SECTOR_PREFIX).lower()  # type: ignore[arg-type]


def _scope(message: Any) -> dict[str, Any]:
    sector = sector_name(message.sector)
    sectors = sorted({sector_name(s) for s in message.sectors} | ({sector} if sector else set()))
    return {"jurisdiction": message.jurisdiction, "sector": sector, "sectors": sectors}


def _newer(version: int) -> ColumnElement[bool]:
    """Apply only what is not older than what was applied (a replay changes nothing)."""
    return UnitRow.registry_version <= version


def apply_unit_described(session: Session, event: Event) -> None:
    """UnitRegistered / UnitUpdated: the unit's description after the change."""
    message = event.data
    if not isinstance(message, events_pb2.UnitRegistered | events_pb2.UnitUpdated):
        raise TypeError(f"not a unit description: {type(message).__name__}")
    values = {
        "name": message.name,
        "police_station": message.police_station,
        **_scope(message),
        "registry_version": message.version,
    }
    statement = insert(UnitRow).values(uscc=message.uscc, **values)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[UnitRow.uscc], set_=values, where=_newer(message.version)
        )
    )


def _ensure_unit(session: Session, message: Any) -> None:
    """A unit first heard of through a later event (its registration predates the stream's retention)."""
    session.execute(
        insert(UnitRow)
        .values(uscc=message.uscc, **_scope(message))
        .on_conflict_do_nothing(index_elements=[UnitRow.uscc])
    )


def apply_unit_closed(session: Session, event: Event) -> None:
    """UnitClosed."""
    message = event.payload(events_pb2.UnitClosed)
    _ensure_unit(session, message)
    session.execute(
        update(UnitRow)
        .where(UnitRow.uscc == message.uscc, _newer(message.version))
        .values(closed=True, registry_version=message.version)
    )


def apply_key_unit(session: Session, event: Event) -> None:
    """KeyUnitDesignated / KeyUnitWithdrawn: whether the unit is a key unit."""
    message = event.data
    if not isinstance(message, events_pb2.KeyUnitDesignated | events_pb2.KeyUnitWithdrawn):
        raise TypeError(f"not a key-unit event: {type(message).__name__}")
    _ensure_unit(session, message)
    if isinstance(message, events_pb2.KeyUnitWithdrawn) and not message.was_designated:
        return  # only a proposal was dropped
    session.execute(
        update(UnitRow)
        .where(UnitRow.uscc == message.uscc, _newer(message.version))
        .values(key_unit=isinstance(message, events_pb2.KeyUnitDesignated), registry_version=message.version)
    )
