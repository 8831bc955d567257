"""Name search tokens: any fragment's tokens are contained in the tokens of a name containing it."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from unit_registry.domain.search import normalise_search_text, query_tokens, search_text, search_tokens


def test_two_character_fragment_is_one_bigram() -> None:
    assert query_tokens("和平") == ["和平"]
    assert "和平" in search_tokens(["沈阳市和平区商贸有限公司"])


def test_one_character_fragment_is_a_unigram() -> None:
    assert query_tokens("油") == ["油"]
    assert "油" in search_tokens(["加油站"])


def test_longer_fragment_needs_all_its_bigrams() -> None:
    assert query_tokens("加油站") == ["加油", "油站"]


def test_full_width_case_and_spaces_are_folded() -> None:
    assert normalise_search_text(" ＡＢＣ 物流 ") == "abc物流"
    assert query_tokens("ＥＭＳ") == ["em", "ms"]


def test_tokens_never_span_two_names() -> None:
    tokens = search_tokens(["甲乙", "丙丁"])
    assert "乙丙" not in tokens
    assert search_text(["甲乙", "丙丁"]) == "甲乙\n丙丁"


def test_empty_fragment_has_no_tokens() -> None:
    assert query_tokens("  ") == []


@given(st.text(alphabet="和平区加油站物流大连沈阳ab1", min_size=1, max_size=20), st.data())
def test_every_fragment_of_a_name_matches_it(name: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    assert set(query_tokens(name[start:end])) <= set(search_tokens([name]))
