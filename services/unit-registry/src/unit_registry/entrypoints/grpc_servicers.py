"""The gRPC servicers: read the caller, translate the request, call the handler, translate the answer."""

# The method names are the proto's RPC names.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc

from neibao.unitregistry.v1 import jurisdiction_pb2, jurisdiction_pb2_grpc, unit_pb2, unit_pb2_grpc
from neibao_identity import current_principal
from unit_registry.entrypoints import translate
from unit_registry.entrypoints.dossier_servicers import add_dossier_services
from unit_registry.entrypoints.errors import guarded
from unit_registry.entrypoints.figures_servicer import add_figures_service
from unit_registry.service import handlers, list_views
from unit_registry.service.figures import UnitFigureViews
from unit_registry.service.handlers import Requester
from unit_registry.service.list_views import UnitReadViews
from unit_registry.service.unit_of_work import UnitOfWork

Context = grpc.aio.ServicerContext[Any, Any]
UnitOfWorkFactory = Callable[[], UnitOfWork]


def _requester() -> Requester:
    return Requester.from_principal(current_principal())


class UnitServicer(unit_pb2_grpc.UnitServiceServicer):
    """neibao.unitregistry.v1.UnitService."""

    def __init__(self, uow: UnitOfWorkFactory, views: UnitReadViews) -> None:
        self._uow = uow
        self._views = views

    async def CreateUnit(
        self, request: unit_pb2.CreateUnitRequest, context: Context
    ) -> unit_pb2.CreateUnitResponse:
        """Register a unit."""

        async def run() -> unit_pb2.CreateUnitResponse:
            unit = await handlers.create_unit(translate.unit_create(request), _requester(), self._uow())
            return unit_pb2.CreateUnitResponse(unit=translate.unit_to_proto(unit))

        return await guarded(context, run())

    async def GetUnit(self, request: unit_pb2.GetUnitRequest, context: Context) -> unit_pb2.GetUnitResponse:
        """One unit in scope."""

        async def run() -> unit_pb2.GetUnitResponse:
            unit = await handlers.get_unit(request.uscc, _requester(), self._views)
            return unit_pb2.GetUnitResponse(unit=translate.unit_to_proto(unit))

        return await guarded(context, run())

    async def UpdateUnit(
        self, request: unit_pb2.UpdateUnitRequest, context: Context
    ) -> unit_pb2.UpdateUnitResponse:
        """Change fields of a unit."""

        async def run() -> unit_pb2.UpdateUnitResponse:
            unit = await handlers.update_unit(translate.unit_update(request), _requester(), self._uow())
            return unit_pb2.UpdateUnitResponse(unit=translate.unit_to_proto(unit))

        return await guarded(context, run())

    async def CloseUnit(
        self, request: unit_pb2.CloseUnitRequest, context: Context
    ) -> unit_pb2.CloseUnitResponse:
        """Close a unit."""

        async def run() -> unit_pb2.CloseUnitResponse:
            unit = await handlers.close_unit(translate.unit_close(request), _requester(), self._uow())
            return unit_pb2.CloseUnitResponse(unit=translate.unit_to_proto(unit))

        return await guarded(context, run())

    async def ListUnits(
        self, request: unit_pb2.ListUnitsRequest, context: Context
    ) -> unit_pb2.ListUnitsResponse:
        """Search units in scope."""

        async def run() -> unit_pb2.ListUnitsResponse:
            page = await list_views.list_units(translate.unit_query(request), _requester(), self._views)
            return unit_pb2.ListUnitsResponse(
                items=[translate.unit_summary_to_proto(row) for row in page.items],
                next_cursor=page.next_cursor,
            )

        return await guarded(context, run())

    async def ProposeKeyUnit(
        self, request: unit_pb2.ProposeKeyUnitRequest, context: Context
    ) -> unit_pb2.ProposeKeyUnitResponse:
        """Propose a key unit."""

        async def run() -> unit_pb2.ProposeKeyUnitResponse:
            designation = await handlers.propose_key_unit(
                translate.key_unit_proposal(request), _requester(), self._uow()
            )
            return unit_pb2.ProposeKeyUnitResponse(designation=translate.designation_to_proto(designation))

        return await guarded(context, run())

    async def ConfirmKeyUnit(
        self, request: unit_pb2.ConfirmKeyUnitRequest, context: Context
    ) -> unit_pb2.ConfirmKeyUnitResponse:
        """Confirm a key-unit proposal."""

        async def run() -> unit_pb2.ConfirmKeyUnitResponse:
            unit, designation = await handlers.confirm_key_unit(
                translate.key_unit_confirmation(request), _requester(), self._uow()
            )
            return unit_pb2.ConfirmKeyUnitResponse(
                unit=translate.unit_to_proto(unit), designation=translate.designation_to_proto(designation)
            )

        return await guarded(context, run())

    async def WithdrawKeyUnit(
        self, request: unit_pb2.WithdrawKeyUnitRequest, context: Context
    ) -> unit_pb2.WithdrawKeyUnitResponse:
        """Withdraw a key-unit designation or proposal."""

        async def run() -> unit_pb2.WithdrawKeyUnitResponse:
            unit, designation = await handlers.withdraw_key_unit(
                translate.key_unit_withdrawal(request), _requester(), self._uow()
            )
            return unit_pb2.WithdrawKeyUnitResponse(
                unit=translate.unit_to_proto(unit), designation=translate.designation_to_proto(designation)
            )

        return await guarded(context, run())

    async def ListKeyUnitDesignations(
        self, request: unit_pb2.ListKeyUnitDesignationsRequest, context: Context
    ) -> unit_pb2.ListKeyUnitDesignationsResponse:
        """A unit's designation history."""

        async def run() -> unit_pb2.ListKeyUnitDesignationsResponse:
            items = await handlers.list_key_unit_designations(request.uscc, _requester(), self._uow())
            return unit_pb2.ListKeyUnitDesignationsResponse(
                items=[translate.designation_to_proto(d) for d in items]
            )

        return await guarded(context, run())

    async def ListUnitChanges(
        self, request: unit_pb2.ListUnitChangesRequest, context: Context
    ) -> unit_pb2.ListUnitChangesResponse:
        """A unit's change history."""

        async def run() -> unit_pb2.ListUnitChangesResponse:
            page = await handlers.list_unit_changes(
                request.uscc, request.limit, request.cursor, _requester(), self._uow()
            )
            return unit_pb2.ListUnitChangesResponse(
                items=[translate.change_to_proto(entry) for entry in page.items], next_cursor=page.next_cursor
            )

        return await guarded(context, run())


