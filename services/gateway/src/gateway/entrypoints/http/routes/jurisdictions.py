"""Jurisdictions: REST over neibao.unitregistry.v1.JurisdictionService (reference data, every role)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Path, Query
from starlette.responses import Response

from gateway.adapters.upstream import Upstreams
from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import ALL_ROLES, require_roles
from gateway.entrypoints.http.dependencies import Services
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.registry_schemas import JurisdictionList, JurisdictionTreeRead
from gateway.entrypoints.http.rest import message_response
from gateway.entrypoints.http.routes.units import UNIT_REGISTRY
from neibao.unitregistry.v1 import jurisdiction_pb2, jurisdiction_pb2_grpc

if TYPE_CHECKING:
    from neibao.unitregistry.v1.jurisdiction_pb2_grpc import JurisdictionServiceAsyncStub

_CODE_PATTERN: Final = r"^[0-9]{6}$"

router = gateway_router(tags=["jurisdictions"])


def jurisdiction_service(services: Upstreams) -> JurisdictionServiceAsyncStub:
    """The unit registry's JurisdictionService."""
    return services.stub(UNIT_REGISTRY, jurisdiction_pb2_grpc.JurisdictionServiceStub)


@router.get(
    "/jurisdictions",
    summary="The division tree with police stations",
    operation_id="list_jurisdictions",
    response_model=JurisdictionList,
    responses=problem_responses(404, 502),
)
async def list_jurisdictions(
    caller: Annotated[Caller, require_roles(*ALL_ROLES)],
    services: Services,
    parent: Annotated[
        str | None,
        Query(
            pattern=_CODE_PATTERN,
            description="The root of the tree (GB/T 2260); the province (210000) when absent.",
            examples=["210100"],
        ),
    ] = None,
    as_of: Annotated[
        date | None, Query(description="The date the tree is valid on; today when absent.")
    ] = None,
) -> Response:
    """Liaoning's divisions in force (province, cities, districts and counties) and their police stations."""
    request = jurisdiction_pb2.ListJurisdictionsRequest(
        parent=parent or "", as_of=as_of.isoformat() if as_of else ""
    )
    answer = await services.call(jurisdiction_service(services).ListJurisdictions, request, caller)
    return message_response(answer)


@router.get(
    "/jurisdictions/{code}",
    summary="A division with its sub-divisions and police stations",
    operation_id="get_jurisdiction",
    response_model=JurisdictionTreeRead,
    responses=problem_responses(404, 502),
)
async def get_jurisdiction(
    code: Annotated[
        str, Path(pattern=_CODE_PATTERN, description="GB/T 2260 division code.", examples=["210102"])
    ],
    caller: Annotated[Caller, require_roles(*ALL_ROLES)],
    services: Services,
) -> Response:
    """One division in force; 404 for a code that is not (or no longer) a division of Liaoning."""
    request = jurisdiction_pb2.GetJurisdictionRequest(code=code)
    answer = await services.call(jurisdiction_service(services).GetJurisdiction, request, caller)
    return message_response(answer.jurisdiction)
