"""The dossier figures' arithmetic: rates, totals, the grouping level."""

from __future__ import annotations

import pytest

from unit_registry.domain.figures import UnitFigureRow, grouping_length, total_of


def test_the_filing_rate_is_filed_key_units_among_key_units_and_zero_without_any() -> None:
    assert UnitFigureRow("210100", units=10, key_units=4, key_units_filed=3).filing_rate == pytest.approx(
        0.75
    )
    assert UnitFigureRow("210100", units=10).filing_rate == 0.0


def test_the_total_adds_every_count_and_recomputes_the_rate() -> None:
    total = total_of(
        [
            UnitFigureRow("210100", 10, 4, 1, 2, 5, 3),
            UnitFigureRow("210200", 6, 2, 2, 0, 1, 1),
        ]
    )
    assert total == UnitFigureRow("", 16, 6, 3, 2, 6, 4)
    assert total.filing_rate == pytest.approx(0.5)
    assert total_of([]) == UnitFigureRow("")


@pytest.mark.parametrize(("prefix", "length"), [("21", 4), ("2101", 6), ("210102", 6)])
def test_rows_are_one_division_level_under_the_prefix(prefix: str, length: int) -> None:
    assert grouping_length(prefix) == length
