"""Units: REST over neibao.unitregistry.v1.UnitService (issue 4's stable contract), and their live events.

Each route declares its roles; the registry applies object scope (a unit outside it answers 404, lists
hold only units inside it) and the finer write rules (403). Bodies go through `proto_json`, one rule for
every message. A unit's `legal_representative` is public business-registration data (公示信息), so unit
answers are not personal-data reads; the dossier's people are, and their routes audit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import Header, Path, Query
from starlette.responses import Response

from gateway.adapters.proto_json import field_mask, from_rest, invalid_fields
from gateway.adapters.upstream import Upstreams
from gateway.domain.caller import Caller
from gateway.domain.problems import FieldViolation
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Services
from gateway.entrypoints.http.live import mount_live_stream
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.registry_schemas import (
    DEMO_UNIT,
    MAX_CURSOR_LENGTH,
    KeyUnitConfirmation,
    KeyUnitDecisionRead,
    KeyUnitDesignationList,
    KeyUnitDesignationRead,
    KeyUnitProposal,
    KeyUnitWithdrawal,
    UnitChangePage,
    UnitClose,
    UnitCreate,
    UnitPage,
    UnitQuery,
    UnitRead,
    UnitUpdate,
)
from gateway.entrypoints.http.rest import (
    ETAG_HEADER,
    IF_MATCH_DESCRIPTION,
    message_response,
    strong_etag,
    version_to_change,
)
from neibao.unitregistry.v1 import unit_pb2, unit_pb2_grpc
from neibao_identity import Role

if TYPE_CHECKING:
    from neibao.unitregistry.v1.unit_pb2_grpc import UnitServiceAsyncStub

UNIT_REGISTRY: Final = "unit-registry"
UNITS_STREAM: Final = "units"
API_UNITS: Final = "/api/v1/units"

# Who reads units (sector systems submit data; they do not read the registry).
READERS: Final = (Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY)
# Who changes a unit's fields (unit security: its own unit's basic fields, the registry decides).
EDITORS: Final = (Role.POLICE, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY)
# Who registers and closes units and proposes and decides key-unit designations.
POLICE: Final = (Role.POLICE, Role.PROVINCE_ADMIN)

UsccPath = Annotated[
    str,
    Path(
        pattern=r"^[0-9A-Za-z]{18}$",
        description="The unit's 统一社会信用代码 (18 characters).",
        examples=[DEMO_UNIT],
    ),
]
RequiredIfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description=IF_MATCH_DESCRIPTION + " Required: without it the answer is 428.",
    ),
]
OptionalIfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description=IF_MATCH_DESCRIPTION + " Optional: without it the version is not checked.",
    ),
]
Cursor = Annotated[
    str | None,
    Query(max_length=MAX_CURSOR_LENGTH, description="The next_cursor of the previous page."),
]

_UNIT_ANSWER: Final = {"description": "The unit.", "headers": ETAG_HEADER}
_CREATED_UNIT: Final = {
    "description": "The unit, registered.",
    "headers": {
        **ETAG_HEADER,
        "Location": {
            "description": "The unit's URL.",
            "schema": {"type": "string", "example": f"{API_UNITS}/{DEMO_UNIT}"},
        },
    },
}

router = gateway_router(tags=["units"])

# Mounted before /units/{uscc}, which would otherwise take "stream" for a USCC.
mount_live_stream(
    router,
    "/units/stream",
    stream=UNITS_STREAM,
    roles=READERS,
    summary="Live unit events in the caller's scope (Server-Sent Events)",
)


def unit_service(services: Upstreams) -> UnitServiceAsyncStub:
    """The unit registry's UnitService."""
    return services.stub(UNIT_REGISTRY, unit_pb2_grpc.UnitServiceStub)


def unit_response(unit: unit_pb2.Unit, *, status_code: int = 200, created: bool = False) -> Response:
    """A unit, with its ETag (and Location when it was just created)."""
    headers = {"ETag": unit.etag or strong_etag(unit.version)}
    if created:
        headers["Location"] = f"{API_UNITS}/{unit.uscc}"
    return message_response(unit, status_code=status_code, headers=headers)


