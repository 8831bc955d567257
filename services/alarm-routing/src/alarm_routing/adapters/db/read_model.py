"""The unit read model, applied from the registry's events (sync: the idempotent consumer's session).

What the registry's events carry: USCC, name, jurisdiction, police station, sectors, key-unit designation,
closure; and, in DossierUpdated, the unit's responsible persons (each phone arrives sealed for the stream,
is opened with the platform's keys and sealed again to its row here), key parts and emergency plans (the
current version of each), which every alarm of the unit shows its responders; from the device inventory's
DeviceRegistered/DeviceUpdated, which key part each device guards. Each item is applied only if it is not
older than what was applied (a replay changes nothing).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from alarm_routing.adapters.db.personal_data import PersonalDataCipher
from alarm_routing.adapters.db.tables import (
    UnitDeviceRow,
    UnitEmergencyPlanRow,
    UnitKeyPartRow,
    UnitResponsiblePersonRow,
    UnitRow,
)
from alarm_routing.domain.context import ResponsibleRole
from neibao.deviceinventory.v1 import events_pb2 as device_events_pb2
from neibao.unitregistry.v1 import dossier_pb2, events_pb2, unit_pb2
from neibao_messaging import Event
from neibao_privacy import PrivacyError

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


# The unit context: responsible persons, key parts, emergency plans ------------------------------------


def _item_id(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValueError(f"the {what} id {value!r} is not a UUID") from None


def _same_unit(message: events_pb2.DossierUpdated, uscc: str, what: str) -> None:
    if uscc and uscc != message.uscc:
        raise ValueError(f"the {what} belongs to {uscc}, the event to {message.uscc}")


def responsible_role(number: int) -> ResponsibleRole:
    """The domain role of a registry ResponsibleRole (ValueError for unspecified or unknown)."""
    if number == 0:
        raise ValueError("a responsible person without a role")
    name = dossier_pb2.ResponsibleRole.Name(number)  # type: ignore[arg-type]
    return ResponsibleRole(name.removeprefix("RESPONSIBLE_ROLE_").lower())


def device_type_name(number: int) -> str:
    """The REST spelling of a registry DeviceType."""
    return dossier_pb2.DeviceType.Name(number).removeprefix("DEVICE_TYPE_").lower()  # type: ignore[arg-type]


def person_values(message: events_pb2.DossierUpdated, personal_data: PersonalDataCipher) -> dict[str, Any]:
    """The read model's row of the responsible person a DossierUpdated announces, the phone (sealed for the
    stream) opened, then sealed to its row and indexed; ValueError when it does not open (dead-lettered)."""
    person = message.responsible_person
    person_id = _item_id(person.id, "responsible person")
    try:
        phone = personal_data.open_event_phone(person_id, message.responsible_person_phone_sealed)
    except PrivacyError as exc:
        raise ValueError(
            f"the sealed phone of responsible person {person_id} does not open ({type(exc).__name__}: {exc})"
        ) from exc
    return {
        "id": person_id,
        "uscc": person.uscc,
        "role": responsible_role(person.role).value,
        "name": person.name,
        "position": person.position,
        "phone": personal_data.seal_phone(person_id, phone),
        "phone_index": personal_data.phone_index(phone),
        "registry_version": person.version,
    }


def key_part_values(part: dossier_pb2.KeyPart) -> dict[str, Any]:
    """The read model's row of a registry key part."""
    return {
        "id": _item_id(part.id, "key part"),
        "uscc": part.uscc,
        "name": part.name,
        "location": part.location,
        "description": part.description,
        "protection_measures": list(part.protection_measures),
        "required_device_types": [device_type_name(t) for t in part.required_device_types],
        "registry_version": part.version,
    }


def plan_values(plan: dossier_pb2.EmergencyPlan) -> dict[str, Any]:
    """The read model's row of a registry plan version (kept by the plan's id)."""
    return {
        "plan_id": _item_id(plan.plan_id, "emergency plan"),
        "uscc": plan.uscc,
        "id": _item_id(plan.id, "emergency plan version"),
        "version": plan.version,
        "title": plan.title,
        "scenario": plan.scenario,
        "content": plan.content,
        "effective_on": plan.effective_on,
    }


