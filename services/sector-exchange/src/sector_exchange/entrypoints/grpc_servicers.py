"""The gRPC servicer: read the caller, translate the request, call the handler, translate the answer."""

# The method names are the proto's RPC names.
# ruff: noqa: N802

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

import grpc

from neibao.sectorexchange.v1 import exchange_pb2, exchange_pb2_grpc
from neibao_identity import current_principal
from sector_exchange.adapters.proto_mapping import (
    batch_to_proto,
    figures_to_proto,
    receipt_to_proto,
    record_to_proto,
    rejections_to_proto,
    submitter_health_to_proto,
    warning_count_to_proto,
)
from sector_exchange.entrypoints.errors import guarded
from sector_exchange.service import handlers
from sector_exchange.service.handlers import Exchange

Context = grpc.aio.ServicerContext[Any, Any]


class ExchangeServicer(exchange_pb2_grpc.ExchangeServiceServicer):
    """neibao.sectorexchange.v1.ExchangeService."""

    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange

    async def SubmitBatch(
        self, request: exchange_pb2.SubmitBatchRequest, context: Context
    ) -> exchange_pb2.SubmitBatchResponse:
        """Validate, keep, sign, log."""

        async def run() -> exchange_pb2.SubmitBatchResponse:
            command = handlers.SubmitBatch(
                request.sector, request.dataset, request.batch_id, request.records_json
            )
            outcome = await handlers.submit_batch(
                command, handlers.caller_of(current_principal()), self._exchange
            )
            batch = outcome.batch
            return exchange_pb2.SubmitBatchResponse(
                batch_id=batch.batch_id,
                accepted=batch.accepted,
                rejected=rejections_to_proto(batch.rejected),
                receipt=receipt_to_proto(batch.receipt),
                replayed=outcome.replayed,
            )

        return await guarded(context, run())

    async def GetReceipt(
        self, request: exchange_pb2.GetReceiptRequest, context: Context
    ) -> exchange_pb2.GetReceiptResponse:
        """A batch's outcome and receipt."""

        async def run() -> exchange_pb2.GetReceiptResponse:
            batch = await handlers.get_receipt(
                request.batch_id,
                request.organisation,
                handlers.caller_of(current_principal()),
                self._exchange,
            )
            return exchange_pb2.GetReceiptResponse(batch=batch_to_proto(batch))

        return await guarded(context, run())

    async def ListRecords(
        self, request: exchange_pb2.ListRecordsRequest, context: Context
    ) -> exchange_pb2.ListRecordsResponse:
        """Records in scope, masked."""

        async def run() -> exchange_pb2.ListRecordsResponse:
            page = await handlers.list_records(
                request.sector,
                request.dataset,
                current_principal(),
                self._exchange,
                jurisdiction=request.jurisdiction,
                limit=request.limit,
                cursor=request.cursor,
                id_number=request.id_number,
            )
            return exchange_pb2.ListRecordsResponse(
                items=[record_to_proto(r) for r in page.items],
                next_cursor=page.next_cursor,
                disclosure=exchange_pb2.DISCLOSURE_MASKED,
                personal_kinds=list(page.personal_kinds),
            )

        return await guarded(context, run())

    async def ListSigningKeys(
        self, request: exchange_pb2.ListSigningKeysRequest, context: Context
    ) -> exchange_pb2.ListSigningKeysResponse:
        """The receipt-signing public keys."""
        return exchange_pb2.ListSigningKeysResponse(
            keys=[
                exchange_pb2.SigningKey(
                    key_id=k.key_id, algorithm=k.algorithm, public_key=k.public_key, active=k.active
                )
                for k in self._exchange.public_keys
            ]
        )

    async def GetFigures(
        self, request: exchange_pb2.GetFiguresRequest, context: Context
    ) -> exchange_pb2.GetFiguresResponse:
        """Compliance and quality figures in scope."""

        async def run() -> exchange_pb2.GetFiguresResponse:
            query = handlers.FigureQuery(
                grouping=request.group_by,
                since=request.since,
                until=request.until,
                jurisdiction=request.jurisdiction,
            )
            page = await handlers.get_figures(
                request.sector, request.dataset, query, current_principal(), self._exchange
            )
            return exchange_pb2.GetFiguresResponse(
                sector=request.sector,
                dataset=request.dataset,
                group_by=page.grouping.value,
                since=page.since.isoformat(),
                until=page.until.isoformat(),
                items=[figures_to_proto(row) for row in page.items],
                warnings=[warning_count_to_proto(w) for w in page.warnings],
            )

        return await guarded(context, run())

    async def ListSubmitters(
        self, request: exchange_pb2.ListSubmittersRequest, context: Context
    ) -> exchange_pb2.ListSubmittersResponse:
        """Registered submitters in scope and the health of their feeds."""

        async def run() -> exchange_pb2.ListSubmittersResponse:
            found = await handlers.list_submitters(request.sector, current_principal(), self._exchange)
            answer = exchange_pb2.ListSubmittersResponse(
                items=[submitter_health_to_proto(health) for health in found],
                failing_rejection_rate=self._exchange.failing_rejection_rate,
            )
            answer.as_of.FromDatetime(self._exchange.clock().astimezone(UTC))
            return answer

        return await guarded(context, run())


def register(exchange: Exchange) -> Callable[[grpc.aio.Server], list[str]]:
    """neibao_runtime's Register: add the exchange's services to a server; their full names."""

    def add(server: grpc.aio.Server) -> list[str]:
        exchange_pb2_grpc.add_ExchangeServiceServicer_to_server(ExchangeServicer(exchange), server)
        return [exchange_pb2.DESCRIPTOR.services_by_name["ExchangeService"].full_name]

    return add
