"""The datasets sector systems submit, as versioned schemas of typed fields (DOMAIN.md "Sector datasets").

A field says what it holds (its kind), whether it is required, and which kind of personal data it is,
if any: personal fields are encrypted at rest and masked when shown, resident IDs, phones and plates
are also blind-indexed. Adding a field is a new schema version; old versions stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class FieldKind(StrEnum):
    """How a field's value is checked and normalised."""

    TEXT = "text"
    RESIDENT_ID = "resident_id"
    ID_NUMBER = "id_number"  # a resident ID, USCC or passport number, as a sibling *_id_type field says
    USCC = "uscc"
    PHONE = "phone"
    DIVISION = "division"
    PLATE = "plate"
    TIME = "time"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CHOICE = "choice"


class PersonalKind(StrEnum):
    """Which kind of personal data a field holds (audited and masked as such)."""

    RESIDENT_ID = "resident_id"
    NAME = "name"
    PHONE = "phone"
    ADDRESS = "address"
    PLATE = "plate"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a dataset's schema."""

    name: str
    kind: FieldKind
    required: bool = True
    personal: PersonalKind | None = None
    max_length: int = 200
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    # ID_NUMBER: the field naming the number's type (resident_id when absent).
    id_type_field: str | None = None
    # TIME: a scheduled time (a departure) may lie ahead; a time something happened may not.
    future_allowed: bool = False


@dataclass(frozen=True, slots=True)
class Dataset:
    """A dataset's schema at one version."""

    sector: str
    name: str
    version: int
    title: str
    fields: tuple[FieldSpec, ...]
    # The division code that places a record in a jurisdiction (its scope), and the time it happened.
    jurisdiction_field: str
    time_field: str
    # The specs by name (made from `fields`; records are checked by the ten thousand a second).
    by_name: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)
    # The names of its personal fields.
    personal_names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {spec.name: spec for spec in self.fields})
        object.__setattr__(
            self, "personal_names", frozenset(spec.name for spec in self.fields if spec.personal is not None)
        )

    @property
    def key(self) -> str:
        """ "sector/name", as in the API's path."""
        return f"{self.sector}/{self.name}"

    def field(self, name: str) -> FieldSpec | None:
        """The spec of a field by name."""
        return self.by_name.get(name)

    @property
    def personal_kinds(self) -> tuple[PersonalKind, ...]:
        """The kinds of personal data its records may carry."""
        return tuple(dict.fromkeys(f.personal for f in self.fields if f.personal is not None))


ID_TYPES: Final = ("resident_id", "uscc", "passport", "other")
F = FieldKind
P = PersonalKind

# 邮件快件实名收寄 (反恐怖主义法 §20; 邮件快件实名收寄管理办法 2018), with 验视 and 过机安检 results.
POSTAL_SHIPMENTS: Final = Dataset(
    sector="postal",
    name="shipments",
    version=1,
    title="快件实名收寄",
    jurisdiction_field="site_region_code",
    time_field="accepted_at",
    fields=(
        FieldSpec("waybill_no", F.TEXT, max_length=40),
        FieldSpec("accepted_at", F.TIME),
        FieldSpec("site_name", F.TEXT),
        FieldSpec("site_region_code", F.DIVISION),
        FieldSpec("courier", F.TEXT, required=False, max_length=50),
        FieldSpec("sender_name", F.TEXT, personal=P.NAME, max_length=50),
        FieldSpec("sender_id_type", F.CHOICE, required=False, choices=ID_TYPES),
        FieldSpec("sender_id_number", F.ID_NUMBER, personal=P.RESIDENT_ID, id_type_field="sender_id_type"),
        FieldSpec("sender_phone", F.PHONE, personal=P.PHONE),
        FieldSpec("sender_address", F.TEXT, personal=P.ADDRESS),
        FieldSpec("sender_region_code", F.DIVISION, required=False),
        FieldSpec("receiver_name", F.TEXT, personal=P.NAME, max_length=50),
        FieldSpec("receiver_phone", F.PHONE, personal=P.PHONE),
        FieldSpec("receiver_address", F.TEXT, personal=P.ADDRESS),
        FieldSpec("receiver_region_code", F.DIVISION, required=False),
        FieldSpec("item_name", F.TEXT),
        FieldSpec("item_category", F.TEXT, required=False, max_length=50),
        FieldSpec("quantity", F.INTEGER, required=False, minimum=1, maximum=100_000),
        FieldSpec("weight_kg", F.NUMBER, required=False, minimum=0, maximum=100_000),
        FieldSpec("inspected", F.BOOLEAN),
        FieldSpec("xray_screened", F.BOOLEAN),
        FieldSpec("xray_machine", F.TEXT, required=False, max_length=50),
        FieldSpec("prohibited_item_found", F.BOOLEAN, required=False),
    ),
)

