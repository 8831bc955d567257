"""The unit dossier (单位档案): REST over neibao.unitregistry.v1.DossierService.

The summary, the security organisation filing with the police (备案, §1) and its review, responsible
persons (§21), key parts (§6), emergency plans and drills (§4), police workstations (§16). Each route
declares the roles the registry lets act at all; the registry applies the unit's scope (a foreign unit
answers 404 for every part of its dossier) and the finer rules (403). Responsible persons' answers carry
names and phones: they are audited before they leave, and say in `disclosure` whether phones are masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Query
from starlette.responses import Response

from gateway.adapters.proto_json import from_rest
from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Audit, Services
from gateway.entrypoints.http.dossier_schemas import (
    DossierRead,
    DrillCreate,
    DrillPage,
    DrillRead,
    EmergencyPlanCreate,
    EmergencyPlanList,
    EmergencyPlanRead,
    FilingAcceptance,
    FilingDraftUpdate,
    FilingList,
    FilingRead,
    FilingReturn,
    KeyPartCreate,
    KeyPartList,
    KeyPartRead,
    KeyPartUpdate,
    ResponsiblePersonCreate,
    ResponsiblePersonDisclosedRead,
    ResponsiblePersonList,
    ResponsiblePersonUpdate,
    WorkstationCreate,
    WorkstationList,
    WorkstationRead,
    WorkstationUpdate,
)
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.rest import message_response
from gateway.entrypoints.http.routes.dossier_items import (
    FILERS,
    KEEPERS,
    answer,
    body_of,
    changes_of,
    disclosed_item,
    disclosed_list,
    find_version,
    item_id_path,
    item_response,
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
from neibao.unitregistry.v1 import dossier_pb2, dossier_pb2_grpc

if TYPE_CHECKING:
    from gateway.adapters.upstream import Upstreams
    from neibao.unitregistry.v1.dossier_pb2_grpc import DossierServiceAsyncStub

FilingId = Annotated[str, item_id_path("filing")]
PersonId = Annotated[str, item_id_path("responsible person")]
KeyPartId = Annotated[str, item_id_path("key part")]
WorkstationId = Annotated[str, item_id_path("workstation")]

_OPEN_FILING_STATES: Final = frozenset(
    {dossier_pb2.FILING_STATE_DRAFT, dossier_pb2.FILING_STATE_SUBMITTED, dossier_pb2.FILING_STATE_RETURNED}
)
_DELETED: Final = {"description": "Removed."}

router = gateway_router(tags=["dossier"])


def dossier_service(services: Upstreams) -> DossierServiceAsyncStub:
    """The unit registry's DossierService."""
    return services.stub(UNIT_REGISTRY, dossier_pb2_grpc.DossierServiceStub)


@router.get(
    "/units/{uscc}/dossier",
    summary="A unit's dossier at a glance",
    operation_id="get_dossier",
    response_model=DossierRead,
    responses=problem_responses(404, 502),
)
async def get_dossier(
    uscc: UsccPath, caller: Annotated[Caller, require_roles(*READERS)], services: Services
) -> Response:
    """Counts, overdue flags and the filings of the unit's dossier (informants counted for police only)."""
    request = dossier_pb2.GetDossierRequest(uscc=uscc)
    response = await services.call(dossier_service(services).GetDossier, request, caller)
    return message_response(response.dossier)


# --- filings ---------------------------------------------------------------------------------------


async def _filing_version(
    services: Upstreams, caller: Caller, uscc: str, if_match: str | None, filing_id: str | None
) -> int:
    """The filing version If-Match names (`filing_id` None: the open filing)."""

    async def current() -> int:
        request = dossier_pb2.ListFilingsRequest(uscc=uscc)
        listed = await services.call(dossier_service(services).ListFilings, request, caller)
        if filing_id is not None:
            return find_version(listed.items, filing_id)
        open_filings = [filing for filing in listed.items if filing.state in _OPEN_FILING_STATES]
        return open_filings[0].version if open_filings else 0

    return await version_of(if_match, current, required=False)


