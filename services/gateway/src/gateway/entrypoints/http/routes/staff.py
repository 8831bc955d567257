"""A unit's security staff (保卫人员, §3, §5, §19): REST over neibao.unitregistry.v1.StaffService.

Every answer carries people's data (names, resident IDs, phones): it is audited before it leaves (no audit
record, no data: 503) and says in `disclosure` whether IDs and phones are clear (police, province-admin)
or masked (the unit's own security staff, regulators). Resident IDs never travel in a URL: the lookup
takes its number in the body.
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
    AssessmentCreate,
    CertificateCreate,
    StaffList,
    StaffLookup,
    StaffMemberCreate,
    StaffMemberDisclosedRead,
    StaffMemberRemoval,
    StaffMemberUpdate,
    StaffPage,
    TrainingCreate,
)
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.routes.dossier_items import (
    KEEPERS,
    answer,
    body_of,
    changes_of,
    disclosed_item,
    disclosed_list,
    item_id_path,
    update_request,
    version_of,
)
from gateway.entrypoints.http.routes.units import (
    POLICE,
    READERS,
    UNIT_REGISTRY,
    Cursor,
    OptionalIfMatch,
    RequiredIfMatch,
    UsccPath,
)
from neibao.unitregistry.v1 import staff_pb2, staff_pb2_grpc

if TYPE_CHECKING:
    from gateway.adapters.upstream import Upstreams
    from neibao.unitregistry.v1.staff_pb2_grpc import StaffServiceAsyncStub

StaffId = Annotated[str, item_id_path("staff member")]

_MEMBER = answer("The staff member, with its disclosure.")

router = gateway_router(tags=["staff"])


def staff_service(services: Upstreams) -> StaffServiceAsyncStub:
    """The unit registry's StaffService."""
    return services.stub(UNIT_REGISTRY, staff_pb2_grpc.StaffServiceStub)


async def _member_version(
    services: Upstreams, caller: Caller, uscc: str, staff_id: str, if_match: str | None, *, required: bool
) -> int:
    async def current() -> int:
        request = staff_pb2.GetStaffMemberRequest(uscc=uscc, id=staff_id)
        found = await services.call(staff_service(services).GetStaffMember, request, caller)
        return found.staff_member.version

    return await version_of(if_match, current, required=required)


@router.get(
    "/units/{uscc}/staff",
    summary="A unit's security staff",
    operation_id="list_staff",
    response_model=StaffPage,
    responses=problem_responses(404, 502),
)
async def list_staff(
    *,
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    audit: Audit,
    limit: PageSize,
    cursor: Cursor = None,
    include_departed: Annotated[bool, Query(description="Also those who left.")] = False,
) -> Response:
    """Staff by name, a page at a time; resident IDs and phones clear for police, masked for others."""
    request = staff_pb2.ListStaffRequest(
        uscc=uscc, include_departed=include_departed, limit=limit, cursor=cursor or ""
    )
    response = await services.call(staff_service(services).ListStaff, request, caller)
    return await disclosed_list(audit, caller, response, unit=uscc)


@router.post(
    "/units/{uscc}/staff",
    summary="Add a staff member",
    operation_id="create_staff_member",
    status_code=201,
    response_model=StaffMemberDisclosedRead,
    responses={201: _MEMBER, **problem_responses(404, 409, 502)},
)
async def create_staff_member(
    uscc: UsccPath,
    body: StaffMemberCreate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    audit: Audit,
) -> Response:
    """The unit's own security staff add one (409 if the person is already on its active staff)."""
    request = from_rest({**body_of(body), "uscc": uscc}, staff_pb2.CreateStaffMemberRequest)
    response = await services.call(staff_service(services).CreateStaffMember, request, caller)
    return await disclosed_item(audit, caller, response.staff_member, response.disclosure, status_code=201)


@router.get(
    "/units/{uscc}/staff/{staff_id}",
    summary="A staff member",
    operation_id="get_staff_member",
    response_model=StaffMemberDisclosedRead,
    responses={200: _MEMBER, **problem_responses(404, 502)},
)
async def get_staff_member(
    uscc: UsccPath,
    staff_id: StaffId,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    audit: Audit,
) -> Response:
    """One staff member with trainings, assessments and certificates."""
    request = staff_pb2.GetStaffMemberRequest(uscc=uscc, id=staff_id)
    response = await services.call(staff_service(services).GetStaffMember, request, caller)
    return await disclosed_item(audit, caller, response.staff_member, response.disclosure)


