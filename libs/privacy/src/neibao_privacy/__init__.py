"""Personal-data protection: AES-GCM field encryption with key ids, HMAC blind indexes, masking."""

from neibao_privacy.blind_index import (
    NAME,
    PHONE,
    PLATE,
    RESIDENT_ID,
    BlindIndex,
    IndexedKind,
    normalise_phone,
    normalise_plate,
    normalise_resident_id,
    normalise_text,
)
from neibao_privacy.cipher import FieldCipher, field_context, key_id_of
from neibao_privacy.errors import InvalidCiphertext, PrivacyError, UnknownKeyId
from neibao_privacy.keys import PrivacyKeys
from neibao_privacy.masking import mask_address, mask_name, mask_phone, mask_plate, mask_resident_id

__all__ = [
    "NAME",
    "PHONE",
    "PLATE",
    "RESIDENT_ID",
    "BlindIndex",
    "FieldCipher",
    "IndexedKind",
    "InvalidCiphertext",
    "PrivacyError",
    "PrivacyKeys",
    "UnknownKeyId",
    "field_context",
    "key_id_of",
    "mask_address",
    "mask_name",
    "mask_phone",
    "mask_plate",
    "mask_resident_id",
    "normalise_phone",
    "normalise_plate",
    "normalise_resident_id",
    "normalise_text",
]
