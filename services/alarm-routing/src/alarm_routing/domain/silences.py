"""Silences and maintenance windows: time-bounded, scoped to a unit or one of its devices, with author and
reason. Suppressed alarms are taken in and stay visible; silencing life-safety alarms needs a second
person."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from alarm_routing.domain.enums import LIFE_SAFETY_KINDS, AlarmKind
from alarm_routing.domain.errors import FieldViolation, Forbidden, InvalidState, ValidationFailed
from alarm_routing.domain.model import Actor

MAX_DURATION: Final = timedelta(days=7)
MAX_REASON: Final = 500


class SilenceState(StrEnum):
    """pending_approval (life safety, not yet approved), active, cancelled."""

    PENDING_APPROVAL = "pending_approval"
    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(slots=True)
class Silence:
    """A time-bounded silence of a unit's alarms (or one device's)."""

    id: uuid.UUID
    uscc: str
    device_id: str
    starts_at: datetime
    ends_at: datetime
    reason: str
    includes_life_safety: bool
    state: SilenceState
    created_by: Actor
    created_at: datetime
    approved_by: Actor | None = None
    approved_at: datetime | None = None
    cancelled_by: Actor | None = None
    cancelled_at: datetime | None = None

    @classmethod
    def create(
        cls,
        uscc: str,
        *,
        device_id: str,
        starts_at: datetime | None,
        ends_at: datetime | None,
        reason: str,
        includes_life_safety: bool,
        actor: Actor,
        now: datetime,
    ) -> Silence:
        """A new silence; ValidationFailed naming every bad field."""
        violations: list[FieldViolation] = []
        reason = reason.strip()
        if not reason:
            violations.append(FieldViolation("reason", "REQUIRED", "a silence needs its reason"))
        elif len(reason) > MAX_REASON:
            violations.append(
                FieldViolation("reason", "TOO_LONG", f"reason is at most {MAX_REASON} characters")
            )
        if ends_at is None:
            violations.append(FieldViolation("ends_at", "REQUIRED", "a silence ends: ends_at is required"))
        start = starts_at or now
        if ends_at is not None:
            if ends_at <= max(start, now):
                violations.append(
                    FieldViolation("ends_at", "NOT_AFTER_START", "ends_at must lie after the start")
                )
            elif ends_at - start > MAX_DURATION:
                violations.append(FieldViolation("ends_at", "TOO_LONG", "a silence lasts at most 7 days"))
        if violations:
            raise ValidationFailed(violations)
        assert ends_at is not None  # noqa: S101 - validated above
        state = SilenceState.PENDING_APPROVAL if includes_life_safety else SilenceState.ACTIVE
        return cls(
            uuid.uuid4(), uscc, device_id, start, ends_at, reason, includes_life_safety, state, actor, now
        )

    def approve(self, actor: Actor, at: datetime) -> None:
        """A second person puts a life-safety silence in force."""
        if self.state is not SilenceState.PENDING_APPROVAL:
            raise InvalidState(f"silence {self.id} is {self.state.value}: nothing to approve")
        if actor.subject == self.created_by.subject:
            raise Forbidden("a second person approves a silence of life-safety alarms, not its author")
        self.state = SilenceState.ACTIVE
        self.approved_by = actor
        self.approved_at = at

    def cancel(self, actor: Actor, at: datetime) -> None:
        """End the silence now."""
        if self.state is SilenceState.CANCELLED:
            raise InvalidState(f"silence {self.id} is cancelled already")
        self.state = SilenceState.CANCELLED
        self.cancelled_by = actor
        self.cancelled_at = at

    def silences(self, kind: AlarmKind, device_id: str, at: datetime) -> bool:
        """Whether an alarm of this kind (from this device) arriving at `at` is suppressed."""
        return (
            self.state is SilenceState.ACTIVE
            and self.starts_at <= at < self.ends_at
            and (not self.device_id or self.device_id == device_id)
            and (kind not in LIFE_SAFETY_KINDS or self.includes_life_safety)
        )
