"""Bodies of the unit registry's routes, for validation and the OpenAPI document.

They describe, key for key, what `adapters.proto_json` makes of neibao.unitregistry.v1 messages (field
names are the proto's; enums are the proto's values without their prefix, lower-cased; an empty or unset
value is null). tests/unit/test_registry_schemas.py holds them to the proto: a field or enum value added
there fails the test until it is described here.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from neibao_codes import DivisionLevel

DEMO_UNIT: Final = "91210102MA0LN001X3"

# Field limits of the unit registry (services/unit-registry domain/model.py), stated for clients.
MAX_NAME_LENGTH: Final = 200
MAX_ADDRESS_LENGTH: Final = 300
MAX_PERSON_NAME_LENGTH: Final = 50
MAX_REASON_LENGTH: Final = 500
MAX_FORMER_NAMES: Final = 20
MAX_QUERY_LENGTH: Final = 100
MAX_CURSOR_LENGTH: Final = 512

Uscc = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-Za-z]{18}$"),
    Field(
        description="统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character.",
        examples=[DEMO_UNIT],
    ),
]
DivisionCode = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{6}$"),
    Field(description="A GB/T 2260 division code.", examples=["210102"]),
]
PoliceStationCode = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{9}$"),
    Field(
        description="A police station: its county's division code and a 3-digit serial.",
        examples=["210102001"],
    ),
]


class UnitType(StrEnum):
    """What a unit is: the key-unit categories and sectors (State Council Order 421 art. 13)."""

    NEWS_MEDIA = "news_media"
    TRANSPORT_HUB = "transport_hub"
    DEFENCE_INDUSTRY = "defence_industry"
    TELECOM = "telecom"
    POSTAL_EXPRESS = "postal_express"
    FINANCIAL_OUTLET = "financial_outlet"
    ENERGY_UTILITY = "energy_utility"
    RESERVE_OR_TRADE_CENTRE = "reserve_or_trade_centre"
    SCHOOL = "school"
    RESEARCH_INSTITUTE = "research_institute"
    HOSPITAL = "hospital"
    LARGE_VENUE = "large_venue"
    MUSEUM_HERITAGE = "museum_heritage"
    HAZARDOUS_GOODS = "hazardous_goods"
    PATHOGEN_LAB = "pathogen_lab"
    KEY_PROJECT = "key_project"
    FUEL_STATION = "fuel_station"
    GAS_STATION = "gas_station"
    JEWELLERY_STORE = "jewellery_store"
    URBAN_RAIL = "urban_rail"
    PUBLIC_TRANSPORT = "public_transport"
    LOGISTICS = "logistics"
    STATE_OWNED_ENTERPRISE = "state_owned_enterprise"
    ENTERPRISE = "enterprise"
    INSTITUTION = "institution"


class Sector(StrEnum):
    """The sector whose regulator supervises a unit (the `sector` claim of regulators)."""

    POSTAL = "postal"
    TRANSPORT = "transport"
    COMMERCE = "commerce"
    HOUSING = "housing"
    BANKING = "banking"
    INSURANCE = "insurance"
    SECURITIES = "securities"
    SASAC = "sasac"
    CULTURE_TOURISM = "culture_tourism"
    HEALTH = "health"
    EDUCATION = "education"
    ENERGY = "energy"
    TELECOM = "telecom"


class UnitStatus(StrEnum):
    """Whether a unit is supervised (closed: deregistered, kept with its history)."""

    ACTIVE = "active"
    CLOSED = "closed"


class CoordinateSystem(StrEnum):
    """The datum of a coordinate pair."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"
    CGCS2000 = "cgcs2000"