@router.patch(
    "/units/{uscc}/staff/{staff_id}",
    summary="Change a staff member",
    operation_id="update_staff_member",
    response_model=StaffMemberDisclosedRead,
    responses={200: _MEMBER, **problem_responses(404, 409, 412, 428, 502)},
)
async def update_staff_member(
    *,
    uscc: UsccPath,
    staff_id: StaffId,
    body: StaffMemberUpdate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    audit: Audit,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Change the fields the body names. If-Match is required (428 without it, 412 when stale)."""
    changes = changes_of(body)
    version = await _member_version(services, caller, uscc, staff_id, if_match, required=True)
    request = update_request(
        changes, staff_pb2.UpdateStaffMemberRequest, uscc=uscc, id=staff_id, version=version
    )
    response = await services.call(
        staff_service(services).UpdateStaffMember, request, caller, conditional=True
    )
    return await disclosed_item(audit, caller, response.staff_member, response.disclosure)


@router.post(
    "/units/{uscc}/staff/{staff_id}/remove",
    summary="Record that a staff member left",
    operation_id="remove_staff_member",
    response_model=StaffMemberDisclosedRead,
    responses={200: _MEMBER, **problem_responses(404, 409, 412, 502)},
)
async def remove_staff_member(
    *,
    uscc: UsccPath,
    staff_id: StaffId,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    audit: Audit,
    if_match: OptionalIfMatch = None,
    body: StaffMemberRemoval | None = None,
) -> Response:
    """The staff member left the unit (today unless departed_on says otherwise); the record is kept."""
    version = await _member_version(services, caller, uscc, staff_id, if_match, required=False)
    request = from_rest(
        {**body_of(body), "uscc": uscc, "id": staff_id, "version": version},
        staff_pb2.RemoveStaffMemberRequest,
    )
    response = await services.call(
        staff_service(services).RemoveStaffMember, request, caller, conditional=if_match is not None
    )
    return await disclosed_item(audit, caller, response.staff_member, response.disclosure)


@router.post(
    "/units/{uscc}/staff/{staff_id}/trainings",
    summary="Record a training",
    operation_id="record_training",
    status_code=201,
    response_model=StaffMemberDisclosedRead,
    responses={201: _MEMBER, **problem_responses(404, 409, 502)},
)
async def record_training(
    *,
    uscc: UsccPath,
    staff_id: StaffId,
    body: TrainingCreate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    audit: Audit,
) -> Response:
    """Add a training to the staff member's record; the answer is the whole record."""
    request = from_rest(
        {**body_of(body), "uscc": uscc, "staff_id": staff_id}, staff_pb2.RecordTrainingRequest
    )
    response = await services.call(staff_service(services).RecordTraining, request, caller)
    return await disclosed_item(audit, caller, response.staff_member, response.disclosure, status_code=201)


@router.post(
    "/units/{uscc}/staff/{staff_id}/assessments",
    summary="Record an assessment",
    operation_id="record_assessment",
    status_code=201,
    response_model=StaffMemberDisclosedRead,
    responses={201: _MEMBER, **problem_responses(404, 409, 502)},
)
async def record_assessment(
    *,
    uscc: UsccPath,
    staff_id: StaffId,
    body: AssessmentCreate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    audit: Audit,
) -> Response:
    """Add an assessment to the staff member's record; the answer is the whole record."""
    request = from_rest(
        {**body_of(body), "uscc": uscc, "staff_id": staff_id}, staff_pb2.RecordAssessmentRequest
    )
    response = await services.call(staff_service(services).RecordAssessment, request, caller)
    return await disclosed_item(audit, caller, response.staff_member, response.disclosure, status_code=201)


@router.post(
    "/units/{uscc}/staff/{staff_id}/certificates",
    summary="Add a certificate",
    operation_id="add_certificate",
    status_code=201,
    response_model=StaffMemberDisclosedRead,
    responses={201: _MEMBER, **problem_responses(404, 409, 502)},
)
async def add_certificate(
    *,
    uscc: UsccPath,
    staff_id: StaffId,
    body: CertificateCreate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    audit: Audit,
) -> Response:
    """Add a certificate (保安员证, ...) to the staff member's record; the answer is the whole record."""
    request = from_rest(
        {**body_of(body), "uscc": uscc, "staff_id": staff_id}, staff_pb2.AddCertificateRequest
    )
    response = await services.call(staff_service(services).AddCertificate, request, caller)
    return await disclosed_item(audit, caller, response.staff_member, response.disclosure, status_code=201)


@router.post(
    "/staff/lookup",
    summary="Find staff by resident ID",
    operation_id="find_staff_by_resident_id",
    response_model=StaffList,
    responses=problem_responses(502),
)
async def find_staff_by_resident_id(
    body: StaffLookup,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    audit: Audit,
) -> Response:
    """Police: the staff records in the caller's scope with this resident ID (for background checks, §22).

    The number goes in the body, never in the URL (URLs end up in logs). Every lookup is audited, even
    one that finds nobody.
    """
    request = from_rest(body_of(body), staff_pb2.FindStaffByResidentIdRequest)
    response = await services.call(staff_service(services).FindStaffByResidentId, request, caller)
    return await disclosed_list(audit, caller, response, unit=None)
