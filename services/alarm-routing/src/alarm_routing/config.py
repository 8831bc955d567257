"""The service's settings, from NEIBAO_ALARM_ROUTING_* (and stack-wide NEIBAO_KAFKA_/KEYCLOAK_/PII_ ones)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from alarm_routing.adapters.events import DEVICE_EVENTS_TOPIC, EXCHANGE_EVENTS_TOPIC, TOPIC, UNIT_EVENTS_TOPIC
from neibao_identity import GATEWAY_AUDIENCE
from neibao_privacy import PrivacyKeys
from neibao_runtime import ServiceSettings

PREFIX = "NEIBAO_ALARM_ROUTING_"


def _env(name: str) -> AliasChoices:
    """The service's own variable first, then the stack-wide one the local stack and charts set."""
    return AliasChoices(f"{PREFIX}{name}", f"NEIBAO_{name}")


class Settings(ServiceSettings):
    """Start-up settings of the alarm routing; no defaults for the database URL and servers' addresses."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        frozen=True,
        extra="forbid",
        validate_default=True,
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    service_name: str = "alarm-routing"
    # postgresql+psycopg://user:password@host:port/alarm_routing (also used by the relay and the consumer).
    database_url: SecretStr
    # Sized for the intake's concurrency (every in-flight alarm holds a connection until its commit): a
    # request never waits for, nor opens, a connection under the benchmark's load of 200 alarms/s.
    database_pool_size: int = Field(default=20, ge=1, le=100)
    database_max_overflow: int = Field(default=10, ge=0, le=100)
    # Connections are replaced after this many seconds instead of being pinged before every use.
    database_pool_recycle_seconds: int = Field(default=1800, ge=60, le=86_400)
    kafka_bootstrap: str = Field(min_length=1, validation_alias=_env("KAFKA_BOOTSTRAP"))
    keycloak_url: str = Field(min_length=1, validation_alias=_env("KEYCLOAK_URL"))
    keycloak_realm: str = Field(default="neibao", min_length=1, validation_alias=_env("KEYCLOAK_REALM"))
    token_audience: str = GATEWAY_AUDIENCE
    token_leeway_seconds: int = Field(default=30, ge=0, le=60)
    # The stream this service publishes to, and the one it reads (tests point them at fresh topics).
    events_topic: str = Field(default=TOPIC, min_length=1)
    unit_events_topic: str = Field(default=UNIT_EVENTS_TOPIC, min_length=1)
    device_events_topic: str = Field(default=DEVICE_EVENTS_TOPIC, min_length=1)
    exchange_events_topic: str = Field(default=EXCHANGE_EVENTS_TOPIC, min_length=1)
    # One group reads the three streams (the unit read model, device_fault and early_warning intake).
    unit_events_group: str = Field(default="alarm-routing.units", min_length=1)
    # Another routing rules file than the packaged one (a reviewed deployment-specific version).
    routing_rules_path: Path | None = None
    # Seconds between the outbox relay's polls when idle: it wakes on the outbox's NOTIFY at each commit, so
    # polling is only the fallback for a missed notification.
    relay_poll_seconds: float = Field(default=1.0, gt=0, le=5)
    # How often the escalator looks for due timers, and how many it takes per transaction.
    escalation_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    escalation_batch: int = Field(default=100, ge=1, le=10_000)
    # Personal-data keys (neibao_privacy.PrivacyKeys), stack-wide names: the unit's responsible persons'
    # phones are sealed at rest in the read model and indexed blindly. No defaults.
    pii_keys: SecretStr = Field(validation_alias=_env("PII_KEYS"))
    pii_active_key: str = Field(min_length=1, validation_alias=_env("PII_ACTIVE_KEY"))
    pii_index_key: SecretStr = Field(validation_alias=_env("PII_INDEX_KEY"))

    @field_validator("keycloak_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _valid_privacy_keys(self) -> Settings:
        self.privacy_keys()  # fail fast on a malformed keyring
        return self

    def privacy_keys(self) -> PrivacyKeys:
        """The validated key material."""
        return PrivacyKeys.model_validate(
            {
                "keys": self.pii_keys.get_secret_value(),
                "active_key": self.pii_active_key,
                "index_key": self.pii_index_key.get_secret_value(),
            }
        )

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, exactly as the tokens carry it."""
        return f"{self.keycloak_url}/realms/{self.keycloak_realm}"
