"""Input clean-up shared by the identifier checks."""

from __future__ import annotations

import unicodedata


def compact(value: str, separators: str) -> str:
    """Fold full-width forms to ASCII (NFKC), drop separators and surrounding space, upper-case."""
    # People paste identifiers from Chinese documents, where full-width digits and letters are common.
    folded = unicodedata.normalize("NFKC", value).strip()
    return "".join(ch for ch in folded if ch not in separators).upper()


def is_ascii_digits(value: str) -> bool:
    """True when every character is 0-9 (str.isdigit also accepts other scripts' digits)."""
    return value.isascii() and value.isdigit()