class KeyUnitCategory(StrEnum):
    """The key-unit categories of State Council Order 421 art. 13."""

    NEWS_MEDIA = "news_media"
    TRANSPORT_HUB = "transport_hub"
    DEFENCE_INDUSTRY = "defence_industry"
    TELECOM_POSTAL_FINANCIAL = "telecom_postal_financial"
    ENERGY_UTILITY = "energy_utility"
    RESERVE_OR_TRADE_CENTRE = "reserve_or_trade_centre"
    EDUCATION_RESEARCH_MEDICAL_VENUE = "education_research_medical_venue"
    MUSEUM_ARCHIVE_HERITAGE = "museum_archive_heritage"
    HAZARDOUS_GOODS_PATHOGEN = "hazardous_goods_pathogen"
    KEY_PROJECT = "key_project"
    OTHER_DESIGNATED = "other_designated"


class DesignationState(StrEnum):
    """Where a key-unit designation stands."""

    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class ActorKind(StrEnum):
    """What kind of principal acted."""

    USER = "user"
    MACHINE = "machine"
    SYSTEM = "system"


_WRITE: Final = ConfigDict(extra="forbid")


# --- units -----------------------------------------------------------------------------------------


class Location(BaseModel):
    """A point with the datum it was measured in."""

    model_config = _WRITE

    latitude: float = Field(ge=-90, le=90, examples=[41.798])
    longitude: float = Field(ge=-180, le=180, examples=[123.406])
    coordinate_system: CoordinateSystem = Field(examples=["gcj02"])


class LocationRead(BaseModel):
    """A point with the datum it was measured in."""

    latitude: float
    longitude: float
    coordinate_system: CoordinateSystem | None


_UNIT_EXAMPLE: Final[dict[str, Any]] = {
    "uscc": DEMO_UNIT,
    "name": "沈阳太原街商贸中心有限公司",
    "former_names": [],
    "unit_type": "reserve_or_trade_centre",
    "sector": "commerce",
    "sectors": ["commerce"],
    "jurisdiction": "210102",
    "police_station": "210102001",
    "address": "辽宁省沈阳市和平区太原北街86号",
    "location": {"latitude": 41.798, "longitude": 123.406, "coordinate_system": "gcj02"},
    "legal_representative": "赵建国",
}


class UnitRead(BaseModel):
    """A supervised unit (企业事业单位)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                _UNIT_EXAMPLE
                | {
                    "status": "active",
                    "key_unit": True,
                    "key_unit_category": "reserve_or_trade_centre",
                    "version": 2,
                    "etag": '"2"',
                    "created_at": "2024-01-02T09:00:00Z",
                    "updated_at": "2024-01-02T09:00:00Z",
                    "closed_at": None,
                    "jurisdiction_name": "和平区",
                    "filing_overdue": False,
                    "drills_overdue": False,
                    "hazards_overdue": False,
                }
            ]
        }
    )

    uscc: str = Field(description="统一社会信用代码.")
    name: str
    former_names: list[str] = Field(description="Earlier names, oldest first.")
    unit_type: UnitType | None
    sector: Sector | None = Field(description="The lead regulating sector.")
    sectors: list[Sector] = Field(description="Every sector the unit falls under, the lead one included.")
    jurisdiction: str = Field(description="The district or county (GB/T 2260) it is registered in.")
    police_station: str | None = Field(description="Its police station's code; null when not assigned.")
    address: str
    location: LocationRead | None
    legal_representative: str | None = Field(description="法定代表人, the first responsible person.")
    status: UnitStatus | None
    key_unit: bool = Field(description="Whether it is a confirmed key unit (治安保卫重点单位).")
    key_unit_category: KeyUnitCategory | None = Field(description="The category of its designation.")
    version: int = Field(description="Increases with every change; the ETag is this number in quotes.")
    etag: str = Field(description="The strong HTTP ETag of this version, for If-Match.", examples=['"2"'])
    created_at: datetime | None
    updated_at: datetime | None
    closed_at: datetime | None
    jurisdiction_name: str | None = Field(description="The name of its jurisdiction, e.g. 和平区.")
    filing_overdue: bool = Field(description="Its security organisation filing is missing or overdue.")
    drills_overdue: bool = Field(description="A key unit with fewer than 2 drills in the last 12 months.")
    hazards_overdue: bool = Field(description="A hazard is past its rectification deadline.")


class UnitCreate(BaseModel):
    """A unit to register (police and province-admin, inside their own jurisdiction)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_UNIT_EXAMPLE]})

    uscc: Uscc
    name: str = Field(min_length=1, max_length=MAX_NAME_LENGTH, examples=["沈阳太原街商贸中心有限公司"])
    unit_type: UnitType
    sector: Sector = Field(description="The lead regulating sector.")
    sectors: list[Sector] = Field(default_factory=list, description="Further sectors; the lead one is added.")
    jurisdiction: DivisionCode = Field(description="A district or county code in force.")
    police_station: PoliceStationCode | None = Field(
        default=None, description="A police station of that district or county."
    )
    address: str = Field(
        min_length=1, max_length=MAX_ADDRESS_LENGTH, examples=["辽宁省沈阳市和平区太原北街86号"]
    )
    location: Location | None = None
    legal_representative: str = Field(default="", max_length=MAX_PERSON_NAME_LENGTH, examples=["赵建国"])
    former_names: list[Annotated[str, Field(max_length=MAX_NAME_LENGTH)]] = Field(
        default_factory=list, max_length=MAX_FORMER_NAMES
    )


