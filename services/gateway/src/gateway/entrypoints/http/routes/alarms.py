"""Alarms: REST over neibao.alarmrouting.v1 (issue 6's stable contract), and their live stream.

Each route declares its roles; the alarm routing applies object scope (an alarm or unit outside it answers
404, lists hold only what is inside it) and derives the acknowledging party from the caller's token. One
alarm's read carries the unit's responsible persons (names, phones clear or masked as `disclosure` says):
it is audited before it leaves (no audit record, no data: 503).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Final

from fastapi import Body, Path, Query
from starlette.responses import Response

from gateway.adapters.proto_json import from_rest, to_rest
from gateway.adapters.upstream import Upstreams
from gateway.domain.caller import Caller
from gateway.entrypoints.http.alarm_schemas import (
    DEMO_ALARM,
    AcknowledgementIn,
    AlarmCreate,
    AlarmCreated,
    AlarmFigureQuery,
    AlarmFiguresRead,
    AlarmPage,
    AlarmQuery,
    AlarmRead,
    ArrivalIn,
    ClosureIn,
    DispatchIn,
    ResolutionIn,
    SilenceCreate,
    SilenceList,
    SilenceQuery,
    SilenceRead,
)
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import Audit, Services
from gateway.entrypoints.http.live import mount_live_stream
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.entrypoints.http.problems import problem_responses
from gateway.entrypoints.http.rest import JSONDocument, message_response
from gateway.service.audit import AuditTrail
from neibao.alarmrouting.v1 import alarm_pb2, alarm_pb2_grpc, events_pb2, silence_pb2, silence_pb2_grpc
from neibao.audit.v1 import audit_pb2
from neibao_identity import Role
from neibao_messaging import PayloadRegistry

if TYPE_CHECKING:
    from neibao.alarmrouting.v1.alarm_pb2_grpc import AlarmServiceAsyncStub
    from neibao.alarmrouting.v1.silence_pb2_grpc import SilenceServiceAsyncStub

ALARM_ROUTING: Final = "alarm-routing"
ALARMS_STREAM: Final = "alarms"
API_ALARMS: Final = "/api/v1/alarms"

RAISERS: Final = (Role.UNIT_SECURITY, Role.SECTOR_SYSTEM, Role.POLICE, Role.PROVINCE_ADMIN)
READERS: Final = (Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY, Role.SECTOR_SYSTEM)
# The parties an alarm goes to (the service finds which of its parties the caller speaks for).
ACKNOWLEDGERS: Final = (Role.POLICE, Role.REGULATOR, Role.UNIT_SECURITY)
DISPATCHERS: Final = (Role.POLICE,)
RESOLVERS: Final = (Role.POLICE, Role.UNIT_SECURITY, Role.PROVINCE_ADMIN)
CLOSERS: Final = (Role.POLICE, Role.PROVINCE_ADMIN)
# Figures are for those who watch alarms: a unit's security staff see their own unit's.
FIGURE_READERS: Final = (Role.POLICE, Role.REGULATOR, Role.PROVINCE_ADMIN, Role.UNIT_SECURITY)
SILENCE_AUTHORS: Final = (Role.POLICE, Role.UNIT_SECURITY, Role.PROVINCE_ADMIN)
SILENCE_READERS: Final = (Role.POLICE, Role.REGULATOR, Role.UNIT_SECURITY, Role.PROVINCE_ADMIN)
SILENCE_APPROVERS: Final = (Role.POLICE, Role.PROVINCE_ADMIN)
API_SILENCES: Final = "/api/v1/alarm-silences"

AlarmId = Annotated[str, Path(max_length=36, description="The alarm's id (UUID).", examples=[DEMO_ALARM])]
SilenceId = Annotated[str, Path(max_length=36, description="The silence's id (UUID).")]

router = gateway_router(tags=["alarms"])


def alarm_service(services: Upstreams) -> AlarmServiceAsyncStub:
    """The alarm routing's AlarmService."""
    return services.stub(ALARM_ROUTING, alarm_pb2_grpc.AlarmServiceStub)


def silence_service(services: Upstreams) -> SilenceServiceAsyncStub:
    """The alarm routing's SilenceService."""
    return services.stub(ALARM_ROUTING, silence_pb2_grpc.SilenceServiceStub)


