"""Compliance as data: rules (parsed from the versioned rules file) evaluated against a unit's inventory.

Every requirement explains itself: which rule, met or not, and the evidence the decision rests on.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from device_inventory.domain.enums import DeviceType, ProtectionKind
from device_inventory.domain.model import Device, ProtectionItem, UnitView

ANY_TYPE = "*"


class RuleSetError(ValueError):
    """The rules file is malformed (a deployment error: the service does not start)."""


@dataclass(frozen=True, slots=True)
class Applicability:
    """Which units a rule applies to."""

    unit_types: frozenset[str] = frozenset()
    except_unit_types: frozenset[str] = frozenset()
    key_unit: bool = False
    has_device_types: frozenset[DeviceType] = frozenset()

    def applies(self, unit: UnitView, devices: Sequence[Device]) -> bool:
        """Whether the rule applies to this unit with these (counting) devices."""
        by_type = (ANY_TYPE in self.unit_types or unit.unit_type in self.unit_types) and (
            unit.unit_type not in self.except_unit_types
        )
        if not (by_type or (self.key_unit and unit.key_unit)):
            return False
        return not self.has_device_types or any(d.device_type in self.has_device_types for d in devices)


@dataclass(frozen=True, slots=True)
class Check:
    """What a rule checks: one of the four kinds, with its parameters."""

    kind: str
    device_types: frozenset[DeviceType] = frozenset()
    networked_to_police: bool = False
    min_count: int = 1
    min_days: int = 0
    kinds: tuple[ProtectionKind, ...] = ()
    min_quantity: int = 1


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement of the rule set."""

    id: str
    title: str
    rule: str
    measures: tuple[str, ...]
    applies_to: Applicability
    check: Check


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A versioned set of rules."""

    version: str
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """One applicable rule as it stands for a unit."""

    rule_id: str
    title: str
    rule: str
    measures: tuple[str, ...]
    met: bool
    evidence: tuple[str, ...]
    device_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitCompliance:
    """A unit's compliance under one rule set version."""

    uscc: str
    rules_version: str
    requirements: tuple[RequirementResult, ...]
    evaluated_at: datetime

    @property
    def compliant(self) -> bool:
        """Every applicable requirement met."""
        return all(r.met for r in self.requirements)

    @property
    def unmet(self) -> tuple[str, ...]:
        """The ids of the rules not met, sorted."""
        return tuple(sorted(r.rule_id for r in self.requirements if not r.met))


CHECK_KINDS = frozenset(
    {"devices_present", "video_retention", "key_part_video_coverage", "protection_present"}
)


def parse_rule_set(raw: Mapping[str, Any], known_unit_types: Iterable[str]) -> RuleSet:
    """A rule set from the rules file's content; RuleSetError naming what is wrong."""
    known = frozenset(known_unit_types)
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise RuleSetError("the rule set needs a version")
    entries = raw.get("rules")
    if not isinstance(entries, list) or not entries:
        raise RuleSetError("the rule set needs rules")
    rules: list[Rule] = []
    for entry in entries:
        rules.append(_parse_rule(entry, known))
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise RuleSetError("rule ids must be unique")
    return RuleSet(version=version, rules=tuple(rules))


def _parse_rule(entry: Any, known: frozenset[str]) -> Rule:
    if not isinstance(entry, Mapping):
        raise RuleSetError("each rule is a mapping")
    rule_id = str(entry.get("id") or "")
    try:
        applies = entry["applies_to"]
        check = entry["check"]
        unit_types = frozenset(str(t) for t in applies.get("unit_types", []))
        excepted = frozenset(str(t) for t in applies.get("except_unit_types", []))
        unknown = (unit_types - {ANY_TYPE}) | excepted
        if unknown - known:
            raise RuleSetError(f"rule {rule_id}: unknown unit types {sorted(unknown - known)}")
        if check["kind"] not in CHECK_KINDS:
            raise RuleSetError(f"rule {rule_id}: unknown check {check['kind']!r}")
        return Rule(
            id=rule_id or _missing("id"),
            title=str(entry["title"]),
            rule=str(entry["rule"]),
            measures=tuple(str(m) for m in entry.get("measures", [])),
            applies_to=Applicability(
                unit_types=unit_types,
                except_unit_types=excepted,
                key_unit=bool(applies.get("key_unit", False)),
                has_device_types=frozenset(DeviceType(t) for t in applies.get("has_device_types", [])),
            ),
            check=Check(
                kind=str(check["kind"]),
                device_types=frozenset(DeviceType(t) for t in check.get("device_types", [])),
                networked_to_police=bool(check.get("networked_to_police", False)),
                min_count=int(check.get("min_count", 1)),
                min_days=int(check.get("min_days", 0)),
                kinds=tuple(ProtectionKind(k) for k in check.get("kinds", [])),
                min_quantity=int(check.get("min_quantity", 1)),
            ),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, RuleSetError):
            raise
        raise RuleSetError(f"rule {rule_id or '?'}: {exc!r}") from exc


