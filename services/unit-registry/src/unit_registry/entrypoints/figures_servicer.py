"""The figures servicer: read the caller, translate the request, call the handler, translate the answer."""

# The method names are the proto's RPC names.
# ruff: noqa: N802

from __future__ import annotations

from typing import Any

import grpc

from neibao.unitregistry.v1 import figures_pb2, figures_pb2_grpc
from neibao_identity import current_principal
from unit_registry.domain.figures import FigureGrouping, UnitFigureRow
from unit_registry.entrypoints.errors import guarded
from unit_registry.service import figures
from unit_registry.service.handlers import Requester

Context = grpc.aio.ServicerContext[Any, Any]

_GROUPINGS = {
    figures_pb2.FIGURE_GROUPING_UNSPECIFIED: FigureGrouping.JURISDICTION,
    figures_pb2.FIGURE_GROUPING_JURISDICTION: FigureGrouping.JURISDICTION,
    figures_pb2.FIGURE_GROUPING_SECTOR: FigureGrouping.SECTOR,
}


def figure_row_to_proto(row: UnitFigureRow) -> figures_pb2.FigureRow:
    """A row of counts with its filing rate."""
    return figures_pb2.FigureRow(
        key=row.key,
        units=row.units,
        key_units=row.key_units,
        key_units_filed=row.key_units_filed,
        filing_rate=row.filing_rate,
        drills_overdue=row.drills_overdue,
        hazards_overdue=row.hazards_overdue,
        units_hazards_overdue=row.units_hazards_overdue,
    )


class FiguresServicer(figures_pb2_grpc.FiguresServiceServicer):
    """neibao.unitregistry.v1.FiguresService."""

    def __init__(self, views: figures.UnitFigureViews) -> None:
        self._views = views

    async def GetFigures(
        self, request: figures_pb2.GetFiguresRequest, context: Context
    ) -> figures_pb2.GetFiguresResponse:
        """Dossier figures in the caller's scope."""

        async def run() -> figures_pb2.GetFiguresResponse:
            total, rows = await figures.get_figures(
                request.jurisdiction.strip(),
                request.sector.strip(),
                _GROUPINGS.get(request.group_by, FigureGrouping.JURISDICTION),
                Requester.from_principal(current_principal()),
                self._views,
            )
            return figures_pb2.GetFiguresResponse(
                total=figure_row_to_proto(total), rows=[figure_row_to_proto(row) for row in rows]
            )

        return await guarded(context, run())


def add_figures_service(server: grpc.aio.Server, views: figures.UnitFigureViews) -> str:
    """Add the figures service to a server; its full name (for health and reflection)."""
    figures_pb2_grpc.add_FiguresServiceServicer_to_server(FiguresServicer(views), server)
    return figures_pb2.DESCRIPTOR.services_by_name["FiguresService"].full_name
