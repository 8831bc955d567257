"""Typed domain errors; the gRPC layer maps each to a status code (and field violations)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One bad field: its REST name, a stable reason code and a sentence a person can act on."""

    field: str
    reason: str
    description: str


class DomainError(Exception):
    """Base of the inventory's domain errors."""


class ValidationFailed(DomainError):
    """The input breaks one or more field rules; nothing was written."""

    def __init__(self, violations: Sequence[FieldViolation]) -> None:
        if not violations:
            raise ValueError("ValidationFailed needs at least one violation")
        self.violations = tuple(violations)
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in self.violations))


class NotFound(DomainError):
    """The object does not exist, or lies outside the caller's scope (which must not be revealed)."""

    def __init__(self, kind: str, key: str) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key} not found")


class VersionConflict(DomainError):
    """The change was based on a version that is no longer current (optimistic concurrency)."""

    def __init__(self, key: str, expected: int, actual: int, kind: str = "devices") -> None:
        self.key = key
        self.expected = expected
        self.actual = actual
        self.kind = kind
        super().__init__(f"{key}: the change is based on version {expected}, the current version is {actual}")


class Forbidden(DomainError):
    """The caller may see the object but not do this to it."""