class UnitUpdate(BaseModel):
    """The fields to change: the keys sent are changed (null clears an optional field), the rest kept.

    Unit security staff may change only name, address, location and legal_representative.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"address": "辽宁省沈阳市和平区太原北街88号"}]},
    )

    name: str | None = Field(default=None, max_length=MAX_NAME_LENGTH)
    former_names: list[Annotated[str, Field(max_length=MAX_NAME_LENGTH)]] | None = Field(
        default=None, max_length=MAX_FORMER_NAMES
    )
    unit_type: UnitType | None = None
    sector: Sector | None = None
    sectors: list[Sector] | None = None
    jurisdiction: DivisionCode | None = None
    police_station: PoliceStationCode | None = None
    address: str | None = Field(default=None, max_length=MAX_ADDRESS_LENGTH)
    location: Location | None = None
    legal_representative: str | None = Field(default=None, max_length=MAX_PERSON_NAME_LENGTH)


class UnitClose(BaseModel):
    """Why a unit is closed (deregistered or no longer supervised)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "企业已注销"}]})

    reason: str = Field(default="", max_length=MAX_REASON_LENGTH)


class UnitQuery(BaseModel):
    """Search criteria of the unit list; every criterion given must hold."""

    q: str | None = Field(
        default=None,
        max_length=MAX_QUERY_LENGTH,
        description="A fragment of the name or a former name, any length (two Chinese characters work).",
        examples=["太原"],
    )
    uscc: str | None = Field(default=None, max_length=18, description="Exact USCC.")
    jurisdiction: DivisionCode | None = Field(
        default=None, description="Units under this division (210000 the province, 210100 a city, ...)."
    )
    sector: Sector | None = Field(default=None, description="Units falling under this sector.")
    unit_type: UnitType | None = None
    key_unit: bool | None = Field(default=None, description="Only key units (true) or only others (false).")
    status: UnitStatus | None = None
    police_station: PoliceStationCode | None = None
    filing_overdue: bool | None = None
    drills_overdue: bool | None = None
    hazards_overdue: bool | None = None
    cursor: str | None = Field(
        default=None, max_length=MAX_CURSOR_LENGTH, description="The next_cursor of the previous page."
    )