@router.post(
    "/alarms",
    summary="Raise an alarm",
    operation_id="create_alarm",
    status_code=201,
    response_model=AlarmCreated,
    responses={
        201: {"description": "The alarm, committed and routed."},
        200: {
            "description": "A retransmit of an alarm taken in before (`duplicate`), or a repeat counted on "
            "the open alarm of its zone (`grouped`): that alarm."
        },
        **problem_responses(404, 502),
    },
)
async def create_alarm(
    body: AlarmCreate, caller: Annotated[Caller, require_roles(*RAISERS)], services: Services
) -> Response:
    """Take in an alarm for a unit in the caller's scope; answered only once it is committed, with its
    routing (who it went to and why)."""
    request = from_rest(body.model_dump(mode="json", exclude_none=True), alarm_pb2.RaiseAlarmRequest)
    answer = await services.call(alarm_service(services).RaiseAlarm, request, caller)
    document = {**to_rest(answer.alarm), "duplicate": answer.duplicate, "grouped": answer.grouped}
    return JSONDocument(
        document,
        status_code=200 if answer.duplicate or answer.grouped else 201,
        headers={"Location": f"{API_ALARMS}/{answer.alarm.id}"},
    )


@router.get(
    "/figures/alarms",
    summary="Alarm figures per day and open alarms",
    operation_id="get_alarm_figures",
    response_model=AlarmFiguresRead,
    responses=problem_responses(502),
)
async def get_alarm_figures(
    query: Annotated[AlarmFigureQuery, Query()],
    caller: Annotated[Caller, require_roles(*FIGURE_READERS)],
    services: Services,
) -> Response:
    """The alarms in the caller's scope per day of the last `days` (China time): raised, by priority, real
    and false, deadlines missed, and how fast police acknowledged (median, p90); and the open ones now."""
    request = from_rest(query.model_dump(mode="json", exclude_none=True), alarm_pb2.GetAlarmFiguresRequest)
    answer = await services.call(alarm_service(services).GetAlarmFigures, request, caller)
    return message_response(answer)


mount_live_stream(
    router,
    "/alarms/stream",
    stream=ALARMS_STREAM,
    roles=READERS,
    summary="Live alarm changes in the caller's scope (Server-Sent Events)",
    description=(
        "One event per alarm change (raised, routed, acknowledged, escalated, dispatched, resolved), only "
        "for alarms in the caller's scope. Each `data:` line is JSON whose `data` holds the alarm's `id`, "
        "`uscc`, `status`, `priority`, `kind` (and what the change adds under `change`); `subject` is the "
        "alarm id. Send `Last-Event-ID` to resume after the last event received."
    ),
)


@router.get(
    "/alarms",
    summary="List alarms",
    operation_id="list_alarms",
    response_model=AlarmPage,
    responses=problem_responses(502),
)
async def list_alarms(
    query: Annotated[AlarmQuery, Query()],
    caller: Annotated[Caller, require_roles(*READERS)],
    services: Services,
    limit: PageSize,
) -> Response:
    """Alarms in the caller's scope, newest first, a page at a time (without timelines)."""
    request = from_rest(
        {**query.model_dump(mode="json", exclude_none=True), "page_size": limit}, alarm_pb2.ListAlarmsRequest
    )
    answer = await services.call(alarm_service(services).ListAlarms, request, caller)
    return message_response(answer)


async def audit_context(audit: AuditTrail, caller: Caller, alarm: alarm_pb2.Alarm) -> None:
    """Record the read of the unit's responsible persons an alarm shows (none shown: nothing to record)."""
    context = alarm.context
    if not context.responsible_persons:
        return
    disclosure = context.disclosure
    await audit.personal_data_read(
        caller,
        kinds=sorted(
            audit_pb2.PersonalDataKind.Value(alarm_pb2.PersonalDataKind.Name(kind))
            for kind in disclosure.kinds
            if kind != alarm_pb2.PERSONAL_DATA_KIND_UNSPECIFIED
        ),
        disclosure=(
            audit_pb2.DISCLOSURE_CLEAR
            if disclosure.level == alarm_pb2.DISCLOSURE_LEVEL_CLEAR
            else audit_pb2.DISCLOSURE_MASKED
        ),
        record_count=len(context.responsible_persons),
        unit=alarm.uscc,
    )


