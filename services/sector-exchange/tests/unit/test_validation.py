"""Per-record validation of the postal and fuel datasets: pointers, reasons, normalisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sector_exchange.adapters.retention import load_retention
from sector_exchange.domain.datasets import COMMERCE_FUEL_SALES, DATASETS, POSTAL_SHIPMENTS, dataset_of
from sector_exchange.domain.disclosure import masked, split_personal
from sector_exchange.domain.validation import Rejection, ValidRecord, validate_batch, validate_record

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


def shipment(**changes: Any) -> dict[str, Any]:
    """A valid express real-name receipt."""
    record: dict[str, Any] = {
        "waybill_no": "SF1234567890",
        "accepted_at": "2026-11-24T15:30:00+08:00",
        "site_name": "和平区南京北街营业部",
        "site_region_code": "210102",
        "courier": "王师傅",
        "sender_name": "张三",
        "sender_id_type": "resident_id",
        "sender_id_number": "210102199003071233",
        "sender_phone": "+86 138-1234-5678",
        "sender_address": "辽宁省沈阳市和平区南京北街1号",
        "receiver_name": "李四",
        "receiver_phone": "13912345678",
        "receiver_address": "大连市中山区人民路5号",
        "receiver_region_code": "210202",
        "item_name": "书籍",
        "quantity": 2,
        "weight_kg": 1.5,
        "inspected": True,
        "xray_screened": True,
    }
    record.update(changes)
    return record


def fuel_sale(**changes: Any) -> dict[str, Any]:
    """A valid bulk gasoline sale."""
    record: dict[str, Any] = {
        "station_uscc": "91210102MA0LN001X3",
        "station_region_code": "210102",
        "sold_at": "2026-11-24T07:00:00Z",
        "buyer_name": "欧阳娜娜",
        "buyer_id_number": "11010519491231002x",
        "buyer_phone": "13812345678",
        "purpose": "农用机械",
        "litres": 20,
        "plate": "辽A·12345",
        "certificate_no": "SY2026-000123",
    }
    record.update(changes)
    return record


def errors_of(outcome: ValidRecord | Rejection) -> dict[str, str]:
    assert isinstance(outcome, Rejection), outcome
    return {e.pointer: e.reason for e in outcome.errors}


def test_a_valid_shipment_is_normalised() -> None:
    outcome = validate_record(POSTAL_SHIPMENTS, 0, shipment(), NOW)
    assert isinstance(outcome, ValidRecord)
    assert outcome.jurisdiction == "210102"
    assert outcome.fields["sender_phone"] == "13812345678"
    assert outcome.fields["accepted_at"] == "2026-11-24T07:30:00Z"
    assert outcome.occurred_at == datetime(2026, 11, 24, 7, 30, tzinfo=UTC)


def test_a_wrong_check_character_is_pointed_at() -> None:
    outcome = validate_record(POSTAL_SHIPMENTS, 3, shipment(sender_id_number="210102199003071234"), NOW)
    assert errors_of(outcome) == {"/records/3/sender_id_number": "INVALID_CHECK_CHARACTER"}
    assert "210102199003071234" not in str(outcome)  # never echoed: it is personal data


def test_every_error_of_a_record_is_reported() -> None:
    outcome = validate_record(
        POSTAL_SHIPMENTS,
        1,
        shipment(
            waybill_no="",
            site_region_code="219999",
            accepted_at=(NOW + timedelta(hours=1)).isoformat(),
            sender_phone="12345",
            quantity=0,
            inspected="yes",
            colour="red",
        ),
        NOW,
    )
    assert errors_of(outcome) == {
        "/records/1/waybill_no": "REQUIRED",
        "/records/1/site_region_code": "INVALID_FORMAT",
        "/records/1/accepted_at": "IN_FUTURE",
        "/records/1/sender_phone": "INVALID_FORMAT",
        "/records/1/quantity": "OUT_OF_RANGE",
        "/records/1/inspected": "INVALID_TYPE",
        "/records/1/colour": "UNKNOWN_FIELD",
    }


def test_a_time_without_zone_is_refused() -> None:
    outcome = validate_record(POSTAL_SHIPMENTS, 0, shipment(accepted_at="2026-11-24T08:00:00"), NOW)
    assert errors_of(outcome) == {"/records/0/accepted_at": "INVALID_FORMAT"}


def test_a_company_sender_gives_its_uscc() -> None:
    good = validate_record(
        POSTAL_SHIPMENTS, 0, shipment(sender_id_type="uscc", sender_id_number="91210102MA0LN001X3"), NOW
    )
    assert isinstance(good, ValidRecord)
    bad = validate_record(
        POSTAL_SHIPMENTS, 0, shipment(sender_id_type="uscc", sender_id_number="91210102MA0LN001X4"), NOW
    )
    assert errors_of(bad) == {"/records/0/sender_id_number": "INVALID_CHECK_CHARACTER"}


def test_a_record_that_is_not_an_object() -> None:
    assert errors_of(validate_record(POSTAL_SHIPMENTS, 2, ["x"], NOW)) == {"/records/2": "INVALID_TYPE"}


def test_fuel_sale_checks_plates_and_litres() -> None:
    good = validate_record(COMMERCE_FUEL_SALES, 0, fuel_sale(), NOW)
    assert isinstance(good, ValidRecord)
    assert good.fields["plate"] == "辽A12345"
    assert good.fields["buyer_id_number"] == "11010519491231002X"
    bad = validate_record(COMMERCE_FUEL_SALES, 4, fuel_sale(plate="辽Z12345", litres=-1, sold_at="x"), NOW)
    assert errors_of(bad) == {
        "/records/4/plate": "INVALID_FORMAT",
        "/records/4/litres": "OUT_OF_RANGE",
        "/records/4/sold_at": "INVALID_FORMAT",
    }


def test_partial_acceptance_keeps_order() -> None:
    records = [shipment(), shipment(sender_id_number="1"), shipment(waybill_no="SF2"), 7]
    validated = validate_batch(POSTAL_SHIPMENTS, records, NOW)
    assert [r.index for r in validated.valid] == [0, 2]
    assert [r.index for r in validated.rejected] == [1, 3]


def test_personal_fields_are_split_and_masked() -> None:
    outcome = validate_record(POSTAL_SHIPMENTS, 0, shipment(), NOW)
    assert isinstance(outcome, ValidRecord)
    public, personal = split_personal(POSTAL_SHIPMENTS, outcome.fields)
    assert "sender_id_number" in personal
    assert "waybill_no" in public
    assert not set(public) & set(personal)
    shown = masked(POSTAL_SHIPMENTS, outcome.fields)
    assert shown["sender_id_number"] == "210102********1233"
    assert shown["sender_phone"] == "138****5678"
    assert shown["sender_name"] == "张*"
    assert shown["waybill_no"] == "SF1234567890"


@pytest.mark.parametrize("key", sorted(DATASETS))
def test_datasets_are_consistent(key: str) -> None:
    dataset = DATASETS[key]
    assert dataset_of(dataset.sector, dataset.name) is dataset
    assert dataset.field(dataset.jurisdiction_field) is not None
    assert dataset.field(dataset.time_field) is not None
    assert load_retention().days[key] >= 366  # identity data kept at least a year


def test_values_repeated_in_a_batch_are_judged_alike() -> None:
    bad_id = "210102199003071234"
    records = [
        shipment(),
        shipment(sender_id_number=bad_id),
        shipment(),
        shipment(sender_id_number=bad_id),
        shipment(sender_id_type="passport", sender_id_number=bad_id),  # another type: another judgement
    ]
    outcome = validate_batch(POSTAL_SHIPMENTS, records, NOW)
    assert [r.index for r in outcome.valid] == [0, 2, 4]
    assert [(r.index, [e.pointer for e in r.errors]) for r in outcome.rejected] == [
        (1, ["/records/1/sender_id_number"]),
        (3, ["/records/3/sender_id_number"]),
    ]
    assert outcome.valid[0].fields == outcome.valid[1].fields