# 散装汽油购买实名登记: one sale against a police certificate (single use, 3 days, exact litres).
# v2 adds what the certificate says (its litres and issue time), so sales can be checked against it.
COMMERCE_FUEL_SALES: Final = Dataset(
    sector="commerce",
    name="fuel-sales",
    version=2,
    title="散装汽油实名销售",
    jurisdiction_field="station_region_code",
    time_field="sold_at",
    fields=(
        FieldSpec("station_uscc", F.USCC),
        FieldSpec("station_region_code", F.DIVISION),
        FieldSpec("sold_at", F.TIME),
        FieldSpec("buyer_name", F.TEXT, personal=P.NAME, max_length=50),
        FieldSpec("buyer_id_number", F.RESIDENT_ID, personal=P.RESIDENT_ID),
        FieldSpec("buyer_phone", F.PHONE, personal=P.PHONE),
        FieldSpec("buyer_address", F.TEXT, required=False, personal=P.ADDRESS),
        FieldSpec("buyer_unit", F.TEXT, required=False),
        FieldSpec("purpose", F.TEXT, max_length=100),
        FieldSpec("litres", F.NUMBER, minimum=0.1, maximum=10_000),
        FieldSpec("container", F.TEXT, required=False, max_length=50),
        FieldSpec("plate", F.PLATE, required=False, personal=P.PLATE),
        FieldSpec("certificate_no", F.TEXT, max_length=40),
        FieldSpec("certificate_litres", F.NUMBER, required=False, minimum=0.1, maximum=10_000),
        FieldSpec("certificate_issued_at", F.TIME, required=False),
    ),
)

# 长途客运实名售票 (identity data kept at least a year).
TRANSPORT_PASSENGER_TICKETS: Final = Dataset(
    sector="transport",
    name="passenger-tickets",
    version=1,
    title="长途客运实名售票",
    jurisdiction_field="departure_region_code",
    time_field="sold_at",
    fields=(
        FieldSpec("ticket_no", F.TEXT, max_length=40),
        FieldSpec("passenger_name", F.TEXT, personal=P.NAME, max_length=50),
        FieldSpec("passenger_id_type", F.CHOICE, required=False, choices=ID_TYPES),
        FieldSpec(
            "passenger_id_number", F.ID_NUMBER, personal=P.RESIDENT_ID, id_type_field="passenger_id_type"
        ),
        FieldSpec("route", F.TEXT, required=False, max_length=100),
        FieldSpec("departure_station", F.TEXT, max_length=100),
        FieldSpec("departure_region_code", F.DIVISION),
        FieldSpec("arrival_station", F.TEXT, max_length=100),
        FieldSpec("arrival_region_code", F.DIVISION, required=False),
        FieldSpec("departure_at", F.TIME, future_allowed=True),
        FieldSpec("vehicle_plate", F.PLATE, required=False),
        FieldSpec("seat", F.TEXT, required=False, max_length=10),
        FieldSpec(
            "sale_channel", F.CHOICE, required=False, choices=("counter", "online", "machine", "agent")
        ),
        FieldSpec("sold_at", F.TIME),
        FieldSpec("boarding_checked_at", F.TIME, required=False),
        FieldSpec("boarding_result", F.CHOICE, required=False, choices=("passed", "refused", "not_checked")),
    ),
)

