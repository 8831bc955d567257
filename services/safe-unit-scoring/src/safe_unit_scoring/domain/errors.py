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
    """Base of the scoring's errors."""


class ValidationFailed(DomainError):
    """The request is invalid."""

    def __init__(self, violations: tuple[FieldViolation, ...] | list[FieldViolation]) -> None:
        self.violations = tuple(violations)
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in self.violations) or "invalid")


class NotFound(DomainError):
    """No such object in the caller's scope (its existence is not revealed)."""


class Forbidden(DomainError):
    """The caller's role may not do this."""


class Conflict(DomainError):
    """The object is not in a state that allows this (reviewed already, one awaiting review)."""


class AlreadyExists(DomainError):
    """An object that must be unique exists already."""
