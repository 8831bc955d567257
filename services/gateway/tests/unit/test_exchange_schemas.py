"""The exchange's figures route: its REST model covers every field of the proto's Figures, and what the
route makes of a message validates against it (rates that do not apply are null, not 0). No I/O."""

from __future__ import annotations

import pytest
from google.protobuf.descriptor import Descriptor
from pydantic import BaseModel, ValidationError

from gateway.entrypoints.http import exchange_schemas as schemas
from gateway.entrypoints.http.routes.exchange import _figures
from neibao.sectorexchange.v1 import exchange_pb2


def test_the_figures_model_has_every_proto_field() -> None:
    proto = {field.name for field in exchange_pb2.Figures.DESCRIPTOR.fields}
    assert proto == set(schemas.ExchangeFiguresRead.model_fields)


def test_rates_that_do_not_apply_are_null() -> None:
    message = exchange_pb2.Figures(
        organisation="91210200MA0YP3D80R", received=4, rejected=1, xray_screened=3, rejection_rate=0.2
    )
    message.xray_rate = 0.75
    document = _figures(message)
    read = schemas.ExchangeFiguresRead.model_validate(document)
    assert (read.rejection_rate, read.xray_rate) == (0.2, 0.75)
    assert read.certificate_rate is None
    assert read.late_rate is None
    assert (read.site, read.jurisdiction) == (None, None)
    zero = exchange_pb2.Figures(received=3)
    zero.inspected_rate = 0.0  # a real 0 % stays 0, not null
    assert _figures(zero)["inspected_rate"] == 0.0


@pytest.mark.parametrize("query", [{"group_by": "unit"}, {"jurisdiction": "2101"}, {"since": "2026-13-01"}])
def test_a_bad_figure_query_is_refused(query: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        schemas.ExchangeFigureQuery.model_validate(query)


@pytest.mark.parametrize(
    ("message", "model"),
    [
        (exchange_pb2.SubmitterHealth.DESCRIPTOR, schemas.SubmitterHealthRead),
        (exchange_pb2.ListSubmittersResponse.DESCRIPTOR, schemas.SubmitterHealthList),
        (exchange_pb2.WarningCount.DESCRIPTOR, schemas.WarningCountRead),
    ],
    ids=lambda item: getattr(item, "name", ""),
)
def test_the_submitter_health_models_have_every_proto_field(
    message: Descriptor, model: type[BaseModel]
) -> None:
    assert {field.name for field in message.fields} == set(model.model_fields)
