"""The submitter registry from the package's reviewable YAML (or another file)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from neibao_codes import validate_uscc
from sector_exchange.domain.datasets import DATASETS
from sector_exchange.domain.submitters import Submitter, SubmitterRegistry


def _interval(entry: dict[str, Any]) -> int:
    hours = entry.get("expected_interval_hours", 24)
    if not isinstance(hours, int) or not 1 <= hours <= 24 * 31:
        raise ValueError(f"{entry.get('client_id')}: expected_interval_hours must be 1 to 744")
    return hours


def parse_submitters(document: Any) -> SubmitterRegistry:
    """A registry from the YAML's data; ValueError on anything malformed or unknown."""
    if not isinstance(document, dict) or not isinstance(document.get("submitters"), list):
        raise ValueError("the submitters file needs a `submitters` list")
    found: list[Submitter] = []
    for entry in document["submitters"]:
        datasets = frozenset(entry.get("datasets") or ())
        unknown = datasets - DATASETS.keys()
        if unknown:
            raise ValueError(f"{entry.get('client_id')}: unknown datasets {sorted(unknown)}")
        sector = str(entry["sector"])
        if any(not d.startswith(f"{sector}/") for d in datasets):
            raise ValueError(f"{entry['client_id']}: a submitter submits only its own sector's datasets")
        found.append(
            Submitter(
                client_id=str(entry["client_id"]),
                organisation=validate_uscc(str(entry["organisation"])),
                sector=sector,
                datasets=datasets,
                name=str(entry.get("name", "")),
                expected_interval_hours=_interval(entry),
            )
        )
    if len({s.client_id for s in found}) != len(found):
        raise ValueError("a client id is registered twice")
    return SubmitterRegistry(found, version=int(document.get("version", 1)))


def load_submitters(path: Path | None = None) -> SubmitterRegistry:
    """The registry from `path`, or from the packaged submitters.yaml."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files("sector_exchange").joinpath("submitters.yaml").read_text(encoding="utf-8")
    return parse_submitters(yaml.safe_load(text))
