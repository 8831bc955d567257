"""Inspections and hazards (§14, §22-29): REST over neibao.unitregistry.v1.InspectionService.

Police of the unit's jurisdiction and regulators of its sector inspect and open hazards in their own
inspections; the unit's own security staff rectify; the inspecting party verifies. Everyone who may read
the unit reads its inspections and hazards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Query
from starlette.responses import Response

from gateway.adapters.proto_json import from_rest
from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Services
from gateway.entrypoints.http.dossier_schemas import (
    HazardCreate,
    HazardPage,
    HazardQuery,
    HazardRead,
    HazardRectification,
    HazardVerification,
    InspectionCreate,
    InspectionPage,
    InspectionRead,
)
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.rest import message_response
from gateway.entrypoints.http.routes.dossier_items import (
    INSPECTORS,
    KEEPERS,
    answer,
    body_of,
    item_id_path,
    item_response,
    version_of,
)
from gateway.entrypoints.http.routes.units import READERS, UNIT_REGISTRY, Cursor, OptionalIfMatch, UsccPath
from neibao.unitregistry.v1 import inspection_pb2, inspection_pb2_grpc

if TYPE_CHECKING:
    from gateway.adapters.upstream import Upstreams
    from neibao.unitregistry.v1.inspection_pb2_grpc import InspectionServiceAsyncStub

InspectionId = Annotated[str, item_id_path("inspection")]
HazardId = Annotated[str, item_id_path("hazard")]

_HAZARD = answer("The hazard.")

router = gateway_router(tags=["inspections"])


def inspection_service(services: Upstreams) -> InspectionServiceAsyncStub:
    """The unit registry's InspectionService."""
    return services.stub(UNIT_REGISTRY, inspection_pb2_grpc.InspectionServiceStub)


async def _hazard_version(
    services: Upstreams, caller: Caller, uscc: str, hazard_id: str, if_match: str | None
) -> int:
    async def current() -> int:
        request = inspection_pb2.GetHazardRequest(uscc=uscc, id=hazard_id)
        found = await services.call(inspection_service(services).GetHazard, request, caller)
        return found.hazard.version

    return await version_of(if_match, current, required=False)


@router.get(
    "/units/{uscc}/inspections",
    summary="A unit's inspections",
    operation_id="list_inspections",
    response_model=InspectionPage,
    responses=problem_responses(404, 502),
)
async def list_inspections(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
    cursor: Cursor = None,
) -> Response:
    """Inspections by the police and regulators, newest first, a page at a time."""
    request = inspection_pb2.ListInspectionsRequest(uscc=uscc, limit=limit, cursor=cursor or "")
    listed = await services.call(inspection_service(services).ListInspections, request, caller)
    return message_response(listed)


@router.post(
    "/units/{uscc}/inspections",
    summary="Record an inspection",
    operation_id="record_inspection",
    status_code=201,
    response_model=InspectionRead,
    responses={201: {"description": "The inspection."}, **problem_responses(404, 409, 502)},
)
async def record_inspection(
    uscc: UsccPath,
    body: InspectionCreate,
    caller: Annotated[Caller, require_roles(*INSPECTORS)],
    services: Services,
) -> Response:
    """Police of the unit's jurisdiction or a regulator of its sector record an inspection they made."""
    request = from_rest({**body_of(body), "uscc": uscc}, inspection_pb2.RecordInspectionRequest)
    response = await services.call(inspection_service(services).RecordInspection, request, caller)
    return message_response(response.inspection, status_code=201)