@router.get(
    "/units/{uscc}/filings",
    summary="A unit's security organisation filings",
    operation_id="list_filings",
    response_model=FilingList,
    responses=problem_responses(404, 502),
)
async def list_filings(
    uscc: UsccPath, caller: Annotated[Caller, require_roles(*READERS)], services: Services
) -> Response:
    """Every filing (备案) of the unit with its review history, newest first."""
    request = dossier_pb2.ListFilingsRequest(uscc=uscc)
    listed = await services.call(dossier_service(services).ListFilings, request, caller)
    return message_response(listed)


@router.put(
    "/units/{uscc}/filings/draft",
    summary="Write the unit's open filing",
    operation_id="save_filing_draft",
    response_model=FilingRead,
    responses={200: answer("The draft."), **problem_responses(404, 409, 412, 502)},
)
async def save_filing_draft(
    uscc: UsccPath,
    body: FilingDraftUpdate,
    caller: Annotated[Caller, require_roles(*FILERS)],
    services: Services,
    if_match: OptionalIfMatch = None,
) -> Response:
    """Revise the draft (a returned filing becomes a draft again) or start one; 409 while under review.

    The unit's security staff or its police. If-Match (optional) names the open filing's version.
    """
    version = await _filing_version(services, caller, uscc, if_match, None)
    request = from_rest(
        {**body_of(body), "uscc": uscc, "version": version}, dossier_pb2.SaveFilingDraftRequest
    )
    response = await services.call(
        dossier_service(services).SaveFilingDraft, request, caller, conditional=if_match is not None
    )
    return item_response(response.filing)


@router.post(
    "/units/{uscc}/filings/{filing_id}/submit",
    summary="Submit a filing to the police",
    operation_id="submit_filing",
    response_model=FilingRead,
    responses={200: answer("The submitted filing."), **problem_responses(404, 409, 412, 502)},
)
async def submit_filing(
    uscc: UsccPath,
    filing_id: FilingId,
    caller: Annotated[Caller, require_roles(*FILERS)],
    services: Services,
    if_match: OptionalIfMatch = None,
) -> Response:
    """Submit a draft, or resubmit a returned filing, for the police station's review."""
    version = await _filing_version(services, caller, uscc, if_match, filing_id)
    request = dossier_pb2.SubmitFilingRequest(uscc=uscc, id=filing_id, version=version)
    response = await services.call(
        dossier_service(services).SubmitFiling, request, caller, conditional=if_match is not None
    )
    return item_response(response.filing)


@router.post(
    "/units/{uscc}/filings/{filing_id}/accept",
    summary="Accept a submitted filing",
    operation_id="accept_filing",
    response_model=FilingRead,
    responses={200: answer("The accepted filing, now in force."), **problem_responses(404, 409, 412, 502)},
)
async def accept_filing(
    *,
    uscc: UsccPath,
    filing_id: FilingId,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    if_match: OptionalIfMatch = None,
    body: FilingAcceptance | None = None,
) -> Response:
    """Police of the unit's jurisdiction accept the filing; it replaces the one in force."""
    version = await _filing_version(services, caller, uscc, if_match, filing_id)
    request = from_rest(
        {**body_of(body), "uscc": uscc, "id": filing_id, "version": version}, dossier_pb2.AcceptFilingRequest
    )
    response = await services.call(
        dossier_service(services).AcceptFiling, request, caller, conditional=if_match is not None
    )
    return item_response(response.filing)


@router.post(
    "/units/{uscc}/filings/{filing_id}/return",
    summary="Return a submitted filing with reasons",
    operation_id="return_filing",
    response_model=FilingRead,
    responses={200: answer("The returned filing."), **problem_responses(404, 409, 412, 502)},
)
async def return_filing(
    *,
    uscc: UsccPath,
    filing_id: FilingId,
    body: FilingReturn,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    if_match: OptionalIfMatch = None,
) -> Response:
    """Police of the unit's jurisdiction return the filing to the unit, saying why."""
    version = await _filing_version(services, caller, uscc, if_match, filing_id)
    request = from_rest(
        {**body_of(body), "uscc": uscc, "id": filing_id, "version": version}, dossier_pb2.ReturnFilingRequest
    )
    response = await services.call(
        dossier_service(services).ReturnFiling, request, caller, conditional=if_match is not None
    )
    return item_response(response.filing)


