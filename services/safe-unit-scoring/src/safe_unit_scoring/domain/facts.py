"""Facts about a unit, derived as of a day from the items the platform's events told us about.

An item is one thing an event described (a filing, a drill, a hazard, a device, a real incident, a member of
the security staff, an alarm the unit's security office acknowledged), with its
attributes after the latest event and the ids of every event behind it. A fact is a value derived from
the items as of a day (drills in the 12 months before it, hazards rectified after their deadline, ...)
together with its evidence: the items it counted and their events.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

WINDOW = timedelta(days=365)
# Real incidents that are 一票否决 by themselves: a robbery (major criminal case), a fire.
MAJOR_INCIDENT_KINDS = frozenset({"hold_up", "fire_linkage"})


class ItemKind(enum.StrEnum):
    """What an item is."""

    FILING = "filing"
    DRILL = "drill"
    TRAINING = "training"
    INSPECTION = "inspection"
    HAZARD = "hazard"
    DEVICE = "device"
    COMPLIANCE = "compliance"
    INCIDENT = "incident"
    STAFF = "staff"
    ACKNOWLEDGEMENT = "acknowledgement"


@dataclass(frozen=True, slots=True)
class FactItem:
    """One thing the events described, its attributes after the latest of them, and their ids."""

    kind: ItemKind
    item_id: str
    attributes: Mapping[str, Any]
    event_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a fact counted: the item, the events behind it and, where it helps, why it counted."""

    kind: str
    item_id: str
    event_ids: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class FactValue:
    """A fact's value (None: nothing told us) and its evidence."""

    value: Decimal | bool | None
    evidence: tuple[Evidence, ...] = field(default=())


def _evidence(item: FactItem, note: str = "") -> Evidence:
    return Evidence(item.kind.value, item.item_id, item.event_ids, note)


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _within(day: date | None, as_of: date) -> bool:
    return day is not None and as_of - WINDOW < day <= as_of


def _count(items: Sequence[FactItem], notes: Callable[[FactItem], str] | None = None) -> FactValue:
    return FactValue(Decimal(len(items)), tuple(_evidence(i, notes(i) if notes else "") for i in items))


def _of(items: Sequence[FactItem], kind: ItemKind) -> list[FactItem]:
    return [i for i in items if i.kind is kind]


def filing_accepted(items: Sequence[FactItem], _as_of: date) -> FactValue:
    """Whether the police accepted a security organisation filing (None: no filing heard of)."""
    filings = _of(items, ItemKind.FILING)
    if not filings:
        return FactValue(None)
    accepted = [f for f in filings if f.attributes.get("state") == "accepted"]
    shown = accepted or filings
    return FactValue(bool(accepted), tuple(_evidence(f, str(f.attributes.get("state", ""))) for f in shown))


def drills_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Drills held in the 12 months up to the day."""
    drills = [d for d in _of(items, ItemKind.DRILL) if _within(_day(d.attributes.get("drilled_on")), as_of)]
    return _count(drills, lambda d: f"drilled on {d.attributes['drilled_on']}")


def trainings_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Staff trainings attended or passed in the 12 months up to the day."""
    found = [
        t
        for t in _of(items, ItemKind.TRAINING)
        if t.attributes.get("result") != "failed" and _within(_day(t.attributes.get("trained_on")), as_of)
    ]
    return _count(found, lambda t: f"{t.attributes.get('course', '')} on {t.attributes['trained_on']}")


def inspections_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Inspections of the unit in the 12 months up to the day."""
    found = [
        i for i in _of(items, ItemKind.INSPECTION) if _within(_day(i.attributes.get("inspected_on")), as_of)
    ]
    return _count(found)


def _rectified_on(hazard: FactItem) -> date | None:
    return _day(hazard.attributes.get("rectified_on"))


def _deadline(hazard: FactItem) -> date | None:
    return _day(hazard.attributes.get("deadline"))


def _late_note(hazard: FactItem) -> str:
    deadline, rectified = _deadline(hazard), _rectified_on(hazard)
    if deadline is None or rectified is None:
        return ""
    return f"deadline {deadline}, rectified {rectified}: {(rectified - deadline).days} days late"


def hazards_rectified_late_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Hazards rectified after their deadline, the rectification in the 12 months up to the day."""
    late = []
    for hazard in _of(items, ItemKind.HAZARD):
        rectified, deadline = _rectified_on(hazard), _deadline(hazard)
        if rectified and deadline and rectified > deadline and _within(rectified, as_of):
            late.append(hazard)
    return _count(late, _late_note)


