"""The gRPC servicer: read the caller, translate the request, call the handler, translate the answer."""

# The method names are the proto's RPC names.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

import grpc

from alarm_routing.adapters.proto_mapping import (
    ACKNOWLEDGEMENT_OUTCOME,
    ALARM_KIND,
    ALARM_STATUS,
    OUTCOME,
    alarm_to_proto,
    figures_to_proto,
    silence_to_proto,
)
from alarm_routing.entrypoints.errors import guarded
from alarm_routing.service.handlers import AlarmRouting, CreateSilence, RaiseAlarm, Requester, Silences
from neibao.alarmrouting.v1 import alarm_pb2, alarm_pb2_grpc, silence_pb2, silence_pb2_grpc
from neibao_identity import current_principal

Context = grpc.aio.ServicerContext[Any, Any]


def _requester() -> Requester:
    return Requester.from_principal(current_principal())


def raise_command(request: alarm_pb2.RaiseAlarmRequest) -> RaiseAlarm:
    """The intake command of a RaiseAlarmRequest."""
    return RaiseAlarm(
        uscc=request.uscc.strip().upper(),
        kind=ALARM_KIND.from_proto(request.kind, "kind"),
        priority=request.priority,
        occurred_at=request.occurred_at.ToDatetime(tzinfo=UTC) if request.HasField("occurred_at") else None,
        description=request.description,
        source=request.source,
        source_id=request.source_id,
        zone=request.zone,
        device_id=request.device_id,
    )


class AlarmServicer(alarm_pb2_grpc.AlarmServiceServicer):
    """neibao.alarmrouting.v1.AlarmService."""

    def __init__(self, routing: AlarmRouting) -> None:
        self._routing = routing

    async def RaiseAlarm(
        self, request: alarm_pb2.RaiseAlarmRequest, context: Context
    ) -> alarm_pb2.RaiseAlarmResponse:
        """Take in an alarm (answered after it is committed)."""

        async def run() -> alarm_pb2.RaiseAlarmResponse:
            intake = await self._routing.raise_alarm(raise_command(request), _requester())
            return alarm_pb2.RaiseAlarmResponse(
                alarm=alarm_to_proto(intake.alarm), duplicate=intake.duplicate, grouped=intake.grouped
            )

        return await guarded(context, run())

    async def GetAlarm(
        self, request: alarm_pb2.GetAlarmRequest, context: Context
    ) -> alarm_pb2.GetAlarmResponse:
        """One alarm in scope."""

        async def run() -> alarm_pb2.GetAlarmResponse:
            detail = await self._routing.get_alarm(request.id, _requester())
            return alarm_pb2.GetAlarmResponse(alarm=alarm_to_proto(detail.alarm, unit_context=detail.context))

        return await guarded(context, run())

    async def ListAlarms(
        self, request: alarm_pb2.ListAlarmsRequest, context: Context
    ) -> alarm_pb2.ListAlarmsResponse:
        """Alarms in scope."""

        async def run() -> alarm_pb2.ListAlarmsResponse:
            page = await self._routing.list_alarms(
                ALARM_STATUS.from_proto(request.status, "status"),
                request.uscc.strip().upper(),
                request.page_size,
                request.cursor,
                _requester(),
                kind=ALARM_KIND.from_proto(request.kind, "kind") if request.kind else None,
            )
            return alarm_pb2.ListAlarmsResponse(
                items=[alarm_to_proto(a, timeline=False) for a in page.items], next_cursor=page.next_cursor
            )

        return await guarded(context, run())

    async def GetAlarmFigures(
        self, request: alarm_pb2.GetAlarmFiguresRequest, context: Context
    ) -> alarm_pb2.GetAlarmFiguresResponse:
        """Alarm figures in scope."""

        async def run() -> alarm_pb2.GetAlarmFiguresResponse:
            return figures_to_proto(await self._routing.figures(request.days, _requester()))

        return await guarded(context, run())

    async def AcknowledgeAlarm(
        self, request: alarm_pb2.AcknowledgeAlarmRequest, context: Context
    ) -> alarm_pb2.AcknowledgeAlarmResponse:
        """Acknowledge for the caller's parties."""

        async def run() -> alarm_pb2.AcknowledgeAlarmResponse:
            outcome = ACKNOWLEDGEMENT_OUTCOME.from_proto(request.outcome, "outcome")
            alarm = await self._routing.acknowledge(request.id, request.note, _requester(), outcome)
            return alarm_pb2.AcknowledgeAlarmResponse(alarm=alarm_to_proto(alarm))

        return await guarded(context, run())

    async def DispatchAlarm(
        self, request: alarm_pb2.DispatchAlarmRequest, context: Context
    ) -> alarm_pb2.DispatchAlarmResponse:
        """Responders sent."""

        async def run() -> alarm_pb2.DispatchAlarmResponse:
            alarm = await self._routing.dispatch(request.id, request.note, _requester())
            return alarm_pb2.DispatchAlarmResponse(alarm=alarm_to_proto(alarm))

        return await guarded(context, run())

    async def ArriveAlarm(
        self, request: alarm_pb2.ArriveAlarmRequest, context: Context
    ) -> alarm_pb2.ArriveAlarmResponse:
        """Responders on scene."""

        async def run() -> alarm_pb2.ArriveAlarmResponse:
            alarm = await self._routing.arrive(request.id, request.note, _requester())
            return alarm_pb2.ArriveAlarmResponse(alarm=alarm_to_proto(alarm))

        return await guarded(context, run())

    async def CloseAlarm(
        self, request: alarm_pb2.CloseAlarmRequest, context: Context
    ) -> alarm_pb2.CloseAlarmResponse:
        """The case is closed."""

        async def run() -> alarm_pb2.CloseAlarmResponse:
            alarm = await self._routing.close(request.id, request.note, _requester())
            return alarm_pb2.CloseAlarmResponse(alarm=alarm_to_proto(alarm))

        return await guarded(context, run())

    async def ResolveAlarm(
        self, request: alarm_pb2.ResolveAlarmRequest, context: Context
    ) -> alarm_pb2.ResolveAlarmResponse:
        """The alarm is over."""

        async def run() -> alarm_pb2.ResolveAlarmResponse:
            outcome = OUTCOME.from_proto(request.outcome, "outcome")
            alarm = await self._routing.resolve(request.id, outcome, request.note, _requester())
            return alarm_pb2.ResolveAlarmResponse(alarm=alarm_to_proto(alarm))

        return await guarded(context, run())


