"""The slice of a Kafka producer the relay and the dead-letter path use, and the idempotent default."""

from __future__ import annotations

from typing import Any, Protocol, cast

from kafka import KafkaProducer

from .envelope import KafkaHeaders


class RecordFuture(Protocol):
    """The outcome of one send: `get` returns the record's metadata or raises its error."""

    def get(self, timeout: float | None = None) -> object: ...


class Producer(Protocol):
    """kafka-python's KafkaProducer, as far as this library uses it."""

    def send(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        headers: KafkaHeaders | None = None,
    ) -> RecordFuture: ...

    def flush(self, timeout: float | None = None) -> None: ...

    def close(self, timeout: float | None = None) -> None: ...


def idempotent_producer(bootstrap: str, **config: Any) -> Producer:
    """A KafkaProducer with idempotence and acks=all made explicit; `config` adds kafka-python settings.

    Explicit settings make kafka-python refuse (rather than silently drop idempotence for) any
    conflicting override such as acks=1.
    """
    settings: dict[str, Any] = {"enable_idempotence": True, "acks": "all", "linger_ms": 5, **config}
    return cast(Producer, KafkaProducer(bootstrap_servers=bootstrap, **settings))
