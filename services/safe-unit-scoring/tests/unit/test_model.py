"""The packaged indicator model loads, and malformed models are refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.domain.indicators import Grade, IndicatorModel


def _document() -> dict[str, Any]:
    return load_model().model_dump(mode="json")


def test_the_packaged_model_weighs_100_points() -> None:
    model = load_model()
    assert sum(f.weight for f in model.families) == Decimal(100)
    assert [b.grade for b in model.grading.bands] == list(Grade)


def test_family_weights_must_sum_to_100() -> None:
    document = _document()
    document["families"][0]["weight"] = "19"
    document["families"][0]["indicators"][0]["points"] = "11"
    with pytest.raises(ValidationError, match="sum to 99"):
        IndicatorModel.model_validate(document)


def test_indicator_points_must_make_their_familys_weight() -> None:
    document = _document()
    document["families"][0]["indicators"][0]["points"] = "11"
    with pytest.raises(ValidationError, match="sum to 19"):
        IndicatorModel.model_validate(document)


def test_an_unknown_fact_is_refused() -> None:
    document = _document()
    document["vetoes"][0]["fact"] = "moon_phase"
    with pytest.raises(ValidationError, match="moon_phase"):
        IndicatorModel.model_validate(document)


def test_bands_must_descend_to_zero() -> None:
    document = _document()
    document["grading"]["bands"][2]["minimum"] = "10"
    with pytest.raises(ValidationError, match="start at 0"):
        IndicatorModel.model_validate(document)


def test_another_file_can_be_loaded(tmp_path: Any) -> None:
    document = _document()
    document["version"] = "2027.1"
    document["grading"]["promotion_periods"] = 2
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    model = load_model(path)
    assert (model.version, model.grading.promotion_periods) == ("2027.1", 2)