def _missing(name: str) -> str:
    raise RuleSetError(f"a rule needs {name}")


def evaluate(
    rules: RuleSet,
    unit: UnitView,
    devices: Sequence[Device],
    protection: Sequence[ProtectionItem],
    now: datetime,
) -> UnitCompliance:
    """The unit's compliance: each applicable rule checked against the devices that count."""
    counting = [d for d in devices if d.lifecycle.counts]
    results = [
        _check(rule, unit, counting, protection)
        for rule in rules.rules
        if rule.applies_to.applies(unit, counting)
    ]
    return UnitCompliance(unit.uscc, rules.version, tuple(results), now)


def _label(device: Device) -> str:
    return f"{device.device_type.value} {device.name} ({device.id})"


def _check(
    rule: Rule, unit: UnitView, devices: Sequence[Device], protection: Sequence[ProtectionItem]
) -> RequirementResult:
    check = rule.check
    match check.kind:
        case "devices_present":
            met, evidence, ids = _devices_present(check, devices)
        case "video_retention":
            met, evidence, ids = _video_retention(check, devices)
        case "key_part_video_coverage":
            met, evidence, ids = _key_part_coverage(check, unit, devices)
        case _:
            met, evidence, ids = _protection_present(check, protection)
    return RequirementResult(rule.id, rule.title, rule.rule, rule.measures, met, tuple(evidence), tuple(ids))


Outcome = tuple[bool, list[str], list[uuid.UUID]]


def _devices_present(check: Check, devices: Sequence[Device]) -> Outcome:
    wanted = [d for d in devices if d.device_type in check.device_types]
    found = [d for d in wanted if d.networked_to_police or not check.networked_to_police]
    types = "/".join(sorted(t.value for t in check.device_types))
    networked = " networked to the police" if check.networked_to_police else ""
    evidence = [f"found: {_label(d)}" for d in found]
    if len(found) < check.min_count:
        evidence.append(f"needs at least {check.min_count} {types}{networked}; {len(found)} found")
        if check.networked_to_police and len(wanted) > len(found):
            evidence.append(f"{len(wanted) - len(found)} {types} not networked to the police")
    return len(found) >= check.min_count, evidence, [d.id for d in found]


def _video_retention(check: Check, devices: Sequence[Device]) -> Outcome:
    recorded = [d for d in devices if d.device_type.records_video and d.retention_days is not None]
    short = [d for d in recorded if (d.retention_days or 0) < check.min_days]
    evidence = [f"{_label(d)}: {d.retention_days} days" for d in recorded]
    if not recorded:
        evidence.append(f"no video camera or NVR records its retention; needs {check.min_days} days")
    elif short:
        evidence.append(f"{len(short)} below {check.min_days} days")
    return bool(recorded) and not short, evidence, [d.id for d in recorded]


def _key_part_coverage(check: Check, unit: UnitView, devices: Sequence[Device]) -> Outcome:
    covering: dict[uuid.UUID, list[Device]] = {}
    for device in devices:
        if device.key_part is not None and device.device_type in check.device_types:
            covering.setdefault(device.key_part, []).append(device)
    if not unit.key_parts:
        return True, ["no key parts recorded in the unit's dossier"], []
    evidence: list[str] = []
    ids: list[uuid.UUID] = []
    for part in sorted(unit.key_parts):
        found = covering.get(part, [])
        ids += [d.id for d in found]
        label = unit.key_part_label(part)
        evidence.append(
            f"key part {label}: {len(found)} camera(s)" if found else f"key part {label}: not covered"
        )
    return all(covering.get(p) for p in unit.key_parts), evidence, ids


def _protection_present(check: Check, protection: Sequence[ProtectionItem]) -> Outcome:
    totals: Counter[ProtectionKind] = Counter()
    for item in protection:
        totals[item.kind] += item.quantity
    evidence = [f"{kind.value}: {totals[kind]}" for kind in check.kinds]
    missing = [kind.value for kind in check.kinds if totals[kind] < check.min_quantity]
    if missing:
        evidence.append(f"missing (fewer than {check.min_quantity}): {', '.join(missing)}")
    return not missing, evidence, []
