"""Personal data at rest: responsible persons' phones sealed to their row, with a blind index.

A ciphertext copied to another row or column fails to decrypt (field_context is its associated data); the
blind index (keyed HMAC, stack-wide key) matches a phone number to its person without decrypting anything.
The phones arrive sealed too, in the registry's DossierUpdated, with the same platform keys.
"""

from __future__ import annotations

import uuid
from typing import Final

from neibao_privacy import PHONE, BlindIndex, FieldCipher, PrivacyKeys, field_context

TABLE = "unit_responsible_person"
# The registry's contract (DossierUpdated.responsible_person_phone_sealed): where its sealed phone belongs.
EVENT_PHONE_PLACE: Final = ("unit_registry_events", "responsible_person_phone")


class PersonalDataCipher:
    """Seals and opens responsible persons' phones; computes their blind index."""

    def __init__(self, cipher: FieldCipher, index: BlindIndex) -> None:
        self._cipher = cipher
        self._index = index

    @classmethod
    def from_keys(cls, keys: PrivacyKeys) -> PersonalDataCipher:
        """From the service's key settings."""
        return cls(FieldCipher.from_keys(keys), BlindIndex.from_keys(keys))

    def seal_phone(self, person_id: uuid.UUID, phone: str) -> bytes | None:
        """The ciphertext of a person's phone (None for none: nothing to protect)."""
        if not phone:
            return None
        return self._cipher.encrypt_text(phone, context=field_context(TABLE, "phone", person_id))

    def open_event_phone(self, person_id: uuid.UUID, sealed: bytes) -> str:
        """The phone the registry sealed into a DossierUpdated for this person ("" for none).

        InvalidCiphertext or UnknownKeyId (neibao_privacy) when it does not open.
        """
        if not sealed:
            return ""
        return self._cipher.decrypt_text(bytes(sealed), context=field_context(*EVENT_PHONE_PLACE, person_id))

    def open_phone(self, person_id: uuid.UUID, sealed: bytes | None) -> str:
        """The phone sealed by `seal_phone` for the same person ("" for None)."""
        if sealed is None:
            return ""
        return self._cipher.decrypt_text(bytes(sealed), context=field_context(TABLE, "phone", person_id))

    def phone_index(self, phone: str) -> bytes | None:
        """The blind index of a phone (same number, however typed: same index); None for none."""
        if not phone.strip():
            return None
        try:
            return self._index.compute(PHONE, phone)
        except ValueError:
            return None  # no digits in it: nothing to match on
