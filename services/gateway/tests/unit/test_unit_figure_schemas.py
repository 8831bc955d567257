"""The OpenAPI models of the dossier figures' route describe the proto exactly, and what the translation
makes of a message validates against them. No I/O."""

from __future__ import annotations

import json

from gateway.adapters.proto_json import from_rest, rest_enum_values, to_rest
from gateway.entrypoints.http import unit_figure_schemas as schemas
from neibao.unitregistry.v1 import figures_pb2


def test_the_models_have_exactly_the_fields_and_values_of_the_proto() -> None:
    row_fields = {field.name for field in figures_pb2.FigureRow.DESCRIPTOR.fields}
    assert set(schemas.UnitFigureRowRead.model_fields) == row_fields
    answer_fields = {field.name for field in figures_pb2.GetFiguresResponse.DESCRIPTOR.fields}
    assert set(schemas.UnitFiguresRead.model_fields) == answer_fields
    query_fields = {field.name for field in figures_pb2.GetFiguresRequest.DESCRIPTOR.fields}
    assert set(schemas.UnitFigureQuery.model_fields) == query_fields
    grouping = tuple(member.value for member in schemas.UnitFigureGrouping)
    assert grouping == rest_enum_values(figures_pb2.FigureGrouping.DESCRIPTOR)


def test_an_answer_validates_and_a_query_translates() -> None:
    answer = figures_pb2.GetFiguresResponse(
        total=figures_pb2.FigureRow(units=10, key_units=4, key_units_filed=1, filing_rate=0.25),
        rows=[
            figures_pb2.FigureRow(key="210100", units=10, key_units=4, key_units_filed=1, filing_rate=0.25)
        ],
    )
    read = schemas.UnitFiguresRead.model_validate_json(json.dumps(to_rest(answer)), strict=True)
    assert read.total.key is None
    assert read.rows[0].key == "210100"
    assert read.total.hazards_overdue == 0
    query = schemas.UnitFigureQuery.model_validate({"group_by": "sector", "sector": "postal"})
    request = from_rest(query.model_dump(mode="json", exclude_none=True), figures_pb2.GetFiguresRequest)
    assert request.group_by == figures_pb2.FIGURE_GROUPING_SECTOR
    assert request.sector == "postal"
    assert request.jurisdiction == ""
