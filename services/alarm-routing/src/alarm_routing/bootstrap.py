"""The composition root: builds engines, verifier, consumer, escalator and servicer at start-up; nothing at
import."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc
import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from alarm_routing.adapters.db.personal_data import PersonalDataCipher
from alarm_routing.adapters.db.read_model import DossierContextProjection
from alarm_routing.adapters.db.unit_of_work import SqlUnitOfWork
from alarm_routing.adapters.rules import load_policy
from alarm_routing.config import Settings
from alarm_routing.entrypoints.consumers import DeviceFaultIntake, EarlyWarningIntake, events_consumer
from alarm_routing.entrypoints.grpc_servicers import register
from alarm_routing.service.demo import seed_demo_alarms
from alarm_routing.service.handlers import AlarmRouting, Silences
from alarm_routing.service.replay import ReplayReport, replay_alarms
from neibao_identity import AuthInterceptor, JwksCache, TokenVerifier, VerifiedTokenCache
from neibao_messaging import idempotent_producer
from neibao_messaging import relay as messaging_relay
from neibao_runtime import configure_logging, configure_telemetry, stop_event_on_signals
from neibao_runtime import serve as run_grpc_server

log = logging.getLogger(__name__)

# services/alarm-routing/migrations, next to src/ (copied beside it in the container image).
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def routing_for(engine: AsyncEngine, settings: Settings) -> AlarmRouting:
    """The handlers' dependencies over an async engine."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    personal_data = PersonalDataCipher.from_keys(settings.privacy_keys())
    return AlarmRouting(
        unit_of_work=lambda: SqlUnitOfWork(sessions, personal_data, settings.events_topic),
        policy=load_policy(settings.routing_rules_path),
    )


@dataclass
class Application:
    """What the gRPC process runs on: the database engine, the realm's key cache and the token verifier."""

    engine: AsyncEngine
    http: httpx.AsyncClient
    verifier: VerifiedTokenCache
    routing: AlarmRouting
    silences: Silences

    def register(self, server: grpc.aio.Server) -> Sequence[str]:
        """Add the alarm and silence services to a server (neibao_runtime's Register)."""
        return register(self.routing, self.silences)(server)

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
    # No ping before each checkout (a round trip per request): connections are recycled instead, and one
    # found broken is invalidated by the failing request and replaced.
    engine = create_async_engine(
        settings.database_url.get_secret_value(),
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_recycle=settings.database_pool_recycle_seconds,
    )
    http = httpx.AsyncClient(timeout=10)
    # The gateway verified the same token a moment ago; remembering it spares the signature check.
    verifier = VerifiedTokenCache(
        TokenVerifier(
            JwksCache(settings.issuer, http),
            audience=settings.token_audience,
            leeway=settings.token_leeway_seconds,
        )
    )
    routing = routing_for(engine, settings)
    return Application(
        engine=engine,
        http=http,
        verifier=verifier,
        routing=routing,
        silences=Silences(routing.unit_of_work),
    )


async def serve(settings: Settings) -> None:
    """The gRPC server until SIGTERM (health, reflection, traces, metrics from neibao_runtime)."""
    app = build(settings)
    try:
        await run_grpc_server(settings, app.register, app.interceptors)
    finally:
        await app.close()


async def escalate(settings: Settings, *, once: bool = False) -> int:
    """Fire due escalation timers every `escalation_poll_seconds` until SIGTERM (or once); how many fired."""
    configure_logging(settings.service_name, settings.log_level)
    stop = stop_event_on_signals()
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=2, pool_pre_ping=True)
    routing = routing_for(engine, settings)
    total = 0
    try:
        while True:
            try:
                fired = await routing.escalate_due(settings.escalation_batch)
            except Exception:
                # Nothing was committed: the timers stay due and are tried again at the next poll.
                log.exception("escalation pass failed")
                fired = 0
            if fired:
                log.info("escalated %d alarms", fired)
            total += fired
            if fired == settings.escalation_batch:
                continue  # more may be due: no pause
            if once or stop.is_set() or await asyncio.to_thread(stop.wait, settings.escalation_poll_seconds):
                return total
    finally:
        await engine.dispose()


async def replay(settings: Settings, rules: Path | None, since: datetime, limit: int) -> ReplayReport:
    """Route the alarms since `since` again under `rules` (a proposed change) and report differences."""
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=2)
    try:
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        personal_data = PersonalDataCipher.from_keys(settings.privacy_keys())
        return await replay_alarms(
            lambda: SqlUnitOfWork(sessions, personal_data, settings.events_topic),
            load_policy(rules),
            since,
            limit,
        )
    finally:
        await engine.dispose()


async def seed(settings: Settings) -> list[str]:
    """The demo province's alarms (run after the services start: it waits for the unit read model)."""
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=2)
    try:
        return await seed_demo_alarms(routing_for(engine, settings))
    finally:
        await engine.dispose()


def consume(settings: Settings) -> int:
    """The consumer of unit events (read model), device events (device_fault alarms) and the exchange's
    warnings (early_warning alarms) until SIGTERM."""
    configure_logging(settings.service_name, settings.log_level)
    configure_telemetry(f"{settings.service_name}-consumer", None)
    stop = stop_event_on_signals()
    url = settings.database_url.get_secret_value()
    engine = create_engine(url, pool_size=2, pool_pre_ping=True)
    # The intake handler is async: it runs on this thread's own loop, one event at a time.
    loop = asyncio.new_event_loop()
    async_engine = create_async_engine(url, pool_size=2, pool_pre_ping=True)
    routing = routing_for(async_engine, settings)
    producer = idempotent_producer(settings.kafka_bootstrap, client_id=f"{settings.service_name}-dlq")
    consumer = events_consumer(
        engine,
        settings.kafka_bootstrap,
        settings.unit_events_group,
        [settings.unit_events_topic, settings.device_events_topic, settings.exchange_events_topic],
        producer,
        dossier_context=DossierContextProjection(PersonalDataCipher.from_keys(settings.privacy_keys())),
        device_faults=DeviceFaultIntake(routing, loop),
        early_warnings=EarlyWarningIntake(routing, loop),
    )
    try:
        consumer.run(stop)
    except Exception:
        log.exception("the events consumer stopped")
        return 1
    finally:
        producer.close(timeout=10)
        engine.dispose()
        loop.run_until_complete(async_engine.dispose())
        loop.close()
    return 0


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
            "--poll-interval",
            str(settings.relay_poll_seconds),
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
