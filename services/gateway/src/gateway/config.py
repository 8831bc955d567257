"""The gateway's settings: one typed Settings, from the environment (prefix NEIBAO_GATEWAY_), failing fast."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

from limits import parse_many
from pydantic import AliasChoices, AnyHttpUrl, Field, field_validator
from pydantic_settings import SettingsConfigDict

from neibao_runtime import ServiceSettings
from neibao_runtime.settings import ALL_INTERFACES


class Settings(ServiceSettings):
    """Start-up settings of the gateway.

    The platform-wide addresses are read under their stack-wide names too (NEIBAO_KEYCLOAK_URL,
    NEIBAO_KEYCLOAK_REALM, NEIBAO_KAFKA_BOOTSTRAP), as the local stack and the chart set them.
    """

    model_config = SettingsConfigDict(env_prefix="NEIBAO_GATEWAY_", populate_by_name=True)

    service_name: str = "gateway"
    # Prometheus scrape port (not the public port); 0 turns the endpoint off.
    metrics_port: int = Field(default=9480, ge=0, le=65535)

    http_host: str = ALL_INTERFACES
    http_port: int = Field(default=8080, ge=0, le=65535)
    # Loopback and the pod network's proxies whose X-Forwarded-For/-Proto are believed ("*" for all).
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])

    keycloak_url: AnyHttpUrl = Field(
        validation_alias=AliasChoices("NEIBAO_GATEWAY_KEYCLOAK_URL", "NEIBAO_KEYCLOAK_URL")
    )
    keycloak_realm: str = Field(
        default="neibao",
        validation_alias=AliasChoices("NEIBAO_GATEWAY_KEYCLOAK_REALM", "NEIBAO_KEYCLOAK_REALM"),
    )
    audience: str = "neibao-gateway"
    token_leeway_seconds: int = Field(default=30, ge=0, le=60)
    jwks_ttl_seconds: float = Field(default=300.0, gt=0)
    jwks_refetch_cooldown_seconds: float = Field(default=30.0, gt=0)

    kafka_bootstrap: str = Field(
        validation_alias=AliasChoices("NEIBAO_GATEWAY_KAFKA_BOOTSTRAP", "NEIBAO_KAFKA_BOOTSTRAP")
    )

    # gRPC services the gateway calls, by name: {"unit-registry": "unit-registry:50051"}.
    upstreams: dict[str, str] = Field(default_factory=dict)
    upstream_deadline_seconds: float = Field(default=3.0, gt=0, le=60)
    health_check_timeout_seconds: float = Field(default=1.0, gt=0, le=10)

    max_body_bytes: int = Field(default=1024 * 1024, ge=0)
    default_page_size: int = Field(default=50, ge=1)
    max_page_size: int = Field(default=200, ge=1)

    # `limits` storage URI: in-memory per replica; "async+redis://redis:6379" shares the windows.
    rate_limit_storage_uri: str = "async+memory://"
    rate_limit_person: str = "50/second;1200/minute"
    rate_limit_machine: str = "200/second;6000/minute"

    # Origins of the console when it is served from another origin than the gateway (CORS).
    cors_origins: list[str] = Field(default_factory=list)
    hsts_max_age_seconds: int = Field(default=31_536_000, ge=0)

    audit_topic: str = "neibao.audit.events.v1"
    audit_timeout_seconds: float = Field(default=5.0, gt=0, le=60)

    unit_events_topic: str = "neibao.unit-registry.events.v1"
    alarm_events_topic: str = "neibao.alarm-routing.events.v1"
    live_buffer_size: int = Field(default=10_000, ge=1)
    # Notifications within this many seconds wake a live stream's readers once (one write per reader).
    live_linger_seconds: float = Field(default=0.01, ge=0, le=0.25)
    sse_heartbeat_seconds: float = Field(default=15.0, gt=0)
    # Each gateway replica reads the live topics in a group of its own (latest offsets at start).
    instance_id: str = Field(default_factory=socket.gethostname)

    # The console's built files (services/console/dist), served at / when the folder exists.
    console_dir: Path = Path("services/console/dist")

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, exactly as its tokens carry it."""
        return f"{str(self.keycloak_url).rstrip('/')}/realms/{self.keycloak_realm}"

    @property
    def keycloak_origin(self) -> str:
        """scheme://host[:port] of Keycloak, for the console's CSP."""
        url = self.keycloak_url
        default_port = {"http": 80, "https": 443}.get(url.scheme)
        port = "" if url.port in (None, default_port) else f":{url.port}"
        return f"{url.scheme}://{url.host}{port}"

    @field_validator("rate_limit_person", "rate_limit_machine")
    @classmethod
    def _rate_limits_parse(cls, value: str) -> str:
        parse_many(value)  # raises ValueError on a malformed limit string
        return value

    @field_validator("max_page_size")
    @classmethod
    def _cap_not_below_default(cls, value: int, info: Any) -> int:
        default = info.data.get("default_page_size")
        if default is not None and value < default:
            raise ValueError("max_page_size must not be below default_page_size")
        return value
