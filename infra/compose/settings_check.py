"""docker-compose.yml against the services themselves: every process runs, and its environment is accepted.

Reads the JSON that `go run . -processes docker-compose.yml example.env` prints (every service of every
profile, its variables interpolated from example.env) and checks, for the platform's images:

- every process a service declares ([tool.neibao.service] processes) runs in compose, and every
  long-running container runs a declared process (one-shots: migrate, seed, retention);
- the service's own Settings accept the container's environment, as they would at start-up (the
  database URL, Kafka, Keycloak, the personal-data and signing keys in their formats);
- relays get an OTLP endpoint (neibao_messaging.relay.RelaySettings reads NEIBAO_RELAY_*);
- the wiring meets the ports the servers' Settings open: the gateway's upstreams are exactly the gRPC
  servers, every server's OTLP endpoint is a compose service, the collector scrapes every metrics port.

Usage: go run . -processes ../../docker-compose.yml example.env | python infra/compose/settings_check.py
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

REPO = Path(__file__).resolve().parents[2]
ONE_SHOTS = frozenset({"migrate", "seed", "retention"})
COLLECTOR_CONFIG = Path(__file__).with_name("otel-collector.yaml")


def declared() -> dict[str, dict[str, Any]]:
    """[tool.neibao.service] of every service, by folder name."""
    found = {}
    for pyproject in sorted((REPO / "services").glob("*/pyproject.toml")):
        table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("neibao", {}).get("service")
        if table:
            found[pyproject.parent.name] = table
    return found


@contextmanager
def environment(variables: Mapping[str, str]) -> Iterator[None]:
    """Exactly these variables in os.environ for the duration (Settings read nothing else)."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def load_settings(package: str, process: str, variables: Mapping[str, str]) -> tuple[Any, str | None]:
    """The process's Settings from these variables, or why it would not start."""
    settings_class = importlib.import_module(f"{package}.config").Settings
    with environment(variables):
        try:
            settings = settings_class()
            if process == "relay":
                from neibao_messaging.relay import RelaySettings

                relay = RelaySettings(db_url="postgresql://placeholder", kafka_bootstrap="placeholder:9092")
                if not relay.otlp_endpoint:
                    return settings, "the relay has no NEIBAO_RELAY_OTLP_ENDPOINT"
        except ValidationError as exc:
            return None, f"its Settings refuse the environment: {exc}"
    return settings, None


def image_of(container: Mapping[str, Any]) -> str:
    """neibao/unit-registry:dev -> unit-registry."""
    return str(container["image"]).rsplit("/", 1)[-1].split(":")[0]


def check(containers: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every mismatch between the compose file and the services."""
    services = declared()
    errors: list[str] = []
    running: dict[str, set[str]] = {name: set() for name in services}
    servers: dict[str, tuple[str, Any]] = {}  # service -> (container name, Settings) of its `serve`
    for name, container in sorted(containers.items()):
        image = image_of(container)
        if image not in services:
            continue  # a server (PostgreSQL, Kafka, Keycloak, the collector)
        table = services[image]
        process = (container["command"] or ["serve"])[0]
        if container["restart"] == "no":
            if process not in ONE_SHOTS:
                errors.append(f"{name}: the one-shot {process!r} is not a known job ({sorted(ONE_SHOTS)})")
        elif process not in table.get("processes", ["serve"]):
            errors.append(f"{name}: runs {process!r}, which {image} does not declare as a process")
        else:
            running[image].add(process)
        settings, problem = load_settings(table["package"], process, container["environment"])
        if problem:
            errors.append(f"{name}: {problem}")
        elif process == "serve" and container["restart"] != "no":
            servers[image] = (name, settings)
    for image, table in services.items():
        missing = set(table.get("processes", ["serve"])) - running[image]
        if missing:
            errors.append(f"{image}: no container runs {sorted(missing)}")
        if table.get("database") and not any(
            c["restart"] == "no" and (c["command"] or [""])[0] == "migrate" and image_of(c) == image
            for c in containers.values()
        ):
            errors.append(f"{image}: owns a database but no one-shot runs its migrations")
    return errors + wiring(services, servers, containers)


def wiring(
    services: Mapping[str, Mapping[str, Any]],
    servers: Mapping[str, tuple[str, Any]],
    containers: Mapping[str, Any],
) -> list[str]:
    """The gateway's upstreams, the servers' OTLP endpoints and the collector's scrapes meet real ports."""
    errors: list[str] = []
    grpc = {
        image: f"{name}:{settings.grpc_port}"
        for image, (name, settings) in servers.items()
        if "grpc_port_offset" in services[image]
    }
    for image, (name, settings) in servers.items():
        if services[image].get("http_port") and dict(settings.upstreams) != grpc:
            errors.append(f"{name}: upstreams {dict(settings.upstreams)} are not the gRPC servers {grpc}")
        endpoint = settings.otlp_endpoint
        if endpoint is None or endpoint.host not in containers:
            errors.append(f"{name}: its OTLP endpoint {endpoint} is no compose service")
    collector = yaml.safe_load(COLLECTOR_CONFIG.read_text())
    scraped = {
        target
        for job in collector["receivers"]["prometheus"]["config"]["scrape_configs"]
        for group in job["static_configs"]
        for target in group["targets"]
    }
    metrics = {f"{name}:{settings.metrics_port}" for name, settings in servers.values()}
    if scraped != metrics:
        errors.append(
            f"{COLLECTOR_CONFIG.name} scrapes {sorted(scraped)}, the servers serve {sorted(metrics)}"
        )
    return errors


def main() -> int:
    """Check the JSON on stdin; the exit status."""
    containers = json.load(sys.stdin)
    errors = check(containers)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        return 1
    platform = [name for name, container in containers.items() if image_of(container) in declared()]
    print(
        f"settings-check: {len(platform)} platform containers start with the environment compose gives them"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
