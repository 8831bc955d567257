"""FieldCipher: round trips, rotation, place binding, tampering, unknown keys."""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neibao_privacy import (
    FieldCipher,
    InvalidCiphertext,
    PrivacyKeys,
    UnknownKeyId,
    field_context,
    key_id_of,
)

K1, K2 = os.urandom(32), os.urandom(32)
HERE = field_context("person", "id_number", 42)


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher({"k1": K1, "k2": K2}, "k2")


def test_round_trip_text(cipher: FieldCipher) -> None:
    token = cipher.encrypt_text("11010519491231002X", context=HERE)
    assert b"11010519491231002X" not in token
    assert cipher.decrypt_text(token, context=HERE) == "11010519491231002X"


@given(st.binary(max_size=512), st.text(min_size=1, max_size=40))
def test_round_trip_any_bytes_any_context(plaintext: bytes, context: str) -> None:
    cipher = FieldCipher({"k1": K1}, "k1")
    assert cipher.decrypt(cipher.encrypt(plaintext, context=context), context=context) == plaintext


def test_same_plaintext_encrypts_differently(cipher: FieldCipher) -> None:
    assert cipher.encrypt_text("张三", context=HERE) != cipher.encrypt_text("张三", context=HERE)


def test_layout_is_versioned_with_key_id(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"abc", context=HERE)
    assert token[0] == 1
    assert token[1] == 2
    assert token[2:4] == b"k2"
    assert len(token) == 4 + 12 + 3 + 16
    assert key_id_of(token) == "k2"


def test_built_from_settings(keys: PrivacyKeys) -> None:
    cipher = FieldCipher.from_keys(keys)
    assert cipher.active_key_id == "k2"
    assert cipher.decrypt_text(cipher.encrypt_text("x", context=HERE), context=HERE) == "x"


def test_rotation_old_key_still_decrypts_and_reencrypts() -> None:
    old = FieldCipher({"k1": K1}, "k1")
    token = old.encrypt_text("13812345678", context=HERE)
    rotated = FieldCipher({"k1": K1, "k2": K2}, "k2")
    assert rotated.needs_reencryption(token)
    assert rotated.decrypt_text(token, context=HERE) == "13812345678"
    fresh = rotated.reencrypt(token, context=HERE)
    assert key_id_of(fresh) == "k2"
    assert not rotated.needs_reencryption(fresh)
    assert FieldCipher({"k2": K2}, "k2").decrypt_text(fresh, context=HERE) == "13812345678"


def test_unknown_key_id_fails_clearly() -> None:
    token = FieldCipher({"k1": K1}, "k1").encrypt_text("x", context=HERE)
    with pytest.raises(UnknownKeyId, match="'k1'") as caught:
        FieldCipher({"k2": K2}, "k2").decrypt_text(token, context=HERE)
    assert caught.value.key_id == "k1"


def test_same_key_id_with_other_material_fails_authentication() -> None:
    token = FieldCipher({"k1": K1}, "k1").encrypt(b"x", context=HERE)
    with pytest.raises(InvalidCiphertext, match="authentication failed"):
        FieldCipher({"k1": os.urandom(32)}, "k1").decrypt(token, context=HERE)


@pytest.mark.parametrize(
    "elsewhere",
    [
        field_context("person", "id_number", 43),
        field_context("person", "phone", 42),
        field_context("courier", "id_number", 42),
    ],
)
def test_ciphertext_moved_to_another_place_fails(cipher: FieldCipher, elsewhere: str) -> None:
    token = cipher.encrypt_text("11010519491231002X", context=HERE)
    with pytest.raises(InvalidCiphertext):
        cipher.decrypt_text(token, context=elsewhere)


def test_every_flipped_bit_is_detected(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"210102199003071233", context=HERE)
    for index in range(len(token)):
        for bit in range(8):
            tampered = bytearray(token)
            tampered[index] ^= 1 << bit
            with pytest.raises((InvalidCiphertext, UnknownKeyId)):
                cipher.decrypt(bytes(tampered), context=HERE)


def test_truncated_and_foreign_bytes_are_rejected(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"x", context=HERE)
    for bad in (b"", b"\x01", token[:-1], token[:20], b"\x02" + token[1:], b"plain text value"):
        with pytest.raises(InvalidCiphertext):
            cipher.decrypt(bad, context=HERE)


def test_header_cannot_be_swapped_to_another_key(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"x", context=HERE)
    swapped = token[:2] + b"k1" + token[4:]
    with pytest.raises(InvalidCiphertext):
        cipher.decrypt(swapped, context=HERE)


def test_empty_context_is_refused(cipher: FieldCipher) -> None:
    with pytest.raises(ValueError, match="context"):
        cipher.encrypt(b"x", context="")


@pytest.mark.parametrize(
    ("keys", "active", "message"),
    [
        ({"k1": os.urandom(16)}, "k1", "must be 32 bytes"),
        ({"k1": K1}, "k2", "not in the keyring"),
        ({"k 1": K1}, "k 1", "key id"),
        ({}, "k1", "not in the keyring"),
    ],
)
def test_bad_keyring_is_refused(keys: dict[str, bytes], active: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FieldCipher(keys, active)


def test_field_context() -> None:
    row = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert field_context("person", "id_number", row) == f"person.id_number:{row}"
    with pytest.raises(ValueError, match="table"):
        field_context("person.x", "id_number", 1)
    with pytest.raises(ValueError, match="column"):
        field_context("person", "Id:Number", 1)
    with pytest.raises(ValueError, match="row_id"):
        field_context("person", "id_number", "")
