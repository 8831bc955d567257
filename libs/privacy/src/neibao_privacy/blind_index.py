"""HMAC-SHA256 blind indexes: equality search on encrypted columns without decrypting them."""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from neibao_privacy.keys import MIN_INDEX_KEY_BYTES, PrivacyKeys

MIN_INDEX_BYTES: Final = 4
MAX_INDEX_BYTES: Final = 32
DEFAULT_INDEX_BYTES: Final = 16


def normalise_text(value: str) -> str:
    """NFKC, trimmed, inner whitespace collapsed to one space, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()


def normalise_resident_id(value: str) -> str:
    """Full-width folded, spaces and hyphens removed, upper-case X: 11010519491231002x -> ...002X."""
    folded = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s-]", "", folded).upper()


def normalise_phone(value: str) -> str:
    """Digits only, without a +86/0086 country prefix: "+86 138-1234-5678" -> "13812345678"."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", value))
    if digits.startswith("0086"):
        return digits[4:]
    # 86 followed by an 11-digit mobile number; a landline like 0865... has no such shape.
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return digits


def normalise_plate(value: str) -> str:
    """Full-width folded, separators removed, upper-case: "辽a·12345" -> "辽A12345"."""
    folded = unicodedata.normalize("NFKC", value)
    return re.sub(r"[\s·•・.-]", "", folded).upper()


@dataclass(frozen=True, slots=True)
class IndexedKind:
    """A kind of value that is indexed: its label (mixed into the HMAC) and its normaliser.

    The same kind gives the same index in every table, so a resident ID can be looked up across
    datasets; different kinds never collide (a phone number and an ID with the same digits differ).
    """

    label: str
    normalise: Callable[[str], str]


RESIDENT_ID: Final = IndexedKind("resident_id", normalise_resident_id)
PHONE: Final = IndexedKind("phone", normalise_phone)
PLATE: Final = IndexedKind("plate", normalise_plate)
NAME: Final = IndexedKind("name", normalise_text)


class BlindIndex:
    """Keyed, truncated HMAC-SHA256 of a normalised value, stored beside its ciphertext."""

    def __init__(self, key: bytes, *, length: int = DEFAULT_INDEX_BYTES) -> None:
        if len(key) < MIN_INDEX_KEY_BYTES:
            raise ValueError(f"index key must be at least {MIN_INDEX_KEY_BYTES} bytes")
        if not MIN_INDEX_BYTES <= length <= MAX_INDEX_BYTES:
            raise ValueError(f"length must be {MIN_INDEX_BYTES}-{MAX_INDEX_BYTES} bytes, got {length}")
        self._key = key
        # Shorter indexes leak less (more values share one) at the cost of false matches that the
        # caller weeds out by decrypting the few candidate rows.
        self._length = length

    @classmethod
    def from_keys(cls, keys: PrivacyKeys, *, length: int = DEFAULT_INDEX_BYTES) -> BlindIndex:
        """Build from validated settings."""
        return cls(keys.index_key.get_secret_value(), length=length)

    @property
    def length(self) -> int:
        """Bytes per index value."""
        return self._length

    def compute(self, kind: IndexedKind, value: str) -> bytes:
        """The index of `value` as `kind`; equal after normalisation means equal index."""
        normalised = kind.normalise(value)
        if not normalised:
            raise ValueError(f"nothing to index: the {kind.label} is empty after normalisation")
        # The label and a NUL separate kinds, so no two (kind, value) pairs share an HMAC input.
        message = kind.label.encode("utf-8") + b"\x00" + normalised.encode("utf-8")
        return hmac.digest(self._key, message, "sha256")[: self._length]