# --- responsible persons ---------------------------------------------------------------------------


async def _person_version(
    services: Upstreams, caller: Caller, uscc: str, person_id: str, if_match: str | None
) -> int:
    async def current() -> int:
        request = dossier_pb2.ListResponsiblePersonsRequest(uscc=uscc)
        listed = await services.call(dossier_service(services).ListResponsiblePersons, request, caller)
        return find_version(listed.items, person_id)

    return await version_of(if_match, current, required=True)


@router.get(
    "/units/{uscc}/responsible-persons",
    summary="A unit's responsible persons",
    operation_id="list_responsible_persons",
    response_model=ResponsiblePersonList,
    responses=problem_responses(404, 502),
)
async def list_responsible_persons(
    uscc: UsccPath, caller: Annotated[Caller, require_roles(*READERS)], services: Services, audit: Audit
) -> Response:
    """The first responsible person first, then the co-responsible ones; phones clear for police only."""
    request = dossier_pb2.ListResponsiblePersonsRequest(uscc=uscc)
    response = await services.call(dossier_service(services).ListResponsiblePersons, request, caller)
    return await disclosed_list(audit, caller, response, unit=uscc)


@router.post(
    "/units/{uscc}/responsible-persons",
    summary="Add a responsible person",
    operation_id="create_responsible_person",
    status_code=201,
    response_model=ResponsiblePersonDisclosedRead,
    responses={201: answer("The responsible person."), **problem_responses(404, 409, 502)},
)
async def create_responsible_person(
    uscc: UsccPath,
    body: ResponsiblePersonCreate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    audit: Audit,
) -> Response:
    """The unit's own security staff add one; 409 for a second first responsible person."""
    request = from_rest({**body_of(body), "uscc": uscc}, dossier_pb2.CreateResponsiblePersonRequest)
    response = await services.call(dossier_service(services).CreateResponsiblePerson, request, caller)
    return await disclosed_item(
        audit, caller, response.responsible_person, response.disclosure, status_code=201
    )


