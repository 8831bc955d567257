"""Field rules every entity shares: clean text, lengths, dates, counts, phones; violations by REST name."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any, Final, TypeVar, cast

from neibao_privacy import normalise_phone
from unit_registry.domain.errors import FieldViolation, ValidationFailed

MAX_NOTE_LENGTH: Final = 2000
MAX_LIST_ITEMS: Final = 20
# Mobile numbers (1[3-9] + 9 digits) and landlines with their area code (0 + 9-11 digits).
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{9,11})$")


def clean_text(value: str) -> str:
    """NFC-normalised and trimmed."""
    return unicodedata.normalize("NFC", value).strip()


def text_violations(field_name: str, value: str, *, required: bool, max_length: int) -> list[FieldViolation]:
    """REQUIRED, TOO_LONG or INVALID_CHARACTERS (control characters) for a cleaned text."""
    if not value:
        if required:
            return [FieldViolation(field_name, "REQUIRED", f"{field_name} is required")]
        return []
    if len(value) > max_length:
        return [
            FieldViolation(
                field_name,
                "TOO_LONG",
                f"{field_name} must be at most {max_length} characters, got {len(value)}",
            )
        ]
    if any(unicodedata.category(char) == "Cc" and char not in "\n\t" for char in value):
        return [
            FieldViolation(
                field_name, "INVALID_CHARACTERS", f"{field_name} must not contain control characters"
            )
        ]
    return []


def line_violations(field_name: str, value: str, *, required: bool, max_length: int) -> list[FieldViolation]:
    """Like text_violations, for one-line values (names, titles): no line breaks either."""
    found = text_violations(field_name, value, required=required, max_length=max_length)
    if not found and ("\n" in value or "\t" in value):
        found.append(FieldViolation(field_name, "INVALID_CHARACTERS", f"{field_name} must be a single line"))
    return found


def text_list(
    field_name: str, values: Iterable[str], *, max_items: int = MAX_LIST_ITEMS, max_length: int
) -> tuple[tuple[str, ...], list[FieldViolation]]:
    """Cleaned, de-duplicated non-empty items in order, and the violations of the list."""
    items = tuple(dict.fromkeys(v for v in (clean_text(v) for v in values) if v))
    found: list[FieldViolation] = []
    if len(items) > max_items:
        found.append(FieldViolation(field_name, "TOO_MANY", f"{field_name} holds at most {max_items} items"))
    for item in items:
        found += line_violations(field_name, item, required=False, max_length=max_length)
    # One violation per list is enough to act on.
    return items, found[:1]


def required_date(field_name: str, value: date | None) -> list[FieldViolation]:
    """REQUIRED when no date was given."""
    if value is None:
        return [FieldViolation(field_name, "REQUIRED", f"{field_name} is required (YYYY-MM-DD)")]
    return []


def not_after(field_name: str, value: date | None, today: date) -> list[FieldViolation]:
    """IN_FUTURE for a date after today (records of what happened)."""
    if value is not None and value > today:
        return [FieldViolation(field_name, "IN_FUTURE", f"{field_name} must not be in the future")]
    return []


def count_violations(field_name: str, value: int, low: int, high: int) -> list[FieldViolation]:
    """OUT_OF_RANGE unless low <= value <= high."""
    if not low <= value <= high:
        return [FieldViolation(field_name, "OUT_OF_RANGE", f"{field_name} must be between {low} and {high}")]
    return []


def clean_phone(field_name: str, value: str, *, required: bool) -> tuple[str, list[FieldViolation]]:
    """The phone number as digits (mobile or landline with area code), and its violations."""
    if not value.strip():
        if required:
            return "", [FieldViolation(field_name, "REQUIRED", f"{field_name} is required")]
        return "", []
    digits = normalise_phone(value)
    if not _PHONE.match(digits):
        return "", [
            FieldViolation(
                field_name,
                "INVALID_PHONE",
                f"{field_name} must be a mobile number (11 digits) or a landline with its area code",
            )
        ]
    return digits, []


D = TypeVar("D")


def apply_mask(current: D, given: D, mask: frozenset[str], editable: frozenset[str]) -> D:
    """`current` (a draft) with the fields named in `mask` taken from `given`; the mask names REST fields."""
    if not mask:
        raise ValidationFailed(
            [FieldViolation("update_mask", "REQUIRED", "name at least one field to change")]
        )
    unknown = sorted(mask - editable)
    if unknown:
        raise ValidationFailed(
            [FieldViolation("update_mask", "UNKNOWN_FIELD", f"{name} cannot be changed") for name in unknown]
        )
    return cast(D, dataclasses.replace(cast(Any, current), **{name: getattr(given, name) for name in mask}))
