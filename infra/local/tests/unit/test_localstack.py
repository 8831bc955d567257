"""The local stack's pure parts: configuration, supervisord rendering, the topics manifest."""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
from pathlib import Path

import pytest

from neibao_localstack import config, health, services, supervisor

REPO = Path(__file__).resolve().parents[4]


def test_ports_default_and_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEIBAO_PG_PORT", raising=False)
    assert config.load().pg_port == 55432
    monkeypatch.setenv("NEIBAO_PG_PORT", "56000")
    monkeypatch.setenv("NEIBAO_KEYCLOAK_PORT", "8280")
    cfg = config.load()
    assert cfg.pg_port == 56000
    assert cfg.keycloak_url == "http://127.0.0.1:8280"
    assert cfg.environment()["NEIBAO_PG_PORT"] == "56000"


@pytest.mark.parametrize("value", ["http", "0", "70000"])
def test_a_bad_port_stops_with_a_clear_message(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("NEIBAO_KAFKA_PORT", value)
    with pytest.raises(SystemExit, match="NEIBAO_KAFKA_PORT"):
        config.load()


def test_supervisord_conf_is_parseable_and_escapes_percent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEIBAO_RUN_DIR", str(tmp_path / "run"))
    cfg = config.load()
    programs = [
        supervisor.Program(
            name="kafka",
            command=["java", "-cp", "/opt/kafka libs/*", "kafka.Kafka"],
            directory=tmp_path,
            environment={"JAVA_OPTS": "-Xmx512m -Dx=100%"},
            group_signals=True,
        ),
        supervisor.Program(
            name="svc", command=["python"], directory=tmp_path, autostart=False, user="nobody"
        ),
    ]
    text = supervisor.render(cfg, programs)
    parser = configparser.RawConfigParser()
    parser.read_string(text)
    kafka = parser["program:kafka"]
    # The environment reaches the program intact through a private file, not the config.
    assert kafka["command"].endswith("-- java -cp '/opt/kafka libs/*' kafka.Kafka")
    assert "environment" not in kafka
    env_file = cfg.run_dir / "env" / "kafka.json"
    assert json.loads(env_file.read_text()) == {"JAVA_OPTS": "-Xmx512m -Dx=100%"}
    assert env_file.stat().st_mode & 0o077 == 0
    assert kafka["stopasgroup"] == "true"
    assert parser["program:svc"]["autostart"] == "false"
    assert parser["program:svc"]["user"] == "nobody"


def test_every_declared_topic_has_a_dead_letter_twin() -> None:
    topics = health.declared_topics(REPO)
    names = {topic.name for topic in topics}
    assert "neibao.unit-registry.events.v1" in names
    assert all(f"{name}.dlq" in names for name in names if not name.endswith(".dlq"))
    heartbeats = next(t for t in topics if t.name == "neibao.device-inventory.heartbeats.v1")
    assert heartbeats.num_partitions == 12


def test_services_are_discovered_from_their_pyproject(tmp_path: Path) -> None:
    service = tmp_path / "services" / "unit-registry"
    service.mkdir(parents=True)
    (service / "pyproject.toml").write_text(
        '[project]\nname = "unit-registry"\n'
        "[tool.neibao.service]\n"
        'package = "unit_registry"\nenv_prefix = "NEIBAO_UNIT_REGISTRY_"\n'
        'processes = ["serve", "relay"]\ngrpc_port_offset = 2\ndatabase = "unit_registry"\n'
    )
    (tmp_path / "services" / "not-a-service").mkdir()
    (tmp_path / "services" / "not-a-service" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    cfg = config.load()
    cfg = config.StackConfig(**{**cfg.__dict__, "repo": tmp_path})
    [found] = services.discover(cfg)
    assert found.grpc_port == cfg.grpc_base_port + 2
    env = found.environment(cfg)
    assert env["NEIBAO_UNIT_REGISTRY_GRPC_PORT"] == str(cfg.grpc_base_port + 2)
    assert env["NEIBAO_UNIT_REGISTRY_DATABASE_URL"].startswith("postgresql+psycopg://unit_registry:")
    assert [p.name for p in services.programs(cfg, [found])] == ["unit-registry-serve", "unit-registry-relay"]


def test_the_launcher_hands_any_value_to_the_program_intact(tmp_path: Path) -> None:
    value = '{"unit-registry": "127.0.0.1:50051"}, \'quoted\' 100% \\ end"'
    env_file = tmp_path / "env.json"
    env_file.write_text(json.dumps({"NEIBAO_X": value}))
    printed = subprocess.run(
        [
            sys.executable,
            "-m",
            "neibao_localstack.launch",
            str(env_file),
            "--",
            sys.executable,
            "-c",
            "import os; print(os.environ['NEIBAO_X'], end='')",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed == value
