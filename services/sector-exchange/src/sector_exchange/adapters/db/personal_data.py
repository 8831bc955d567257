"""Personal data at rest: one ciphertext per record, bound to its row; blind indexes to find a person.

A record's personal fields are sealed together (one AES-GCM operation per record, not per field: the
exchange takes records by the ten thousand) with the row as associated data, so a ciphertext copied to
another row fails to open. Resident IDs, phones and plates are also indexed by keyed HMAC.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, Final

from neibao_privacy import (
    PHONE,
    PLATE,
    RESIDENT_ID,
    BlindIndex,
    FieldCipher,
    IndexedKind,
    PrivacyKeys,
    field_context,
)
from sector_exchange.domain.datasets import Dataset, FieldKind, PersonalKind

TABLE: Final = "record"
COLUMN: Final = "personal"
INDEXED: Final[Mapping[PersonalKind, IndexedKind]] = {
    PersonalKind.RESIDENT_ID: RESIDENT_ID,
    PersonalKind.PHONE: PHONE,
    PersonalKind.PLATE: PLATE,
}


class PersonalDataCipher:
    """Seals and opens records' personal fields; computes their blind indexes."""

    def __init__(self, cipher: FieldCipher, index: BlindIndex) -> None:
        self._cipher = cipher
        self._index = index

    @classmethod
    def from_keys(cls, keys: PrivacyKeys) -> PersonalDataCipher:
        """From the service's key settings."""
        return cls(FieldCipher.from_keys(keys), BlindIndex.from_keys(keys))

    def seal(self, row_id: uuid.UUID, personal: Mapping[str, Any]) -> bytes | None:
        """The ciphertext of a record's personal fields (None when it has none)."""
        if not personal:
            return None
        plaintext = json.dumps(personal, ensure_ascii=False, separators=(",", ":"))
        return self._cipher.encrypt_text(plaintext, context=field_context(TABLE, COLUMN, row_id))

    def open(self, row_id: uuid.UUID, ciphertext: bytes | None) -> dict[str, Any]:
        """The personal fields sealed by `seal` for the same row."""
        if ciphertext is None:
            return {}
        opened: dict[str, Any] = json.loads(
            self._cipher.decrypt_text(bytes(ciphertext), context=field_context(TABLE, COLUMN, row_id))
        )
        return opened

    def person_index(self, dataset: Dataset, fields: Mapping[str, Any]) -> list[bytes]:
        """The blind indexes of a record's resident IDs, phones and plates (deduplicated)."""
        found: list[bytes] = []
        for spec in dataset.fields:
            value = fields.get(spec.name)
            kind = INDEXED.get(spec.personal) if spec.personal else None
            if kind is None or not isinstance(value, str) or not value:
                continue
            if (
                spec.kind is FieldKind.ID_NUMBER
                and fields.get(spec.id_type_field or "", "resident_id") != "resident_id"
            ):
                continue  # a company's USCC or a passport number: not a resident ID
            digest = self._index.compute(kind, value)
            if digest not in found:
                found.append(digest)
        return found

    def resident_id_index(self, resident_id: str) -> bytes:
        """The blind index of a resident ID (same value, however typed: same index)."""
        return self._index.compute(RESIDENT_ID, resident_id)
