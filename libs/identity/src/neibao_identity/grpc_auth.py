"""gRPC: authenticate incoming calls (server interceptor) and forward the caller's token (client side)."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import grpc
import grpc.aio

from neibao_identity.context import authenticated, current_token
from neibao_identity.errors import InvalidToken, InvalidTokenReason, NotAuthenticated
from neibao_identity.principal import Principal

# grpc-stubs makes these generic; at run time they are plain classes.
if TYPE_CHECKING:
    Handler = grpc.RpcMethodHandler[Any, Any]
    _ServerInterceptor = grpc.aio.ServerInterceptor[Any, Any]
    _UnaryUnary = grpc.aio.UnaryUnaryClientInterceptor[Any, Any]
    _UnaryStream = grpc.aio.UnaryStreamClientInterceptor[Any, Any]
    _StreamUnary = grpc.aio.StreamUnaryClientInterceptor[Any, Any]
    _StreamStream = grpc.aio.StreamStreamClientInterceptor[Any, Any]
else:
    Handler = grpc.RpcMethodHandler
    _ServerInterceptor = grpc.aio.ServerInterceptor
    _UnaryUnary = grpc.aio.UnaryUnaryClientInterceptor
    _UnaryStream = grpc.aio.UnaryStreamClientInterceptor
    _StreamUnary = grpc.aio.StreamUnaryClientInterceptor
    _StreamStream = grpc.aio.StreamStreamClientInterceptor

logger = logging.getLogger(__name__)

AUTHORIZATION = "authorization"
DEFAULT_PUBLIC_METHODS = ("/grpc.health.v1.Health/", "/grpc.reflection.")

Metadatum = tuple[str, str | bytes]


def bearer_token(metadata: Iterable[Metadatum] | None) -> str:
    """The token of the single `authorization: Bearer <token>` entry; raises InvalidToken otherwise."""
    values = [value for key, value in metadata or () if key.lower() == AUTHORIZATION]
    if not values:
        raise InvalidToken(InvalidTokenReason.MISSING, "no authorization metadata")
    if len(values) > 1:
        raise InvalidToken(InvalidTokenReason.MALFORMED, "more than one authorization entry")
    value = values[0]
    if isinstance(value, bytes):
        raise InvalidToken(InvalidTokenReason.MALFORMED, "authorization must be text metadata")
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise InvalidToken(InvalidTokenReason.MALFORMED, "authorization is not 'Bearer <token>'")
    return token


class PrincipalVerifier(Protocol):
    """What turns a bearer token into a Principal (TokenVerifier, or VerifiedTokenCache in front of it)."""

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises InvalidToken otherwise."""
        ...


class AuthInterceptor(_ServerInterceptor):
    """Verifies the bearer token of every call except public methods and binds its Principal.

    Handlers read the caller with `current_principal()`. A missing or invalid token aborts the call
    with UNAUTHENTICATED (UNAVAILABLE when the realm's keys cannot be had, so callers retry rather
    than log the user out). Handlers are expected to be async (coroutines or async generators).
    """

    def __init__(
        self, verifier: PrincipalVerifier, public_methods: Sequence[str] = DEFAULT_PUBLIC_METHODS
    ) -> None:
        self._verifier = verifier
        self._public_methods = tuple(public_methods)

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler:
        """Authenticate the call, then hand it to the real handler with the principal bound."""
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(self._public_methods):
            return handler
        try:
            token = bearer_token(handler_call_details.invocation_metadata)
            principal = await self._verifier.verify(token)
        except InvalidToken as exc:
            logger.info("rejected call to %s: %s", method, exc)
            return _rejecting(handler, exc)
        return _authenticating(handler, principal, token)


