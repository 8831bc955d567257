"""The indicator model from the package's reviewable YAML (or another file)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from safe_unit_scoring.domain.indicators import IndicatorModel


def load_packaged(version: str) -> IndicatorModel:
    """A reviewed version packaged beside the current model (indicator_model_<version>.yaml)."""
    name = f"indicator_model_{version}.yaml"
    text = resources.files("safe_unit_scoring").joinpath(name).read_text(encoding="utf-8")
    return IndicatorModel.model_validate(yaml.safe_load(text))


def load_model(path: Path | None = None) -> IndicatorModel:
    """The model from `path`, or the packaged indicator_model.yaml; ValueError if it is invalid."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = (
            resources.files("safe_unit_scoring").joinpath("indicator_model.yaml").read_text(encoding="utf-8")
        )
    return IndicatorModel.model_validate(yaml.safe_load(text))
