"""Transport, vehicle-position and banking datasets: one valid record each, and what each refuses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sector_exchange.domain.datasets import (
    BANKING_OUTLET_EVENTS,
    TRANSPORT_FREIGHT_CONSIGNMENTS,
    TRANSPORT_PASSENGER_TICKETS,
    TRANSPORT_VEHICLE_POSITIONS,
    Dataset,
)
from sector_exchange.domain.validation import Rejection, ValidRecord, validate_record

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)

VALID: dict[str, tuple[Dataset, dict[str, Any]]] = {
    "ticket": (
        TRANSPORT_PASSENGER_TICKETS,
        {
            "ticket_no": "SY20261124-0001",
            "passenger_name": "赵六",
            "passenger_id_number": "210102199003071233",
            "departure_station": "沈阳长途客运站",
            "departure_region_code": "210102",
            "arrival_station": "大连客运站",
            "departure_at": "2026-11-30T08:00:00+08:00",  # ahead: a ticket is sold before departure
            "vehicle_plate": "辽A12345",
            "sale_channel": "online",
            "sold_at": "2026-11-24T07:00:00Z",
        },
    ),
    "freight": (
        TRANSPORT_FREIGHT_CONSIGNMENTS,
        {
            "waybill_no": "LD0001",
            "accepted_at": "2026-11-24T07:00:00Z",
            "origin_region_code": "210102",
            "consignor_name": "沈阳某商贸有限公司",
            "consignor_id_type": "uscc",
            "consignor_id_number": "91210102MA0LN001X3",
            "consignor_phone": "024-23456789",
            "consignee_name": "钱七",
            "consignee_phone": "13912345678",
            "goods": "服装",
            "pieces": 3,
            "weight_kg": 45.5,
            "inspected": True,
        },
    ),
    "position": (
        TRANSPORT_VEHICLE_POSITIONS,
        {
            "company_uscc": "91210200MA0YP3D80R",
            "plate": "辽BD12345",
            "region_code": "210202",
            "position_at": "2026-11-24T07:59:30Z",
            "longitude": 121_614_682,
            "latitude": 38_914_003,
            "coordinate_system": "gcj02",
            "speed_kmh": 42.5,
            "direction": 90,
        },
    ),
    "bank": (
        BANKING_OUTLET_EVENTS,
        {
            "outlet_uscc": "91210102MA0LN001X3",
            "outlet_region_code": "210102",
            "event_type": "one_button_alarm",
            "occurred_at": "2026-11-24T07:00:00Z",
            "alarm_linked": True,
        },
    ),
}


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_valid_record_of_each_dataset_is_kept(name: str) -> None:
    dataset, record = VALID[name]
    outcome = validate_record(dataset, 0, record, NOW)
    assert isinstance(outcome, ValidRecord), outcome
    assert outcome.jurisdiction == record[dataset.jurisdiction_field]


@pytest.mark.parametrize(
    ("name", "changes", "expected"),
    [
        ("ticket", {"sold_at": "2026-12-01T00:00:00Z"}, {"sold_at": "IN_FUTURE"}),
        ("ticket", {"boarding_result": "maybe"}, {"boarding_result": "UNKNOWN_VALUE"}),
        ("freight", {"consignor_id_type": "resident_id"}, {"consignor_id_number": "INVALID_FORMAT"}),
        ("freight", {"pieces": 1.5}, {"pieces": "INVALID_TYPE"}),
        (
            "position",
            {"longitude": 1_614_682, "coordinate_system": "mars"},
            {
                "longitude": "OUT_OF_RANGE",
                "coordinate_system": "UNKNOWN_VALUE",
            },
        ),
        ("position", {"latitude": None}, {"latitude": "REQUIRED"}),
        ("bank", {"outlet_uscc": "91210102MA0LN001X4"}, {"outlet_uscc": "INVALID_CHECK_CHARACTER"}),
    ],
)
def test_what_each_dataset_refuses(name: str, changes: dict[str, Any], expected: dict[str, str]) -> None:
    dataset, record = VALID[name]
    outcome = validate_record(dataset, 5, {**record, **changes}, NOW)
    assert isinstance(outcome, Rejection)
    assert {e.pointer: e.reason for e in outcome.errors} == {
        f"/records/5/{k}": v for k, v in expected.items()
    }


def test_bank_events_carry_no_personal_data() -> None:
    assert BANKING_OUTLET_EVENTS.personal_kinds == ()