async def _based_on(
    if_match: str | None, uscc: str, caller: Caller, services: Services, *, required: bool
) -> int:
    """The unit version a change is based on, from If-Match (the current one for `*` or a list)."""

    async def current() -> int:
        answer = await services.call(
            unit_service(services).GetUnit, unit_pb2.GetUnitRequest(uscc=uscc), caller
        )
        return answer.unit.version

    return await version_to_change(if_match, current, required=required)


def _body(model: Any, *, exclude_unset: bool = False) -> dict[str, Any]:
    """A validated body as the JSON document it stands for (absent optional fields left out)."""
    if model is None:
        return {}
    document: dict[str, Any] = model.model_dump(mode="json", exclude_unset=exclude_unset)
    return document


@router.post(
    "/units",
    summary="Register a unit",
    operation_id="create_unit",
    status_code=201,
    response_model=UnitRead,
    responses={201: _CREATED_UNIT, **problem_responses(409, 502)},
)
async def create_unit(
    body: UnitCreate,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
) -> Response:
    """Register a unit in a district or county of the caller's jurisdiction (409 if the USCC is taken)."""
    request = from_rest(_body(body), unit_pb2.CreateUnitRequest)
    answer = await services.call(unit_service(services).CreateUnit, request, caller)
    return unit_response(answer.unit, status_code=201, created=True)


