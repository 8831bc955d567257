"""The composition root: builds engines, verifier, consumers and servicers at start-up; nothing at import."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from device_inventory.adapters.db.unit_of_work import SqlUnitOfWork
from device_inventory.adapters.rules import load_rules
from device_inventory.config import Settings
from device_inventory.demo import platform as demo
from device_inventory.demo.platform import FillReport
from device_inventory.entrypoints.consumers import HeartbeatConsumer, unit_events_consumer
from device_inventory.entrypoints.grpc_servicers import register
from device_inventory.service.handlers import Inventory
from device_inventory.service.sweep import SweepReport, forget_processed, sweep_once
from neibao_identity import AuthInterceptor, JwksCache, TokenVerifier
from neibao_messaging import idempotent_producer
from neibao_messaging import relay as messaging_relay
from neibao_runtime import configure_logging, configure_telemetry, stop_event_on_signals
from neibao_runtime import serve as run_grpc_server

log = logging.getLogger(__name__)

# services/device-inventory/migrations, next to src/ (copied beside it in the container image).
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def inventory_for(engine: AsyncEngine, settings: Settings) -> Inventory:
    """The handlers' dependencies over an async engine."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return Inventory(
        unit_of_work=lambda: SqlUnitOfWork(sessions, settings.events_topic),
        rules=load_rules(),
        intervals=settings.intervals,
    )


@dataclass
class Application:
    """What the gRPC process runs on: the database engine, the realm's key cache and the token verifier."""

    engine: AsyncEngine
    http: httpx.AsyncClient
    verifier: TokenVerifier
    inventory: Inventory

    def register(self, server: grpc.aio.Server) -> Sequence[str]:
        """Add the inventory's services to a server (neibao_runtime's Register)."""
        return register(self.inventory)(server)

    @property
    def interceptors(self) -> list[Any]:
        """Every call but health checks must carry a valid realm token."""
        return [AuthInterceptor(self.verifier)]

    async def close(self) -> None:
        """Release connections."""
        await self.http.aclose()
        await self.engine.dispose()


def build(settings: Settings) -> Application:
    """Wire the application from settings (call inside the running event loop)."""
    engine = create_async_engine(
        settings.database_url.get_secret_value(), pool_size=settings.database_pool_size, pool_pre_ping=True
    )
    http = httpx.AsyncClient(timeout=10)
    verifier = TokenVerifier(
        JwksCache(settings.issuer, http),
        audience=settings.token_audience,
        leeway=settings.token_leeway_seconds,
    )
    return Application(engine=engine, http=http, verifier=verifier, inventory=inventory_for(engine, settings))


async def serve(settings: Settings) -> None:
    """The gRPC server until SIGTERM (health, reflection, traces, metrics from neibao_runtime)."""
    app = build(settings)
    try:
        await run_grpc_server(settings, app.register, app.interceptors)
    finally:
        await app.close()


async def sweep(settings: Settings, *, once: bool = False) -> SweepReport:
    """The sweep every `sweep_interval_seconds` until SIGTERM (or once); the last report."""
    configure_logging(settings.service_name, settings.log_level)
    stop = stop_event_on_signals()
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=2)
    inventory = inventory_for(engine, settings)
    report = SweepReport(0, 0)
    retention = timedelta(hours=settings.processed_event_retention_hours)
    next_purge = time.monotonic()
    try:
        while True:
            report = await sweep_once(inventory)
            if report.offline or report.evaluated:
                log.info("sweep: %s", report.summary())
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + settings.processed_event_purge_interval_seconds
                if forgotten := await forget_processed(inventory, retention):
                    log.info(
                        "sweep: %d processed-event records older than %s forgotten", forgotten, retention
                    )
            if once or stop.wait(0) or await asyncio.to_thread(stop.wait, settings.sweep_interval_seconds):
                return report
    finally:
        await engine.dispose()


def consume(settings: Settings) -> int:
    """The unit-events and heartbeat consumers, each in its own thread, until SIGTERM."""
    configure_logging(settings.service_name, settings.log_level)
    configure_telemetry(f"{settings.service_name}-consumer", None)
    stop = stop_event_on_signals()
    url = settings.database_url.get_secret_value()
    engine = create_engine(url, pool_size=4, pool_pre_ping=True)
    producer = idempotent_producer(settings.kafka_bootstrap, client_id=f"{settings.service_name}-dlq")
    units = unit_events_consumer(
        engine, settings.kafka_bootstrap, settings.unit_events_group, settings.unit_events_topic, producer
    )
    heartbeats = HeartbeatConsumer(
        engine,
        settings.kafka_bootstrap,
        settings.heartbeats_group,
        settings.heartbeats_topic,
        events_topic=settings.events_topic,
        dlq_producer=producer,
        max_records=settings.heartbeat_batch_records,
        max_items=settings.heartbeat_batch_items,
    )
    failures: list[BaseException] = []

    def run(target: Any) -> None:
        try:
            target.run(stop)
        except BaseException as exc:
            log.exception("consumer stopped")
            failures.append(exc)
            stop.set()

    threads = [threading.Thread(target=run, args=(c,), name=type(c).__name__) for c in (units, heartbeats)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    producer.close(timeout=10)
    engine.dispose()
    return 1 if failures else 0


async def seed(settings: Settings) -> FillReport:
    """Switch the demo device platform on and equip the units already known (the `demo` process does
    the rest as units arrive)."""
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=2)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    units = devices = 0
    try:
        await demo.enable(sessions, demo.utcnow())
        while (report := await demo.fill(sessions, dict(settings.intervals), demo.utcnow())).units:
            units, devices = units + report.units, devices + report.devices
    finally:
        await engine.dispose()
    return FillReport(units, devices)


async def run_demo_platform(settings: Settings, *, once: bool = False) -> None:
    """The demo device platform until SIGTERM: equip arriving units, send due heartbeats through Kafka."""
    configure_logging(settings.service_name, settings.log_level)
    stop = stop_event_on_signals()
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=2)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    producer = idempotent_producer(settings.kafka_bootstrap, client_id=f"{settings.service_name}-demo")
    try:
        while not stop.is_set():
            if await demo.enabled(sessions):
                while (report := await demo.fill(sessions, dict(settings.intervals), demo.utcnow())).units:
                    log.info(report.summary())
                now = demo.utcnow()
                due = await demo.due_heartbeats(sessions, now)
                if due:
                    await asyncio.to_thread(
                        demo.publish, producer, settings.heartbeats_topic, demo.heartbeat_records(due, now)
                    )
            if once or await asyncio.to_thread(stop.wait, settings.demo_interval_seconds):
                return
    finally:
        producer.close(timeout=10)
        await engine.dispose()


def relay(settings: Settings) -> int:
    """The outbox relay (neibao_messaging) on this service's database until SIGTERM."""
    return messaging_relay.main(
        [
            "--db-url",
            settings.database_url.get_secret_value(),
            "--bootstrap",
            settings.kafka_bootstrap,
            "--service-name",
            f"{settings.service_name}-relay",
            "--client-id",
            f"{settings.service_name}-relay",
            "--log-level",
            settings.log_level,
        ]
    )


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration for this service's migrations against `database_url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not an option: ini interpolation would mangle a %-quoted password.
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Upgrade the database to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    """Downgrade the database to `revision` ("base" removes everything)."""
    command.downgrade(alembic_config(database_url), revision)
