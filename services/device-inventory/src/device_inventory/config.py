"""The service's settings, from NEIBAO_DEVICE_INVENTORY_* (and stack-wide NEIBAO_KAFKA_/KEYCLOAK_ ones)."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from device_inventory.adapters.events import HEARTBEATS_TOPIC, TOPIC, UNIT_EVENTS_TOPIC
from device_inventory.domain.enums import DeviceType
from device_inventory.domain.model import DEFAULT_SUPERVISION_SECONDS
from neibao_identity import GATEWAY_AUDIENCE
from neibao_runtime import ServiceSettings

PREFIX = "NEIBAO_DEVICE_INVENTORY_"


def _env(name: str) -> AliasChoices:
    """The service's own variable first, then the stack-wide one the local stack and charts set."""
    return AliasChoices(f"{PREFIX}{name}", f"NEIBAO_{name}")


class Settings(ServiceSettings):
    """Start-up settings of the device inventory; no defaults for the database URL and servers' addresses."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX,
        frozen=True,
        extra="forbid",
        validate_default=True,
        populate_by_name=True,
        hide_input_in_errors=True,
    )

    service_name: str = "device-inventory"
    # postgresql+psycopg://user:password@host:port/device_inventory (also used by the relay and consumers).
    database_url: SecretStr
    database_pool_size: int = Field(default=10, ge=1, le=100)
    kafka_bootstrap: str = Field(min_length=1, validation_alias=_env("KAFKA_BOOTSTRAP"))
    keycloak_url: str = Field(min_length=1, validation_alias=_env("KEYCLOAK_URL"))
    keycloak_realm: str = Field(default="neibao", min_length=1, validation_alias=_env("KEYCLOAK_REALM"))
    token_audience: str = GATEWAY_AUDIENCE
    token_leeway_seconds: int = Field(default=30, ge=0, le=60)
    # The stream this service publishes to, and the streams it reads (tests point them at fresh topics).
    events_topic: str = Field(default=TOPIC, min_length=1)
    unit_events_topic: str = Field(default=UNIT_EVENTS_TOPIC, min_length=1)
    heartbeats_topic: str = Field(default=HEARTBEATS_TOPIC, min_length=1)
    unit_events_group: str = Field(default="device-inventory.units", min_length=1)
    heartbeats_group: str = Field(default="device-inventory.heartbeats", min_length=1)
    # Heartbeat records taken per poll, and heartbeats applied per statement (one transaction each).
    heartbeat_batch_records: int = Field(default=500, ge=1, le=100_000)
    heartbeat_batch_items: int = Field(default=20_000, ge=1, le=200_000)
    # Seconds a device of each type may stay silent before it is offline ({"one_button_alarm": 30}).
    supervision_seconds: dict[DeviceType, int] = Field(default_factory=dict)
    # How often the sweep looks for silent devices and units whose compliance must be re-evaluated.
    sweep_interval_seconds: float = Field(default=2.0, gt=0, le=60)
    # How long the sweep keeps the unit events' dedupe records (a redelivery older than that re-applies),
    # and how often it deletes the older ones.
    processed_event_retention_hours: float = Field(default=168.0, gt=0)
    processed_event_purge_interval_seconds: float = Field(default=3600.0, gt=0)
    # How often the demo device platform (switched on by `seed`) looks for new units and due heartbeats.
    demo_interval_seconds: float = Field(default=5.0, gt=0, le=300)

    @field_validator("keycloak_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("supervision_seconds")
    @classmethod
    def _positive_intervals(cls, value: dict[DeviceType, int]) -> dict[DeviceType, int]:
        if any(seconds < 1 or seconds > 86_400 for seconds in value.values()):
            raise ValueError("supervision intervals are 1 to 86400 seconds")
        return value

    @property
    def intervals(self) -> Mapping[DeviceType, int]:
        """The supervision interval of every device type (defaults, overridden where configured)."""
        return {**DEFAULT_SUPERVISION_SECONDS, **self.supervision_seconds}

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, exactly as the tokens carry it."""
        return f"{self.keycloak_url}/realms/{self.keycloak_realm}"