def _rejecting(handler: Handler, error: InvalidToken) -> Handler:
    if error.reason is InvalidTokenReason.KEYS_UNAVAILABLE:
        code, details = grpc.StatusCode.UNAVAILABLE, "cannot verify the token now: signing keys unavailable"
    elif error.reason is InvalidTokenReason.MISSING:
        code, details = grpc.StatusCode.UNAUTHENTICATED, "missing bearer token (authorization metadata)"
    else:
        code, details = grpc.StatusCode.UNAUTHENTICATED, f"invalid bearer token: {error.reason.value}"
    trailing = (("www-authenticate", f'Bearer error="invalid_token", error_description="{error.reason}"'),)

    async def abort(_request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        await context.abort(code, details, trailing)

    return _same_kind(handler, abort)


def _authenticating(handler: Handler, principal: Principal, token: str) -> Handler:
    behavior = _behavior(handler)
    if handler.response_streaming:

        async def stream_response(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> None:
            # A coroutine writing through the context, so the principal is bound in one context.
            with authenticated(principal, token):
                result = behavior(request, context)
                if hasattr(result, "__aiter__"):
                    async for message in result:
                        await context.write(message)
                elif inspect.isawaitable(result):
                    await result
                elif result is not None:
                    for message in result:
                        await context.write(message)

        return _same_kind(handler, stream_response)

    async def unary_response(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        with authenticated(principal, token):
            result = behavior(request, context)
            return await result if inspect.isawaitable(result) else result

    return _same_kind(handler, unary_response)


def _behavior(handler: Handler) -> Callable[..., Any]:
    behavior = handler.unary_unary or handler.unary_stream or handler.stream_unary or handler.stream_stream
    if behavior is None:
        raise TypeError("the RPC method handler has no behavior")
    return behavior


def _same_kind(handler: Handler, behavior: Callable[..., Any]) -> Handler:
    factory = {
        (False, False): grpc.unary_unary_rpc_method_handler,
        (False, True): grpc.unary_stream_rpc_method_handler,
        (True, False): grpc.stream_unary_rpc_method_handler,
        (True, True): grpc.stream_stream_rpc_method_handler,
    }[(handler.request_streaming, handler.response_streaming)]
    return factory(
        behavior,
        request_deserializer=handler.request_deserializer,
        response_serializer=handler.response_serializer,
    )


# --- client side ---------------------------------------------------------------------------------


def bearer_metadata(token: str) -> tuple[Metadatum, ...]:
    """Call metadata carrying `token`."""
    return ((AUTHORIZATION, f"Bearer {token}"),)


def forwarding_metadata(metadata: Iterable[Metadatum] = ()) -> tuple[Metadatum, ...]:
    """`metadata` plus the current caller's token; raises NotAuthenticated outside an authenticated call."""
    kept = tuple((key, value) for key, value in metadata if key.lower() != AUTHORIZATION)
    return kept + bearer_metadata(current_token())


class ForwardCallerToken(_UnaryUnary, _UnaryStream, _StreamUnary, _StreamStream):
    """Client interceptor: outgoing calls carry the current caller's token.

    An `authorization` entry set explicitly on a call wins; outside an authenticated call, calls go
    out unchanged (and the callee rejects them unless they are public).
    """

    def _details(self, details: grpc.aio.ClientCallDetails) -> grpc.aio.ClientCallDetails:
        existing: list[Metadatum] = list(details.metadata or ())
        if any(key.lower() == AUTHORIZATION for key, _ in existing):
            return details
        try:
            token = current_token()
        except NotAuthenticated:
            return details
        metadata = grpc.aio.Metadata(*existing, *bearer_metadata(token))
        return grpc.aio.ClientCallDetails(
            details.method, details.timeout, metadata, details.credentials, details.wait_for_ready
        )

    async def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        """Forward the token on a unary-unary call."""
        return await continuation(self._details(client_call_details), request)

    async def intercept_unary_stream(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        """Forward the token on a unary-stream call."""
        return await continuation(self._details(client_call_details), request)

    async def intercept_stream_unary(
        self, continuation: Any, client_call_details: Any, request_iterator: Any
    ) -> Any:
        """Forward the token on a stream-unary call."""
        return await continuation(self._details(client_call_details), request_iterator)

    async def intercept_stream_stream(
        self, continuation: Any, client_call_details: Any, request_iterator: Any
    ) -> Any:
        """Forward the token on a stream-stream call."""
        return await continuation(self._details(client_call_details), request_iterator)
