"""Bulk gasoline sales through the handlers (no Keycloak client submits them yet): a commerce submitter
registered as data, partial acceptance, buyer and plate found by blind index, never stored in clear."""

from __future__ import annotations

import dataclasses
import json

import pytest

from neibao_privacy import PLATE, BlindIndex
from sector_exchange.adapters.submitters import parse_submitters
from sector_exchange.domain.errors import Forbidden
from sector_exchange.domain.submitters import Caller
from sector_exchange.service import handlers

from .conftest import HEPING_ID, Running

STATION = "91210102MA0LN001X3"
COMMERCE = parse_submitters(
    {
        "submitters": [
            {
                "client_id": "sector-fuel-test",
                "organisation": STATION,
                "sector": "commerce",
                "datasets": ["commerce/fuel-sales"],
            }
        ]
    }
)
STATION_SYSTEM = Caller(
    subject="sa",
    roles=frozenset({"sector-system"}),
    client_id="sector-fuel-test",
    org=STATION,
    sector="commerce",
    machine=True,
)


def sale(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "station_uscc": STATION,
        "station_region_code": "210102",
        "sold_at": "2026-11-24T07:00:00Z",
        "buyer_name": "王五",
        "buyer_id_number": HEPING_ID,
        "buyer_phone": "13812345678",
        "purpose": "农用机械",
        "litres": 20,
        "plate": "辽A12345",
        "certificate_no": "SY2026-000123",
    }
    record.update(changes)
    return record


async def test_fuel_sales_are_partially_accepted_and_indexed(running: Running) -> None:
    exchange = dataclasses.replace(running.exchange, submitters=COMMERCE)
    command = handlers.SubmitBatch(
        "commerce",
        "fuel-sales",
        "fuel-1",
        json.dumps(
            [sale(), sale(litres=0, plate="辽I12345"), sale(buyer_id_number="210102199003071234")]
        ).encode(),
    )
    outcome = await handlers.submit_batch(command, STATION_SYSTEM, exchange)
    assert outcome.batch.accepted == 1
    assert {e.pointer for r in outcome.batch.rejected for e in r.errors} == {
        "/records/1/litres",
        "/records/1/plate",
        "/records/2/buyer_id_number",
    }
    index = BlindIndex.from_keys(running.settings.privacy_keys())
    plate = index.compute(PLATE, "辽A·12345")
    assert running.rows("SELECT record_index FROM record WHERE person_index @> ARRAY[%s::bytea]", plate) == [
        (0,)
    ]
    (fields,) = running.rows("SELECT fields::text FROM record")[0]
    assert HEPING_ID not in fields
    assert "辽A12345" not in fields
    assert json.loads(fields)["litres"] == 20

    with pytest.raises(Forbidden):
        await handlers.submit_batch(
            handlers.SubmitBatch("postal", "shipments", "fuel-2", b"[{}]"), STATION_SYSTEM, exchange
        )