class SilenceServicer(silence_pb2_grpc.SilenceServiceServicer):
    """neibao.alarmrouting.v1.SilenceService."""

    def __init__(self, silences: Silences) -> None:
        self._silences = silences

    async def CreateSilence(
        self, request: silence_pb2.CreateSilenceRequest, context: Context
    ) -> silence_pb2.CreateSilenceResponse:
        """Silence a unit's (or a device's) alarms for a time."""

        async def run() -> silence_pb2.CreateSilenceResponse:
            command = CreateSilence(
                uscc=request.uscc.strip().upper(),
                device_id=request.device_id,
                starts_at=request.starts_at.ToDatetime(tzinfo=UTC) if request.HasField("starts_at") else None,
                ends_at=request.ends_at.ToDatetime(tzinfo=UTC) if request.HasField("ends_at") else None,
                reason=request.reason,
                includes_life_safety=request.includes_life_safety,
            )
            silence = await self._silences.create(command, _requester())
            return silence_pb2.CreateSilenceResponse(silence=silence_to_proto(silence))

        return await guarded(context, run())

    async def ApproveSilence(
        self, request: silence_pb2.ApproveSilenceRequest, context: Context
    ) -> silence_pb2.ApproveSilenceResponse:
        """A second person approves."""

        async def run() -> silence_pb2.ApproveSilenceResponse:
            silence = await self._silences.approve(request.id, _requester())
            return silence_pb2.ApproveSilenceResponse(silence=silence_to_proto(silence))

        return await guarded(context, run())

    async def CancelSilence(
        self, request: silence_pb2.CancelSilenceRequest, context: Context
    ) -> silence_pb2.CancelSilenceResponse:
        """End a silence now."""

        async def run() -> silence_pb2.CancelSilenceResponse:
            silence = await self._silences.cancel(request.id, _requester())
            return silence_pb2.CancelSilenceResponse(silence=silence_to_proto(silence))

        return await guarded(context, run())

    async def ListSilences(
        self, request: silence_pb2.ListSilencesRequest, context: Context
    ) -> silence_pb2.ListSilencesResponse:
        """Silences in scope."""

        async def run() -> silence_pb2.ListSilencesResponse:
            found = await self._silences.list(request.uscc.strip().upper(), _requester())
            return silence_pb2.ListSilencesResponse(items=[silence_to_proto(s) for s in found])

        return await guarded(context, run())


def register(routing: AlarmRouting, silences: Silences) -> Callable[[grpc.aio.Server], Sequence[str]]:
    """The neibao_runtime Register callback adding the alarm and silence services."""

    def add(server: grpc.aio.Server) -> Sequence[str]:
        alarm_pb2_grpc.add_AlarmServiceServicer_to_server(AlarmServicer(routing), server)
        silence_pb2_grpc.add_SilenceServiceServicer_to_server(SilenceServicer(silences), server)
        return [
            alarm_pb2.DESCRIPTOR.services_by_name["AlarmService"].full_name,
            silence_pb2.DESCRIPTOR.services_by_name["SilenceService"].full_name,
        ]

    return add
