"""Blind indexes: normalised variants match, different values and kinds do not."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neibao_privacy import (
    NAME,
    PHONE,
    PLATE,
    RESIDENT_ID,
    BlindIndex,
    IndexedKind,
    PrivacyKeys,
    normalise_phone,
    normalise_plate,
    normalise_resident_id,
    normalise_text,
)

KEY = os.urandom(32)


@pytest.fixture
def index() -> BlindIndex:
    return BlindIndex(KEY)


@pytest.mark.parametrize(
    ("kind", "variants"),
    [
        (
            RESIDENT_ID,
            [
                "11010519491231002X",
                "11010519491231002x",
                " 110105 19491231 002x ",
                "１１０１０５１９４９１２３１００２Ｘ",
            ],
        ),
        (PHONE, ["13812345678", "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "008613812345678"]),
        (PLATE, ["辽A12345", "辽a12345", "辽A·12345", " 辽A 12345 "]),
        (NAME, ["张三", " 张三 ", "张三\u3000"]),
    ],
)
def test_normalised_variants_share_one_index(
    index: BlindIndex, kind: IndexedKind, variants: list[str]
) -> None:
    assert len({index.compute(kind, variant) for variant in variants}) == 1


def test_different_values_differ(index: BlindIndex) -> None:
    assert index.compute(RESIDENT_ID, "11010519491231002X") != index.compute(
        RESIDENT_ID, "210102199003071233"
    )
    assert index.compute(PLATE, "辽A12345") != index.compute(PLATE, "辽A12346")


def test_same_digits_in_different_kinds_differ(index: BlindIndex) -> None:
    assert index.compute(PHONE, "13812345678") != index.compute(NAME, "13812345678")


def test_lookup_by_equality(index: BlindIndex) -> None:
    # what a repository does: store the index beside the ciphertext, query by the index
    rows = {row_id: index.compute(PHONE, phone) for row_id, phone in [(1, "13812345678"), (2, "13987654321")]}
    wanted = index.compute(PHONE, "+86 138-1234-5678")
    assert [row_id for row_id, value in rows.items() if value == wanted] == [1]


def test_index_depends_on_the_key() -> None:
    assert BlindIndex(KEY).compute(PHONE, "13812345678") != BlindIndex(os.urandom(32)).compute(
        PHONE, "13812345678"
    )


@pytest.mark.parametrize("length", [4, 8, 16, 32])
def test_truncation_is_configurable(length: int) -> None:
    full = BlindIndex(KEY, length=32).compute(PLATE, "辽A12345")
    short = BlindIndex(KEY, length=length).compute(PLATE, "辽A12345")
    assert len(short) == length
    assert full.startswith(short)


@pytest.mark.parametrize("length", [0, 3, 33])
def test_truncation_out_of_range_is_refused(length: int) -> None:
    with pytest.raises(ValueError, match="length"):
        BlindIndex(KEY, length=length)


def test_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32 bytes"):
        BlindIndex(os.urandom(16))


def test_empty_value_is_refused(index: BlindIndex) -> None:
    with pytest.raises(ValueError, match="nothing to index"):
        index.compute(PHONE, " - ")


def test_built_from_settings_uses_the_index_key(keys: PrivacyKeys) -> None:
    from_settings = BlindIndex.from_keys(keys, length=8)
    direct = BlindIndex(keys.index_key.get_secret_value(), length=8)
    assert from_settings.compute(PHONE, "13812345678") == direct.compute(PHONE, "13812345678")
    assert from_settings.length == 8


def test_normalisers() -> None:
    assert normalise_resident_id(" 110105-19491231-002x") == "11010519491231002X"
    assert normalise_phone("+86 (138) 1234-5678") == "13812345678"
    assert normalise_phone("024-2345 6789") == "02423456789"
    assert normalise_phone("8613812345678") == "13812345678"
    assert normalise_plate("辽a·ｄ12345") == "辽AD12345"
    assert normalise_text("  Zhang\tSAN ") == "zhang san"


@given(st.text(min_size=1, max_size=30))
def test_index_is_stable_under_normalisation(value: str) -> None:
    index = BlindIndex(KEY)
    normalised = normalise_text(value)
    if normalised:
        assert index.compute(NAME, value) == index.compute(NAME, normalised)