@router.get(
    "/alarms/{alarm_id}",
    summary="An alarm with its timeline and the unit's plans, key parts and responsible persons",
    operation_id="get_alarm",
    response_model=AlarmRead,
    responses=problem_responses(404, 502, 503),
)
async def get_alarm(
    alarm_id: AlarmId, caller: Annotated[Caller, require_roles(*READERS)], services: Services, audit: Audit
) -> Response:
    """One alarm in the caller's scope: routes with reasons and acknowledgements, its full timeline, and
    under `context` what the responder needs of the unit: its current emergency plans, key parts (the one
    the alarm came from as `alarm_key_part`) and responsible persons, phones in clear for police and the
    province admin, masked for others (`context.disclosure`). The read of those persons is audited."""
    answer = await services.call(
        alarm_service(services).GetAlarm, alarm_pb2.GetAlarmRequest(id=alarm_id), caller
    )
    await audit_context(audit, caller, answer.alarm)
    return message_response(answer.alarm)


@router.post(
    "/alarms/{alarm_id}/acknowledge",
    summary="Acknowledge an alarm",
    operation_id="acknowledge_alarm",
    response_model=AlarmRead,
    responses=problem_responses(404, 409, 502),
)
async def acknowledge_alarm(
    alarm_id: AlarmId,
    caller: Annotated[Caller, require_roles(*ACKNOWLEDGERS)],
    services: Services,
    body: Annotated[AcknowledgementIn | None, Body()] = None,
) -> Response:
    """The caller acknowledges for the parties of the alarm it speaks for (derived from its token); again
    changes nothing. 403 if it is none of them."""
    fields = body.model_dump(mode="json", exclude_none=True) if body is not None else {}
    request = from_rest({**fields, "id": alarm_id}, alarm_pb2.AcknowledgeAlarmRequest)
    answer = await services.call(alarm_service(services).AcknowledgeAlarm, request, caller)
    return message_response(answer.alarm)


@router.post(
    "/alarms/{alarm_id}/dispatch",
    summary="Record that responders were dispatched",
    operation_id="dispatch_alarm",
    response_model=AlarmRead,
    responses=problem_responses(404, 409, 502),
)
async def dispatch_alarm(
    alarm_id: AlarmId,
    caller: Annotated[Caller, require_roles(*DISPATCHERS)],
    services: Services,
    body: Annotated[DispatchIn | None, Body()] = None,
) -> Response:
    """Police the alarm went to sent responders (also their acknowledgement)."""
    note = body.note if body is not None and body.note else ""
    request = alarm_pb2.DispatchAlarmRequest(id=alarm_id, note=note)
    answer = await services.call(alarm_service(services).DispatchAlarm, request, caller)
    return message_response(answer.alarm)


@router.post(
    "/alarms/{alarm_id}/arrive",
    summary="Record that responders reached the scene",
    operation_id="arrive_alarm",
    response_model=AlarmRead,
    responses=problem_responses(404, 409, 502),
)
async def arrive_alarm(
    alarm_id: AlarmId,
    caller: Annotated[Caller, require_roles(*DISPATCHERS)],
    services: Services,
    body: Annotated[ArrivalIn | None, Body()] = None,
) -> Response:
    """Police the alarm went to are on scene (also their acknowledgement)."""
    note = body.note if body is not None and body.note else ""
    request = alarm_pb2.ArriveAlarmRequest(id=alarm_id, note=note)
    answer = await services.call(alarm_service(services).ArriveAlarm, request, caller)
    return message_response(answer.alarm)


@router.post(
    "/alarms/{alarm_id}/close",
    summary="Close the case of a resolved alarm",
    operation_id="close_alarm",
    response_model=AlarmRead,
    responses=problem_responses(404, 409, 502),
)
async def close_alarm(
    alarm_id: AlarmId,
    caller: Annotated[Caller, require_roles(*CLOSERS)],
    services: Services,
    body: Annotated[ClosureIn | None, Body()] = None,
) -> Response:
    """Police the alarm went to (or the province admin) close a resolved alarm's case."""
    note = body.note if body is not None and body.note else ""
    request = alarm_pb2.CloseAlarmRequest(id=alarm_id, note=note)
    answer = await services.call(alarm_service(services).CloseAlarm, request, caller)
    return message_response(answer.alarm)


@router.post(
    "/alarms/{alarm_id}/resolve",
    summary="Resolve an alarm with its outcome",
    operation_id="resolve_alarm",
    response_model=AlarmRead,
    responses=problem_responses(404, 409, 502),
)
async def resolve_alarm(
    alarm_id: AlarmId,
    body: ResolutionIn,
    caller: Annotated[Caller, require_roles(*RESOLVERS)],
    services: Services,
) -> Response:
    """The alarm is over: real, false, test or duplicate."""
    request = from_rest(
        {**body.model_dump(mode="json", exclude_none=True), "id": alarm_id}, alarm_pb2.ResolveAlarmRequest
    )
    answer = await services.call(alarm_service(services).ResolveAlarm, request, caller)
    return message_response(answer.alarm)


