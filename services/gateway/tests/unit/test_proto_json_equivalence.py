"""The fast answer conversion writes exactly what json_format plus the REST rule would, for every message of
every contract, filled at random (a fixed seed: failures reproduce). No I/O."""

from __future__ import annotations

import importlib
import pkgutil
import random
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

import neibao
from gateway.adapters.proto_json import rest_enum_value, to_rest


def _reference(message: Message) -> dict[str, Any]:
    """The rule as first written: json_format's document, restyled field by field."""
    document = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    return _restyle_message(document, message.DESCRIPTOR)


def _restyle_message(document: dict[str, Any], descriptor: Descriptor) -> dict[str, Any]:
    return {
        field.name: _restyle_field(field, document[field.name]) if field.name in document else None
        for field in descriptor.fields
    }


def _is_map(field: FieldDescriptor) -> bool:
    return (
        field.is_repeated
        and field.type == FieldDescriptor.TYPE_MESSAGE
        and field.message_type.GetOptions().map_entry
    )


def _restyle_field(field: FieldDescriptor, value: Any) -> Any:
    if _is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        return {key: _restyle_value(value_field, item) for key, item in value.items()}
    if field.is_repeated:
        return [_restyle_value(field, item) for item in value]
    return _restyle_value(field, value)


_INT64 = {FieldDescriptor.TYPE_INT64, FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_SINT64}
_INT64 |= {FieldDescriptor.TYPE_FIXED64, FieldDescriptor.TYPE_SFIXED64}
_TIMES = (0, 1_700_000_000_123_000_000, 1_700_000_000_000_000_000)


def _restyle_value(field: FieldDescriptor, value: Any) -> Any:
    if field.type == FieldDescriptor.TYPE_ENUM:
        enum = field.enum_type
        number = enum.values_by_name[value].number if isinstance(value, str) else int(value)
        return rest_enum_value(enum, number)
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        if field.message_type.full_name.startswith("google.protobuf."):
            return value
        return _restyle_message(value, field.message_type)
    if field.type in _INT64:
        return int(value)
    if value == "":
        return None
    return value


def _message_classes() -> list[type[Message]]:
    found: list[type[Message]] = []
    for module_info in pkgutil.walk_packages(neibao.__path__, "neibao."):
        if not module_info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(module_info.name)
        for descriptor in module.DESCRIPTOR.message_types_by_name.values():
            found.append(getattr(module, descriptor.name))
    return found


def _fill(message: Message, rng: random.Random, depth: int = 0) -> None:  # noqa: PLR0912 - one branch a kind
    for field in message.DESCRIPTOR.fields:
        if rng.random() < 0.25:
            continue  # left unset: defaults, nulls
        if _is_map(field):
            entries = getattr(message, field.name)
            value_field = field.message_type.fields_by_name["value"]
            for index in range(rng.randint(0, 2)):
                key = f"k{index}" if field.message_type.fields_by_name["key"].type == 9 else index
                if value_field.type == FieldDescriptor.TYPE_MESSAGE:
                    _fill(entries[key], rng, depth + 1)
                else:
                    entries[key] = _scalar(value_field, rng)
        elif field.is_repeated:
            items = getattr(message, field.name)
            for _ in range(rng.randint(0, 2)):
                if field.type == FieldDescriptor.TYPE_MESSAGE:
                    if depth < 3:
                        _fill(items.add(), rng, depth + 1)
                else:
                    items.append(_scalar(field, rng))
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth < 3:
                child = getattr(message, field.name)
                if field.message_type.full_name == "google.protobuf.Timestamp":
                    child.FromNanoseconds(rng.choice(_TIMES))
                else:
                    _fill(child, rng, depth + 1)
                    child.SetInParent()
        else:
            setattr(message, field.name, _scalar(field, rng))


def _scalar(field: FieldDescriptor, rng: random.Random) -> Any:  # noqa: PLR0911 - one value set a kind
    kind = field.type
    if kind == FieldDescriptor.TYPE_ENUM:
        return rng.choice([value.number for value in field.enum_type.values])
    if kind == FieldDescriptor.TYPE_STRING:
        return rng.choice(["", "和平区", "x"])
    if kind == FieldDescriptor.TYPE_BYTES:
        return rng.choice([b"", b"\x00\xff"])
    if kind == FieldDescriptor.TYPE_BOOL:
        return rng.choice([True, False])
    if kind in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return rng.choice([0.0, 41.79, -123.5, float("inf"), float("nan")])
    if kind in _INT64:
        return rng.choice([0, 7, 2**40])
    if kind in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
        return rng.choice([0, 7, 2**31])
    return rng.choice([0, -7, 2**30])


MESSAGES = _message_classes()


@pytest.mark.parametrize("message_type", MESSAGES, ids=lambda t: t.DESCRIPTOR.full_name)
def test_fast_conversion_equals_the_reference(message_type: type[Message]) -> None:
    rng = random.Random(message_type.DESCRIPTOR.full_name)
    for _ in range(20):
        message = message_type()
        _fill(message, rng)
        assert repr(to_rest(message)) == repr(_reference(message))


def test_every_contract_is_covered() -> None:
    packages = {t.DESCRIPTOR.full_name.rsplit(".", 2)[0] for t in MESSAGES}
    assert {"neibao.unitregistry", "neibao.common", "neibao.audit"} <= packages
