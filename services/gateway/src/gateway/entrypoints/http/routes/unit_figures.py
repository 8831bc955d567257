"""Dossier figures: REST over neibao.unitregistry.v1.FiguresService (the dashboard's key-unit figures).

The route declares its roles; the registry counts only units inside the caller's scope, in its SQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Query
from starlette.responses import Response

from gateway.adapters.proto_json import from_rest
from gateway.adapters.upstream import Upstreams
from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Services
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.rest import message_response
from gateway.entrypoints.http.routes.units import UNIT_REGISTRY
from gateway.entrypoints.http.unit_figure_schemas import UnitFigureQuery, UnitFiguresRead
from neibao.unitregistry.v1 import figures_pb2, figures_pb2_grpc
from neibao_identity import Role

if TYPE_CHECKING:
    from neibao.unitregistry.v1.figures_pb2_grpc import FiguresServiceAsyncStub

# Figures summarise many units: for those who supervise them.
READERS: Final = (Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN)

router = gateway_router(tags=["units"])


def unit_figures_service(services: Upstreams) -> FiguresServiceAsyncStub:
    """The unit registry's FiguresService."""
    return services.stub(UNIT_REGISTRY, figures_pb2_grpc.FiguresServiceStub)


@router.get(
    "/figures/units",
    summary="Key-unit, filing, drill and hazard figures",
    operation_id="get_unit_figures",
    response_model=UnitFiguresRead,
    responses=problem_responses(502),
)
async def get_unit_figures(
    query: Annotated[UnitFigureQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """Key units, filing rate, drills and hazards overdue in the caller's scope, per jurisdiction (one level
    under the one asked, or under the caller's own) or per lead sector."""
    request = from_rest(query.model_dump(mode="json", exclude_none=True), figures_pb2.GetFiguresRequest)
    answer = await services.call(unit_figures_service(services).GetFigures, request, caller)
    return message_response(answer)
