"""The benchmark loader's COPY text format and its generated USCCs (no database needed)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from neibao_codes import is_valid_uscc
from unit_registry.demo.bulk import array_literal, copy_line, organisation_code_of
from unit_registry.demo.units import uscc_of


def test_arrays_quote_every_element_and_escape_quotes_and_backslashes() -> None:
    assert array_literal([]) == "{}"
    assert array_literal(["和平", "平"]) == '{"和平","平"}'
    assert array_literal(['a"b', "c\\d", "e,f"]) == '{"a\\"b","c\\\\d","e,f"}'


def test_a_row_escapes_what_copy_text_reserves() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    line = copy_line(["a\tb\nc\\d", None, True, False, 7, 0.1, at, date(2026, 1, 2), ["x\\y"], {"k": "值"}])
    assert line == (
        "a\\tb\\nc\\\\d\t\\N\tt\tf\t7\t0.1\t2026-01-02T03:04:05+00:00\t2026-01-02\t"
        '{"x\\\\\\\\y"}\t{"k": "值"}\n'
    )
    some = uuid.uuid4()
    assert copy_line([some]) == f"{some}\n"


def test_generated_usccs_are_valid_and_distinct() -> None:
    codes = {organisation_code_of(n) for n in range(20_000)}
    assert len(codes) == 20_000
    assert all(
        is_valid_uscc(uscc_of("210102", n % 2 == 0, code)) for n, code in enumerate(sorted(codes)[:500])
    )