def hazards_rectified_on_time_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Hazards rectified by their deadline, the rectification in the 12 months up to the day."""
    found = []
    for hazard in _of(items, ItemKind.HAZARD):
        rectified, deadline = _rectified_on(hazard), _deadline(hazard)
        if rectified and deadline and rectified <= deadline and _within(rectified, as_of):
            found.append(hazard)
    return _count(found, lambda h: f"deadline {_deadline(h)}, rectified {_rectified_on(h)}")


def hazards_open_overdue(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Hazards still open on the day, past their deadline."""
    found = []
    for hazard in _of(items, ItemKind.HAZARD):
        deadline = _deadline(hazard)
        if hazard.attributes.get("state") == "open" and deadline is not None and deadline < as_of:
            found.append(hazard)
    return _count(found, lambda h: f"open, deadline {_deadline(h)}")


def hazards_due_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Hazards that had to be rectified: rectified in the 12 months up to the day, or open past deadline."""
    late = hazards_rectified_late_12m(items, as_of).evidence
    on_time = hazards_rectified_on_time_12m(items, as_of).evidence
    overdue = hazards_open_overdue(items, as_of).evidence
    evidence = (*on_time, *late, *overdue)
    return FactValue(Decimal(len(evidence)), evidence)


def _devices(items: Sequence[FactItem]) -> list[FactItem]:
    return [d for d in _of(items, ItemKind.DEVICE) if not d.attributes.get("retired")]


def devices_supervised(items: Sequence[FactItem], _as_of: date) -> FactValue:
    """Technical protection devices in service (not retired)."""
    return _count(_devices(items))


def devices_online(items: Sequence[FactItem], _as_of: date) -> FactValue:
    """Devices in service whose latest status is online."""
    online = [d for d in _devices(items) if d.attributes.get("status") == "online"]
    return _count(online)


def devices_compliant(items: Sequence[FactItem], _as_of: date) -> FactValue:
    """Whether the unit meets what its type requires of technical protection (None: not evaluated)."""
    found = _of(items, ItemKind.COMPLIANCE)
    if not found:
        return FactValue(None)
    latest = found[-1]
    unmet = ", ".join(latest.attributes.get("unmet") or ())
    return FactValue(
        bool(latest.attributes.get("compliant")), (_evidence(latest, f"unmet: {unmet}" if unmet else ""),)
    )


def _real(items: Sequence[FactItem], as_of: date) -> list[FactItem]:
    return [
        i
        for i in _of(items, ItemKind.INCIDENT)
        if i.attributes.get("outcome") == "real" and _within(_day(i.attributes.get("occurred_on")), as_of)
    ]


def real_incidents_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Alarms resolved as real in the 12 months up to the day."""
    return _count(
        _real(items, as_of), lambda i: f"{i.attributes.get('alarm_kind')} on {i.attributes['occurred_on']}"
    )


def major_incidents_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Real incidents of a kind that is a veto by itself (robbery, fire) in the 12 months up to the day."""
    major = [i for i in _real(items, as_of) if i.attributes.get("alarm_kind") in MAJOR_INCIDENT_KINDS]
    return _count(major, lambda i: f"{i.attributes.get('alarm_kind')} on {i.attributes['occurred_on']}")


def full_time_security_staff(items: Sequence[FactItem], _as_of: date) -> FactValue:
    """Full-time security staff in the latest accepted filing that states them (None: none does)."""
    stated = [
        f
        for f in _of(items, ItemKind.FILING)
        if f.attributes.get("state") == "accepted" and f.attributes.get("full_time_staff") is not None
    ]
    if not stated:
        return FactValue(None)
    latest = stated[-1]
    count = int(latest.attributes["full_time_staff"])
    return FactValue(Decimal(count), (_evidence(latest, f"{count} full-time staff in the accepted filing"),))


def _staff(items: Sequence[FactItem]) -> list[FactItem]:
    return [s for s in _of(items, ItemKind.STAFF) if not s.attributes.get("removed")]


def security_staff(items: Sequence[FactItem], _as_of: date) -> FactValue:
    """Members of the security staff on the unit's dossier."""
    return _count(_staff(items))