class JurisdictionServicer(jurisdiction_pb2_grpc.JurisdictionServiceServicer):
    """neibao.unitregistry.v1.JurisdictionService (reference data: any authenticated caller)."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def ListJurisdictions(
        self, request: jurisdiction_pb2.ListJurisdictionsRequest, context: Context
    ) -> jurisdiction_pb2.ListJurisdictionsResponse:
        """The division tree with police stations."""

        async def run() -> jurisdiction_pb2.ListJurisdictionsResponse:
            as_of = translate.parse_date(request.as_of, "as_of")
            node = await handlers.list_jurisdictions(request.parent, as_of, self._uow())
            return jurisdiction_pb2.ListJurisdictionsResponse(items=[translate.jurisdiction_to_proto(node)])

        return await guarded(context, run())

    async def GetJurisdiction(
        self, request: jurisdiction_pb2.GetJurisdictionRequest, context: Context
    ) -> jurisdiction_pb2.GetJurisdictionResponse:
        """One division with its children and stations."""

        async def run() -> jurisdiction_pb2.GetJurisdictionResponse:
            node = await handlers.get_jurisdiction(request.code, self._uow())
            return jurisdiction_pb2.GetJurisdictionResponse(
                jurisdiction=translate.jurisdiction_to_proto(node)
            )

        return await guarded(context, run())


def register(
    uow: UnitOfWorkFactory, views: UnitReadViews, figures: UnitFigureViews
) -> Callable[[grpc.aio.Server], list[str]]:
    """The neibao_runtime Register callback adding the registry's services."""

    def add(server: grpc.aio.Server) -> list[str]:
        unit_pb2_grpc.add_UnitServiceServicer_to_server(UnitServicer(uow, views), server)
        jurisdiction_pb2_grpc.add_JurisdictionServiceServicer_to_server(JurisdictionServicer(uow), server)
        return [
            unit_pb2.DESCRIPTOR.services_by_name["UnitService"].full_name,
            jurisdiction_pb2.DESCRIPTOR.services_by_name["JurisdictionService"].full_name,
            *add_dossier_services(server, uow),
            add_figures_service(server, figures),
        ]

    return add
