"""Publishing audit records to Kafka and waiting for the broker's acknowledgement, off the event loop.

kafka-python is synchronous: its producer is built and fed on one dedicated thread (its own network
thread then does the I/O) and acknowledgements come back to the loop through callbacks, so many
requests can wait for their audit concurrently while the loop never blocks.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, cast

from gateway.service.audit import AuditNotRecorded
from neibao_messaging import idempotent_producer
from neibao_messaging.envelope import KafkaHeaders

logger = logging.getLogger(__name__)


class _AckFuture(Protocol):
    """kafka-python's FutureRecordMetadata, as far as it is used here."""

    def add_callback(self, fn: Callable[..., Any], *args: Any) -> Any: ...

    def add_errback(self, fn: Callable[..., Any], *args: Any) -> Any: ...


class _KafkaProducer(Protocol):
    def send(
        self,
        topic: str,
        value: bytes | None = None,
        key: bytes | None = None,
        headers: KafkaHeaders | None = None,
    ) -> _AckFuture: ...

    def close(self, timeout: float | None = None) -> None: ...


ProducerFactory = Callable[[], _KafkaProducer]


def kafka_producer_factory(bootstrap: str, timeout: float, client_id: str) -> ProducerFactory:
    """Builds the idempotent producer (acks=all) with every blocking step bounded by `timeout`."""
    timeout_ms = max(1, int(timeout * 1000))

    def build() -> _KafkaProducer:
        producer = idempotent_producer(
            bootstrap,
            client_id=client_id,
            linger_ms=1,  # an audit waits for its acknowledgement: do not hold it back to batch
            bootstrap_timeout_ms=timeout_ms,
            max_block_ms=timeout_ms,
            request_timeout_ms=timeout_ms,
            delivery_timeout_ms=timeout_ms + 1 + 1000,  # must exceed linger + request timeout
        )
        return cast(_KafkaProducer, producer)

    return build


class KafkaAuditPublisher:
    """Sends records and resolves when the broker acknowledged them; raises AuditNotRecorded otherwise."""

    def __init__(self, producer_factory: ProducerFactory, *, timeout: float, retry_build_after: float = 1.0):
        self._factory = producer_factory
        self._timeout = timeout
        self._retry_build_after = retry_build_after
        self._producer: _KafkaProducer | None = None
        self._build_failed_at: float | None = None
        self._lock = threading.Lock()
        # One thread: builds the producer and appends records (send() only blocks on metadata).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gateway-audit")

    def start(self) -> None:
        """Start connecting in the background, so the first audited request does not pay for it."""
        self._executor.submit(self._try_build)

    async def publish(self, topic: str, key: bytes, value: bytes, headers: KafkaHeaders) -> None:
        """Send one record and wait (bounded) for its acknowledgement."""
        loop = asyncio.get_running_loop()
        acknowledged: asyncio.Future[None] = loop.create_future()

        def settle(error: BaseException | None) -> None:
            if not acknowledged.done():
                if error is None:
                    acknowledged.set_result(None)
                else:
                    acknowledged.set_exception(AuditNotRecorded(repr(error)))

        def send() -> None:
            future = self._producer_or_raise().send(topic, value=value, key=key, headers=headers)
            future.add_callback(lambda _metadata: loop.call_soon_threadsafe(settle, None))
            future.add_errback(lambda error: loop.call_soon_threadsafe(settle, error))

        try:
            async with asyncio.timeout(self._timeout):
                await loop.run_in_executor(self._executor, send)
                await acknowledged
        except TimeoutError as exc:
            raise AuditNotRecorded(f"no acknowledgement within {self._timeout} s") from exc
        except AuditNotRecorded:
            raise
        except Exception as exc:  # kafka-python raises a family of errors while connecting or sending
            raise AuditNotRecorded(repr(exc)) from exc

    def close(self, timeout: float = 5.0) -> None:
        """Flush what is in flight and close the producer and its thread."""
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._producer is not None:
            self._producer.close(timeout=timeout)
            self._producer = None

    def _try_build(self) -> None:
        try:
            self._producer_or_raise()
        except Exception as exc:
            logger.warning("the audit producer could not connect yet: %r", exc)

    def _producer_or_raise(self) -> _KafkaProducer:
        # Runs on the audit thread only; the lock guards against close() from another thread.
        with self._lock:
            if self._producer is not None:
                return self._producer
            now = time.monotonic()
            if self._build_failed_at is not None and now - self._build_failed_at < self._retry_build_after:
                raise AuditNotRecorded("the audit producer is not connected (retrying shortly)")
            try:
                self._producer = self._factory()
            except Exception:
                self._build_failed_at = time.monotonic()
                raise
            self._build_failed_at = None
            return self._producer
