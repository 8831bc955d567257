"""Per-record validation: every field checked, every error named by a JSON pointer into the batch.

A record is kept when it has no error; the others are answered with their reasons. Values are
normalised as they are checked (resident IDs upper-case, plates without separators, times in UTC).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from neibao_codes import (
    InvalidIdentifier,
    validate_division_code,
    validate_plate,
    validate_resident_id,
    validate_uscc,
)
from neibao_privacy import normalise_phone
from sector_exchange.domain.datasets import Dataset, FieldKind, FieldSpec

# Submitters' clocks drift: a time up to this far ahead of ours is not "in the future".
CLOCK_SKEW: Final = timedelta(minutes=5)
MOBILE = re.compile(r"1[3-9][0-9]{9}")
LANDLINE = re.compile(r"0[1-9][0-9]{8,10}")
OTHER_ID = re.compile(r"[A-Z0-9]{5,30}")


@dataclass(frozen=True, slots=True)
class RecordError:
    """One problem of one record: where (a JSON pointer into the batch), what kind, and why."""

    pointer: str
    reason: str
    detail: str


@dataclass(frozen=True, slots=True)
class ValidRecord:
    """A record that passed: its normalised fields, the division it belongs to and when it happened."""

    index: int
    fields: dict[str, Any]
    jurisdiction: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record that was not kept, with every reason found."""

    index: int
    errors: tuple[RecordError, ...]


@dataclass(frozen=True, slots=True)
class Validated:
    """A batch's records sorted into kept and rejected, in the batch's order."""

    valid: tuple[ValidRecord, ...] = ()
    rejected: tuple[Rejection, ...] = field(default_factory=tuple)


# Division codes repeat across records (a few thousand in use): remember the valid ones (errors are not kept).
_division_code = functools.lru_cache(maxsize=8192)(validate_division_code)


