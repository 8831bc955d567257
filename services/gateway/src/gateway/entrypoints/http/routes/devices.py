"""Devices: REST over neibao.deviceinventory.v1 (issue 5's stable contract).

Each route declares its roles; the device inventory applies object scope (a unit or device outside it
answers 404, lists hold only what is inside it) and the finer write rules (403). Heartbeat batches are
answered item by item: an item the gateway cannot even read is refused here, the rest go to the service,
and valid items are kept whatever the others are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import Header, Path, Query
from google.protobuf.timestamp_pb2 import Timestamp
from starlette.responses import Response

from gateway.adapters.proto_json import from_rest, invalid_fields
from gateway.adapters.upstream import Upstreams
from gateway.domain.caller import Caller
from gateway.domain.problems import FieldViolation
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Services
from gateway.entrypoints.http.device_schemas import (
    DEMO_DEVICE,
    ComplianceRead,
    DeviceCreate,
    DevicePage,
    DeviceQuery,
    DeviceRead,
    DeviceUpdate,
    FigureQuery,
    FiguresRead,
    HeartbeatBatchIn,
    HeartbeatBatchRead,
    ProtectionList,
    ProtectionSet,
)
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.registry_schemas import DEMO_UNIT
from gateway.entrypoints.http.rest import (
    ETAG_HEADER,
    IF_MATCH_DESCRIPTION,
    JSONDocument,
    message_response,
    strong_etag,
    version_to_change,
)
from neibao.deviceinventory.v1 import (
    compliance_pb2,
    compliance_pb2_grpc,
    device_pb2,
    device_pb2_grpc,
    figures_pb2,
    figures_pb2_grpc,
)
from neibao_identity import Role

if TYPE_CHECKING:
    from neibao.deviceinventory.v1.compliance_pb2_grpc import ComplianceServiceAsyncStub
    from neibao.deviceinventory.v1.device_pb2_grpc import DeviceServiceAsyncStub
    from neibao.deviceinventory.v1.figures_pb2_grpc import FiguresServiceAsyncStub

DEVICE_INVENTORY: Final = "device-inventory"
API_DEVICES: Final = "/api/v1/devices"

READERS: Final = (Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY)
WRITERS: Final = (Role.POLICE, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY)
# Devices' platforms report heartbeats as their organisation's sector system.
REPORTERS: Final = (*WRITERS, Role.SECTOR_SYSTEM)
HEARTBEAT_STATUSES: Final = {
    None: device_pb2.HEARTBEAT_STATUS_UNSPECIFIED,
    "ok": device_pb2.HEARTBEAT_STATUS_OK,
    "fault": device_pb2.HEARTBEAT_STATUS_FAULT,
}

UsccPath = Annotated[
    str,
    Path(pattern=r"^[0-9A-Za-z]{18}$", description="The unit's 统一社会信用代码.", examples=[DEMO_UNIT]),
]
DeviceId = Annotated[str, Path(max_length=36, description="The device's id (UUID).", examples=[DEMO_DEVICE])]

RequiredIfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description=IF_MATCH_DESCRIPTION + " Required: 428 without it."),
]

router = gateway_router(tags=["devices"])


_DEVICE_ANSWER: Final = {"description": "The device.", "headers": ETAG_HEADER}


def device_response(device: device_pb2.Device, *, status_code: int = 200, created: bool = False) -> Response:
    """A device with its ETag (its version), and its Location when just registered."""
    headers = {"ETag": strong_etag(device.version)}
    if created:
        headers["Location"] = f"{API_DEVICES}/{device.id}"
    return message_response(device, status_code=status_code, headers=headers)


def device_service(services: Upstreams) -> DeviceServiceAsyncStub:
    """The device inventory's DeviceService."""
    return services.stub(DEVICE_INVENTORY, device_pb2_grpc.DeviceServiceStub)


def compliance_service(services: Upstreams) -> ComplianceServiceAsyncStub:
    """The device inventory's ComplianceService."""
    return services.stub(DEVICE_INVENTORY, compliance_pb2_grpc.ComplianceServiceStub)


