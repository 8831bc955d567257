"""Opaque keyset cursors: the sort key of the last row returned, never an offset."""

from __future__ import annotations

import base64
import binascii
import json

from unit_registry.domain.errors import FieldViolation, ValidationFailed

_VERSION = "1"


def encode_cursor(kind: str, key: str) -> str:
    """A cursor after `key` in a listing of `kind`."""
    return base64.urlsafe_b64encode(f"{_VERSION}:{kind}:{key}".encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> str | None:
    """The key a cursor points after (None for an empty cursor); ValidationFailed if it is not ours."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    version, _, rest = text.partition(":")
    cursor_kind, _, key = rest.partition(":")
    if version != _VERSION or cursor_kind != kind or not key:
        raise ValidationFailed(
            [FieldViolation("cursor", "INVALID_CURSOR", "cursor is not a next_cursor of this listing")]
        )
    return key


def encode_keys(kind: str, *parts: str) -> str:
    """A cursor after a row whose sort key has several parts (a date and an id, a name and an id)."""
    return encode_cursor(kind, json.dumps(parts, ensure_ascii=False))


def decode_keys(kind: str, cursor: str, count: int) -> tuple[str, ...] | None:
    """The parts of a cursor made by `encode_keys` (None for an empty cursor); ValidationFailed otherwise."""
    key = decode_cursor(kind, cursor)
    if key is None:
        return None
    try:
        parts = json.loads(key)
    except ValueError:
        parts = None
    if not isinstance(parts, list) or len(parts) != count or not all(isinstance(p, str) for p in parts):
        raise ValidationFailed(
            [FieldViolation("cursor", "INVALID_CURSOR", "cursor is not a next_cursor of this listing")]
        )
    return tuple(parts)