@router.post(
    "/alarm-silences",
    summary="Silence a unit's alarms for a time",
    operation_id="create_alarm_silence",
    status_code=201,
    response_model=SilenceRead,
    responses={201: {"description": "The silence."}, **problem_responses(404, 502)},
)
async def create_alarm_silence(
    body: SilenceCreate, caller: Annotated[Caller, require_roles(*SILENCE_AUTHORS)], services: Services
) -> Response:
    """A maintenance window or silence of a unit in scope (or one of its devices), with its reason: its
    alarms are taken in and shown as suppressed, routed to nobody. Panic and hold-up alarms only when
    `includes_life_safety`, once a second person approved."""
    request = from_rest(body.model_dump(mode="json", exclude_none=True), silence_pb2.CreateSilenceRequest)
    answer = await services.call(silence_service(services).CreateSilence, request, caller)
    return message_response(
        answer.silence, status_code=201, headers={"Location": f"{API_SILENCES}/{answer.silence.id}"}
    )


@router.get(
    "/alarm-silences",
    summary="List alarm silences",
    operation_id="list_alarm_silences",
    response_model=SilenceList,
    responses=problem_responses(502),
)
async def list_alarm_silences(
    query: Annotated[SilenceQuery, Query()],
    caller: Annotated[Caller, require_roles(*SILENCE_READERS)],
    services: Services,
) -> Response:
    """Silences in the caller's scope (of one unit when `uscc`), newest first."""
    request = silence_pb2.ListSilencesRequest(uscc=query.uscc or "")
    answer = await services.call(silence_service(services).ListSilences, request, caller)
    return message_response(answer)


@router.post(
    "/alarm-silences/{silence_id}/approve",
    summary="Approve a silence of life-safety alarms (a second person)",
    operation_id="approve_alarm_silence",
    response_model=SilenceRead,
    responses=problem_responses(404, 409, 502),
)
async def approve_alarm_silence(
    silence_id: SilenceId, caller: Annotated[Caller, require_roles(*SILENCE_APPROVERS)], services: Services
) -> Response:
    """Police or the province admin, not the silence's author, put it in force."""
    request = silence_pb2.ApproveSilenceRequest(id=silence_id)
    answer = await services.call(silence_service(services).ApproveSilence, request, caller)
    return message_response(answer.silence)


@router.post(
    "/alarm-silences/{silence_id}/cancel",
    summary="End a silence now",
    operation_id="cancel_alarm_silence",
    response_model=SilenceRead,
    responses=problem_responses(404, 409, 502),
)
async def cancel_alarm_silence(
    silence_id: SilenceId, caller: Annotated[Caller, require_roles(*SILENCE_AUTHORS)], services: Services
) -> Response:
    """Its author, police or the province admin end it."""
    request = silence_pb2.CancelSilenceRequest(id=silence_id)
    answer = await services.call(silence_service(services).CancelSilence, request, caller)
    return message_response(answer.silence)


# The alarm stream's event types and payloads, decoded for the live stream's `data`.
ALARM_EVENT_PAYLOADS: Final = PayloadRegistry(
    {
        "neibao.alarm-routing.alarm.raised.v1": events_pb2.AlarmRaised,
        "neibao.alarm-routing.alarm.routed.v1": events_pb2.AlarmRouted,
        "neibao.alarm-routing.alarm.acknowledged.v1": events_pb2.AlarmAcknowledged,
        "neibao.alarm-routing.alarm.escalated.v1": events_pb2.AlarmEscalated,
        "neibao.alarm-routing.alarm.dispatched.v1": events_pb2.AlarmDispatched,
        "neibao.alarm-routing.alarm.resolved.v1": events_pb2.AlarmResolved,
        "neibao.alarm-routing.alarm.on-scene.v1": events_pb2.AlarmOnScene,
        "neibao.alarm-routing.alarm.closed.v1": events_pb2.AlarmClosed,
        "neibao.alarm-routing.alarm.repeated.v1": events_pb2.AlarmRepeated,
        "neibao.alarm-routing.alarm.deadline-missed.v1": events_pb2.AlarmDeadlineMissed,
    }
)