@router.patch(
    "/units/{uscc}/responsible-persons/{person_id}",
    summary="Change a responsible person",
    operation_id="update_responsible_person",
    response_model=ResponsiblePersonDisclosedRead,
    responses={200: answer("The responsible person."), **problem_responses(404, 409, 412, 428, 502)},
)
async def update_responsible_person(
    *,
    uscc: UsccPath,
    person_id: PersonId,
    body: ResponsiblePersonUpdate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    audit: Audit,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Change the fields the body names. If-Match is required (428 without it, 412 when stale)."""
    changes = changes_of(body)
    version = await _person_version(services, caller, uscc, person_id, if_match)
    request = update_request(
        changes, dossier_pb2.UpdateResponsiblePersonRequest, uscc=uscc, id=person_id, version=version
    )
    response = await services.call(
        dossier_service(services).UpdateResponsiblePerson, request, caller, conditional=True
    )
    return await disclosed_item(audit, caller, response.responsible_person, response.disclosure)


@router.delete(
    "/units/{uscc}/responsible-persons/{person_id}",
    summary="Remove a responsible person",
    operation_id="delete_responsible_person",
    status_code=204,
    response_class=Response,
    responses={204: _DELETED, **problem_responses(404, 409, 412, 428, 502)},
)
async def delete_responsible_person(
    uscc: UsccPath,
    person_id: PersonId,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Remove one (the unit's own security staff). If-Match is required."""
    version = await _person_version(services, caller, uscc, person_id, if_match)
    request = dossier_pb2.DeleteResponsiblePersonRequest(uscc=uscc, id=person_id, version=version)
    await services.call(dossier_service(services).DeleteResponsiblePerson, request, caller, conditional=True)
    return Response(status_code=204)


# --- key parts -------------------------------------------------------------------------------------


async def _key_part_version(
    services: Upstreams, caller: Caller, uscc: str, key_part_id: str, if_match: str | None
) -> int:
    async def current() -> int:
        request = dossier_pb2.ListKeyPartsRequest(uscc=uscc)
        listed = await services.call(dossier_service(services).ListKeyParts, request, caller)
        return find_version(listed.items, key_part_id)

    return await version_of(if_match, current, required=True)


@router.get(
    "/units/{uscc}/key-parts",
    summary="A unit's key parts",
    operation_id="list_key_parts",
    response_model=KeyPartList,
    responses=problem_responses(404, 502),
)
async def list_key_parts(
    uscc: UsccPath, caller: Annotated[Caller, require_roles(*READERS)], services: Services
) -> Response:
    """The unit's key parts (重要部位) and the protection each needs."""
    request = dossier_pb2.ListKeyPartsRequest(uscc=uscc)
    listed = await services.call(dossier_service(services).ListKeyParts, request, caller)
    return message_response(listed)


@router.post(
    "/units/{uscc}/key-parts",
    summary="Add a key part",
    operation_id="create_key_part",
    status_code=201,
    response_model=KeyPartRead,
    responses={201: answer("The key part."), **problem_responses(404, 409, 502)},
)
async def create_key_part(
    uscc: UsccPath,
    body: KeyPartCreate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
) -> Response:
    """The unit's own security staff add a key part."""
    request = from_rest({**body_of(body), "uscc": uscc}, dossier_pb2.CreateKeyPartRequest)
    response = await services.call(dossier_service(services).CreateKeyPart, request, caller)
    return item_response(response.key_part, status_code=201)


@router.patch(
    "/units/{uscc}/key-parts/{key_part_id}",
    summary="Change a key part",
    operation_id="update_key_part",
    response_model=KeyPartRead,
    responses={200: answer("The key part."), **problem_responses(404, 409, 412, 428, 502)},
)
async def update_key_part(
    *,
    uscc: UsccPath,
    key_part_id: KeyPartId,
    body: KeyPartUpdate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Change the fields the body names. If-Match is required (428 without it, 412 when stale)."""
    changes = changes_of(body)
    version = await _key_part_version(services, caller, uscc, key_part_id, if_match)
    request = update_request(
        changes, dossier_pb2.UpdateKeyPartRequest, uscc=uscc, id=key_part_id, version=version
    )
    response = await services.call(dossier_service(services).UpdateKeyPart, request, caller, conditional=True)
    return item_response(response.key_part)


@router.delete(
    "/units/{uscc}/key-parts/{key_part_id}",
    summary="Remove a key part",
    operation_id="delete_key_part",
    status_code=204,
    response_class=Response,
    responses={204: _DELETED, **problem_responses(404, 409, 412, 428, 502)},
)
async def delete_key_part(
    uscc: UsccPath,
    key_part_id: KeyPartId,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Remove a key part (the unit's own security staff). If-Match is required."""
    version = await _key_part_version(services, caller, uscc, key_part_id, if_match)
    request = dossier_pb2.DeleteKeyPartRequest(uscc=uscc, id=key_part_id, version=version)
    await services.call(dossier_service(services).DeleteKeyPart, request, caller, conditional=True)
    return Response(status_code=204)


# --- emergency plans and drills --------------------------------------------------------------------


@router.get(
    "/units/{uscc}/emergency-plans",
    summary="A unit's emergency plans",
    operation_id="list_emergency_plans",
    response_model=EmergencyPlanList,
    responses=problem_responses(404, 502),
)
async def list_emergency_plans(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    include_superseded: Annotated[bool, Query(description="Also the superseded versions.")] = False,
) -> Response:
    """The plans in force (应急预案), and with include_superseded their earlier versions too."""
    request = dossier_pb2.ListEmergencyPlansRequest(uscc=uscc, include_superseded=include_superseded)
    listed = await services.call(dossier_service(services).ListEmergencyPlans, request, caller)
    return message_response(listed)


@router.post(
    "/units/{uscc}/emergency-plans",
    summary="Publish an emergency plan",
    operation_id="publish_emergency_plan",
    status_code=201,
    response_model=EmergencyPlanRead,
    responses={201: {"description": "The published version."}, **problem_responses(404, 409, 502)},
)
async def publish_emergency_plan(
    uscc: UsccPath,
    body: EmergencyPlanCreate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
) -> Response:
    """A new plan, or with plan_id a new version that supersedes the plan's current one."""
    request = from_rest({**body_of(body), "uscc": uscc}, dossier_pb2.PublishEmergencyPlanRequest)
    response = await services.call(dossier_service(services).PublishEmergencyPlan, request, caller)
    return message_response(response.emergency_plan, status_code=201)


@router.get(
    "/units/{uscc}/drills",
    summary="A unit's drills",
    operation_id="list_drills",
    response_model=DrillPage,
    responses=problem_responses(404, 502),
)
async def list_drills(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
    cursor: Cursor = None,
) -> Response:
    """Drills (演练), newest first, a page at a time."""
    request = dossier_pb2.ListDrillsRequest(uscc=uscc, limit=limit, cursor=cursor or "")
    listed = await services.call(dossier_service(services).ListDrills, request, caller)
    return message_response(listed)


@router.post(
    "/units/{uscc}/drills",
    summary="Record a drill",
    operation_id="record_drill",
    status_code=201,
    response_model=DrillRead,
    responses={201: {"description": "The drill."}, **problem_responses(404, 409, 502)},
)
async def record_drill(
    uscc: UsccPath,
    body: DrillCreate,
    caller: Annotated[Caller, require_roles(*KEEPERS)],
    services: Services,
) -> Response:
    """The unit's own security staff record a drill (a key unit needs 2 in 12 months)."""
    request = from_rest({**body_of(body), "uscc": uscc}, dossier_pb2.RecordDrillRequest)
    response = await services.call(dossier_service(services).RecordDrill, request, caller)
    return message_response(response.drill, status_code=201)


# --- workstations ----------------------------------------------------------------------------------


@router.get(
    "/units/{uscc}/workstations",
    summary="A unit's police workstations",
    operation_id="list_workstations",
    response_model=WorkstationList,
    responses=problem_responses(404, 502),
)
async def list_workstations(
    uscc: UsccPath, caller: Annotated[Caller, require_roles(*READERS)], services: Services
) -> Response:
    """Police workstations (警务室) in the unit, open and closed."""
    request = dossier_pb2.ListWorkstationsRequest(uscc=uscc)
    listed = await services.call(dossier_service(services).ListWorkstations, request, caller)
    return message_response(listed)


@router.post(
    "/units/{uscc}/workstations",
    summary="Open a police workstation",
    operation_id="create_workstation",
    status_code=201,
    response_model=WorkstationRead,
    responses={201: answer("The workstation."), **problem_responses(404, 409, 502)},
)
async def create_workstation(
    uscc: UsccPath,
    body: WorkstationCreate,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
) -> Response:
    """Police of the unit's jurisdiction open a workstation, under one of the county's police stations."""
    request = from_rest({**body_of(body), "uscc": uscc}, dossier_pb2.CreateWorkstationRequest)
    response = await services.call(dossier_service(services).CreateWorkstation, request, caller)
    return item_response(response.workstation, status_code=201)


@router.patch(
    "/units/{uscc}/workstations/{workstation_id}",
    summary="Change or close a police workstation",
    operation_id="update_workstation",
    response_model=WorkstationRead,
    responses={200: answer("The workstation."), **problem_responses(404, 409, 412, 428, 502)},
)
async def update_workstation(
    *,
    uscc: UsccPath,
    workstation_id: WorkstationId,
    body: WorkstationUpdate,
    caller: Annotated[Caller, require_roles(*POLICE)],
    services: Services,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Change the fields the body names (closed_on closes it). If-Match is required."""
    changes = changes_of(body)

    async def current() -> int:
        request = dossier_pb2.ListWorkstationsRequest(uscc=uscc)
        listed = await services.call(dossier_service(services).ListWorkstations, request, caller)
        return find_version(listed.items, workstation_id)

    version = await version_of(if_match, current, required=True)
    request = update_request(
        changes, dossier_pb2.UpdateWorkstationRequest, uscc=uscc, id=workstation_id, version=version
    )
    response = await services.call(
        dossier_service(services).UpdateWorkstation, request, caller, conditional=True
    )
    return item_response(response.workstation)
