"""The composition root: builds engines, model, verifier, consumer and servicer at start-up; nothing at
import."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from neibao_identity import AuthInterceptor, JwksCache, TokenVerifier, VerifiedTokenCache
from neibao_messaging import idempotent_producer
from neibao_messaging import relay as messaging_relay
from neibao_runtime import configure_logging, configure_telemetry, stop_event_on_signals
from neibao_runtime import serve as run_grpc_server
from safe_unit_scoring.adapters.db.assessments import SqlAssessmentStore
from safe_unit_scoring.adapters.db.recompute import recompute_period, unscored_units
from safe_unit_scoring.adapters.db.repositories import SqlScoreReader
from safe_unit_scoring.adapters.indicator_model import load_model
from safe_unit_scoring.config import Settings
from safe_unit_scoring.domain.assessments import ReviewDeadline
from safe_unit_scoring.domain.periods import CHINA, Period, china_day
from safe_unit_scoring.entrypoints.consumers import (
    FactsProjection,
    PendingRescoring,
    events_consumer,
    run_consumer,
)
from safe_unit_scoring.entrypoints.grpc_servicers import register
from safe_unit_scoring.service.assessments import Assessments
from safe_unit_scoring.service.queries import Scores
from safe_unit_scoring.service.recompute import RecomputeReport
from safe_unit_scoring.service.rescoring import Rescoring

log = logging.getLogger(__name__)

# services/safe-unit-scoring/migrations, next to src/ (copied beside it in the container image).
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def scores_for(engine: AsyncEngine) -> Scores:
    """The read handlers over an async engine."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return Scores(lambda: SqlScoreReader(sessions))


def assessments_for(engine: AsyncEngine, settings: Settings) -> Assessments:
    """The self-assessment handlers over an async engine, under the configured model and deadlines."""
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return Assessments(
        lambda: SqlAssessmentStore(sessions, settings.events_topic),
        load_model(settings.indicator_model_file),
        deadline=ReviewDeadline(settings.review_days, settings.review_reminder_days),
    )


@dataclass
class Application:
    """What the gRPC process runs on: the database engine, the realm's key cache and the token verifier."""

    engine: AsyncEngine
    http: httpx.AsyncClient
    verifier: VerifiedTokenCache
    scores: Scores
    assessments: Assessments

    def register(self, server: grpc.aio.Server) -> Sequence[str]:
        """Add the scoring service to a server (neibao_runtime's Register)."""
        return register(self.scores, self.assessments)(server)

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
    verifier = VerifiedTokenCache(
        TokenVerifier(
            JwksCache(settings.issuer, http),
            audience=settings.token_audience,
            leeway=settings.token_leeway_seconds,
        )
    )
    return Application(
        engine=engine,
        http=http,
        verifier=verifier,
        scores=scores_for(engine),
        assessments=assessments_for(engine, settings),
    )


async def serve(settings: Settings) -> None:
    """The gRPC server until SIGTERM (health, reflection, traces, metrics from neibao_runtime)."""
    app = build(settings)
    try:
        await run_grpc_server(settings, app.register, app.interceptors)
    finally:
        await app.close()


def projection_for(settings: Settings) -> FactsProjection:
    """The consumer's handler: facts in, the unit marked for rescoring."""
    return FactsProjection(Rescoring(load_model(settings.indicator_model_file)), settings.events_topic)


def rescoring_for(engine: Engine, settings: Settings) -> PendingRescoring:
    """The rescoring of marked units under the configured model."""
    return PendingRescoring(
        engine, Rescoring(load_model(settings.indicator_model_file)), settings.events_topic
    )


def consume(settings: Settings) -> int:
    """The consumer of the registry's, device inventory's and alarm routing's events until SIGTERM."""
    configure_logging(settings.service_name, settings.log_level)
    configure_telemetry(f"{settings.service_name}-consumer", None)
    stop = stop_event_on_signals()
    engine = create_engine(settings.database_url.get_secret_value(), pool_size=2, pool_pre_ping=True)
    producer = idempotent_producer(settings.kafka_bootstrap, client_id=f"{settings.service_name}-dlq")
    consumer = events_consumer(
        engine,
        settings.kafka_bootstrap,
        settings.facts_group,
        settings.topics(),
        producer,
        projection=projection_for(settings),
    )
    try:
        run_consumer(consumer, rescoring_for(engine, settings), stop)
    except Exception:
        log.exception("the facts consumer stopped")
        return 1
    finally:
        producer.close(timeout=10)
        engine.dispose()
    return 0