class _Invalid(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def _identifier_error(error: InvalidIdentifier) -> _Invalid:
    # The identifier's value is never echoed: it may be personal data.
    reason = "INVALID_CHECK_CHARACTER" if "check character" in error.reason else "INVALID_FORMAT"
    return _Invalid(reason, str(error))


def _text(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("INVALID_TYPE", "must be a string")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if len(text) > spec.max_length:
        raise _Invalid("TOO_LONG", f"at most {spec.max_length} characters")
    return text


def _time(value: Any, now: datetime, *, future_allowed: bool = False) -> str:
    if not isinstance(value, str) or len(value) > 40:
        raise _Invalid("INVALID_TYPE", "must be an RFC 3339 time string")
    try:
        moment = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise _Invalid("INVALID_FORMAT", "must be an RFC 3339 time, e.g. 2026-11-24T08:00:00+08:00") from None
    if moment.tzinfo is None:
        raise _Invalid("INVALID_FORMAT", "must carry a time zone (Z or +08:00)")
    if not future_allowed and moment > now + CLOCK_SKEW:
        raise _Invalid("IN_FUTURE", "is in the future")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _number(spec: FieldSpec, value: Any, *, integer: bool) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid("INVALID_TYPE", "must be an integer" if integer else "must be a number")
    if integer and not isinstance(value, int):
        raise _Invalid("INVALID_TYPE", "must be an integer")
    if isinstance(value, float) and not math.isfinite(value):
        raise _Invalid("INVALID_TYPE", "must be a finite number")
    if spec.minimum is not None and value < spec.minimum:
        raise _Invalid("OUT_OF_RANGE", f"must be at least {spec.minimum:g}")
    if spec.maximum is not None and value > spec.maximum:
        raise _Invalid("OUT_OF_RANGE", f"must be at most {spec.maximum:g}")
    return value


def _phone(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid("INVALID_TYPE", "must be a string")
    digits = normalise_phone(value)
    if not (MOBILE.fullmatch(digits) or LANDLINE.fullmatch(digits)):
        raise _Invalid("INVALID_FORMAT", "must be an 11-digit mobile number or a landline with its area code")
    return digits


def _id_number(id_type: str, value: Any, now: datetime) -> str:
    if not isinstance(value, str):
        raise _Invalid("INVALID_TYPE", "must be a string")
    try:
        if id_type == "resident_id":
            return validate_resident_id(value, today=now.date())
        if id_type == "uscc":
            return validate_uscc(value)
    except InvalidIdentifier as error:
        raise _identifier_error(error) from None
    number = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", value)).upper()
    if not OTHER_ID.fullmatch(number):
        raise _Invalid("INVALID_FORMAT", "must be 5-30 letters and digits")
    return number


def _id_field(spec: FieldSpec, value: Any, record: dict[str, Any], now: datetime) -> str:
    id_type = record.get(spec.id_type_field or "") or "resident_id"
    return _id_number(id_type if isinstance(id_type, str) else "resident_id", value, now)


def _coded(check: Callable[[str], str]) -> Callable[[FieldSpec, Any, dict[str, Any], datetime], str]:
    def run(_spec: FieldSpec, value: Any, _record: dict[str, Any], _now: datetime) -> str:
        if not isinstance(value, str):
            raise _Invalid("INVALID_TYPE", "must be a string")
        try:
            return check(value)
        except InvalidIdentifier as error:
            raise _identifier_error(error) from None

    return run


def _boolean(_spec: FieldSpec, value: Any, _record: dict[str, Any], _now: datetime) -> bool:
    if not isinstance(value, bool):
        raise _Invalid("INVALID_TYPE", "must be true or false")
    return value


def _choice(spec: FieldSpec, value: Any, _record: dict[str, Any], _now: datetime) -> Any:
    if value not in spec.choices:
        raise _Invalid("UNKNOWN_VALUE", "must be one of " + ", ".join(spec.choices))
    return value


# One check per kind, looked up once per field (records are checked by the ten thousand a second).
CHECKS: Final[dict[FieldKind, Callable[[FieldSpec, Any, dict[str, Any], datetime], Any]]] = {
    FieldKind.TEXT: lambda spec, value, _record, _now: _text(spec, value),
    FieldKind.RESIDENT_ID: lambda _spec, value, _record, now: _id_number("resident_id", value, now),
    FieldKind.ID_NUMBER: _id_field,
    FieldKind.USCC: lambda _spec, value, _record, now: _id_number("uscc", value, now),
    FieldKind.PHONE: lambda _spec, value, _record, _now: _phone(value),
    FieldKind.DIVISION: _coded(_division_code),
    FieldKind.PLATE: _coded(validate_plate),
    FieldKind.TIME: lambda spec, value, _record, now: _time(value, now, future_allowed=spec.future_allowed),
    FieldKind.INTEGER: lambda spec, value, _record, _now: _number(spec, value, integer=True),
    FieldKind.NUMBER: lambda spec, value, _record, _now: _number(spec, value, integer=False),
    FieldKind.BOOLEAN: _boolean,
    FieldKind.CHOICE: _choice,
}


def check_value(spec: FieldSpec, value: Any, record: dict[str, Any], now: datetime) -> Any:
    """The normalised value of one present field; raises _Invalid with the reason."""
    return CHECKS[spec.kind](spec, value, record, now)


# Kinds whose check is costly and whose values repeat within a batch (a merchant's ID and phone on all its
# parcels, a site's division and the batch's times): checked once per batch and value.
MEMOISED: Final = frozenset(
    {FieldKind.RESIDENT_ID, FieldKind.ID_NUMBER, FieldKind.USCC, FieldKind.PHONE, FieldKind.TIME}
)
_Memo = dict[tuple[str, Any, str], Any]


def validate_record(
    dataset: Dataset, index: int, record: Any, now: datetime, memo: _Memo | None = None
) -> ValidRecord | Rejection:
    """Check one record of a batch against its dataset's schema (`memo`: the batch's checked values)."""
    base = f"/records/{index}"
    if not isinstance(record, dict):
        return Rejection(index, (RecordError(base, "INVALID_TYPE", "a record must be a JSON object"),))
    errors: list[RecordError] = []
    names = dataset.by_name
    errors.extend(
        RecordError(
            f"{base}/{_escape(name)}", "UNKNOWN_FIELD", f"not a field of {dataset.key} v{dataset.version}"
        )
        for name in record
        if name not in names
    )
    fields: dict[str, Any] = {}
    for spec in dataset.fields:
        value = record.get(spec.name)
        if value is None or value == "":
            if spec.required:
                errors.append(RecordError(f"{base}/{spec.name}", "REQUIRED", "is required"))
            continue
        try:
            if memo is not None and spec.kind in MEMOISED and isinstance(value, str):
                id_type = record.get(spec.id_type_field) if spec.id_type_field else None
                key = (spec.name, id_type, value)
                known = memo.get(key)
                if known is None:
                    try:
                        known = memo[key] = check_value(spec, value, record, now)
                    except _Invalid as problem:
                        known = memo[key] = problem
                if isinstance(known, _Invalid):
                    raise known
                fields[spec.name] = known
            else:
                fields[spec.name] = check_value(spec, value, record, now)
        except _Invalid as problem:
            errors.append(RecordError(f"{base}/{spec.name}", problem.reason, problem.detail))
    if errors:
        return Rejection(index, tuple(errors))
    occurred_at = datetime.fromisoformat(fields[dataset.time_field].replace("Z", "+00:00"))
    return ValidRecord(index, fields, fields[dataset.jurisdiction_field], occurred_at)


def validate_batch(dataset: Dataset, records: list[Any], now: datetime) -> Validated:
    """Check every record of a batch on its own."""
    valid: list[ValidRecord] = []
    rejected: list[Rejection] = []
    memo: _Memo = {}
    for index, record in enumerate(records):
        outcome = validate_record(dataset, index, record, now, memo)
        if isinstance(outcome, ValidRecord):
            valid.append(outcome)
        else:
            rejected.append(outcome)
    return Validated(tuple(valid), tuple(rejected))


def _escape(name: str) -> str:
    """A JSON pointer reference token (RFC 6901): ~ as ~0, / as ~1."""
    return name.replace("~", "~0").replace("/", "~1")


def rejections_to_json(rejections: tuple[Rejection, ...]) -> list[dict[str, Any]]:
    """Rejections as stored and shown (no values: an invalid value may still be personal data)."""
    return [
        {
            "index": r.index,
            "errors": [{"pointer": e.pointer, "reason": e.reason, "detail": e.detail} for e in r.errors],
        }
        for r in rejections
    ]


def rejections_from_json(document: list[dict[str, Any]]) -> tuple[Rejection, ...]:
    """The inverse of `rejections_to_json`."""
    return tuple(
        Rejection(
            int(r["index"]), tuple(RecordError(e["pointer"], e["reason"], e["detail"]) for e in r["errors"])
        )
        for r in document
    )