def staff_trained_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Members of the security staff whose training is current: attended or passed in the 12 months up to
    the day (the registry's events carry no certificate validity: the training record stands for it)."""
    trained_on: dict[str, str] = {}
    for training in _of(items, ItemKind.TRAINING):
        staff_id = str(training.attributes.get("staff_id") or "")
        day = training.attributes.get("trained_on")
        if staff_id and training.attributes.get("result") != "failed" and _within(_day(day), as_of):
            trained_on[staff_id] = max(str(day), trained_on.get(staff_id, ""))
    current = [s for s in _staff(items) if s.item_id in trained_on]
    return _count(current, lambda s: f"trained on {trained_on[s.item_id]}")


def _median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def median_acknowledgement_minutes_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """The median minutes the unit's security office took to acknowledge the alarms routed to it, over the
    12 months up to the day (None: it acknowledged none)."""
    acknowledged = [
        a
        for a in _of(items, ItemKind.ACKNOWLEDGEMENT)
        if a.attributes.get("seconds") is not None
        and _within(_day(a.attributes.get("acknowledged_on")), as_of)
    ]
    if not acknowledged:
        return FactValue(None)
    minutes = {
        a.item_id: (Decimal(a.attributes["seconds"]) / 60).quantize(Decimal("0.1")) for a in acknowledged
    }
    evidence = tuple(
        _evidence(a, f"acknowledged in {minutes[a.item_id]} min on {a.attributes['acknowledged_on']}")
        for a in sorted(acknowledged, key=lambda a: minutes[a.item_id], reverse=True)
    )
    return FactValue(_median(list(minutes.values())), evidence)


def inspection_findings_unrectified_12m(items: Sequence[FactItem], as_of: date) -> FactValue:
    """Findings of inspections (hazards an inspection raised), opened in the 12 months up to the day and
    still not rectified on it."""
    found = [
        h
        for h in _of(items, ItemKind.HAZARD)
        if h.attributes.get("inspection_id")
        and h.attributes.get("state") == "open"
        and _within(_day(h.attributes.get("opened_on")), as_of)
    ]
    return _count(
        found,
        lambda h: (
            f"found by inspection {h.attributes['inspection_id']} on {h.attributes.get('opened_on')}, "
            f"deadline {_deadline(h)}, not rectified"
        ),
    )


FACTS: Mapping[str, Callable[[Sequence[FactItem], date], FactValue]] = {
    "filing_accepted": filing_accepted,
    "drills_12m": drills_12m,
    "trainings_12m": trainings_12m,
    "inspections_12m": inspections_12m,
    "hazards_due_12m": hazards_due_12m,
    "hazards_rectified_on_time_12m": hazards_rectified_on_time_12m,
    "hazards_rectified_late_12m": hazards_rectified_late_12m,
    "hazards_open_overdue": hazards_open_overdue,
    "devices_supervised": devices_supervised,
    "devices_online": devices_online,
    "devices_compliant": devices_compliant,
    "real_incidents_12m": real_incidents_12m,
    "major_incidents_12m": major_incidents_12m,
    "full_time_security_staff": full_time_security_staff,
    "security_staff": security_staff,
    "staff_trained_12m": staff_trained_12m,
    "median_acknowledgement_minutes_12m": median_acknowledgement_minutes_12m,
    "inspection_findings_unrectified_12m": inspection_findings_unrectified_12m,
}
"""Every fact an indicator model may name, and how it is derived."""


def derive(names: Sequence[str] | set[str], items: Sequence[FactItem], as_of: date) -> dict[str, FactValue]:
    """The named facts as of `as_of`."""
    return {name: FACTS[name](items, as_of) for name in sorted(names)}