@router.get(
    "/units/{uscc}/inspections/{inspection_id}",
    summary="An inspection and its hazards",
    operation_id="get_inspection",
    response_model=InspectionRead,
    responses=problem_responses(404, 502),
)
async def get_inspection(
    uscc: UsccPath,
    inspection_id: InspectionId,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """One inspection with the hazards found in it."""
    request = inspection_pb2.GetInspectionRequest(uscc=uscc, id=inspection_id)
    response = await services.call(inspection_service(services).GetInspection, request, caller)
    return message_response(response.inspection)


@router.post(
    "/units/{uscc}/inspections/{inspection_id}/hazards",
    summary="Open a hazard found in an inspection",
    operation_id="open_hazard",
    status_code=201,
    response_model=HazardRead,
    responses={201: _HAZARD, **problem_responses(404, 409, 502)},
)
async def open_hazard(
    uscc: UsccPath,
    inspection_id: InspectionId,
    body: HazardCreate,
    caller: Annotated[Caller, require_roles(*INSPECTORS)],
    services: Services,
) -> Response:
    """The party that made the inspection opens a hazard with its rectification deadline."""
    request = from_rest(
        {**body_of(body), "uscc": uscc, "inspection_id": inspection_id}, inspection_pb2.OpenHazardRequest
    )
    response = await services.call(inspection_service(services).OpenHazard, request, caller)
    return item_response(response.hazard, status_code=201)


@router.get(
    "/units/{uscc}/hazards",
    summary="A unit's hazards",
    operation_id="list_hazards",
    response_model=HazardPage,
    responses=problem_responses(404, 502),
)
async def list_hazards(
    uscc: UsccPath,
    query: Annotated[HazardQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
) -> Response:
    """Hazards by deadline, earliest first, a page at a time; filtered by state and overdue."""
    request = from_rest(
        {**query.model_dump(mode="json"), "uscc": uscc, "limit": limit}, inspection_pb2.ListHazardsRequest
    )
    listed = await services.call(inspection_service(services).ListHazards, request, caller)
    return message_response(listed)


@router.get(
    "/units/{uscc}/hazards/{hazard_id}",
    summary="A hazard",
    operation_id="get_hazard",
    response_model=HazardRead,
    responses={200: _HAZARD, **problem_responses(404, 502)},
)
async def get_hazard(
    uscc: UsccPath,
    hazard_id: HazardId,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """One hazard with its rectification and verification."""
    request = inspection_pb2.GetHazardRequest(uscc=uscc, id=hazard_id)
    response = await services.call(inspection_service(services).GetHazard, request, caller)
    return item_response(response.hazard)


@router.post(
    "/units/{uscc}/hazards/{hazard_id}/rectify",
    summary="Report a hazard rectified",
    operation_id="rectify_hazard",
    response_model=HazardRead,
    responses={200: _HAZARD, **problem_responses(404, 409, 412, 502)},
)
async def rectify_hazard(
    *,
    uscc: UsccPath,
    hazard_id: HazardId,
    body: HazardRectification,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    if_match: OptionalIfMatch = None,
) -> Response:
    """The unit's own security staff report an open hazard rectified, with evidence."""
    version = await _hazard_version(services, caller, uscc, hazard_id, if_match)
    request = from_rest(
        {**body_of(body), "uscc": uscc, "id": hazard_id, "version": version},
        inspection_pb2.RectifyHazardRequest,
    )
    response = await services.call(
        inspection_service(services).RectifyHazard, request, caller, conditional=if_match is not None
    )
    return item_response(response.hazard)


@router.post(
    "/units/{uscc}/hazards/{hazard_id}/verify",
    summary="Verify a hazard's rectification",
    operation_id="verify_hazard",
    response_model=HazardRead,
    responses={200: _HAZARD, **problem_responses(404, 409, 412, 502)},
)
async def verify_hazard(
    *,
    uscc: UsccPath,
    hazard_id: HazardId,
    body: HazardVerification,
    caller: Annotated[Caller, require_roles(*INSPECTORS)],
    services: Services,
    if_match: OptionalIfMatch = None,
) -> Response:
    """The inspecting party accepts the rectification (closing the hazard) or reopens it."""
    version = await _hazard_version(services, caller, uscc, hazard_id, if_match)
    request = from_rest(
        {**body_of(body), "uscc": uscc, "id": hazard_id, "version": version},
        inspection_pb2.VerifyHazardRequest,
    )
    response = await services.call(
        inspection_service(services).VerifyHazard, request, caller, conditional=if_match is not None
    )
    return item_response(response.hazard)
