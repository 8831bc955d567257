"""REST JSON ↔ the services' protobuf messages, by one rule for every message (no per-field code).

The rule (proto/neibao/unitregistry/v1/unit.proto states it for the contract):
- a REST key is the proto field's name (`json_format`'s `preserving_proto_field_name`);
- an enum value's REST spelling is its name without the enum's prefix, lower-cased
  (UNIT_TYPE_POSTAL_EXPRESS ↔ "postal_express"); the zero value (X_UNSPECIFIED) is null;
- 64-bit integers are JSON numbers (a version never nears 2^53); Timestamps are RFC 3339 strings;
- in answers, an empty string and an unset message field are null, and every field is present;
- in requests, null means "not given"; an unknown key or enum value is a field violation (400) with
  its JSON pointer.
"""

from __future__ import annotations

import base64
import functools
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, TypeVar, cast

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.internal import type_checkers
from google.protobuf.message import Message

from gateway.domain.problems import FieldViolation, Problem, pointer

M = TypeVar("M", bound=Message)

_UNSPECIFIED: Final = "UNSPECIFIED"
# json_format gives these their canonical JSON form (Timestamp → RFC 3339, ...): not walked into.
_WELL_KNOWN_PREFIX: Final = "google.protobuf."
# "Failed to parse location field: Failed to parse latitude field: ..." → the path of the field.
_PARSE_ERROR_FIELD: Final = re.compile(r"Failed to parse (\w+) field")

Tokens = tuple[str | int, ...]


# --- enums -----------------------------------------------------------------------------------------


@functools.cache
def enum_prefix(enum: EnumDescriptor) -> str:
    """The prefix of an enum's value names: its zero value's name without UNSPECIFIED ("UNIT_TYPE_")."""
    zero = enum.values_by_number.get(0)
    if zero is not None and zero.name.endswith(_UNSPECIFIED):
        return zero.name[: -len(_UNSPECIFIED)]
    # An enum without the X_UNSPECIFIED convention: the upper snake case of its name.
    return re.sub(r"(?<!^)(?=[A-Z])", "_", enum.name).upper() + "_"


@functools.cache
def _rest_spellings(enum: EnumDescriptor) -> dict[int, str]:
    prefix = enum_prefix(enum)
    return {
        value.number: value.name.removeprefix(prefix).lower() for value in enum.values if value.number != 0
    }


@functools.cache
def _proto_names(enum: EnumDescriptor) -> dict[str, str]:
    by_number = enum.values_by_number
    return {spelling: by_number[number].name for number, spelling in _rest_spellings(enum).items()}


def rest_enum_values(enum: EnumDescriptor) -> tuple[str, ...]:
    """The REST spellings of an enum's values, in declaration order (the zero value excluded)."""
    return tuple(_rest_spellings(enum).values())


def rest_enum_value(enum: EnumDescriptor, number: int) -> str | None:
    """The REST spelling of one value (None for the zero value or a number this build does not know)."""
    return _rest_spellings(enum).get(number)


# --- answers ---------------------------------------------------------------------------------------


def to_rest(message: Message) -> dict[str, Any]:
    """The REST document of a message: every field present, by the rule above."""
    return {name: convert(message) for name, convert in _answer_plan(_descriptor(type(message)))}


# Answers are converted field by field from a plan made once per message type: `json_format` walks every
# message generically (~0.1 ms for a unit, 5 ms for a page of 50); the plan reads only what it needs. The
# result is the same document (tests hold it to `json_format` plus the rule above).
_Convert = Any  # Callable[[Message], Any]; the generated classes have no common attribute types


@functools.cache
def _answer_plan(descriptor: Descriptor) -> tuple[tuple[str, _Convert], ...]:
    return tuple((field.name, _field_converter(field)) for field in descriptor.fields)


def _field_converter(field: FieldDescriptor) -> _Convert:
    name = field.name
    if _is_map(field):
        value_of = _value_converter(_message_type(field).fields_by_name["value"])
        return lambda message: {key: value_of(item) for key, item in getattr(message, name).items()}
    value_of = _value_converter(field)
    if _is_repeated(field):
        return lambda message: [value_of(item) for item in getattr(message, name)]
    if field.has_presence:
        # Unset message fields and unset optional scalars are null.
        return lambda message: value_of(getattr(message, name)) if message.HasField(name) else None
    return lambda message: value_of(getattr(message, name))


