"""CloudEvents over Kafka with protobuf payloads, a transactional outbox and relay,
an idempotent consumer with a dead-letter topic."""

from .backoff import Backoff
from .consumer import (
    ConsumerMetrics,
    DeadLetterPublishError,
    Handler,
    HandlingStalled,
    IdempotentConsumer,
    UnknownTypePolicy,
)
from .envelope import (
    Event,
    PayloadRegistry,
    PoisonMessage,
    UnknownEventType,
    decode,
    encode,
    trace_context,
)
from .outbox import Outbox, OutboxRelay, RelayMetrics, RelayPublishError
from .producer import Producer, idempotent_producer
from .tables import (
    OutboxMessage,
    ProcessedEvent,
    create_messaging_tables,
    metadata,
    outbox_table,
    processed_event_table,
)

__all__ = [
    "Backoff",
    "ConsumerMetrics",
    "DeadLetterPublishError",
    "Event",
    "Handler",
    "HandlingStalled",
    "IdempotentConsumer",
    "Outbox",
    "OutboxMessage",
    "OutboxRelay",
    "PayloadRegistry",
    "PoisonMessage",
    "ProcessedEvent",
    "Producer",
    "RelayMetrics",
    "RelayPublishError",
    "UnknownEventType",
    "UnknownTypePolicy",
    "create_messaging_tables",
    "decode",
    "encode",
    "idempotent_producer",
    "metadata",
    "outbox_table",
    "processed_event_table",
    "trace_context",
]
