"""Personal data at rest: ciphertext bound to its table, column and row; resident IDs' blind index.

A ciphertext copied to another row or column fails to decrypt (field_context is its associated data).
The blind index (keyed HMAC) finds a resident ID without decrypting anything; candidates are decrypted
and compared, since a truncated index may collide.
"""

from __future__ import annotations

import uuid

from neibao_privacy import RESIDENT_ID, BlindIndex, FieldCipher, PrivacyKeys, field_context


class PersonalDataCipher:
    """Encrypts and decrypts the registry's personal fields; computes the resident-ID index."""

    def __init__(self, cipher: FieldCipher, index: BlindIndex) -> None:
        self._cipher = cipher
        self._index = index

    @classmethod
    def from_keys(cls, keys: PrivacyKeys) -> PersonalDataCipher:
        """From the service's key settings."""
        return cls(FieldCipher.from_keys(keys), BlindIndex.from_keys(keys))

    def seal(self, table: str, column: str, row_id: uuid.UUID, value: str) -> bytes | None:
        """The ciphertext of `value` for its place (None for an empty value: nothing to protect)."""
        if not value:
            return None
        return self._cipher.encrypt_text(value, context=field_context(table, column, row_id))

    def open(self, table: str, column: str, row_id: uuid.UUID, value: bytes | None) -> str:
        """The plaintext of a ciphertext made by `seal` for the same place ("" for None)."""
        if value is None:
            return ""
        return self._cipher.decrypt_text(bytes(value), context=field_context(table, column, row_id))

    def resident_id_index(self, resident_id: str) -> bytes:
        """The blind index of a resident ID (same value, however typed: same index)."""
        return self._index.compute(RESIDENT_ID, resident_id)