def _value_converter(field: FieldDescriptor) -> _Convert:
    kind = field.type
    if kind == FieldDescriptor.TYPE_ENUM:
        return _rest_spellings(_enum_type(field)).get
    if kind == FieldDescriptor.TYPE_MESSAGE:
        descriptor = _message_type(field)
        if descriptor.full_name.startswith(_WELL_KNOWN_PREFIX):
            # Timestamp, Duration, Struct, wrappers: their canonical JSON, as json_format writes it.
            return json_format.MessageToDict
        return to_rest
    if kind == FieldDescriptor.TYPE_STRING:
        return _none_if_empty
    if kind == FieldDescriptor.TYPE_BYTES or kind in (
        FieldDescriptor.TYPE_DOUBLE,
        FieldDescriptor.TYPE_FLOAT,
    ):
        # Base64 and the special floats (NaN, Infinity) by json_format's rules; "" (empty bytes) is null.
        return functools.partial(_scalar_as_json_format, field)
    return _same  # integers (64-bit ones too: JSON numbers) and booleans


def _none_if_empty(value: str) -> str | None:
    return value or None


def _same(value: Any) -> Any:
    return value


def _scalar_as_json_format(field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_BYTES:
        return base64.b64encode(value).decode() if value else None
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if field.type == FieldDescriptor.TYPE_FLOAT:
        return type_checkers.ToShortestFloat(value)
    return value


# The generated stubs type descriptors loosely (upb's and the pure-Python classes, Optional members).
def _descriptor(message_type: type[Message]) -> Descriptor:
    return cast(Descriptor, message_type.DESCRIPTOR)


def _message_type(field: FieldDescriptor) -> Descriptor:
    return cast(Descriptor, field.message_type)


def _enum_type(field: FieldDescriptor) -> EnumDescriptor:
    return cast(EnumDescriptor, field.enum_type)


def _is_well_known(field: FieldDescriptor) -> bool:
    return _message_type(field).full_name.startswith(_WELL_KNOWN_PREFIX)


def _is_repeated(field: FieldDescriptor) -> bool:
    return bool(field.is_repeated)


def _is_map(field: FieldDescriptor) -> bool:
    return (
        _is_repeated(field)
        and field.type == FieldDescriptor.TYPE_MESSAGE
        and bool(_message_type(field).GetOptions().map_entry)
    )


# --- requests --------------------------------------------------------------------------------------


def from_rest(document: Mapping[str, Any], message_type: type[M]) -> M:
    """The message of a REST document; a 400 Problem naming each field that does not fit."""
    violations: list[FieldViolation] = []
    prepared = _prepare_message(document, _descriptor(message_type), (), violations)
    if violations:
        raise invalid_fields(violations)
    message = message_type()
    try:
        json_format.ParseDict(prepared, message)
    except json_format.ParseError as exc:
        names: Tokens = tuple(_PARSE_ERROR_FIELD.findall(str(exc)))
        raise invalid_fields([FieldViolation(pointer(names), "has a value of the wrong type")]) from None
    return message


def field_mask(keys: Iterable[str]) -> FieldMask:
    """The FieldMask naming these REST keys (a PATCH body's keys)."""
    return FieldMask(paths=sorted(keys))


def invalid_fields(violations: Iterable[FieldViolation]) -> Problem:
    """The 400 problem for fields of a request that do not fit the message."""
    return Problem(400, "The request has invalid fields.", slug="invalid-argument", errors=tuple(violations))


def _prepare_message(
    document: Mapping[str, Any], descriptor: Descriptor, at: Tokens, violations: list[FieldViolation]
) -> dict[str, Any]:
    prepared: dict[str, Any] = {}
    for key, value in document.items():
        field = descriptor.fields_by_name.get(key)
        if field is None:
            violations.append(FieldViolation(pointer((*at, key)), "is not a field of this request"))
            continue
        if value is None:
            continue  # null: not given
        prepared[key] = _prepare_field(field, value, (*at, key), violations)
    return prepared


def _prepare_field(field: FieldDescriptor, value: Any, at: Tokens, violations: list[FieldViolation]) -> Any:
    if _is_map(field) or not _is_repeated(field):
        return _prepare_value(field, value, at, violations)
    if not isinstance(value, list):
        violations.append(FieldViolation(pointer(at), "must be a list"))
        return value
    return [_prepare_value(field, item, (*at, index), violations) for index, item in enumerate(value)]


def _prepare_value(field: FieldDescriptor, value: Any, at: Tokens, violations: list[FieldViolation]) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        names = _proto_names(_enum_type(field))
        if not isinstance(value, str) or value not in names:
            allowed = ", ".join(names)
            violations.append(FieldViolation(pointer(at), f"must be one of: {allowed}"))
            return value
        return names[value]
    if field.type == FieldDescriptor.TYPE_MESSAGE and not _is_map(field) and not _is_well_known(field):
        if not isinstance(value, Mapping):
            violations.append(FieldViolation(pointer(at), "must be an object"))
            return value
        return _prepare_message(value, _message_type(field), at, violations)
    return value