class DossierContextProjection:
    """DossierUpdated: keeps the unit's responsible persons, key parts and current plans.

    Other sections, and events from before the registry carried the item, change nothing here.
    """

    def __init__(self, personal_data: PersonalDataCipher) -> None:
        self._personal_data = personal_data

    def __call__(self, session: Session, event: Event) -> None:
        """Apply one DossierUpdated."""
        message = event.payload(events_pb2.DossierUpdated)
        removed = message.change == dossier_pb2.CHANGE_KIND_REMOVED
        match message.WhichOneof("item"):
            case "responsible_person":
                person = message.responsible_person
                _same_unit(message, person.uscc, "responsible person")
                if removed:
                    self._remove(session, UnitResponsiblePersonRow, person.id, person.version)
                else:
                    values = person_values(message, self._personal_data)
                    self._upsert(session, UnitResponsiblePersonRow, {**values, "uscc": message.uscc})
            case "key_part":
                part = message.key_part
                _same_unit(message, part.uscc, "key part")
                if removed:
                    self._remove(session, UnitKeyPartRow, part.id, part.version)
                else:
                    self._upsert(session, UnitKeyPartRow, {**key_part_values(part), "uscc": message.uscc})
            case "emergency_plan":
                plan = message.emergency_plan
                _same_unit(message, plan.uscc, "emergency plan")
                self._apply_plan(session, message.uscc, plan, removed=removed)

    @staticmethod
    def _upsert(
        session: Session, row: type[UnitResponsiblePersonRow] | type[UnitKeyPartRow], values: dict[str, Any]
    ) -> None:
        changes = {k: v for k, v in values.items() if k != "id"}
        session.execute(
            insert(row)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[row.id],
                set_=changes,
                where=row.registry_version <= values["registry_version"],
            )
        )

    @staticmethod
    def _remove(
        session: Session,
        row: type[UnitResponsiblePersonRow] | type[UnitKeyPartRow],
        item_id: str,
        version: int,
    ) -> None:
        key = _item_id(item_id, row.__tablename__)
        session.execute(delete(row).where(row.id == key, row.registry_version <= version))

    @staticmethod
    def _apply_plan(session: Session, uscc: str, plan: dossier_pb2.EmergencyPlan, *, removed: bool) -> None:
        values = {**plan_values(plan), "uscc": uscc}
        if removed:
            session.execute(
                delete(UnitEmergencyPlanRow).where(UnitEmergencyPlanRow.plan_id == values["plan_id"])
            )
            return
        if plan.state == dossier_pb2.PLAN_STATE_SUPERSEDED:
            return  # only current versions are shown; the version superseding it is announced itself
        changes = {k: v for k, v in values.items() if k != "plan_id"}
        session.execute(
            insert(UnitEmergencyPlanRow)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[UnitEmergencyPlanRow.plan_id],
                set_=changes,
                where=UnitEmergencyPlanRow.version <= plan.version,
            )
        )


def apply_device(session: Session, event: Event) -> None:
    """DeviceRegistered / DeviceUpdated: which key part the device guards (its alarms show that part)."""
    message = event.data
    if not isinstance(message, device_events_pb2.DeviceRegistered | device_events_pb2.DeviceUpdated):
        raise TypeError(f"not a device description: {type(message).__name__}")
    device = message.device
    if not device.id:
        raise ValueError("a device without an id")
    values = {
        "uscc": device.uscc or message.uscc,
        "key_part": device.key_part,
        "inventory_version": device.version,
    }
    session.execute(
        insert(UnitDeviceRow)
        .values(id=device.id, **values)
        .on_conflict_do_update(
            index_elements=[UnitDeviceRow.id],
            set_=values,
            where=UnitDeviceRow.inventory_version <= device.version,
        )
    )
