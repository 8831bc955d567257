"""Reads the routing rules (a YAML file in the package, or one named in the settings)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from alarm_routing.domain.enums import AlarmKind, PartyKind, RouteRole
from alarm_routing.domain.routing import PRIORITIES, RoutingPolicy, RoutingRule


class InvalidRules(ValueError):
    """The rules file breaks its schema; the service does not start with it."""


def load_policy(path: Path | None = None) -> RoutingPolicy:
    """The routing policy from `path`, or the packaged routing_rules.yaml."""
    if path is None:
        text = resources.files("alarm_routing").joinpath("routing_rules.yaml").read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    return parse_policy(yaml.safe_load(text))


def parse_policy(data: Any) -> RoutingPolicy:
    """Validate the rules' data and build the policy."""
    try:
        rules = tuple(
            RoutingRule(
                id=str(rule["id"]),
                party=PartyKind(rule["party"]),
                role=RouteRole(rule["role"]),
                reason=str(rule["reason"]),
                priorities=frozenset(int(p) for p in rule["priorities"]) if "priorities" in rule else None,
                kinds=frozenset(AlarmKind(k) for k in rule["kinds"]) if "kinds" in rule else None,
            )
            for rule in data["rules"]
        )
        seconds = {
            PartyKind(party): {int(p): int(s) for p, s in by_priority.items()}
            for party, by_priority in data["acknowledge_seconds"].items()
        }
        chain = tuple(PartyKind(p) for p in data["escalation"]["chain"])
        policy = RoutingPolicy(
            version=str(data["version"]),
            rules=rules,
            acknowledge_seconds=seconds,
            escalation_chain=chain,
            repeat_limit=int(data["escalation"]["repeat_limit"]),
            grouping_window_seconds=int(data.get("grouping", {}).get("window_seconds", 0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidRules(f"invalid routing rules: {exc!r}") from exc
    problems = [
        f"{rule.id}: responding party {rule.party.value} has no deadline for priority {p}"
        for rule in rules
        if rule.role is RouteRole.RESPOND
        for p in PRIORITIES
        if p not in seconds.get(rule.party, {})
    ]
    problems += [
        f"escalation party {party.value} has no deadline for priority {p}"
        for party in chain
        for p in PRIORITIES
        if p not in seconds.get(party, {})
    ]
    if len({rule.id for rule in rules}) != len(rules):
        problems.append("rule ids must be unique")
    if problems:
        raise InvalidRules("; ".join(problems))
    return policy
