"""Domain values <-> protobuf: enums by name (UNIT_TYPE_NEWS_MEDIA <-> "news_media"), actors, places.

The REST spelling of an enum value is its proto name without the enum's prefix, lower-cased; the
domain enums hold exactly those spellings, so one rule maps all three (checked by a unit test).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from google.protobuf.timestamp_pb2 import Timestamp

from neibao.common.v1 import common_pb2
from neibao.unitregistry.v1 import dossier_pb2, inspection_pb2, jurisdiction_pb2, staff_pb2, unit_pb2
from unit_registry.domain import disclosure, enums
from unit_registry.domain.errors import FieldViolation, ValidationFailed
from unit_registry.domain.flags import DossierFlags
from unit_registry.domain.jurisdiction import DivisionLevel
from unit_registry.domain.model import Actor, ActorKind, Location

E = TypeVar("E", bound=StrEnum)


class EnumCodec(Generic[E]):
    """Maps one domain enum onto its proto enum (whose zero value is X_UNSPECIFIED)."""

    def __init__(self, domain: type[E], wrapper: Any) -> None:
        self.domain = domain
        self.wrapper = wrapper
        unspecified = wrapper.DESCRIPTOR.values[0].name
        if not unspecified.endswith("_UNSPECIFIED") or wrapper.DESCRIPTOR.values[0].number != 0:
            raise ValueError(f"{wrapper.DESCRIPTOR.name} has no X_UNSPECIFIED zero value")
        self.prefix = unspecified.removesuffix("UNSPECIFIED")

    def to_proto(self, value: E | None) -> Any:
        """The proto number of a domain value (0 for None), typed as the generated enum's ValueType."""
        if value is None:
            return 0
        return self.wrapper.Value(self.prefix + value.value.upper())

    def from_proto(self, number: int, field: str) -> E | None:
        """The domain value of a proto number (None for 0); ValidationFailed for a number we do not know."""
        if number == 0:
            return None
        try:
            name: str = self.wrapper.Name(number)
            return self.domain(name.removeprefix(self.prefix).lower())
        except ValueError as exc:
            raise ValidationFailed(
                [FieldViolation(field, "UNKNOWN_VALUE", f"{field} has no value numbered {number}")]
            ) from exc


UNIT_TYPE = EnumCodec(enums.UnitType, unit_pb2.UnitType)
SECTOR = EnumCodec(enums.Sector, unit_pb2.Sector)
UNIT_STATUS = EnumCodec(enums.UnitStatus, unit_pb2.UnitStatus)
COORDINATE_SYSTEM = EnumCodec(enums.CoordinateSystem, unit_pb2.CoordinateSystem)
KEY_UNIT_CATEGORY = EnumCodec(enums.KeyUnitCategory, unit_pb2.KeyUnitCategory)
DESIGNATION_STATE = EnumCodec(enums.DesignationState, unit_pb2.DesignationState)
DIVISION_LEVEL = EnumCodec(DivisionLevel, jurisdiction_pb2.DivisionLevel)
SEVERITY = EnumCodec(enums.Severity, dossier_pb2.Severity)
DEVICE_TYPE = EnumCodec(enums.DeviceType, dossier_pb2.DeviceType)
FILING_STATE = EnumCodec(enums.FilingState, dossier_pb2.FilingState)
RESPONSIBLE_ROLE = EnumCodec(enums.ResponsibleRole, dossier_pb2.ResponsibleRole)
PLAN_STATE = EnumCodec(enums.PlanState, dossier_pb2.PlanState)
DISCLOSURE_LEVEL = EnumCodec(disclosure.DisclosureLevel, dossier_pb2.DisclosureLevel)
PERSONAL_DATA_KIND = EnumCodec(disclosure.PersonalDataKind, dossier_pb2.PersonalDataKind)
DOSSIER_SECTION = EnumCodec(enums.DossierSection, dossier_pb2.DossierSection)
CHANGE_KIND = EnumCodec(enums.ChangeKind, dossier_pb2.ChangeKind)
EMPLOYMENT = EnumCodec(enums.Employment, staff_pb2.Employment)
SKILL_GRADE = EnumCodec(enums.SkillGrade, staff_pb2.SkillGrade)
STAFF_STATE = EnumCodec(enums.StaffState, staff_pb2.StaffState)
TRAINING_RESULT = EnumCodec(enums.TrainingResult, staff_pb2.TrainingResult)
ASSESSMENT_RESULT = EnumCodec(enums.AssessmentResult, staff_pb2.AssessmentResult)
PARTY_KIND = EnumCodec(enums.PartyKind, inspection_pb2.PartyKind)
HAZARD_STATE = EnumCodec(enums.HazardState, inspection_pb2.HazardState)

_ACTOR_KINDS = {
    ActorKind.USER: common_pb2.ACTOR_KIND_USER,
    ActorKind.MACHINE: common_pb2.ACTOR_KIND_MACHINE,
    ActorKind.SYSTEM: common_pb2.ACTOR_KIND_SYSTEM,
}


def timestamp(moment: datetime | None) -> Timestamp | None:
    """A protobuf Timestamp, or None."""
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def actor_to_proto(actor: Actor | None) -> common_pb2.Actor | None:
    """neibao.common.v1.Actor of a domain actor."""
    if actor is None:
        return None
    return common_pb2.Actor(
        kind=_ACTOR_KINDS.get(actor.kind, common_pb2.ACTOR_KIND_UNSPECIFIED),
        subject=actor.subject,
        name=actor.name,
        roles=sorted(actor.roles),
        jurisdiction=actor.jurisdiction or "",
        sector=actor.sector or "",
        unit=actor.unit or "",
        client_id=actor.client_id or "",
    )


def location_to_proto(location: Location | None) -> unit_pb2.Location | None:
    """The proto Location, or None."""
    if location is None:
        return None
    return unit_pb2.Location(
        latitude=location.latitude,
        longitude=location.longitude,
        coordinate_system=COORDINATE_SYSTEM.to_proto(location.coordinate_system),
    )


def sectors_to_proto(sectors: tuple[enums.Sector, ...]) -> list[Any]:
    """Proto numbers of sectors, in order."""
    return [SECTOR.to_proto(sector) for sector in sectors]


def flags_to_proto(flags: DossierFlags) -> dossier_pb2.DossierFlags:
    """The proto DossierFlags."""
    return dossier_pb2.DossierFlags(
        filing_overdue=flags.filing_overdue,
        drills_overdue=flags.drills_overdue,
        hazards_overdue=flags.hazards_overdue,
    )


def iso(day: date | None) -> str:
    """An ISO 8601 date, "" for None."""
    return day.isoformat() if day else ""
