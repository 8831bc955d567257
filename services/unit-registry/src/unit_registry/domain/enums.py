"""The registry's enumerations; their values are the stable REST spellings (snake_case)."""

from __future__ import annotations

from enum import StrEnum


class UnitType(StrEnum):
    """What a unit is (Order 421 art. 13 categories and the guidance's sectors); add, never rename."""

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
    """The regulating sector (the `sector` claim of regulators); add, never rename."""

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
    """Whether a unit is supervised."""

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


class ChangeType(StrEnum):
    """The kinds of entries in a unit's change history."""

    REGISTERED = "registered"
    UPDATED = "updated"
    CLOSED = "closed"
    KEY_UNIT_PROPOSED = "key_unit_proposed"
    KEY_UNIT_DESIGNATED = "key_unit_designated"
    KEY_UNIT_WITHDRAWN = "key_unit_withdrawn"


class Severity(StrEnum):
    """How serious a hazard or an informant's report is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class DeviceType(StrEnum):
    """Technical protection a key part needs (the device inventory's kinds); add, never rename."""

    VIDEO_CAMERA = "video_camera"
    INTRUSION_PANEL = "intrusion_panel"
    PERIMETER_ALARM = "perimeter_alarm"
    ONE_BUTTON_ALARM = "one_button_alarm"
    ACCESS_CONTROL = "access_control"
    ID_VERIFICATION = "id_verification"
    PLATE_RECOGNITION = "plate_recognition"
    TRAJECTORY_TERMINAL = "trajectory_terminal"


class FilingState(StrEnum):
    """Where a security organisation filing (备案) stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class ResponsibleRole(StrEnum):
    """第一责任人 (the legal representative, one per unit) or 共同责任人 (§21)."""

    FIRST_RESPONSIBLE = "first_responsible"
    CO_RESPONSIBLE = "co_responsible"


class PlanState(StrEnum):
    """Whether an emergency plan version is in force."""

    CURRENT = "current"
    SUPERSEDED = "superseded"


class Employment(StrEnum):
    """Full- or part-time security staff."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"


class SkillGrade(StrEnum):
    """保安员 vocational skill grades, lowest first."""

    JUNIOR = "junior"
    INTERMEDIATE = "intermediate"
    SENIOR = "senior"
    TECHNICIAN = "technician"
    SENIOR_TECHNICIAN = "senior_technician"


class StaffState(StrEnum):
    """Whether a staff member still works for the unit."""

    ACTIVE = "active"
    DEPARTED = "departed"


class TrainingResult(StrEnum):
    """The outcome of a training."""

    ATTENDED = "attended"
    PASSED = "passed"
    FAILED = "failed"


class AssessmentResult(StrEnum):
    """The outcome of an assessment."""

    PASSED = "passed"
    FAILED = "failed"


class PartyKind(StrEnum):
    """Who inspects: the police or a sector regulator."""

    POLICE = "police"
    REGULATOR = "regulator"


class HazardState(StrEnum):
    """open -> rectified (by the unit) -> verified (by the inspecting party); a rejection reopens."""

    OPEN = "open"
    RECTIFIED = "rectified"
    VERIFIED = "verified"


class DossierSection(StrEnum):
    """A part of the dossier, as dossier.updated events name it."""

    FILING = "filing"
    RESPONSIBLE_PERSONS = "responsible_persons"
    STAFF = "staff"
    ASSESSMENTS = "assessments"
    CERTIFICATES = "certificates"
    INFORMANTS = "informants"
    KEY_PARTS = "key_parts"
    EMERGENCY_PLANS = "emergency_plans"
    WORKSTATIONS = "workstations"


class ChangeKind(StrEnum):
    """What happened to a dossier item."""

    ADDED = "added"
    UPDATED = "updated"
    REMOVED = "removed"


# The category a unit type usually falls under, to suggest one when police propose a key unit.
KEY_UNIT_CATEGORY_OF_TYPE: dict[UnitType, KeyUnitCategory] = {
    UnitType.NEWS_MEDIA: KeyUnitCategory.NEWS_MEDIA,
    UnitType.TRANSPORT_HUB: KeyUnitCategory.TRANSPORT_HUB,
    UnitType.DEFENCE_INDUSTRY: KeyUnitCategory.DEFENCE_INDUSTRY,
    UnitType.TELECOM: KeyUnitCategory.TELECOM_POSTAL_FINANCIAL,
    UnitType.POSTAL_EXPRESS: KeyUnitCategory.TELECOM_POSTAL_FINANCIAL,
    UnitType.FINANCIAL_OUTLET: KeyUnitCategory.TELECOM_POSTAL_FINANCIAL,
    UnitType.ENERGY_UTILITY: KeyUnitCategory.ENERGY_UTILITY,
    UnitType.RESERVE_OR_TRADE_CENTRE: KeyUnitCategory.RESERVE_OR_TRADE_CENTRE,
    UnitType.SCHOOL: KeyUnitCategory.EDUCATION_RESEARCH_MEDICAL_VENUE,
    UnitType.RESEARCH_INSTITUTE: KeyUnitCategory.EDUCATION_RESEARCH_MEDICAL_VENUE,
    UnitType.HOSPITAL: KeyUnitCategory.EDUCATION_RESEARCH_MEDICAL_VENUE,
    UnitType.LARGE_VENUE: KeyUnitCategory.EDUCATION_RESEARCH_MEDICAL_VENUE,
    UnitType.MUSEUM_HERITAGE: KeyUnitCategory.MUSEUM_ARCHIVE_HERITAGE,
    UnitType.HAZARDOUS_GOODS: KeyUnitCategory.HAZARDOUS_GOODS_PATHOGEN,
    UnitType.PATHOGEN_LAB: KeyUnitCategory.HAZARDOUS_GOODS_PATHOGEN,
    UnitType.KEY_PROJECT: KeyUnitCategory.KEY_PROJECT,
    UnitType.URBAN_RAIL: KeyUnitCategory.TRANSPORT_HUB,
}