async def sweep(settings: Settings, *, once: bool = False) -> int:
    """Announce reviews due soon and overdue (each once) every `sweep_poll_seconds` until SIGTERM (or once);
    how many reminders went out."""
    configure_logging(settings.service_name, settings.log_level)
    stop = stop_event_on_signals()
    engine = create_async_engine(settings.database_url.get_secret_value(), pool_size=2, pool_pre_ping=True)
    assessments = assessments_for(engine, settings)
    total = 0
    try:
        while True:
            try:
                sent = await assessments.remind_due(settings.sweep_batch)
            except Exception:
                # Nothing was committed: the reminders stay due and are tried again at the next pass.
                log.exception("review reminder pass failed")
                sent = 0
            if sent:
                log.info("sent %d review reminders", sent)
            total += sent
            if sent == settings.sweep_batch:
                continue  # more may be due: no pause
            if once or stop.is_set() or await asyncio.to_thread(stop.wait, settings.sweep_poll_seconds):
                return total
    finally:
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


def _print_report(report: RecomputeReport) -> None:
    print(
        f"[recompute] {report.period} under model {report.model_version} as of {report.as_of}: "
        f"{report.units} units, {report.written} scores stored, {report.grade_changes} grade changes, "
        f"{report.seconds:.1f} s ({report.units / max(report.seconds, 1e-9):,.0f} units/s; "
        f"storing {report.merge_seconds:.1f} s)",
        flush=True,
    )


def recompute(
    settings: Settings,
    period: str | None,
    through: str | None,
    *,
    model_file: Path | None = None,
    workers: int = 2,
) -> int:
    """Recompute every open unit's score for a period (or a range, oldest first); prints each period's
    figures. Exit 2 for a bad period."""
    configure_logging(settings.service_name, settings.log_level)
    now = datetime.now(UTC)
    try:
        first = Period.parse(period) if period else Period.of(china_day(now))
        last = Period.parse(through) if through else first
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if last < first or Period.of(china_day(now)) < last:
        print(f"{first}..{last}: the range runs forwards, up to the running month at most", file=sys.stderr)
        return 2
    model = load_model(model_file or settings.indicator_model_file)
    engine = create_engine(settings.database_url.get_secret_value(), pool_size=2)
    try:
        current = first
        while current <= last:
            _print_report(
                recompute_period(
                    engine,
                    model,
                    current,
                    topic=settings.events_topic,
                    today=china_day(now),
                    workers=workers,
                    clock=lambda: datetime.now(UTC),
                )
            )
            current = current.next()
    finally:
        engine.dispose()
    return 0


def _until_next_month(now: datetime) -> float:
    """Seconds until five minutes past midnight of the next month's first day in Liaoning."""
    following = Period.of(china_day(now)).next()
    start = datetime(following.year, following.month, 1, 0, 5, tzinfo=CHINA)
    return max((start - now).total_seconds(), 1.0)


def rollover(settings: Settings, *, workers: int = 1) -> int:
    """The month's rollover until SIGTERM: whenever open units lack the running month's score (at start,
    and after midnight of each month's first day), every open unit is recomputed for it."""
    configure_logging(settings.service_name, settings.log_level)
    stop = stop_event_on_signals()
    model = load_model(settings.indicator_model_file)
    engine = create_engine(settings.database_url.get_secret_value(), pool_size=2, pool_pre_ping=True)
    try:
        while not stop.is_set():
            now = datetime.now(UTC)
            period = Period.of(china_day(now))
            try:
                if unscored_units(engine, period):
                    log.info("rolling over to %s", period)
                    _print_report(
                        recompute_period(
                            engine,
                            model,
                            period,
                            topic=settings.events_topic,
                            today=china_day(now),
                            workers=workers,
                            clock=lambda: datetime.now(UTC),
                        )
                    )
            except Exception:
                # Nothing was merged: the units stay unscored and the next pass (in a minute) tries again.
                log.exception("the rollover to %s failed", period)
                stop.wait(60)
                continue
            stop.wait(_until_next_month(datetime.now(UTC)))
    finally:
        engine.dispose()
    return 0
