"""The retention periods from the package's reviewable YAML (or a file named in the settings)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sector_exchange.domain.retention import RetentionPolicy


def parse_retention(document: Any) -> RetentionPolicy:
    """A policy from the YAML's data; ValueError on anything malformed, missing or too short."""
    if not isinstance(document, dict) or not isinstance(document.get("datasets"), dict):
        raise ValueError("the retention file needs a `datasets` mapping of 'sector/name': days")
    return RetentionPolicy({str(key): int(days) for key, days in document["datasets"].items()})


def load_retention(path: Path | None = None) -> RetentionPolicy:
    """The policy from `path`, or from the packaged retention.yaml."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files("sector_exchange").joinpath("retention.yaml").read_text(encoding="utf-8")
    return parse_retention(yaml.safe_load(text))
