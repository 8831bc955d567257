"""Problems (RFC 9457): what went wrong, as the gateway tells a client; and JSON pointers to the field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus

PROBLEM_MEDIA_TYPE = "application/problem+json"
_TYPE_PREFIX = "urn:neibao:problem:"
# A path segment like "contacts[2]" or "[0]": a name followed by indexes.
_INDEXES = re.compile(r"\[(\d+)\]")


def problem_type(slug: str) -> str:
    """The problem type URI of a Neibao problem, e.g. urn:neibao:problem:invalid-token."""
    return f"{_TYPE_PREFIX}{slug}"


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One invalid field: a JSON pointer (RFC 6901) into the request and what is wrong with it."""

    pointer: str
    detail: str


@dataclass(eq=False)
class Problem(Exception):
    """A failure the client is told about; raise it anywhere in a request, the gateway renders it."""

    status: int
    detail: str | None = None
    slug: str | None = None
    title: str | None = None
    errors: Sequence[FieldViolation] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    extensions: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.status, self.detail)

    @property
    def type(self) -> str:
        """The problem type URI; about:blank when the status code says it all."""
        return problem_type(self.slug) if self.slug else "about:blank"

    @property
    def resolved_title(self) -> str:
        """The title: given, else the status code's reason phrase."""
        if self.title:
            return self.title
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Error"

    def body(self, instance: str | None = None, request_id: str | None = None) -> dict[str, object]:
        """The problem+json document."""
        document: dict[str, object] = {
            "type": self.type,
            "title": self.resolved_title,
            "status": self.status,
        }
        if self.detail:
            document["detail"] = self.detail
        if instance:
            document["instance"] = instance
        if self.errors:
            document["errors"] = [{"pointer": e.pointer, "detail": e.detail} for e in self.errors]
        if request_id:
            document["request_id"] = request_id
        document.update(self.extensions)
        return document


def escape_token(token: str) -> str:
    """One reference token of a JSON pointer, escaped (RFC 6901: ~ → ~0, / → ~1)."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer(tokens: Iterable[str | int]) -> str:
    """A JSON pointer from its reference tokens; "" (the whole document) when there are none."""
    return "".join(f"/{escape_token(str(token))}" for token in tokens)


def pointer_from_field_path(path: str) -> str:
    """The JSON pointer of a protobuf field path: "contacts[2].phone" → "/contacts/2/phone".

    gRPC services name fields in google.rpc.BadRequest as dotted paths (AIP-193) with [n] indexes;
    a path that already is a pointer is kept.
    """
    path = path.strip()
    if not path:
        return ""
    if path.startswith("/"):
        return path
    tokens: list[str] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        if name:
            tokens.append(name)
        tokens.extend(_INDEXES.findall(f"[{rest}" if rest else ""))
    return pointer(tokens)


# The first element of a FastAPI/pydantic error location says where the value came from.
_LOCATION_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})


def pointer_from_location(location: Sequence[str | int]) -> str:
    """The JSON pointer of a request validation error: ("body", "unit", "uscc") → "/unit/uscc".

    The source ("body", "query", ...) is dropped: the pointer names the field as the client sent it.
    """
    tokens = list(location)
    if tokens and tokens[0] in _LOCATION_SOURCES:
        tokens = tokens[1:]
    return pointer(tokens)
