"""ServiceSettings: environment first, a prefix per service, fail fast."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from neibao_runtime import ServiceSettings


class UnitRegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NEIBAO_UNIT_REGISTRY_")

    service_name: str = "unit-registry"
    database_url: str


@pytest.fixture(autouse=True)
def database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEIBAO_UNIT_REGISTRY_DATABASE_URL", "postgresql+psycopg://localhost/unit_registry")


def load() -> UnitRegistrySettings:
    return UnitRegistrySettings()  # type: ignore[call-arg]  # read from the environment


def test_defaults() -> None:
    settings = load()
    assert settings.service_name == "unit-registry"
    assert settings.log_level == "INFO"
    assert settings.grpc_port == 50051
    assert settings.metrics_port == 9464
    assert settings.otlp_endpoint is None
    assert settings.shutdown_grace_seconds == 10.0


def test_reads_the_subclass_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEIBAO_UNIT_REGISTRY_GRPC_PORT", "6000")
    monkeypatch.setenv("NEIBAO_UNIT_REGISTRY_LOG_LEVEL", "debug")
    monkeypatch.setenv("NEIBAO_UNIT_REGISTRY_OTLP_ENDPOINT", "http://otel-collector:4317")
    monkeypatch.setenv("NEIBAO_UNIT_REGISTRY_SHUTDOWN_GRACE_SECONDS", "2.5")
    monkeypatch.setenv("NEIBAO_GRPC_PORT", "7000")  # the base prefix is not this service's
    settings = load()
    assert settings.grpc_port == 6000
    assert settings.log_level == "DEBUG"
    assert settings.otlp_endpoint is not None
    assert settings.otlp_endpoint.host == "otel-collector"
    assert settings.otlp_endpoint.port == 4317
    assert settings.shutdown_grace_seconds == 2.5


def test_blank_otlp_endpoint_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEIBAO_UNIT_REGISTRY_OTLP_ENDPOINT", " ")
    assert load().otlp_endpoint is None


def test_settings_are_frozen_in_subclasses_too() -> None:
    settings = load()
    with pytest.raises(ValidationError, match="frozen"):
        settings.grpc_port = 1


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("GRPC_PORT", "70000", "less than or equal to 65535"),
        ("GRPC_PORT", "-1", "greater than or equal to 0"),
        ("METRICS_PORT", "http", "valid integer"),
        ("LOG_LEVEL", "verbose", "DEBUG"),
        ("OTLP_ENDPOINT", "otel-collector:4317", "URL"),
        ("OTLP_ENDPOINT", "ftp://otel-collector:4317", "URL scheme"),
        ("SHUTDOWN_GRACE_SECONDS", "-1", "greater than or equal to 0"),
        ("SERVICE_NAME", "Unit Registry", "kebab-case"),
    ],
)
def test_bad_values_fail_fast(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(f"NEIBAO_UNIT_REGISTRY_{variable}", value)
    with pytest.raises(ValidationError, match=message):
        load()


def test_a_missing_required_setting_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEIBAO_UNIT_REGISTRY_DATABASE_URL")
    with pytest.raises(ValidationError, match="database_url"):
        load()


def test_base_requires_a_service_name() -> None:
    with pytest.raises(ValidationError, match="service_name"):
        ServiceSettings()  # type: ignore[call-arg]
