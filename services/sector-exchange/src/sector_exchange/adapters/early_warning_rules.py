"""The early-warning rules from the package's reviewable YAML (or a file named in the settings)."""

from __future__ import annotations

import string
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml

from sector_exchange.domain.early_warnings import PARAMETERS, Check, Rule, RuleBook

RESERVED: Final = frozenset({"id", "check", "priority", "summary"})
PRIORITIES: Final = range(1, 5)


class InvalidRules(ValueError):
    """The rules file breaks its schema; the service does not start with it."""


def parse_rules(document: Any) -> RuleBook:
    """A rule book from the YAML's data; InvalidRules on anything malformed or unknown."""
    if not isinstance(document, dict) or not isinstance(document.get("rules"), list):
        raise InvalidRules("the rules file needs a `version` and a `rules` list")
    version = str(document.get("version") or "")
    if not version:
        raise InvalidRules("the rules file needs a `version`")
    rules: list[Rule] = []
    for entry in document["rules"]:
        try:
            check = Check(entry["check"])
            rule = Rule(
                id=str(entry["id"]),
                check=check,
                priority=int(entry["priority"]),
                summary=str(entry["summary"]),
                parameters={k: float(v) for k, v in entry.items() if k not in RESERVED},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRules(f"invalid rule {entry!r}: {exc!r}") from exc
        unknown = set(rule.parameters) - set(PARAMETERS[check])
        if unknown:
            raise InvalidRules(f"{rule.id}: {check.value} takes no parameter {sorted(unknown)}")
        if rule.priority not in PRIORITIES:
            raise InvalidRules(f"{rule.id}: priority must be 1 to 4")
        if any(value <= 0 for value in rule.parameters.values()):
            raise InvalidRules(f"{rule.id}: parameters must be positive")
        named = {name for _, name, _, _ in string.Formatter().parse(rule.summary) if name}
        allowed = _summary_fields(check)
        if not named <= allowed:
            raise InvalidRules(f"{rule.id}: the summary may name only {sorted(allowed)}")
        rules.append(rule)
    if len({rule.id for rule in rules}) != len(rules):
        raise InvalidRules("rule ids must be unique")
    return RuleBook(version=version, rules=tuple(rules))


def _summary_fields(check: Check) -> frozenset[str]:
    """What a summary may name (counts and site names, never personal data)."""
    return {
        Check.BUYER_AT_MANY_STATIONS: frozenset({"hours", "stations", "sales"}),
        Check.CERTIFICATE_LITRES_EXCEEDED: frozenset({"sold", "allowed", "sales"}),
        Check.CERTIFICATE_EXPIRED: frozenset({"days", "sales"}),
        Check.XRAY_NOT_SCREENED: frozenset({"site", "day", "count"}),
        Check.PROHIBITED_ITEM_FOUND: frozenset({"site"}),
    }[check]


def load_rules(path: Path | None = None) -> RuleBook:
    """The rule book from `path`, or from the packaged early_warning_rules.yaml."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = (
            resources.files("sector_exchange")
            .joinpath("early_warning_rules.yaml")
            .read_text(encoding="utf-8")
        )
    return parse_rules(yaml.safe_load(text))
