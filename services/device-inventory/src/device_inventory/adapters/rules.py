"""The compliance rule set, read from the versioned rules file shipped in the package."""

from __future__ import annotations

from importlib import resources

import yaml

from device_inventory.domain.compliance import RuleSet, RuleSetError, parse_rule_set
from neibao.unitregistry.v1 import unit_pb2

RULES_FILE = "compliance_rules.yaml"


def known_unit_types() -> frozenset[str]:
    """The registry's unit types, as REST spellings."""
    return frozenset(
        value.name.removeprefix("UNIT_TYPE_").lower()
        for value in unit_pb2.UnitType.DESCRIPTOR.values
        if value.number != 0
    )


def load_rules(text: str | None = None) -> RuleSet:
    """The rule set (the packaged file unless `text` is given); RuleSetError if it is malformed."""
    if text is None:
        text = resources.files("device_inventory").joinpath(RULES_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise RuleSetError("the rules file must be a mapping")
    return parse_rule_set(raw, known_unit_types())
