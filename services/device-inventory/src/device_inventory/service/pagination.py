"""Opaque keyset cursors: the sort key of the last row returned, never an offset."""

from __future__ import annotations

import base64
import binascii

from device_inventory.domain.errors import FieldViolation, ValidationFailed

_VERSION = "1"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


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


def page_size(limit: int) -> int:
    """The page size a listing uses for `limit` (0: the default; capped)."""
    if limit < 0:
        raise ValidationFailed([FieldViolation("limit", "OUT_OF_RANGE", "limit must not be negative")])
    return min(limit or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
