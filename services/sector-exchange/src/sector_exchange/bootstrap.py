"""The composition root: builds engine, keys, signer, verifier and servicer at start-up; nothing at import."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import NullPool, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from neibao_identity import AuthInterceptor, JwksCache, TokenVerifier
from neibao_messaging import relay as messaging_relay
from neibao_runtime import configure_logging, stop_event_on_signals
from neibao_runtime import serve as run_grpc_server
from sector_exchange.adapters.db.partitions import SqlPartitionStore
from sector_exchange.adapters.db.personal_data import PersonalDataCipher
from sector_exchange.adapters.db.repositories import SqlMessageLog
from sector_exchange.adapters.db.unit_of_work import SqlUnitOfWork
from sector_exchange.adapters.early_warning_rules import load_rules
from sector_exchange.adapters.retention import load_retention
from sector_exchange.adapters.submitters import load_submitters
from sector_exchange.config import Settings
from sector_exchange.entrypoints.grpc_servicers import register
from sector_exchange.entrypoints.verifier import entry_to_json
from sector_exchange.service.handlers import Exchange
from sector_exchange.service.retention import RetentionReport, enforce_retention

log = logging.getLogger(__name__)

# services/sector-exchange/migrations, next to src/ (copied beside it in the container image).
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def exchange_for(engine: AsyncEngine, settings: Settings) -> Exchange:
    """The handlers' dependencies over an async engine."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    personal_data = PersonalDataCipher.from_keys(settings.privacy_keys())
    signer = settings.signer()
    return Exchange(
        unit_of_work=lambda: SqlUnitOfWork(
            sessions, personal_data, settings.events_topic, settings.records_topic
        ),
        submitters=load_submitters(settings.submitters_file),
        signer=signer,
        public_keys=signer.public_keys(),
        rules=load_rules(settings.early_warning_rules_file),
        hash_algorithm=settings.hash_algorithm,
        failing_rejection_rate=settings.failing_rejection_rate,
    )


@dataclass
class Application:
    """What the gRPC process runs on: the database engine, the realm's key cache and the token verifier."""

    engine: AsyncEngine
    http: httpx.AsyncClient
    verifier: TokenVerifier
    exchange: Exchange

    def register(self, server: grpc.aio.Server) -> Sequence[str]:
        """Add the exchange's services to a server (neibao_runtime's Register)."""
        return register(self.exchange)(server)

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
    load_retention(settings.retention_file)  # fail fast: identity data must be kept at least a year
    engine = create_async_engine(
        settings.database_url.get_secret_value(), pool_size=settings.database_pool_size, pool_pre_ping=True
    )
    http = httpx.AsyncClient(timeout=10)
    verifier = TokenVerifier(
        JwksCache(settings.issuer, http),
        audience=settings.token_audience,
        leeway=settings.token_leeway_seconds,
    )
    return Application(engine=engine, http=http, verifier=verifier, exchange=exchange_for(engine, settings))


async def serve(settings: Settings) -> None:
    """The gRPC server until SIGTERM (health, reflection, traces, metrics from neibao_runtime)."""
    app = build(settings)
    try:
        await run_grpc_server(settings, app.register, app.interceptors)
    finally:
        await app.close()


async def export_log(settings: Settings, after: int = 0) -> list[str]:
    """The message log as JSON lines (for the offline verifier), from sequence `after` + 1."""
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=1)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as session:
            entries = await SqlMessageLog(session).entries(after, limit=1_000_000)
    finally:
        await engine.dispose()
    return [entry_to_json(entry) for entry in entries]


def retention(settings: Settings, now: datetime | None = None) -> RetentionReport:
    """One run of the retention job on this service's database."""
    engine = create_engine(settings.database_url.get_secret_value(), poolclass=NullPool)
    try:
        return enforce_retention(
            load_retention(settings.retention_file), SqlPartitionStore(engine), now or datetime.now(UTC)
        )
    finally:
        engine.dispose()


def housekeeper(settings: Settings) -> int:
    """The retention job at start and then every `retention_interval_seconds` until SIGTERM (where no
    scheduler runs it: the local stack, compose; Kubernetes runs `retention` as a CronJob instead)."""
    configure_logging(settings.service_name, settings.log_level)
    stop = stop_event_on_signals()
    while not stop.is_set():
        try:
            report = retention(settings)
        except Exception:
            # Nothing half-done stays: each partition is made or dropped in its own statement.
            log.exception("the retention run failed; trying again in five minutes")
            stop.wait(300)
            continue
        log.info("retention: %s", dataclasses.asdict(report))
        stop.wait(settings.retention_interval_seconds)
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
