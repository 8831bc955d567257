"""The outbox relay as a process: `python -m neibao_messaging.relay --db-url ... --bootstrap ...`.

Settings come from the command line, else from NEIBAO_RELAY_* variables (NEIBAO_RELAY_DB_URL,
NEIBAO_RELAY_KAFKA_BOOTSTRAP, ...). SIGTERM or SIGINT finishes the current batch, flushes and exits 0.
Logs are JSON lines on stdout; spans go to NEIBAO_RELAY_OTLP_ENDPOINT when it is set.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import timedelta
from functools import partial
from types import FrameType

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import create_engine

from neibao_runtime import configure_logging, configure_telemetry
from neibao_runtime.settings import LogLevel

from .outbox import OutboxRelay
from .producer import idempotent_producer

log = logging.getLogger("neibao_messaging.relay")


class RelaySettings(BaseSettings):
    """The relay's settings; the database URL and the bootstrap servers have no defaults."""

    model_config = SettingsConfigDict(env_prefix="NEIBAO_RELAY_", extra="forbid")

    db_url: SecretStr
    kafka_bootstrap: str = Field(min_length=1)
    batch_size: int = Field(default=100, ge=1)
    poll_interval: float = Field(default=0.5, gt=0)
    # Wake on the outbox's NOTIFY (the poll interval is then only the fallback), lingering this long.
    listen: bool = True
    linger: float = Field(default=0.02, ge=0, le=1)
    send_timeout: float = Field(default=30.0, gt=0)
    retention_hours: float | None = Field(default=168.0, gt=0)
    client_id: str = "neibao-outbox-relay"
    service_name: str = "outbox-relay"
    log_level: LogLevel = "INFO"
    # OTLP gRPC collector, e.g. http://otel-collector:4317; unset means spans are not exported.
    otlp_endpoint: str | None = None


def parse_settings(argv: Sequence[str] | None = None) -> RelaySettings:
    """Settings from `argv` over the environment; exits with status 2 and a message when invalid."""
    parser = argparse.ArgumentParser(prog="python -m neibao_messaging.relay", description=__doc__)
    parser.add_argument("--db-url", dest="db_url", help="SQLAlchemy URL of the service's database")
    parser.add_argument("--bootstrap", dest="kafka_bootstrap", help="Kafka bootstrap servers, host:port,...")
    parser.add_argument("--batch-size", dest="batch_size", type=int)
    parser.add_argument(
        "--poll-interval", dest="poll_interval", type=float, help="seconds between idle polls"
    )
    parser.add_argument(
        "--listen",
        dest="listen",
        action=argparse.BooleanOptionalAction,
        help="wake on the outbox's NOTIFY, polling only as a fallback (default: yes)",
    )
    parser.add_argument(
        "--linger", dest="linger", type=float, help="seconds to gather commits after a wake-up"
    )
    parser.add_argument("--send-timeout", dest="send_timeout", type=float, help="seconds to wait for acks")
    parser.add_argument("--retention-hours", dest="retention_hours", type=float)
    parser.add_argument("--client-id", dest="client_id")
    parser.add_argument("--service-name", dest="service_name", help="names the logs and spans")
    parser.add_argument("--log-level", dest="log_level", type=str.upper)
    parser.add_argument("--otlp-endpoint", dest="otlp_endpoint")
    given = {name: value for name, value in vars(parser.parse_args(argv)).items() if value is not None}
    try:
        return RelaySettings(**given)
    except ValidationError as exc:
        parser.error(f"invalid settings (flags or NEIBAO_RELAY_* variables):\n{exc}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the relay until SIGTERM or SIGINT; the exit status."""
    settings = parse_settings(argv)
    configure_logging(settings.service_name, settings.log_level)
    tracer_provider = configure_telemetry(settings.service_name, settings.otlp_endpoint or None)
    stop = threading.Event()
    received: list[signal.Signals] = []

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        # Only flag it: the batch in flight finishes, then run_forever returns.
        received.append(signal.Signals(signum))
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    engine = create_engine(settings.db_url.get_secret_value(), pool_pre_ping=True)
    relay = OutboxRelay(
        engine,
        partial(idempotent_producer, settings.kafka_bootstrap, client_id=settings.client_id),
        batch_size=settings.batch_size,
        poll_interval=settings.poll_interval,
        send_timeout=settings.send_timeout,
        listen=settings.listen,
        linger=settings.linger,
        retention=timedelta(hours=settings.retention_hours) if settings.retention_hours else None,
        tracer_provider=tracer_provider,
    )
    log.info(
        "outbox relay started (batch size %d, %s, polling every %.2f s)",
        settings.batch_size,
        "woken by NOTIFY" if settings.listen else "not listening",
        settings.poll_interval,
    )
    try:
        relay.run_forever(stop)
    finally:
        engine.dispose()
        tracer_provider.shutdown()  # exports the spans still buffered
    log.info("outbox relay stopped on %s", received[0].name if received else "request")
    return 0


if __name__ == "__main__":
    sys.exit(main())
