"""The gRPC servicers: read the caller, translate the request, call the handler, translate the answer."""

# The method names are the proto's RPC names.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from device_inventory.entrypoints import translate
from device_inventory.entrypoints.errors import guarded
from device_inventory.service import handlers
from device_inventory.service.handlers import Inventory, Requester
from neibao.deviceinventory.v1 import (
    compliance_pb2,
    compliance_pb2_grpc,
    device_pb2,
    device_pb2_grpc,
    figures_pb2,
    figures_pb2_grpc,
)
from neibao_identity import current_principal

Context = grpc.aio.ServicerContext[Any, Any]


def _requester() -> Requester:
    return Requester.from_principal(current_principal())


class DeviceServicer(device_pb2_grpc.DeviceServiceServicer):
    """neibao.deviceinventory.v1.DeviceService."""

    def __init__(self, inventory: Inventory) -> None:
        self._inventory = inventory

    async def RegisterDevice(
        self, request: device_pb2.RegisterDeviceRequest, context: Context
    ) -> device_pb2.RegisterDeviceResponse:
        """Register a device."""

        async def run() -> device_pb2.RegisterDeviceResponse:
            draft = translate.device_draft(request)
            device = await handlers.register_device(draft, _requester(), self._inventory)
            return device_pb2.RegisterDeviceResponse(device=translate.device_to_proto(device))

        return await guarded(context, run())

    async def GetDevice(
        self, request: device_pb2.GetDeviceRequest, context: Context
    ) -> device_pb2.GetDeviceResponse:
        """One device in scope."""

        async def run() -> device_pb2.GetDeviceResponse:
            device = await handlers.get_device(request.id, _requester(), self._inventory)
            return device_pb2.GetDeviceResponse(device=translate.device_to_proto(device))

        return await guarded(context, run())

    async def ListDevices(
        self, request: device_pb2.ListDevicesRequest, context: Context
    ) -> device_pb2.ListDevicesResponse:
        """A page of devices in scope."""

        async def run() -> device_pb2.ListDevicesResponse:
            page = await handlers.list_devices(translate.device_query(request), _requester(), self._inventory)
            return device_pb2.ListDevicesResponse(
                items=[translate.device_to_proto(d) for d in page.items], next_cursor=page.next_cursor
            )

        return await guarded(context, run())

    async def UpdateDevice(
        self, request: device_pb2.UpdateDeviceRequest, context: Context
    ) -> device_pb2.UpdateDeviceResponse:
        """Change a device."""

        async def run() -> device_pb2.UpdateDeviceResponse:
            device = await handlers.update_device(
                translate.device_change(request), _requester(), self._inventory
            )
            return device_pb2.UpdateDeviceResponse(device=translate.device_to_proto(device))

        return await guarded(context, run())

    async def SetProtection(
        self, request: device_pb2.SetProtectionRequest, context: Context
    ) -> device_pb2.SetProtectionResponse:
        """Set protection quantities."""

        async def run() -> device_pb2.SetProtectionResponse:
            stock = await handlers.set_protection(
                request.uscc,
                request.key_part,
                translate.protection_items(request),
                _requester(),
                self._inventory,
            )
            return device_pb2.SetProtectionResponse(items=[translate.protection_to_proto(i) for i in stock])

        return await guarded(context, run())

    async def ListProtection(
        self, request: device_pb2.ListProtectionRequest, context: Context
    ) -> device_pb2.ListProtectionResponse:
        """A unit's protection stock."""

        async def run() -> device_pb2.ListProtectionResponse:
            stock = await handlers.list_protection(request.uscc, _requester(), self._inventory)
            return device_pb2.ListProtectionResponse(items=[translate.protection_to_proto(i) for i in stock])

        return await guarded(context, run())

    async def RecordHeartbeats(
        self, request: device_pb2.RecordHeartbeatsRequest, context: Context
    ) -> device_pb2.RecordHeartbeatsResponse:
        """A batch of heartbeats, each item answered."""

        async def run() -> device_pb2.RecordHeartbeatsResponse:
            items = translate.heartbeat_items(list(request.heartbeats))
            results = await handlers.record_heartbeats(items, _requester(), self._inventory)
            return translate.heartbeat_results(results)

        return await guarded(context, run())


class ComplianceServicer(compliance_pb2_grpc.ComplianceServiceServicer):
    """neibao.deviceinventory.v1.ComplianceService."""

    def __init__(self, inventory: Inventory) -> None:
        self._inventory = inventory

    async def GetCompliance(
        self, request: compliance_pb2.GetComplianceRequest, context: Context
    ) -> compliance_pb2.GetComplianceResponse:
        """A unit's compliance, each requirement explained."""

        async def run() -> compliance_pb2.GetComplianceResponse:
            result = await handlers.get_compliance(request.uscc, _requester(), self._inventory)
            return compliance_pb2.GetComplianceResponse(compliance=translate.compliance_to_proto(result))

        return await guarded(context, run())


class FiguresServicer(figures_pb2_grpc.FiguresServiceServicer):
    """neibao.deviceinventory.v1.FiguresService."""

    def __init__(self, inventory: Inventory) -> None:
        self._inventory = inventory

    async def GetFigures(
        self, request: figures_pb2.GetFiguresRequest, context: Context
    ) -> figures_pb2.GetFiguresResponse:
        """Dashboard figures in the caller's scope."""

        async def run() -> figures_pb2.GetFiguresResponse:
            grouping = translate.figure_grouping(request.group_by)
            total, rows = await handlers.get_figures(
                request.jurisdiction, request.sector, grouping, _requester(), self._inventory
            )
            return figures_pb2.GetFiguresResponse(
                total=translate.figure_row(total), rows=[translate.figure_row(r) for r in rows]
            )

        return await guarded(context, run())


def register(inventory: Inventory) -> Callable[[grpc.aio.Server], list[str]]:
    """The neibao_runtime Register callback adding the inventory's services."""

    def add(server: grpc.aio.Server) -> list[str]:
        device_pb2_grpc.add_DeviceServiceServicer_to_server(DeviceServicer(inventory), server)
        compliance_pb2_grpc.add_ComplianceServiceServicer_to_server(ComplianceServicer(inventory), server)
        figures_pb2_grpc.add_FiguresServiceServicer_to_server(FiguresServicer(inventory), server)
        return [
            figures_pb2.DESCRIPTOR.services_by_name["FiguresService"].full_name,
            device_pb2.DESCRIPTOR.services_by_name["DeviceService"].full_name,
            compliance_pb2.DESCRIPTOR.services_by_name["ComplianceService"].full_name,
        ]

    return add