@router.get(
    "/units",
    summary="Search units",
    operation_id="list_units",
    response_model=UnitPage,
    responses=problem_responses(502),
)
async def list_units(
    query: Annotated[UnitQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
) -> Response:
    """Units in the caller's scope matching every criterion given, ordered by USCC, a page at a time."""
    request = from_rest({**query.model_dump(mode="json"), "limit": limit}, unit_pb2.ListUnitsRequest)
    answer = await services.call(unit_service(services).ListUnits, request, caller)
    return message_response(answer)


@router.get(
    "/units/{uscc}",
    summary="A unit",
    operation_id="get_unit",
    response_model=UnitRead,
    responses={200: _UNIT_ANSWER, **problem_responses(404, 502)},
)
async def get_unit(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """One unit; 404 when there is none in the caller's scope. The ETag is its version (strong)."""
    answer = await services.call(unit_service(services).GetUnit, unit_pb2.GetUnitRequest(uscc=uscc), caller)
    return unit_response(answer.unit)


@router.patch(
    "/units/{uscc}",
    summary="Change a unit's fields",
    operation_id="update_unit",
    response_model=UnitRead,
    responses={200: _UNIT_ANSWER, **problem_responses(404, 409, 412, 428, 502)},
)
async def update_unit(
    uscc: UsccPath,
    body: UnitUpdate,
    caller: Annotated[Caller, require_roles(*EDITORS)],
    services: Services,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Change the fields the body names (JSON merge patch: null clears an optional field).

    If-Match is required (428 without it) and must name the current version (412 otherwise). Unit
    security staff may change their own unit's name, address, location and legal representative only.
    """
    changes = _body(body, exclude_unset=True)
    if not changes:
        raise invalid_fields([FieldViolation("", "name at least one field to change")])
    version = await _based_on(if_match, uscc, caller, services, required=True)
    request = from_rest({**changes, "uscc": uscc, "version": version}, unit_pb2.UpdateUnitRequest)
    request.update_mask.CopyFrom(field_mask(changes))
    answer = await services.call(unit_service(services).UpdateUnit, request, caller, conditional=True)
    return unit_response(answer.unit)


@router.post(
    "/units/{uscc}/close",
    summary="Close a unit",
    operation_id="close_unit",
    response_model=UnitRead,
    responses={200: _UNIT_ANSWER, **problem_responses(404, 409, 412, 428, 502)},
)
async def close_unit(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    if_match: RequiredIfMatch = None,
    body: UnitClose | None = None,
) -> Response:
    """Close a unit (deregistered, or no longer supervised); police of its jurisdiction. If-Match required."""
    version = await _based_on(if_match, uscc, caller, services, required=True)
    request = from_rest({**_body(body), "uscc": uscc, "version": version}, unit_pb2.CloseUnitRequest)
    answer = await services.call(unit_service(services).CloseUnit, request, caller, conditional=True)
    return unit_response(answer.unit)


@router.get(
    "/units/{uscc}/changes",
    summary="A unit's change history",
    operation_id="list_unit_changes",
    response_model=UnitChangePage,
    responses=problem_responses(404, 502),
)
async def list_unit_changes(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
    cursor: Cursor = None,
) -> Response:
    """Who changed what and when, newest first, a page at a time."""
    request = unit_pb2.ListUnitChangesRequest(uscc=uscc, limit=limit, cursor=cursor or "")
    answer = await services.call(unit_service(services).ListUnitChanges, request, caller)
    return message_response(answer)


@router.get(
    "/units/{uscc}/designations",
    summary="A unit's key-unit designations",
    operation_id="list_key_unit_designations",
    response_model=KeyUnitDesignationList,
    responses=problem_responses(404, 502),
)
async def list_key_unit_designations(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """Every proposal and designation of the unit as a key unit (治安保卫重点单位), newest first."""
    request = unit_pb2.ListKeyUnitDesignationsRequest(uscc=uscc)
    answer = await services.call(unit_service(services).ListKeyUnitDesignations, request, caller)
    return message_response(answer)


@router.post(
    "/units/{uscc}/designations",
    summary="Propose a unit as a key unit",
    operation_id="propose_key_unit",
    status_code=201,
    response_model=KeyUnitDesignationRead,
    responses={201: {"description": "The proposal."}, **problem_responses(404, 409, 502)},
)
async def propose_key_unit(
    uscc: UsccPath,
    body: KeyUnitProposal,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
) -> Response:
    """Police of the unit's jurisdiction propose it; 409 while a proposal or designation is open."""
    request = from_rest({**_body(body), "uscc": uscc}, unit_pb2.ProposeKeyUnitRequest)
    answer = await services.call(unit_service(services).ProposeKeyUnit, request, caller)
    return message_response(answer.designation, status_code=201)


@router.post(
    "/units/{uscc}/designations/confirm",
    summary="Confirm a key-unit proposal",
    operation_id="confirm_key_unit",
    response_model=KeyUnitDecisionRead,
    responses={
        200: {"description": "The unit, now a key unit, and its designation.", "headers": ETAG_HEADER},
        **problem_responses(404, 409, 412, 502),
    },
)
async def confirm_key_unit(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    if_match: OptionalIfMatch = None,
    body: KeyUnitConfirmation | None = None,
) -> Response:
    """A city bureau or the province confirms the pending proposal (403 for a district's police)."""
    version = await _based_on(if_match, uscc, caller, services, required=False)
    request = from_rest({**_body(body), "uscc": uscc, "version": version}, unit_pb2.ConfirmKeyUnitRequest)
    answer = await services.call(
        unit_service(services).ConfirmKeyUnit, request, caller, conditional=if_match is not None
    )
    return message_response(answer, headers={"ETag": answer.unit.etag or strong_etag(answer.unit.version)})


@router.post(
    "/units/{uscc}/designations/withdraw",
    summary="Withdraw a key-unit designation or proposal",
    operation_id="withdraw_key_unit",
    response_model=KeyUnitDecisionRead,
    responses={
        200: {"description": "The unit and its withdrawn designation.", "headers": ETAG_HEADER},
        **problem_responses(404, 409, 412, 502),
    },
)
async def withdraw_key_unit(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    if_match: OptionalIfMatch = None,
    body: KeyUnitWithdrawal | None = None,
) -> Response:
    """A city bureau or the province withdraws the designation, or drops the pending proposal."""
    version = await _based_on(if_match, uscc, caller, services, required=False)
    request = from_rest({**_body(body), "uscc": uscc, "version": version}, unit_pb2.WithdrawKeyUnitRequest)
    answer = await services.call(
        unit_service(services).WithdrawKeyUnit, request, caller, conditional=if_match is not None
    )
    return message_response(answer, headers={"ETag": answer.unit.etag or strong_etag(answer.unit.version)})
