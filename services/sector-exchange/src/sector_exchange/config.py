"""The service's settings, from NEIBAO_SECTOR_EXCHANGE_* (and stack-wide KAFKA_, KEYCLOAK_, PII_ ones)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from neibao_identity import GATEWAY_AUDIENCE
from neibao_privacy import PrivacyKeys
from neibao_runtime import ServiceSettings
from sector_exchange.adapters.events import RECORDS_TOPIC, TOPIC
from sector_exchange.adapters.signing import ReceiptSigner, parse_keyring
from sector_exchange.domain.health import FAILING_REJECTION_RATE

PREFIX = "NEIBAO_SECTOR_EXCHANGE_"


def _env(name: str) -> AliasChoices:
    """The service's own variable first, then the stack-wide one the local stack and charts set."""
    return AliasChoices(f"{PREFIX}{name}", f"NEIBAO_{name}")


class Settings(ServiceSettings):
    """Start-up settings of the exchange; no defaults for the database URL, servers and keys."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        frozen=True,
        extra="forbid",
        validate_default=True,
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    service_name: str = "sector-exchange"
    # postgresql+psycopg://user:password@host:port/sector_exchange (also used by the relay).
    database_url: SecretStr
    database_pool_size: int = Field(default=10, ge=1, le=100)
    kafka_bootstrap: str = Field(min_length=1, validation_alias=_env("KAFKA_BOOTSTRAP"))
    keycloak_url: str = Field(min_length=1, validation_alias=_env("KEYCLOAK_URL"))
    keycloak_realm: str = Field(default="neibao", min_length=1, validation_alias=_env("KEYCLOAK_REALM"))
    token_audience: str = GATEWAY_AUDIENCE
    token_leeway_seconds: int = Field(default=30, ge=0, le=60)
    # The stream this service publishes to (tests point it at a fresh topic).
    events_topic: str = Field(default=TOPIC, min_length=1)
    # The stream of accepted records, every dataset (the CloudEvents type names the dataset).
    records_topic: str = Field(default=RECORDS_TOPIC, min_length=1)
    # The submitters' registration (a YAML like the packaged submitters.yaml; the packaged one if unset).
    submitters_file: Path | None = None
    # The early-warning rules (a YAML like the packaged early_warning_rules.yaml; the packaged one if unset).
    early_warning_rules_file: Path | None = None
    # Days each dataset is kept (a YAML like the packaged retention.yaml; the packaged one if unset).
    retention_file: Path | None = None
    # The housekeeper's pause between retention runs (daily; it also runs at start).
    retention_interval_seconds: float = Field(default=86_400.0, ge=60, le=7 * 86_400)
    # Personal-data keys, stack-wide names (see neibao_privacy.PrivacyKeys): every service indexes a
    # resident ID the same way. No defaults: the exchange does not start without them.
    pii_keys: SecretStr = Field(validation_alias=_env("PII_KEYS"))
    pii_active_key: str = Field(min_length=1, validation_alias=_env("PII_ACTIVE_KEY"))
    pii_index_key: SecretStr = Field(validation_alias=_env("PII_INDEX_KEY"))
    # Receipt-signing keys: "k1:<base64 of a 32-byte Ed25519 private key>,k2:sm2:<base64 of a 32-byte SM2
    # private key>,...", and the id new receipts are signed with (its algorithm signs them). Old keys stay
    # listed so that old receipts still verify.
    signing_keys: SecretStr
    signing_active_key: str = Field(min_length=1)
    # The hash of new batches and message-log entries: sha256 or sm3 (GB/T 32905). Each hash names its
    # algorithm, so switching keeps earlier receipts and the chain verifiable.
    hash_algorithm: Literal["sha256", "sm3"] = "sha256"
    # Submitter health: a feed rejecting more than this share of a week's records is failing.
    failing_rejection_rate: float = Field(default=FAILING_REJECTION_RATE, gt=0, lt=1)

    @field_validator("keycloak_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _valid_keys(self) -> Settings:
        self.privacy_keys()  # fail fast on a malformed keyring
        self.signer()
        return self

    def privacy_keys(self) -> PrivacyKeys:
        """The validated personal-data key material."""
        return PrivacyKeys.model_validate(
            {
                "keys": self.pii_keys.get_secret_value(),
                "active_key": self.pii_active_key,
                "index_key": self.pii_index_key.get_secret_value(),
            }
        )

    def signer(self) -> ReceiptSigner:
        """The receipt signer over the configured keys (the active key's algorithm signs new receipts)."""
        return ReceiptSigner(parse_keyring(self.signing_keys.get_secret_value()), self.signing_active_key)

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, exactly as the tokens carry it."""
        return f"{self.keycloak_url}/realms/{self.keycloak_realm}"
