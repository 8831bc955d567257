"""Domain errors -> gRPC status codes with google.rpc details (BadRequest field violations, ...)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any, NoReturn, TypeVar

import grpc
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from safe_unit_scoring.domain.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    ValidationFailed,
)

log = logging.getLogger(__name__)

R = TypeVar("R")
ERROR_DOMAIN = "safe-unit-scoring.neibao"


def _status(code: int, message: str, *details: Message) -> grpc.Status:
    packed = []
    for detail in details:
        envelope = any_pb2.Any()
        envelope.Pack(detail)
        packed.append(envelope)
    status: grpc.Status = rpc_status.to_status(status_pb2.Status(code=code, message=message, details=packed))
    return status


def status_for(error: DomainError) -> grpc.Status:
    """The gRPC status (with details) a domain error answers."""
    match error:
        case ValidationFailed():
            bad_request = error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=v.field, description=v.description, reason=v.reason
                    )
                    for v in error.violations
                ]
            )
            return _status(code_pb2.INVALID_ARGUMENT, str(error), bad_request)
        case NotFound():
            return _status(code_pb2.NOT_FOUND, str(error))
        case AlreadyExists():
            return _status(code_pb2.ALREADY_EXISTS, str(error))
        case Conflict():
            return _status(code_pb2.FAILED_PRECONDITION, str(error))
        case Forbidden():
            info = error_details_pb2.ErrorInfo(reason="FORBIDDEN", domain=ERROR_DOMAIN)
            return _status(code_pb2.PERMISSION_DENIED, str(error), info)
    return _status(code_pb2.INTERNAL, "internal error")


async def abort_for(context: grpc.aio.ServicerContext[Any, Any], error: DomainError) -> NoReturn:
    """End the call with the status of `error`."""
    await context.abort_with_status(status_for(error))  # type: ignore[attr-defined]
    raise AssertionError("abort_with_status returned")  # pragma: no cover - it always raises


async def guarded(context: grpc.aio.ServicerContext[Any, Any], work: Awaitable[R]) -> R:
    """Await a handler; domain errors become their status, anything else INTERNAL (logged, not leaked)."""
    try:
        return await work
    except DomainError as error:
        await abort_for(context, error)
    except Exception:
        log.exception("unhandled error in a safe-unit-scoring call")
        await context.abort(grpc.StatusCode.INTERNAL, "internal error")
        raise
