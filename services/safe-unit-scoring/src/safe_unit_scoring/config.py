"""The service's settings, from NEIBAO_SAFE_UNIT_SCORING_* (and stack-wide NEIBAO_KAFKA_/KEYCLOAK_ ones)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from neibao_identity import GATEWAY_AUDIENCE
from neibao_runtime import ServiceSettings
from safe_unit_scoring.adapters.events import (
    ALARM_EVENTS_TOPIC,
    DEVICE_EVENTS_TOPIC,
    TOPIC,
    UNIT_EVENTS_TOPIC,
)

PREFIX = "NEIBAO_SAFE_UNIT_SCORING_"


def _env(name: str) -> AliasChoices:
    """The service's own variable first, then the stack-wide one the local stack and charts set."""
    return AliasChoices(f"{PREFIX}{name}", f"NEIBAO_{name}")


class Settings(ServiceSettings):
    """Start-up settings of the scoring; no defaults for the database URL and servers' addresses."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        frozen=True,
        extra="forbid",
        validate_default=True,
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    service_name: str = "safe-unit-scoring"
    # postgresql+psycopg://user:password@host:port/safe_unit_scoring (also used by the relay and consumer).
    database_url: SecretStr
    database_pool_size: int = Field(default=10, ge=1, le=100)
    kafka_bootstrap: str = Field(min_length=1, validation_alias=_env("KAFKA_BOOTSTRAP"))
    keycloak_url: str = Field(min_length=1, validation_alias=_env("KEYCLOAK_URL"))
    keycloak_realm: str = Field(default="neibao", min_length=1, validation_alias=_env("KEYCLOAK_REALM"))
    token_audience: str = GATEWAY_AUDIENCE
    token_leeway_seconds: int = Field(default=30, ge=0, le=60)
    # The stream this service publishes to, and those its facts come from (tests point them at fresh topics).
    events_topic: str = Field(default=TOPIC, min_length=1)
    unit_events_topic: str = Field(default=UNIT_EVENTS_TOPIC, min_length=1)
    device_events_topic: str = Field(default=DEVICE_EVENTS_TOPIC, min_length=1)
    alarm_events_topic: str = Field(default=ALARM_EVENTS_TOPIC, min_length=1)
    facts_group: str = Field(default="safe-unit-scoring.facts", min_length=1)
    # Another indicator model than the packaged one (a reviewed version).
    indicator_model_file: Path | None = None
    # Seconds between the outbox relay's polls when idle (it wakes on the outbox's NOTIFY at each commit).
    relay_poll_seconds: float = Field(default=1.0, gt=0, le=5)
    # 联合创建: a review is due this many days after submission; "due soon" is announced this many before.
    review_days: int = Field(default=15, ge=1, le=365)
    review_reminder_days: int = Field(default=3, ge=0, le=365)
    # The reminder sweep: seconds between passes, and reminders per transaction.
    sweep_poll_seconds: float = Field(default=60.0, gt=0, le=3600)
    sweep_batch: int = Field(default=100, ge=1, le=10_000)

    @field_validator("keycloak_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, exactly as the tokens carry it."""
        return f"{self.keycloak_url}/realms/{self.keycloak_realm}"

    def topics(self) -> list[str]:
        """The streams the facts come from."""
        return [self.unit_events_topic, self.device_events_topic, self.alarm_events_topic]
