"""The settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import AnyHttpUrl, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_SERVICE_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# Containers must listen on the pod's address, not only on loopback.
ALL_INTERFACES = "0.0.0.0"  # noqa: S104


class ServiceSettings(BaseSettings):
    """Start-up settings of a service, from the environment; a bad value stops the start.

    A service subclasses it, sets `service_name`'s default and its own prefix::

        class Settings(ServiceSettings):
            model_config = SettingsConfigDict(env_prefix="NEIBAO_UNIT_REGISTRY_")
            service_name: str = "unit-registry"
    """

    model_config = SettingsConfigDict(
        env_prefix="NEIBAO_", frozen=True, extra="forbid", validate_default=True
    )

    service_name: str
    log_level: LogLevel = "INFO"
    grpc_host: str = ALL_INTERFACES
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    metrics_host: str = ALL_INTERFACES
    metrics_port: int = Field(default=9464, ge=0, le=65535)
    # OTLP gRPC collector, e.g. http://otel-collector:4317; unset means spans are not exported.
    otlp_endpoint: AnyHttpUrl | None = None
    shutdown_grace_seconds: float = Field(default=10.0, ge=0, le=300)

    # A validator, not Field(pattern=...): subclasses redeclare the field to give it a default,
    # which would drop a constraint declared on the field.
    @field_validator("service_name")
    @classmethod
    def _kebab_case_name(cls, value: str) -> str:
        if not _SERVICE_NAME.match(value):
            raise ValueError("service_name must be kebab-case: lower-case letters, digits and hyphens")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_case_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("otlp_endpoint", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        # Helm renders an unset value as an empty string.
        return None if isinstance(value, str) and not value.strip() else value
