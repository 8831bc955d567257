"""The service's settings, from NEIBAO_UNIT_REGISTRY_* (and the stack-wide NEIBAO_KAFKA_/KEYCLOAK_ ones)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from neibao_identity import GATEWAY_AUDIENCE
from neibao_runtime import ServiceSettings
from unit_registry.adapters.events import TOPIC

PREFIX = "NEIBAO_UNIT_REGISTRY_"


def _env(name: str) -> AliasChoices:
    """The service's own variable first, then the stack-wide one the local stack and charts set."""
    return AliasChoices(f"{PREFIX}{name}", f"NEIBAO_{name}")


class Settings(ServiceSettings):
    """Start-up settings of the unit registry; no defaults for the database URL and the servers' addresses."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, frozen=True, extra="forbid", validate_default=True, populate_by_name=True
    )

    service_name: str = "unit-registry"
    # postgresql+psycopg://user:password@host:port/unit_registry (also used by the relay, synchronously).
    database_url: SecretStr
    database_pool_size: int = Field(default=10, ge=1, le=100)
    kafka_bootstrap: str = Field(min_length=1, validation_alias=_env("KAFKA_BOOTSTRAP"))
    keycloak_url: str = Field(min_length=1, validation_alias=_env("KEYCLOAK_URL"))
    keycloak_realm: str = Field(default="neibao", min_length=1, validation_alias=_env("KEYCLOAK_REALM"))
    token_audience: str = GATEWAY_AUDIENCE
    # The stream this service publishes to (tests point it at a fresh topic).
    events_topic: str = Field(default=TOPIC, min_length=1)
    token_leeway_seconds: int = Field(default=30, ge=0, le=60)

    @field_validator("keycloak_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, exactly as the tokens carry it."""
        return f"{self.keycloak_url}/realms/{self.keycloak_realm}"
