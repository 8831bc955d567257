"""The composition root: builds the gateway's parts from Settings; nothing connects at import time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx
import uvicorn
from opentelemetry.trace import TracerProvider

from gateway.adapters.kafka_audit import KafkaAuditPublisher, kafka_producer_factory
from gateway.adapters.kafka_feed import KafkaLiveFeed
from gateway.adapters.rate_limit import PrincipalRateLimiter
from gateway.adapters.upstream import Upstreams
from gateway.config import Settings
from gateway.domain.live import EventBuffer
from gateway.entrypoints.http.alarm_schemas import alarm_event_document
from gateway.entrypoints.http.app import create_app
from gateway.entrypoints.http.dependencies import GatewayDependencies
from gateway.entrypoints.http.routes.alarms import ALARM_EVENT_PAYLOADS, ALARMS_STREAM
from gateway.entrypoints.http.routes.units import UNITS_STREAM
from gateway.service.audit import AuditTrail
from gateway.service.live import LiveStream
from neibao_identity import JwksCache, TokenVerifier, VerifiedTokenCache
from neibao_runtime import configure_logging, configure_telemetry, get_logger, start_metrics_server

_log = get_logger(__name__)


def build_dependencies(
    settings: Settings,
    *,
    tracer_provider: TracerProvider | None = None,
    clock: Callable[[], float] = time.time,
) -> GatewayDependencies:
    """Every long-lived part, wired but not started (the app's lifespan starts them)."""
    http = httpx.AsyncClient(timeout=5.0, follow_redirects=False)
    jwks = JwksCache(
        settings.issuer,
        http,
        ttl=settings.jwks_ttl_seconds,
        refetch_cooldown=settings.jwks_refetch_cooldown_seconds,
    )
    verifier = VerifiedTokenCache(
        TokenVerifier(jwks, audience=settings.audience, leeway=settings.token_leeway_seconds, clock=clock),
        max_age=settings.jwks_refetch_cooldown_seconds,
        clock=clock,
    )
    publisher = KafkaAuditPublisher(
        kafka_producer_factory(
            settings.kafka_bootstrap,
            settings.audit_timeout_seconds,
            f"neibao-gateway-audit-{settings.instance_id}",
        ),
        timeout=settings.audit_timeout_seconds,
    )
    units = LiveStream(UNITS_STREAM, EventBuffer(settings.live_buffer_size), settings.live_linger_seconds)
    units_feed = KafkaLiveFeed(
        settings.kafka_bootstrap,
        settings.unit_events_topic,
        units.buffer,
        group_id=KafkaLiveFeed.group_for("neibao-gateway-live", settings.instance_id),
        on_new=units.notify_threadsafe,
    )
    alarms = LiveStream(ALARMS_STREAM, EventBuffer(settings.live_buffer_size), settings.live_linger_seconds)
    alarms_feed = KafkaLiveFeed(
        settings.kafka_bootstrap,
        settings.alarm_events_topic,
        alarms.buffer,
        group_id=KafkaLiveFeed.group_for("neibao-gateway-live-alarms", settings.instance_id),
        on_new=alarms.notify_threadsafe,
        registry=ALARM_EVENT_PAYLOADS,
        render=alarm_event_document,
    )
    return GatewayDependencies(
        settings=settings,
        http=http,
        jwks=jwks,
        verifier=verifier,
        upstreams=Upstreams(
            settings.upstreams,
            deadline=settings.upstream_deadline_seconds,
            health_timeout=settings.health_check_timeout_seconds,
            tracer_provider=tracer_provider,
        ),
        rate_limiter=PrincipalRateLimiter(
            settings.rate_limit_storage_uri,
            person=settings.rate_limit_person,
            machine=settings.rate_limit_machine,
        ),
        audit_publisher=publisher,
        audit=AuditTrail(publisher, settings.audit_topic, service=settings.service_name),
        live_streams={UNITS_STREAM: units, ALARMS_STREAM: alarms},
        live_feeds={UNITS_STREAM: units_feed, ALARMS_STREAM: alarms_feed},
        tracer_provider=tracer_provider,
    )


def serve(settings: Settings) -> None:
    """Run the gateway under uvicorn (uvloop, httptools) until SIGTERM/SIGINT, then drain."""
    configure_logging(settings.service_name, settings.log_level)
    # kafka-python narrates every connection at INFO; its warnings and errors are what operators need.
    logging.getLogger("kafka").setLevel(max(logging.WARNING, logging.getLogger().level))
    provider = configure_telemetry(
        settings.service_name, str(settings.otlp_endpoint) if settings.otlp_endpoint else None
    )
    metrics = (
        start_metrics_server(settings.metrics_port, host=settings.metrics_host)
        if settings.metrics_port
        else None
    )
    app = create_app(settings, build_dependencies(settings, tracer_provider=provider))
    _log.info("gateway starting", port=settings.http_port, upstreams=sorted(settings.upstreams))
    try:
        uvicorn.run(
            app,
            host=settings.http_host,
            port=settings.http_port,
            loop="uvloop",
            http="httptools",
            # The app applies X-Forwarded-* itself (trusted proxies only), so tests see the same.
            proxy_headers=False,
            access_log=False,  # the app logs each request with its request id
            log_config=None,  # keep the JSON logging configured above
            server_header=False,
            timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        )
    finally:
        if metrics is not None:
            metrics.stop()
        provider.shutdown()
    _log.info("gateway stopped")
