"""Silence rules (pure domain, a fixed clock): bounded in time, a reason, a second person for life safety."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alarm_routing.domain.enums import ActorKind, AlarmKind
from alarm_routing.domain.errors import Forbidden, InvalidState, ValidationFailed
from alarm_routing.domain.model import Actor
from alarm_routing.domain.silences import Silence, SilenceState

NOW = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
AUTHOR = Actor(ActorKind.USER, "u-1", "security-chief-demo")
SECOND = Actor(ActorKind.USER, "u-2", "police-heping")


def silence(life_safety: bool = False, device_id: str = "", hours: float = 2) -> Silence:
    return Silence.create(
        "91210102MA0LN001X3",
        device_id=device_id,
        starts_at=None,
        ends_at=NOW + timedelta(hours=hours),
        reason="消防系统检修",
        includes_life_safety=life_safety,
        actor=AUTHOR,
        now=NOW,
    )


def test_a_silence_covers_its_span_its_device_and_never_life_safety_unless_approved() -> None:
    window = silence()
    assert window.state is SilenceState.ACTIVE
    assert window.silences(AlarmKind.INTRUSION, "any", NOW + timedelta(minutes=1))
    assert not window.silences(AlarmKind.INTRUSION, "any", NOW + timedelta(hours=2))
    assert not window.silences(AlarmKind.PANIC, "", NOW)
    device = silence(device_id="dev-1")
    assert device.silences(AlarmKind.DEVICE_FAULT, "dev-1", NOW)
    assert not device.silences(AlarmKind.DEVICE_FAULT, "dev-2", NOW)
    panic = silence(life_safety=True)
    assert panic.state is SilenceState.PENDING_APPROVAL
    assert not panic.silences(AlarmKind.PANIC, "", NOW)
    assert not panic.silences(AlarmKind.INTRUSION, "", NOW)  # nothing until approved
    with pytest.raises(Forbidden):
        panic.approve(AUTHOR, NOW)
    panic.approve(SECOND, NOW)
    assert panic.silences(AlarmKind.PANIC, "", NOW)
    with pytest.raises(InvalidState):
        panic.approve(SECOND, NOW)
    panic.cancel(AUTHOR, NOW + timedelta(minutes=5))
    assert not panic.silences(AlarmKind.PANIC, "", NOW + timedelta(minutes=6))
    with pytest.raises(InvalidState):
        panic.cancel(AUTHOR, NOW)


def test_a_silence_needs_a_reason_and_an_end_within_7_days() -> None:
    with pytest.raises(ValidationFailed) as raised:
        Silence.create(
            "91210102MA0LN001X3",
            device_id="",
            starts_at=None,
            ends_at=None,
            reason=" ",
            includes_life_safety=False,
            actor=AUTHOR,
            now=NOW,
        )
    assert {v.field: v.reason for v in raised.value.violations} == {
        "reason": "REQUIRED",
        "ends_at": "REQUIRED",
    }
    with pytest.raises(ValidationFailed, match="7 days"):
        silence(hours=24 * 8)
    with pytest.raises(ValidationFailed, match="after the start"):
        silence(hours=-1)
