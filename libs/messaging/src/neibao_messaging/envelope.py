"""CloudEvents 1.0 in Kafka binary content mode: ce_* headers, a protobuf payload, W3C trace context.

A record looks like this on the wire:

    key      the unit's USCC (or whatever key the stream names), bytes
    value    the serialized protobuf payload
    headers  ce_specversion=1.0, ce_id=<uuid>, ce_type, ce_source, ce_time (RFC 3339, UTC),
             ce_subject (optional), ce_dataschema=<proto full name>, content-type=application/protobuf,
             ce_jurisdiction, ce_sector, ce_unit (optional scope extensions: who may see the event),
             traceparent / tracestate (and whatever else the global OpenTelemetry propagator writes)
"""

from __future__ import annotations

import builtins
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from google.protobuf.message import DecodeError, Message
from opentelemetry import propagate
from opentelemetry.context import Context

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/protobuf"

H_SPECVERSION = "ce_specversion"
H_ID = "ce_id"
H_TYPE = "ce_type"
H_SOURCE = "ce_source"
H_TIME = "ce_time"
H_SUBJECT = "ce_subject"
H_DATASCHEMA = "ce_dataschema"
H_CONTENT_TYPE = "content-type"
# CloudEvents extension attributes naming the event's scope (GB/T 2260 code, sector, unit's USCC), so a
# relay such as the gateway's live stream can filter by the reader's scope without decoding the payload.
H_JURISDICTION = "ce_jurisdiction"
H_SECTOR = "ce_sector"
H_UNIT = "ce_unit"
_SCOPE_HEADERS = (H_JURISDICTION, H_SECTOR, H_UNIT)

_REQUIRED = (H_SPECVERSION, H_ID, H_TYPE, H_SOURCE, H_TIME, H_DATASCHEMA, H_CONTENT_TYPE)
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")

KafkaHeaders = list[tuple[str, bytes]]
M = TypeVar("M", bound=Message)


class PoisonMessage(Exception):
    """A record that can never become an Event, however often it is retried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownEventType(Exception):
    """A well-formed envelope whose ce_type has no payload class in the registry."""

    def __init__(self, event_type: str) -> None:
        super().__init__(f"no payload class registered for ce_type {event_type!r}")
        self.event_type = event_type


class ConsumedRecord(Protocol):
    """What decode needs of a record: kafka-python's ConsumerRecord has these attributes."""

    @property
    def key(self) -> bytes | None: ...

    @property
    def value(self) -> bytes | None: ...

    @property
    def headers(self) -> Sequence[tuple[str, bytes | None]] | None: ...


def _current_trace_headers() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@dataclass(frozen=True, kw_only=True)
class Event:
    """One CloudEvent with a protobuf payload.

    The trace context is captured when the event is created, so an event written to the outbox
    carries the context of the transaction that wrote it, not that of the relay that publishes it.
    """

    type: str
    source: str
    data: Message
    key: bytes
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    subject: str | None = None
    trace_headers: Mapping[str, str] = field(default_factory=_current_trace_headers)
    jurisdiction: str | None = None
    sector: str | None = None
    unit: str | None = None

    def __post_init__(self) -> None:
        if not self.type:
            raise ValueError("an event needs a type")
        if not self.source:
            raise ValueError("an event needs a source")
        if not isinstance(self.data, Message):
            raise TypeError(f"event data must be a protobuf message, not {type(self.data).__name__}")
        if not isinstance(self.key, bytes):
            raise TypeError("an event key must be bytes")
        if self.time.tzinfo is None or self.time.utcoffset() is None:
            raise ValueError("an event time must be timezone-aware")
        scope = {"jurisdiction": self.jurisdiction, "sector": self.sector, "unit": self.unit}
        for name, value in scope.items():
            if value is not None and not value:
                raise ValueError(f"an event's {name} is either absent (None) or not empty")

    @classmethod
    def create(
        cls,
        *,
        type: str,
        source: str,
        data: Message,
        subject: str | None = None,
        key: bytes | str | None = None,
        jurisdiction: str | None = None,
        sector: str | None = None,
        unit: str | None = None,
    ) -> Event:
        """A new event with a fresh id, the current time and trace context; key defaults to the subject.

        `jurisdiction`, `sector` and `unit` name the event's scope (the unit's division code, sector and
        USCC), carried as the ce_jurisdiction, ce_sector and ce_unit extension attributes.
        """
        chosen = key if key is not None else subject
        if chosen is None:
            raise ValueError("an event needs a key (the unit's USCC) or a subject to take it from")
        return cls(
            type=type,
            source=source,
            data=data,
            subject=subject,
            key=chosen.encode() if isinstance(chosen, str) else chosen,
            jurisdiction=jurisdiction,
            sector=sector,
            unit=unit,
        )

    @property
    def dataschema(self) -> str:
        """The full name of the payload's protobuf message."""
        return self.data.DESCRIPTOR.full_name

    def payload(self, message_class: builtins.type[M]) -> M:
        """The payload as `message_class`; TypeError if it is another message."""
        if not isinstance(self.data, message_class):
            raise TypeError(f"event {self.id} carries {self.dataschema}, not {message_class.__name__}")
        return self.data