class UnitPage(BaseModel):
    """One page of units in the caller's scope."""

    items: list[UnitRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


# --- key-unit designations -------------------------------------------------------------------------


class ActorRead(BaseModel):
    """Who acted."""

    kind: ActorKind | None
    subject: str | None = Field(description="The token's subject (Keycloak user or service account).")
    name: str | None = Field(description="Username or client id.")
    roles: list[str]
    jurisdiction: str | None
    sector: str | None
    unit: str | None
    client_id: str | None


class KeyUnitDesignationRead(BaseModel):
    """A key-unit designation (治安保卫重点单位) and what happened to it."""

    id: str
    uscc: str
    category: KeyUnitCategory | None
    state: DesignationState | None
    reason: str | None = Field(description="Why the police propose it.")
    proposed_by: ActorRead | None
    proposed_at: datetime | None
    confirmed_by: ActorRead | None
    confirmed_at: datetime | None
    designated_on: date | None = Field(description="The date the designation takes effect.")
    withdrawn_by: ActorRead | None
    withdrawn_at: datetime | None
    withdrawal_reason: str | None


class KeyUnitDesignationList(BaseModel):
    """A unit's designations, newest first."""

    items: list[KeyUnitDesignationRead]


class KeyUnitProposal(BaseModel):
    """Police propose a unit of their jurisdiction as a key unit."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"category": "reserve_or_trade_centre", "reason": "大型商贸中心"}]},
    )

    category: KeyUnitCategory
    reason: str = Field(default="", max_length=MAX_REASON_LENGTH)


class KeyUnitConfirmation(BaseModel):
    """A city bureau or the province confirms the pending proposal."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"designated_on": "2026-01-01"}]}
    )

    designated_on: date | None = Field(default=None, description="When it takes effect; today when null.")


class KeyUnitWithdrawal(BaseModel):
    """A city bureau or the province withdraws the designation (or drops the proposal)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"reason": "不再符合条件"}]})

    reason: str = Field(default="", max_length=MAX_REASON_LENGTH)


class KeyUnitDecisionRead(BaseModel):
    """The unit and its designation after a decision."""

    unit: UnitRead
    designation: KeyUnitDesignationRead


# --- history ---------------------------------------------------------------------------------------


class FieldChangeRead(BaseModel):
    """One field's value before and after a change."""

    field: str
    old_value: str | None = Field(description="The JSON text of the old value; null when it had none.")
    new_value: str | None = Field(description="The JSON text of the new value; null when it has none.")


class UnitChangeRead(BaseModel):
    """One entry of a unit's change history."""

    version: int = Field(description="The unit's version after the change.")
    change_type: str = Field(
        description="registered, updated, closed, key_unit_proposed, key_unit_designated, key_unit_withdrawn",
        examples=["updated"],
    )
    changes: list[FieldChangeRead]
    actor: ActorRead | None
    changed_at: datetime | None


class UnitChangePage(BaseModel):
    """One page of a unit's change history, newest first."""

    items: list[UnitChangeRead]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


# --- jurisdictions ---------------------------------------------------------------------------------


class PoliceStationRead(BaseModel):
    """A police station (派出所) of a district or county public security branch."""

    code: str = Field(examples=["210102001"])
    name: str = Field(examples=["南湖路派出所"])
    jurisdiction: str = Field(description="Its district or county.", examples=["210102"])
    address: str | None


class JurisdictionTreeRead(BaseModel):
    """A GB/T 2260 division with its sub-divisions and police stations."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "210102",
                    "name": "和平区",
                    "level": "county",
                    "parent": "210100",
                    "valid_from": "1983-01-01",
                    "valid_to": None,
                    "children": [],
                    "police_stations": [
                        {
                            "code": "210102001",
                            "name": "南湖路派出所",
                            "jurisdiction": "210102",
                            "address": "辽宁省沈阳市和平区南湖街144号",
                        }
                    ],
                }
            ]
        }
    )

    code: str
    name: str
    level: DivisionLevel | None
    parent: str | None = Field(description="The parent division; null for the province.")
    valid_from: date | None = Field(description="First day the code carried this name; null when older.")
    valid_to: date | None = Field(description="Last day the code carried this name; null while in force.")
    children: list[JurisdictionTreeRead] = Field(description="Sub-divisions in force.")
    police_stations: list[PoliceStationRead] = Field(description="Districts and counties only.")


class JurisdictionList(BaseModel):
    """The division tree: one root (the province, or the `parent` asked for)."""

    items: list[JurisdictionTreeRead]