# 零担货物托运 (less-than-truckload freight): consignor identified by ID or USCC, goods inspected.
TRANSPORT_FREIGHT_CONSIGNMENTS: Final = Dataset(
    sector="transport",
    name="freight-consignments",
    version=1,
    title="零担货物托运实名登记",
    jurisdiction_field="origin_region_code",
    time_field="accepted_at",
    fields=(
        FieldSpec("waybill_no", F.TEXT, max_length=40),
        FieldSpec("accepted_at", F.TIME),
        FieldSpec("origin_region_code", F.DIVISION),
        FieldSpec("destination_region_code", F.DIVISION, required=False),
        FieldSpec("consignor_name", F.TEXT, personal=P.NAME, max_length=100),
        FieldSpec("consignor_id_type", F.CHOICE, required=False, choices=ID_TYPES),
        FieldSpec(
            "consignor_id_number", F.ID_NUMBER, personal=P.RESIDENT_ID, id_type_field="consignor_id_type"
        ),
        FieldSpec("consignor_phone", F.PHONE, personal=P.PHONE),
        FieldSpec("consignee_name", F.TEXT, personal=P.NAME, max_length=100),
        FieldSpec("consignee_phone", F.PHONE, personal=P.PHONE),
        FieldSpec("consignee_address", F.TEXT, required=False, personal=P.ADDRESS),
        FieldSpec("goods", F.TEXT),
        FieldSpec("pieces", F.INTEGER, minimum=1, maximum=100_000),
        FieldSpec("weight_kg", F.NUMBER, minimum=0, maximum=100_000),
        FieldSpec("inspected", F.BOOLEAN),
        FieldSpec("inspection_result", F.TEXT, required=False, max_length=100),
        FieldSpec("plate", F.PLATE, required=False),
    ),
)

COORDINATE_SYSTEMS: Final = ("gcj02", "wgs84", "bd09", "cgcs2000")

# 车辆定位 (网约车 positionVehicle; JT/T 808): coordinates in 1e-6 degrees, inside China's extent.
TRANSPORT_VEHICLE_POSITIONS: Final = Dataset(
    sector="transport",
    name="vehicle-positions",
    version=1,
    title="车辆定位",
    jurisdiction_field="region_code",
    time_field="position_at",
    fields=(
        FieldSpec("company_uscc", F.USCC),
        FieldSpec("plate", F.PLATE, personal=P.PLATE),
        FieldSpec("region_code", F.DIVISION),
        FieldSpec("position_at", F.TIME),
        FieldSpec("longitude", F.INTEGER, minimum=73_000_000, maximum=136_000_000),
        FieldSpec("latitude", F.INTEGER, minimum=3_000_000, maximum=54_000_000),
        FieldSpec("coordinate_system", F.CHOICE, choices=COORDINATE_SYSTEMS),
        FieldSpec("speed_kmh", F.NUMBER, required=False, minimum=0, maximum=300),
        FieldSpec("direction", F.INTEGER, required=False, minimum=0, maximum=359),
        FieldSpec(
            "business_status",
            F.CHOICE,
            required=False,
            choices=("empty", "carrying", "dispatched", "offline", "other"),
        ),
        FieldSpec("order_id", F.TEXT, required=False, max_length=64),
    ),
)

# 银行营业网点安全事件 (one-button alarms, intrusion, robbery, ...): no personal data.
BANKING_OUTLET_EVENTS: Final = Dataset(
    sector="banking",
    name="outlet-events",
    version=1,
    title="银行网点安全事件",
    jurisdiction_field="outlet_region_code",
    time_field="occurred_at",
    fields=(
        FieldSpec("outlet_uscc", F.USCC),
        FieldSpec("outlet_region_code", F.DIVISION),
        FieldSpec(
            "event_type",
            F.CHOICE,
            choices=(
                "one_button_alarm",
                "intrusion_alarm",
                "robbery",
                "fire",
                "device_fault",
                "drill",
                "other",
            ),
        ),
        FieldSpec("occurred_at", F.TIME),
        FieldSpec("zone", F.TEXT, required=False, max_length=100),
        FieldSpec("alarm_linked", F.BOOLEAN, required=False),
        FieldSpec("outcome", F.TEXT, required=False, max_length=500),
    ),
)

DATASETS: Final = {
    d.key: d
    for d in (
        POSTAL_SHIPMENTS,
        TRANSPORT_PASSENGER_TICKETS,
        TRANSPORT_FREIGHT_CONSIGNMENTS,
        TRANSPORT_VEHICLE_POSITIONS,
        COMMERCE_FUEL_SALES,
        BANKING_OUTLET_EVENTS,
    )
}
"""The current schema of every dataset, by "sector/name"."""


def dataset_of(sector: str, name: str) -> Dataset | None:
    """The current schema of a dataset, or None when there is no such dataset."""
    return DATASETS.get(f"{sector}/{name}")
