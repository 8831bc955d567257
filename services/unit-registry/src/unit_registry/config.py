"""The service's settings, from NEIBAO_UNIT_REGISTRY_* (and stack-wide NEIBAO_KAFKA_/KEYCLOAK_/PII_ ones)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from neibao_identity import GATEWAY_AUDIENCE
from neibao_privacy import PrivacyKeys
from neibao_runtime import ServiceSettings
from unit_registry.adapters.events import TOPIC

PREFIX = "NEIBAO_UNIT_REGISTRY_"


def _env(name: str) -> AliasChoices:
    """The service's own variable first, then the stack-wide one the local stack and charts set."""
    return AliasChoices(f"{PREFIX}{name}", f"NEIBAO_{name}")


class Settings(ServiceSettings):
    """Start-up settings of the unit registry; no defaults for the database URL and the servers' addresses."""

    # hide_input_in_errors: a bad value must never print key material into a log.
    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        frozen=True,
        extra="forbid",
        validate_default=True,
        populate_by_name=True,
        hide_input_in_errors=True,
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
    # How often the `sweeper` process runs the overdue sweep (a Kubernetes CronJob runs `sweep` instead).
    sweep_interval_seconds: float = Field(default=300.0, gt=0, le=86_400)
    # Personal-data keys (see neibao_privacy.PrivacyKeys): the field-encryption keyring
    # "k1:<base64 of 32 bytes>,k2:...", the id of the key new ciphertexts use, and the blind-index key
    # (base64, at least 32 bytes). Stack-wide names, so every service indexes a resident ID the same way.
    # No defaults: the registry does not start without them.
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
        """The validated key material (never read from the environment a second time)."""
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