class PayloadRegistry:
    """Which protobuf message class each ce_type carries."""

    def __init__(self, types: Mapping[str, type[Message]] | None = None) -> None:
        self._types: dict[str, type[Message]] = {}
        for event_type, message_class in (types or {}).items():
            self.register(event_type, message_class)

    def register(self, event_type: str, message_class: type[Message]) -> None:
        """Declare the payload class of `event_type`; re-declaring it differently is an error."""
        known = self._types.get(event_type)
        if known is not None and known is not message_class:
            raise ValueError(f"{event_type!r} already carries {known.DESCRIPTOR.full_name}")
        self._types[event_type] = message_class

    def get(self, event_type: str) -> type[Message] | None:
        """The payload class of `event_type`, or None."""
        return self._types.get(event_type)

    def __contains__(self, event_type: object) -> bool:
        return event_type in self._types

    def types(self) -> frozenset[str]:
        """Every registered ce_type."""
        return frozenset(self._types)


def format_time(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds and a Z, as ce_time carries it."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def encode(event: Event) -> tuple[bytes, bytes, KafkaHeaders]:
    """The record's key, value and headers in CloudEvents' Kafka binary content mode."""
    headers: KafkaHeaders = [
        (H_SPECVERSION, SPEC_VERSION.encode()),
        (H_ID, str(event.id).encode()),
        (H_TYPE, event.type.encode()),
        (H_SOURCE, event.source.encode()),
        (H_TIME, format_time(event.time).encode()),
        (H_DATASCHEMA, event.dataschema.encode()),
        (H_CONTENT_TYPE, CONTENT_TYPE.encode()),
    ]
    if event.subject is not None:
        headers.append((H_SUBJECT, event.subject.encode()))
    for name, value in zip(_SCOPE_HEADERS, (event.jurisdiction, event.sector, event.unit), strict=True):
        if value is not None:
            headers.append((name, value.encode()))
    headers.extend((name, value.encode()) for name, value in event.trace_headers.items())
    return event.key, event.data.SerializeToString(), headers


def decode(record: ConsumedRecord, registry: PayloadRegistry) -> Event:
    """The Event in a record; PoisonMessage if malformed, UnknownEventType if its type is not registered."""
    headers = _header_map(record.headers)
    missing = [name for name in _REQUIRED if name not in headers]
    if missing:
        raise PoisonMessage(f"missing CloudEvents headers: {', '.join(missing)}")
    if headers[H_SPECVERSION] != SPEC_VERSION:
        raise PoisonMessage(f"unsupported ce_specversion {headers[H_SPECVERSION]!r}")
    media_type = headers[H_CONTENT_TYPE].split(";", 1)[0].strip().lower()
    if media_type != CONTENT_TYPE:
        raise PoisonMessage(f"unsupported content-type {headers[H_CONTENT_TYPE]!r}")
    event_id = _parse_id(headers[H_ID])
    moment = _parse_time(headers[H_TIME])
    event_type, source = headers[H_TYPE], headers[H_SOURCE]
    if not event_type or not source:
        raise PoisonMessage("empty ce_type or ce_source")
    if record.key is None:
        raise PoisonMessage("missing record key")
    message_class = registry.get(event_type)
    if message_class is None:
        raise UnknownEventType(event_type)
    expected_schema = message_class.DESCRIPTOR.full_name
    if headers[H_DATASCHEMA] != expected_schema:
        raise PoisonMessage(
            f"ce_dataschema {headers[H_DATASCHEMA]!r} does not match {expected_schema!r} for {event_type!r}"
        )
    if record.value is None:
        raise PoisonMessage("missing payload (a tombstone)")
    try:
        data = message_class.FromString(record.value)
    except DecodeError as exc:
        raise PoisonMessage(f"payload is not a valid {expected_schema}: {exc}") from exc
    trace_fields = propagate.get_global_textmap().fields
    return Event(
        id=event_id,
        type=event_type,
        source=source,
        time=moment,
        subject=headers.get(H_SUBJECT),
        key=bytes(record.key),
        data=data,
        trace_headers={name: value for name, value in headers.items() if name in trace_fields},
        jurisdiction=headers.get(H_JURISDICTION) or None,
        sector=headers.get(H_SECTOR) or None,
        unit=headers.get(H_UNIT) or None,
    )


def trace_context(event: Event) -> Context:
    """The OpenTelemetry context the event was created in, to continue its trace."""
    return propagate.extract(dict(event.trace_headers))


def _header_map(raw: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    """The headers the envelope reads, as text; headers of other protocols are left alone."""
    if not raw:
        raise PoisonMessage("missing CloudEvents headers: the record has no headers")
    trace_fields = propagate.get_global_textmap().fields
    headers: dict[str, str] = {}
    for name, value in raw:
        if not (name.startswith("ce_") or name == H_CONTENT_TYPE or name in trace_fields):
            continue
        if name in headers:
            raise PoisonMessage(f"header {name!r} appears more than once")
        if value is None:
            raise PoisonMessage(f"header {name!r} has no value")
        try:
            headers[name] = bytes(value).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PoisonMessage(f"header {name!r} is not UTF-8") from exc
    return headers


def _parse_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise PoisonMessage(f"ce_id {text!r} is not a UUID") from exc


def _parse_time(text: str) -> datetime:
    if not _RFC3339.fullmatch(text):
        raise PoisonMessage(f"ce_time {text!r} is not an RFC 3339 timestamp")
    try:
        return datetime.fromisoformat(text.upper()).astimezone(UTC)
    except ValueError as exc:
        raise PoisonMessage(f"ce_time {text!r} is not a valid timestamp") from exc
