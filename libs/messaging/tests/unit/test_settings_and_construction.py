"""Backoff, the relay's settings and the consumer's construction checks. No I/O: nothing here connects."""

from __future__ import annotations

import pytest
from google.protobuf.struct_pb2 import Struct
from sqlalchemy import create_engine

from neibao_messaging import Backoff, IdempotentConsumer, OutboxRelay, PayloadRegistry
from neibao_messaging.relay import parse_settings

UNIT_REGISTERED = "neibao.unit-registry.unit.registered.v1"


class UnusedProducer:
    def send(self, *args: object, **kwargs: object) -> object:
        raise AssertionError("nothing is sent in these tests")

    def flush(self, timeout: float | None = None) -> None:
        raise AssertionError("nothing is flushed in these tests")

    def close(self, timeout: float | None = None) -> None:
        pass


def test_backoff_grows_exponentially_and_is_bounded() -> None:
    backoff = Backoff(initial=0.1, maximum=1.0, multiplier=2.0)

    assert [backoff.delay(n) for n in range(1, 7)] == pytest.approx([0.1, 0.2, 0.4, 0.8, 1.0, 1.0])
    assert backoff.delay(10_000) == 1.0
    with pytest.raises(ValueError, match="from 1"):
        backoff.delay(0)
    with pytest.raises(ValueError, match="invalid"):
        Backoff(initial=2.0, maximum=1.0)


def test_relay_settings_come_from_flags_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEIBAO_RELAY_DB_URL", "postgresql+psycopg://relay:secret@db/unit_registry")
    monkeypatch.setenv("NEIBAO_RELAY_KAFKA_BOOTSTRAP", "kafka-0:9092")
    monkeypatch.setenv("NEIBAO_RELAY_BATCH_SIZE", "50")

    settings = parse_settings(["--bootstrap", "127.0.0.1:9092", "--poll-interval", "0.2"])

    assert settings.db_url.get_secret_value() == "postgresql+psycopg://relay:secret@db/unit_registry"
    assert "secret" not in repr(settings)
    assert settings.kafka_bootstrap == "127.0.0.1:9092"
    assert settings.batch_size == 50
    assert settings.poll_interval == 0.2


def test_the_relay_listens_for_notifications_unless_told_not_to(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEIBAO_RELAY_DB_URL", "postgresql+psycopg://relay:secret@db/unit_registry")
    monkeypatch.setenv("NEIBAO_RELAY_KAFKA_BOOTSTRAP", "kafka-0:9092")

    default = parse_settings([])
    told = parse_settings(["--no-listen", "--linger", "0.05"])

    assert (default.listen, default.linger) == (True, 0.02)
    assert (told.listen, told.linger) == (False, 0.05)
    with pytest.raises(ValueError, match="linger"):
        OutboxRelay(create_engine("sqlite://"), UnusedProducer, linger=-1)


def test_relay_settings_fail_fast_without_a_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("NEIBAO_RELAY_DB_URL", raising=False)

    with pytest.raises(SystemExit) as exited:
        parse_settings(["--bootstrap", "127.0.0.1:9092"])

    assert exited.value.code == 2
    assert "db_url" in capsys.readouterr().err


def test_relay_refuses_an_empty_batch() -> None:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(ValueError, match="batch_size"):
        OutboxRelay(engine, UnusedProducer, batch_size=0)


def test_consumer_refuses_handlers_without_payload_class_and_auto_commit() -> None:
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    common = {"dlq_producer": UnusedProducer(), "registry": PayloadRegistry({UNIT_REGISTERED: Struct})}

    with pytest.raises(ValueError, match="without a registered payload class"):
        IdempotentConsumer(
            engine, "127.0.0.1:1", "g", ["t"], handlers={"neibao.other.v1": lambda s, e: None}, **common
        )
    with pytest.raises(ValueError, match="enable_auto_commit"):
        IdempotentConsumer(
            engine,
            "127.0.0.1:1",
            "g",
            ["t"],
            handlers={UNIT_REGISTERED: lambda s, e: None},
            consumer_config={"enable_auto_commit": True},
            **common,
        )
    with pytest.raises(ValueError, match="topic"):
        IdempotentConsumer(engine, "127.0.0.1:1", "g", [], handlers={}, **common)
