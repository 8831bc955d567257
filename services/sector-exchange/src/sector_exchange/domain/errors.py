"""Typed domain errors; the gRPC layer maps each to a status with details."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One invalid request field (a proto field path) and why."""

    field: str
    description: str
    reason: str = "INVALID_FORMAT"


class DomainError(Exception):
    """Base of the exchange's errors."""


class ValidationFailed(DomainError):
    """The request itself (not one record) is invalid."""

    def __init__(self, violations: tuple[FieldViolation, ...] | list[FieldViolation]) -> None:
        self.violations = tuple(violations)
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in self.violations) or "invalid")


class Forbidden(DomainError):
    """The caller may not do this (a sector system outside its registration, a role without the right)."""


class NotFound(DomainError):
    """No such object in the caller's scope (its existence is not revealed)."""


class BatchConflict(DomainError):
    """The batch id was used before for different content."""
