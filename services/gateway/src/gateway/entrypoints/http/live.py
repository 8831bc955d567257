"""Server-Sent Events endpoints over live streams, each reader seeing only what its scope allows.

    mount_live_stream(router, "/units/stream", stream="units", roles=(Role.POLICE, ...), summary="...")

Each event is `id: <partition>-<offset>`, `event: <ce_type>`, `data: <JSON>`; a comment line every
heartbeat keeps proxies from closing an idle stream; `Last-Event-ID` resumes from the gateway's buffer.
The stream ends when the caller's token expires (the client reconnects with a fresh one).
"""

# No `from __future__ import annotations`: FastAPI must see the closure's real annotations.
import asyncio
import re
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from gateway.domain.caller import Caller
from gateway.domain.live import LiveEvent, StreamGap
from gateway.entrypoints.http.auth import require_roles
from gateway.entrypoints.http.dependencies import gateway_dependencies
from gateway.service.live import LiveStream
from neibao_identity import Role

EVENT_STREAM = "text/event-stream"
# JSON has no raw line breaks; an id or a type must not either (it would forge SSE fields).
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
STREAM_DESCRIPTION = (
    "Server-Sent Events, only those the caller's scope allows: `id: <partition>-<offset>`, "
    "`event: <CloudEvents type>`, `data: <JSON>`. A comment line every ~15 s keeps the stream open; "
    "send `Last-Event-ID` to resume after the last event received (from the gateway's recent buffer). "
    'An `event: gap` (no id, `data: {"missed": n or null}`) says events in the caller\'s scope were no '
    "longer held when it read them (it fell behind, or resumed after an id not held): reload through REST. "
    "The stream ends when the access token expires: reconnect with a fresh one."
)

_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The JSON of each event's `data:` line.",
    "properties": {
        "id": {"type": "string", "description": "The CloudEvents id (UUID) of the event."},
        "type": {"type": "string", "description": "The CloudEvents type, also the SSE `event:` name."},
        "time": {"type": "string", "format": "date-time"},
        "subject": {"type": ["string", "null"], "description": "What the event is about (a unit's USCC)."},
        "jurisdiction": {"type": ["string", "null"], "description": "GB/T 2260 code of the event's scope."},
        "sector": {"type": ["string", "null"]},
        "unit": {"type": ["string", "null"], "description": "USCC of the unit the event belongs to."},
    },
    "required": ["id", "type", "time"],
}


GAP_EVENT = "gap"


def server_sent_event(event: LiveEvent | StreamGap) -> bytes:
    """The SSE frame of one live event (its JSON encoded once, whoever receives it), or of a gap: no `id`,
    so the reader's Last-Event-ID stays at the last event it did receive."""
    if isinstance(event, StreamGap):
        return f"event: {GAP_EVENT}\r\ndata: {event.document_json()}\r\n\r\n".encode()
    return (
        f"id: {_LINE_BREAKS.sub('', event.id)}\r\nevent: {_LINE_BREAKS.sub('', event.type)}\r\n"
        f"data: {event.document_json()}\r\n\r\n"
    ).encode()


async def _frames(stream: LiveStream, caller: Caller, last_event_id: str | None) -> AsyncIterator[bytes]:
    """The caller's events as SSE bytes, one write per batch (many readers, many events: few writes)."""
    remaining = None
    if caller.expires_at is not None:
        remaining = max(0.0, (caller.expires_at - datetime.now(UTC)).total_seconds())
    try:
        async with asyncio.timeout(remaining):
            async for batch in stream.batches(caller.scope, last_event_id):
                yield b"".join([server_sent_event(event) for event in batch])
    except TimeoutError:
        return  # the token expired: end the stream, the client reconnects with a fresh token


def mount_live_stream(
    router: APIRouter,
    path: str,
    *,
    stream: str,
    roles: Sequence[Role],
    summary: str,
    description: str = "",
) -> None:
    """Add `GET path`: the live stream named `stream`, for callers holding one of `roles`."""

    async def stream_events(
        request: Request,
        caller: Annotated[Caller, require_roles(*roles)],
        last_event_id: Annotated[
            str | None,
            Header(
                max_length=64,
                description="Resume after this event id (sent back automatically by EventSource).",
            ),
        ] = None,
    ) -> EventSourceResponse:
        dependencies = gateway_dependencies(request)
        live = dependencies.live_streams[stream]
        heartbeat = dependencies.settings.sse_heartbeat_seconds
        return EventSourceResponse(
            _frames(live, caller, last_event_id),
            ping=heartbeat,
            ping_message_factory=lambda: ServerSentEvent(comment="heartbeat"),
            send_timeout=30,
        )

    router.add_api_route(
        path,
        stream_events,
        methods=["GET"],
        name=f"stream_{stream}",
        operation_id=f"stream_{stream}",
        summary=summary,
        description=description or STREAM_DESCRIPTION,
        response_class=EventSourceResponse,
        responses={
            200: {
                "description": "An endless stream of Server-Sent Events the caller's scope allows.",
                "content": {EVENT_STREAM: {"schema": _EVENT_SCHEMA}},
            },
        },
    )
