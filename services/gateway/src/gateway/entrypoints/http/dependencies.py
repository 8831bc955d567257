"""What the composition root builds and routes use: one container, reached through FastAPI dependencies."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends, Request
from opentelemetry.trace import TracerProvider

from gateway.adapters.kafka_audit import KafkaAuditPublisher
from gateway.adapters.kafka_feed import KafkaLiveFeed
from gateway.adapters.rate_limit import PrincipalRateLimiter
from gateway.adapters.upstream import Upstreams
from gateway.config import Settings
from gateway.service.audit import AuditTrail
from gateway.service.live import LiveStream
from neibao_identity import JwksCache, JwksUnavailable, VerifiedTokenCache

logger = logging.getLogger(__name__)


@dataclass
class GatewayDependencies:
    """The gateway's long-lived parts; `start()` in the app's lifespan, `close()` at its end."""

    settings: Settings
    http: httpx.AsyncClient
    jwks: JwksCache
    verifier: VerifiedTokenCache
    upstreams: Upstreams
    rate_limiter: PrincipalRateLimiter
    audit_publisher: KafkaAuditPublisher
    audit: AuditTrail
    live_streams: dict[str, LiveStream] = field(default_factory=dict)
    live_feeds: dict[str, KafkaLiveFeed] = field(default_factory=dict)
    tracer_provider: TracerProvider | None = None

    async def start(self) -> None:
        """Fetch the signing keys, connect the audit producer, start the live feeds (none of it fatal)."""
        try:
            await self.jwks.refresh()
        except JwksUnavailable as exc:
            logger.warning("signing keys not fetched at start-up (not ready until they are): %s", exc)
        self.audit_publisher.start()
        loop = asyncio.get_running_loop()
        for name, stream in self.live_streams.items():
            stream.attach(loop)
            feed = self.live_feeds.get(name)
            if feed is not None:
                feed.start()

    async def close(self) -> None:
        """Stop the feeds, flush and close the producer, close channels and the HTTP client."""
        for feed in self.live_feeds.values():
            await asyncio.to_thread(feed.stop, 2.0)
        await asyncio.to_thread(self.audit_publisher.close)
        await self.upstreams.close()
        await self.http.aclose()


def gateway_dependencies(request: Request) -> GatewayDependencies:
    """The container of the app serving `request`."""
    dependencies: GatewayDependencies = request.app.state.gateway
    return dependencies


# The dependencies below are coroutines: FastAPI runs a plain `def` dependency in a worker thread, a
# hop per request for a mere attribute read.


async def all_dependencies(request: Request) -> GatewayDependencies:
    """The container (for routes that need several parts)."""
    return gateway_dependencies(request)


async def audit_trail(request: Request) -> AuditTrail:
    """The audit trail (for routes returning personal data)."""
    return gateway_dependencies(request).audit


async def upstreams(request: Request) -> Upstreams:
    """The gRPC upstreams (for routes calling services)."""
    return gateway_dependencies(request).upstreams


Dependencies = Annotated[GatewayDependencies, Depends(all_dependencies)]
Audit = Annotated[AuditTrail, Depends(audit_trail)]
Services = Annotated[Upstreams, Depends(upstreams)]