@router.post(
    "/units/{uscc}/devices",
    summary="Register a device of a unit",
    operation_id="create_device",
    status_code=201,
    response_model=DeviceRead,
    responses={
        201: {
            "description": "The device, registered.",
            "headers": {
                **ETAG_HEADER,
                "Location": {"description": "The device's URL.", "schema": {"type": "string"}},
            },
        },
        **problem_responses(404, 502),
    },
)
async def create_device(
    uscc: UsccPath,
    body: DeviceCreate,
    caller: Annotated[Caller, require_roles(*WRITERS)],
    services: Services,
) -> Response:
    """Register a technical protection device of the unit (or one of its key parts); 201 with its id."""
    document = {**body.model_dump(mode="json", exclude_none=True), "uscc": uscc}
    request = from_rest(document, device_pb2.RegisterDeviceRequest)
    answer = await services.call(device_service(services).RegisterDevice, request, caller)
    return device_response(answer.device, status_code=201, created=True)


@router.get(
    "/devices",
    summary="List devices",
    operation_id="list_devices",
    response_model=DevicePage,
    responses=problem_responses(502),
)
async def list_devices(
    query: Annotated[DeviceQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
) -> Response:
    """Devices in the caller's scope matching every criterion given, a page at a time."""
    request = from_rest(
        {**query.model_dump(mode="json", exclude_none=True), "limit": limit}, device_pb2.ListDevicesRequest
    )
    answer = await services.call(device_service(services).ListDevices, request, caller)
    return message_response(answer)


@router.get(
    "/devices/{device_id}",
    summary="A device",
    operation_id="get_device",
    response_model=DeviceRead,
    responses={200: _DEVICE_ANSWER, **problem_responses(404, 502)},
)
async def get_device(
    device_id: DeviceId,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """One device with its online status; 404 when there is none in the caller's scope."""
    answer = await services.call(
        device_service(services).GetDevice, device_pb2.GetDeviceRequest(id=device_id), caller
    )
    return device_response(answer.device)


@router.patch(
    "/devices/{device_id}",
    summary="Change a device",
    operation_id="update_device",
    response_model=DeviceRead,
    responses={200: _DEVICE_ANSWER, **problem_responses(404, 409, 412, 428, 502)},
)
async def update_device(
    device_id: DeviceId,
    body: DeviceUpdate,
    caller: Annotated[Caller, require_roles(*WRITERS)],
    services: Services,
    if_match: RequiredIfMatch = None,
) -> Response:
    """Change the fields the body names, or the lifecycle (retired: no longer supervised).

    JSON merge patch: `null` clears an optional field (`"key_part": null` detaches the device from its
    key part); the name, the flags, the retention and the lifecycle cannot be cleared. `zones` replaces
    all of a panel's zones (`[]` or `null` clears them; absent keeps them).
    """
    changes = _device_changes(body)

    async def current() -> int:
        answer = await services.call(
            device_service(services).GetDevice, device_pb2.GetDeviceRequest(id=device_id), caller
        )
        return answer.device.version

    version = await version_to_change(if_match, current, required=True)
    request = from_rest({**changes, "id": device_id, "version": version}, device_pb2.UpdateDeviceRequest)
    answer = await services.call(device_service(services).UpdateDevice, request, caller, conditional=True)
    return device_response(answer.device)


# Fields a device may be without: `null` in a PATCH clears them (the service reads "" as cleared).
CLEARABLE_FIELDS: Final = frozenset(
    {"key_part", "make", "model", "serial", "install_date", "location", "network_id", "resolution"}
)


def _device_changes(body: DeviceUpdate) -> dict[str, Any]:
    """The PATCH body as the service's changes: nulls of clearable fields as "", other nulls refused."""
    changes: dict[str, Any] = body.model_dump(mode="json", exclude_unset=True)
    zones = changes.pop("zones", ...)
    refused = [
        FieldViolation(f"/{name}", "cannot be cleared")
        for name, value in changes.items()
        if value is None and name not in CLEARABLE_FIELDS
    ]
    if refused:
        raise invalid_fields(refused)
    if not changes and zones is ...:
        raise invalid_fields([FieldViolation("", "name at least one field to change")])
    cleaned = {name: "" if value is None else value for name, value in changes.items()}
    if zones is not ...:
        # Present: the panel's zones become exactly these ([] or null: none).
        cleaned |= {"zones": zones or [], "replace_zones": True}
    return cleaned


@router.get(
    "/units/{uscc}/protection",
    summary="A unit's physical protection and guard equipment",
    operation_id="list_protection",
    response_model=ProtectionList,
    responses=problem_responses(404, 502),
)
async def list_protection(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """Quantities per kind, for the unit and each of its key parts."""
    request = device_pb2.ListProtectionRequest(uscc=uscc)
    answer = await services.call(device_service(services).ListProtection, request, caller)
    return message_response(answer)


@router.put(
    "/units/{uscc}/protection",
    summary="Set protection quantities",
    operation_id="set_protection",
    response_model=ProtectionList,
    responses=problem_responses(404, 502),
)
async def set_protection(
    uscc: UsccPath,
    body: ProtectionSet,
    caller: Annotated[Caller, require_roles(*WRITERS)],
    services: Services,
) -> Response:
    """Set the quantities of the kinds given (0 removes one) for the unit or a key part; the whole stock."""
    document = {**body.model_dump(mode="json", exclude_none=True), "uscc": uscc}
    answer = await services.call(
        device_service(services).SetProtection, from_rest(document, device_pb2.SetProtectionRequest), caller
    )
    return message_response(answer)


def _timestamp(text: str) -> Timestamp | None:
    try:
        moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def _refused(index: int, device_id: str | None, errors: list[dict[str, str]]) -> dict[str, Any]:
    return {"index": index, "device_id": device_id, "accepted": False, "errors": errors}


@router.post(
    "/devices/heartbeats",
    summary="Report device heartbeats",
    operation_id="record_heartbeats",
    response_model=HeartbeatBatchRead,
    responses=problem_responses(502),
)
async def record_heartbeats(
    body: HeartbeatBatchIn,
    caller: Annotated[Caller, require_roles(*REPORTERS)],
    services: Services,
) -> Response:
    """Heartbeats, each answered on its own (`accepted`, or `errors` with pointers); valid ones are kept."""
    results: dict[int, dict[str, Any]] = {}
    forwarded: list[tuple[int, device_pb2.Heartbeat]] = []
    for index, item in enumerate(body.heartbeats):
        errors: list[dict[str, str]] = []
        heartbeat = device_pb2.Heartbeat(device_id=item.device_id or "")
        if item.at is not None:
            stamp = _timestamp(item.at)
            if stamp is None:
                errors.append(
                    {
                        "pointer": f"/heartbeats/{index}/at",
                        "reason": "INVALID_FORMAT",
                        "detail": "at must be an RFC 3339 time with a zone",
                    }
                )
            else:
                heartbeat.at.CopyFrom(stamp)
        status = HEARTBEAT_STATUSES.get(item.status)
        if status is None:
            errors.append(
                {"pointer": f"/heartbeats/{index}/status", "reason": "UNKNOWN_VALUE", "detail": "ok or fault"}
            )
        else:
            heartbeat.status = status
        if errors:
            results[index] = _refused(index, item.device_id, errors)
        else:
            forwarded.append((index, heartbeat))
    if forwarded:
        request = device_pb2.RecordHeartbeatsRequest(heartbeats=[h for _, h in forwarded])
        answer = await services.call(device_service(services).RecordHeartbeats, request, caller)
        for result in answer.results:
            index = forwarded[result.index][0]
            results[index] = {
                "index": index,
                "device_id": result.device_id or None,
                "accepted": result.accepted,
                "errors": [
                    {"pointer": f"/heartbeats/{index}/{v.field}", "reason": v.reason, "detail": v.description}
                    for v in result.violations
                ],
            }
    ordered = [results[index] for index in sorted(results)]
    accepted = sum(1 for r in ordered if r["accepted"])
    return JSONDocument({"results": ordered, "accepted": accepted, "rejected": len(ordered) - accepted})


@router.get(
    "/units/{uscc}/compliance",
    summary="A unit's compliance",
    operation_id="get_unit_compliance",
    response_model=ComplianceRead,
    responses=problem_responses(404, 502),
)
async def get_unit_compliance(
    uscc: UsccPath,
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """Each requirement of the unit's type: met or not, the rule (and measure) behind it, the evidence."""
    answer = await services.call(
        compliance_service(services).GetCompliance, compliance_pb2.GetComplianceRequest(uscc=uscc), caller
    )
    return message_response(answer.compliance)


def figures_service(services: Upstreams) -> FiguresServiceAsyncStub:
    """The device inventory's FiguresService."""
    return services.stub(DEVICE_INVENTORY, figures_pb2_grpc.FiguresServiceStub)


@router.get(
    "/figures/devices",
    summary="Device and compliance figures",
    operation_id="get_device_figures",
    response_model=FiguresRead,
    responses=problem_responses(502),
)
async def get_device_figures(
    query: Annotated[FigureQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
) -> Response:
    """Online rate, compliance rate and offline critical devices in the caller's scope, per jurisdiction
    (one level under the one asked, or under the caller's own) or per sector."""
    request = from_rest(query.model_dump(mode="json", exclude_none=True), figures_pb2.GetFiguresRequest)
    answer = await services.call(figures_service(services).GetFigures, request, caller)
    return message_response(answer)
