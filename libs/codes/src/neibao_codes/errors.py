"""The one error every identifier check raises."""

from __future__ import annotations

from enum import StrEnum


class IdentifierKind(StrEnum):
    """Which kind of identifier failed a check; the gRPC layer uses it to name the field."""

    USCC = "uscc"
    RESIDENT_ID = "resident_id"
    PLATE = "plate"
    DIVISION_CODE = "division_code"


class InvalidIdentifier(ValueError):
    """An identifier is malformed; `reason` says why, in words a person can act on.

    The rejected value is deliberately not part of the message: resident ID numbers are personal
    data and messages end up in logs and error responses.
    """

    def __init__(self, field_kind: IdentifierKind, reason: str) -> None:
        super().__init__(f"invalid {field_kind.value}: {reason}")
        self.field_kind = field_kind
        self.reason = reason
