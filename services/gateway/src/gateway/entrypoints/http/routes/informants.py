"""Informants (情报信息员, §2) and their reports: REST over neibao.unitregistry.v1.InformantService.

Police and province-admin only, at the route (403 for other roles) and in the registry (for whom they do
not exist: 404). Informants' names and phones are personal data: every answer carrying them is audited
before it leaves (no audit record, no data: 503).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Query
from starlette.responses import Response

from gateway.adapters.proto_json import from_rest
from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Audit, Services
from gateway.entrypoints.http.dossier_schemas import (
    MAX_ID_LENGTH,
    InformantCreate,
    InformantDisclosedRead,
    InformantList,
    InformantReportCreate,
    InformantReportPage,
    InformantReportRead,
    InformantUpdate,
)
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.rest import message_response
from gateway.entrypoints.http.routes.dossier_items import (
    answer,
    body_of,
    changes_of,
    disclosed_item,
    disclosed_list,
    item_id_path,
    update_request,
    version_of,
)
from gateway.entrypoints.http.routes.units import POLICE, UNIT_REGISTRY, Cursor, RequiredIfMatch, UsccPath
from neibao.unitregistry.v1 import informant_pb2, informant_pb2_grpc

if TYPE_CHECKING:
    from gateway.adapters.upstream import Upstreams
    from neibao.unitregistry.v1.informant_pb2_grpc import InformantServiceAsyncStub

InformantId = Annotated[str, item_id_path("informant")]

_INFORMANT = answer("The informant, with its disclosure.")

router = gateway_router(tags=["informants"])


def informant_service(services: Upstreams) -> InformantServiceAsyncStub:
    """The unit registry's InformantService."""
    return services.stub(UNIT_REGISTRY, informant_pb2_grpc.InformantServiceStub)


async def _reports(
    services: Upstreams, caller: Caller, uscc: str, *, informant_id: str, limit: int, cursor: str | None
) -> Response:
    request = informant_pb2.ListInformantReportsRequest(
        uscc=uscc, informant_id=informant_id, limit=limit, cursor=cursor or ""
    )
    listed = await services.call(informant_service(services).ListInformantReports, request, caller)
    return message_response(listed)


@router.get(
    "/units/{uscc}/informants",
    summary="A unit's informants",
    operation_id="list_informants",
    response_model=InformantList,
    responses=problem_responses(404, 502),
)
async def list_informants(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    audit: Audit,
    include_inactive: Annotated[bool, Query(description="Also those no longer active.")] = False,
) -> Response:
    """The unit's informants (police of its jurisdiction only)."""
    request = informant_pb2.ListInformantsRequest(uscc=uscc, include_inactive=include_inactive)
    response = await services.call(informant_service(services).ListInformants, request, caller)
    return await disclosed_list(audit, caller, response, unit=uscc)


@router.post(
    "/units/{uscc}/informants",
    summary="Recruit an informant",
    operation_id="create_informant",
    status_code=201,
    response_model=InformantDisclosedRead,
    responses={201: _INFORMANT, **problem_responses(404, 409, 502)},
)
async def create_informant(
    uscc: UsccPath,
    body: InformantCreate,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    audit: Audit,
) -> Response:
    """Police of the unit's jurisdiction add an informant."""
    request = from_rest({**body_of(body), "uscc": uscc}, informant_pb2.CreateInformantRequest)
    response = await services.call(informant_service(services).CreateInformant, request, caller)
    return await disclosed_item(audit, caller, response.informant, response.disclosure, status_code=201)


@router.get(
    "/units/{uscc}/informants/{informant_id}",
    summary="An informant",
    operation_id="get_informant",
    response_model=InformantDisclosedRead,
    responses={200: _INFORMANT, **problem_responses(404, 502)},
)
async def get_informant(
    uscc: UsccPath,
    informant_id: InformantId,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    audit: Audit,
) -> Response:
    """One informant."""
    request = informant_pb2.GetInformantRequest(uscc=uscc, id=informant_id)
    response = await services.call(informant_service(services).GetInformant, request, caller)
    return await disclosed_item(audit, caller, response.informant, response.disclosure)


@router.patch(
    "/units/{uscc}/informants/{informant_id}",
    summary="Change an informant",
    operation_id="update_informant",
    response_model=InformantDisclosedRead,
    responses={200: _INFORMANT, **problem_responses(404, 409, 412, 428, 502)},
)
async def update_informant(
    *,
    uscc: UsccPath,
    informant_id: InformantId,
    body: InformantUpdate,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    audit: Audit,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Change the fields the body names (`active: false` retires them). If-Match is required."""
    changes = changes_of(body)

    async def current() -> int:
        request = informant_pb2.GetInformantRequest(uscc=uscc, id=informant_id)
        found = await services.call(informant_service(services).GetInformant, request, caller)
        return found.informant.version

    version = await version_of(if_match, current, required=True)
    request = update_request(
        changes, informant_pb2.UpdateInformantRequest, uscc=uscc, id=informant_id, version=version
    )
    response = await services.call(
        informant_service(services).UpdateInformant, request, caller, conditional=True
    )
    return await disclosed_item(audit, caller, response.informant, response.disclosure)


@router.get(
    "/units/{uscc}/informants/{informant_id}/reports",
    summary="An informant's reports",
    operation_id="list_reports_of_informant",
    response_model=InformantReportPage,
    responses=problem_responses(404, 502),
)
async def list_reports_of_informant(
    *,
    uscc: UsccPath,
    informant_id: InformantId,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    limit: PageSize,
    cursor: Cursor = None,
) -> Response:
    """The informant's reports, newest first, a page at a time."""
    return await _reports(services, caller, uscc, informant_id=informant_id, limit=limit, cursor=cursor)


@router.post(
    "/units/{uscc}/informants/{informant_id}/reports",
    summary="File an informant's report",
    operation_id="file_informant_report",
    status_code=201,
    response_model=InformantReportRead,
    responses={201: {"description": "The report."}, **problem_responses(404, 409, 502)},
)
async def file_informant_report(
    uscc: UsccPath,
    informant_id: InformantId,
    body: InformantReportCreate,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
) -> Response:
    """Police file a report of 苗头性、预警性 information; it is announced for alarm routing."""
    request = from_rest(
        {**body_of(body), "uscc": uscc, "informant_id": informant_id},
        informant_pb2.FileInformantReportRequest,
    )
    response = await services.call(informant_service(services).FileInformantReport, request, caller)
    return message_response(response.report, status_code=201)


@router.get(
    "/units/{uscc}/informant-reports",
    summary="A unit's informant reports",
    operation_id="list_informant_reports",
    response_model=InformantReportPage,
    responses=problem_responses(404, 502),
)
async def list_informant_reports(
    *,
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    limit: PageSize,
    cursor: Cursor = None,
    informant_id: Annotated[
        str | None, Query(max_length=MAX_ID_LENGTH, description="Only this informant's reports.")
    ] = None,
) -> Response:
    """Every report about the unit, newest first, a page at a time."""
    return await _reports(services, caller, uscc, informant_id=informant_id or "", limit=limit, cursor=cursor)
