"""What REST routes over gRPC share: JSON answers of proto messages, ETags and If-Match preconditions.

ETags are strong: `"<version>"` of the resource (a unit's `version`, which grows with every change).
If-Match is compared strongly (RFC 9110 §13.1.1): a weak tag never matches; `*` and lists of tags are
checked against the current version.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from google.protobuf.message import Message
from starlette.responses import Response

from gateway.adapters.proto_json import to_rest
from gateway.domain.problems import Problem

_ENTITY_TAG: Final = re.compile(r'\s*(W/)?"([^"]*)"\s*')

ETAG_HEADER: Final = {
    "ETag": {
        "description": 'The strong entity tag of the returned version, `"<version>"`; send it as If-Match.',
        "schema": {"type": "string", "example": '"2"'},
    }
}
IF_MATCH_DESCRIPTION: Final = (
    'The ETag of the version the change is based on (`"<version>"`, as GET returned it). '
    "Compared strongly: a weak tag never matches."
)


class JSONDocument(Response):
    """An application/json answer: compact UTF-8 (Chinese text stays readable)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """The JSON bytes of a document."""
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


def message_response(
    message: Message, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> JSONDocument:
    """The REST document of a proto message."""
    return JSONDocument(to_rest(message), status_code=status_code, headers=headers)


def strong_etag(version: int) -> str:
    """The ETag of a version."""
    return f'"{version}"'


def if_match_versions(header: str) -> frozenset[int] | None:
    """The versions an If-Match header admits: None for `*`, else those of its strong numeric tags."""
    if header.strip() == "*":
        return None
    versions: set[int] = set()
    for part in header.split(","):
        match = _ENTITY_TAG.fullmatch(part)
        if match is None or match.group(1):
            continue  # malformed or weak: matches nothing
        tag = match.group(2)
        if tag.isascii() and tag.isdigit() and int(tag) > 0:
            versions.add(int(tag))
    return frozenset(versions)


def precondition_required() -> Problem:
    """428: a change without If-Match."""
    return Problem(
        428,
        "This change needs If-Match with the ETag of the version it is based on (GET it first).",
        slug="precondition-required",
    )


def precondition_failed() -> Problem:
    """412: If-Match names no current version."""
    return Problem(
        412, "If-Match does not name the current version; GET it again.", slug="precondition-failed"
    )


async def version_to_change(
    if_match: str | None, current: Callable[[], Awaitable[int]], *, required: bool
) -> int:
    """The version a change is based on, from If-Match (0 when it is absent and not required).

    One strong tag gives its version; `*` or several tags are checked against `current()`.
    """
    if if_match is None:
        if required:
            raise precondition_required()
        return 0
    versions = if_match_versions(if_match)
    if versions is not None and len(versions) == 1:
        return next(iter(versions))
    if versions is not None and not versions:
        raise precondition_failed()
    version = await current()
    if versions is None or version in versions:
        return version
    raise precondition_failed()
