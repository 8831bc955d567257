"""The CloudEvents envelope: encode/decode round trip, trace context, and every poison case. No I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import pytest
from google.protobuf.struct_pb2 import Struct, Value
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from neibao_messaging import (
    Event,
    PayloadRegistry,
    PoisonMessage,
    UnknownEventType,
    decode,
    encode,
    trace_context,
)

UNIT_REGISTERED = "neibao.unit-registry.unit.registered.v1"
SOURCE = "/neibao/unit-registry"
USCC = "91210102MA0LN001X3"


@dataclass
class Record:
    key: bytes | None
    value: bytes | None
    headers: Sequence[tuple[str, bytes | None]] | None


@pytest.fixture
def registry() -> PayloadRegistry:
    return PayloadRegistry({UNIT_REGISTERED: Struct})


@pytest.fixture
def tracer() -> Iterator[trace.Tracer]:
    provider = TracerProvider()
    yield provider.get_tracer("test")
    provider.shutdown()


def unit_registered(name: str = "沈阳市和平区第一中学") -> Event:
    data = Struct()
    data.update({"uscc": USCC, "name": name, "jurisdiction": "210102"})
    return Event.create(type=UNIT_REGISTERED, source=SOURCE, data=data, subject=USCC)


def as_record(event: Event) -> Record:
    key, value, headers = encode(event)
    return Record(key, value, list(headers))


def with_header(record: Record, name: str, value: bytes | None) -> Record:
    headers = [(n, v) for n, v in record.headers or [] if n != name]
    return Record(record.key, record.value, [*headers, (name, value)])


def without_header(record: Record, name: str) -> Record:
    return Record(record.key, record.value, [(n, v) for n, v in record.headers or [] if n != name])


def test_round_trip_keeps_every_attribute(registry: PayloadRegistry) -> None:
    event = unit_registered()

    decoded = decode(as_record(event), registry)

    assert decoded == event
    assert decoded.payload(Struct)["name"] == "沈阳市和平区第一中学"


def test_encode_writes_binary_mode_headers_and_the_uscc_key() -> None:
    moment = datetime(2025, 3, 1, 8, 30, 5, 123456, tzinfo=timezone(timedelta(hours=8)))
    event = Event(
        type=UNIT_REGISTERED, source=SOURCE, data=Struct(), key=USCC.encode(), subject=USCC, time=moment
    )

    key, value, headers = encode(event)

    assert key == USCC.encode()
    assert value == b""
    assert dict(headers) == {
        "ce_specversion": b"1.0",
        "ce_id": str(event.id).encode(),
        "ce_type": UNIT_REGISTERED.encode(),
        "ce_source": SOURCE.encode(),
        "ce_time": b"2025-03-01T00:30:05.123456Z",
        "ce_subject": USCC.encode(),
        "ce_dataschema": b"google.protobuf.Struct",
        "content-type": b"application/protobuf",
    }


def test_key_defaults_to_the_subject_and_an_explicit_key_wins() -> None:
    assert unit_registered().key == USCC.encode()
    explicit = Event.create(type=UNIT_REGISTERED, source=SOURCE, data=Struct(), subject=USCC, key=b"k")
    assert explicit.key == b"k"
    with pytest.raises(ValueError, match="key"):
        Event.create(type=UNIT_REGISTERED, source=SOURCE, data=Struct())


def test_optional_subject_is_omitted(registry: PayloadRegistry) -> None:
    event = Event.create(type=UNIT_REGISTERED, source=SOURCE, data=Struct(), key=USCC)

    record = as_record(event)

    assert "ce_subject" not in dict(record.headers or [])
    assert decode(record, registry).subject is None


def test_event_refuses_naive_time_empty_type_and_non_protobuf_data() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Event(type=UNIT_REGISTERED, source=SOURCE, data=Struct(), key=b"k", time=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="type"):
        Event(type="", source=SOURCE, data=Struct(), key=b"k")
    with pytest.raises(TypeError, match="protobuf"):
        Event(type=UNIT_REGISTERED, source=SOURCE, data={"a": 1}, key=b"k")  # type: ignore[arg-type]


def test_payload_refuses_another_message_class() -> None:
    with pytest.raises(TypeError, match=r"google\.protobuf\.Struct"):
        unit_registered().payload(Value)


def test_trace_context_is_captured_at_creation_and_continued_after_decode(
    registry: PayloadRegistry, tracer: trace.Tracer
) -> None:
    with tracer.start_as_current_span("write unit") as span:
        event = unit_registered()
    producer_context = span.get_span_context()

    record = as_record(event)
    headers = dict(record.headers or [])
    decoded = decode(record, registry)
    continued = trace.get_current_span(trace_context(decoded)).get_span_context()

    traceparent = f"00-{producer_context.trace_id:032x}-{producer_context.span_id:016x}-"
    assert headers["traceparent"].decode().startswith(traceparent)
    assert continued.trace_id == producer_context.trace_id
    assert continued.span_id == producer_context.span_id
    assert continued.is_remote


def test_without_a_current_span_no_trace_headers_are_written() -> None:
    _key, _value, headers = encode(unit_registered())

    assert "traceparent" not in dict(headers)


def test_tracestate_travels_too(registry: PayloadRegistry) -> None:
    parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    record = with_header(
        with_header(as_record(unit_registered()), "traceparent", parent.encode()),
        "tracestate",
        b"neibao=1",
    )

    decoded = decode(record, registry)

    assert decoded.trace_headers == {"traceparent": parent, "tracestate": "neibao=1"}
    assert trace.get_current_span(trace_context(decoded)).get_span_context().trace_state.get("neibao") == "1"


def test_content_type_parameters_and_lowercase_rfc3339_are_accepted(registry: PayloadRegistry) -> None:
    record = with_header(
        as_record(unit_registered()), "content-type", b"application/protobuf; charset=binary"
    )
    record = with_header(record, "ce_time", b"2025-03-01t00:30:05+08:00")

    decoded = decode(record, registry)

    assert decoded.time == datetime(2025, 2, 28, 16, 30, 5, tzinfo=UTC)


def test_headers_of_other_protocols_are_ignored(registry: PayloadRegistry) -> None:
    record = as_record(unit_registered())
    record = Record(
        record.key, record.value, [*(record.headers or []), ("x-other", b"\xff"), ("x-other", None)]
    )

    assert decode(record, registry).type == UNIT_REGISTERED


def test_an_unregistered_type_is_unknown_not_poison() -> None:
    with pytest.raises(UnknownEventType) as raised:
        decode(as_record(unit_registered()), PayloadRegistry())

    assert raised.value.event_type == UNIT_REGISTERED
    assert not isinstance(raised.value, PoisonMessage)


def _poison_cases() -> Iterator[tuple[str, object, str]]:
    """(case id, a function from a good record to a bad one, expected fragment of the reason)."""
    yield "no headers", lambda r: Record(r.key, r.value, None), "missing CloudEvents headers"
    yield "empty headers", lambda r: Record(r.key, r.value, []), "missing CloudEvents headers"
    for name in (
        "ce_specversion",
        "ce_id",
        "ce_type",
        "ce_source",
        "ce_time",
        "ce_dataschema",
        "content-type",
    ):
        yield f"missing {name}", lambda r, n=name: without_header(r, n), name
    yield "specversion 0.3", lambda r: with_header(r, "ce_specversion", b"0.3"), "ce_specversion"
    yield "id not a uuid", lambda r: with_header(r, "ce_id", b"42"), "not a UUID"
    yield "time without offset", lambda r: with_header(r, "ce_time", b"2025-03-01T00:30:05"), "RFC 3339"
    yield "time a date", lambda r: with_header(r, "ce_time", b"2025-03-01"), "RFC 3339"
    yield "time garbage", lambda r: with_header(r, "ce_time", b"yesterday"), "RFC 3339"
    yield "time out of range", lambda r: with_header(r, "ce_time", b"2025-13-01T00:00:00Z"), "valid timestamp"
    yield "json payload", lambda r: with_header(r, "content-type", b"application/json"), "content-type"
    yield "empty type", lambda r: with_header(r, "ce_type", b""), "empty ce_type"
    yield (
        "schema mismatch",
        lambda r: with_header(r, "ce_dataschema", b"neibao.unit.v1.Unit"),
        "ce_dataschema",
    )
    yield "garbage payload", lambda r: Record(r.key, b"\xff\xff\xff\xff", r.headers), "not a valid"
    yield "truncated payload", lambda r: Record(r.key, (r.value or b"")[:-3], r.headers), "not a valid"
    yield "tombstone", lambda r: Record(r.key, None, r.headers), "tombstone"
    yield "no key", lambda r: Record(None, r.value, r.headers), "key"
    yield "header twice", lambda r: Record(r.key, r.value, [*r.headers, ("ce_type", b"x")]), "more than once"
    yield "header not utf-8", lambda r: with_header(r, "ce_source", b"\xff\xfe"), "UTF-8"
    yield "header without value", lambda r: with_header(r, "ce_source", None), "no value"


@pytest.mark.parametrize(
    ("spoil", "reason"), [c[1:] for c in _poison_cases()], ids=[c[0] for c in _poison_cases()]
)
def test_malformed_records_are_poison(registry: PayloadRegistry, spoil: object, reason: str) -> None:
    record = spoil(as_record(unit_registered()))  # type: ignore[operator]

    with pytest.raises(PoisonMessage) as raised:
        decode(record, registry)

    assert reason in raised.value.reason


def test_registry_refuses_a_second_class_for_a_type() -> None:
    registry = PayloadRegistry({UNIT_REGISTERED: Struct})
    registry.register(UNIT_REGISTERED, Struct)

    with pytest.raises(ValueError, match="already carries"):
        registry.register(UNIT_REGISTERED, Value)
    assert registry.get(UNIT_REGISTERED) is Struct
    assert UNIT_REGISTERED in registry
    assert registry.types() == {UNIT_REGISTERED}


def test_ids_are_fresh_uuids() -> None:
    first, second = unit_registered(), unit_registered()

    assert isinstance(first.id, uuid.UUID)
    assert first.id != second.id
