"""The chart against the services themselves: every process runs, and its environment is accepted.

Reads `helm template` output on stdin and checks, for every Deployment and Job of a neibao/<service> image:

- a Deployment runs a process its service declares ([tool.neibao.service] processes), a Job runs
  `migrate`; every declared process has a Deployment, every service with a database a migration Job;
- the service's own Settings accept the environment the container would start with: its ConfigMap's
  data, and each Secret reference filled with a well-formed stand-in (no real secret passes through);
  and they read every NEIBAO_* variable set (a misspelt one would otherwise be ignored silently);
- relays get an OTLP endpoint (neibao_messaging.relay reads NEIBAO_RELAY_*);
- the ports meet: each server's Settings open the container's grpc/http/metrics ports, and the gateway's
  upstreams are exactly the gRPC servers' Services at their ports.

Run with the workspace's Python (the services' packages importable):
  helm template ... | python chart_settings_check.py [--optional PROCESS]
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import importlib
import os
import sys
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import SecretStr, ValidationError

ROOT = Path(__file__).resolve().parents[2]


def _key(seed: int) -> str:
    """A distinct 32-byte key, base64 (the services refuse one key reused for two purposes)."""
    return base64.b64encode(bytes((seed + i) % 256 for i in range(32))).decode()


# Stand-ins for Secret values, by variable name suffix: well-formed, so a refusal means a wiring mistake.
STAND_INS = {
    "DATABASE_URL": "postgresql+psycopg://role:password@neibao-postgres-rw:5432/database",
    "PII_KEYS": f"k1:{_key(1)}",
    "PII_ACTIVE_KEY": "k1",
    "PII_INDEX_KEY": _key(101),
    "SIGNING_KEYS": f"r1:{_key(201)}",
    "SIGNING_ACTIVE_KEY": "r1",
}


def declared() -> dict[str, dict[str, Any]]:
    """[tool.neibao.service] of every service, by folder name (= image name)."""
    found = {}
    for pyproject in sorted((ROOT / "services").glob("*/pyproject.toml")):
        table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("neibao", {})
        if "service" in table:
            found[pyproject.parent.name] = table["service"]
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


def container_environment(
    container: Mapping[str, Any], config_maps: Mapping[str, Mapping[str, str]]
) -> dict[str, str]:
    """What the container's process would read: envFrom ConfigMaps, then env (Secrets as stand-ins)."""
    variables: dict[str, str] = {}
    for source in container.get("envFrom", []):
        variables.update(config_maps[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        if "value" in item:
            variables[item["name"]] = str(item["value"])
            continue
        suffix = next((s for s in STAND_INS if item["name"].endswith(s)), None)
        if suffix is None:
            raise ValueError(f"no stand-in for the Secret-fed variable {item['name']}")
        variables[item["name"]] = STAND_INS[suffix]
    return variables


def known_variables(settings_class: type[Any], prefix: str) -> set[str]:
    """Every variable the Settings read: <prefix><FIELD> and the stack-wide aliases they accept."""
    from neibao_messaging.relay import RelaySettings

    known = {f"{prefix}{name.upper()}" for name in settings_class.model_fields}
    for field in settings_class.model_fields.values():
        alias = field.validation_alias
        for choice in getattr(alias, "choices", [alias] if isinstance(alias, str) else []):
            if isinstance(choice, str):
                known.add(choice.upper())
    # The outbox relay a `relay` process runs reads NEIBAO_RELAY_*.
    known |= {f"NEIBAO_RELAY_{name.upper()}" for name in RelaySettings.model_fields}
    return known


def load_settings(package: str, process: str, variables: Mapping[str, str]) -> tuple[Any, str | None]:
    """The process's Settings from these variables, or why it would not start."""
    settings_class = importlib.import_module(f"{package}.config").Settings
    prefix = settings_class.model_config["env_prefix"]
    # Settings ignore unknown variables: a misspelt one would be silently without effect.
    unknown = sorted(
        v for v in variables if v.startswith("NEIBAO_") and v not in known_variables(settings_class, prefix)
    )
    if unknown:
        return None, f"variables its Settings do not read: {unknown}"
    with environment(variables):
        try:
            settings = settings_class()
            if process == "relay":
                from neibao_messaging.relay import RelaySettings

                relay = RelaySettings(
                    db_url=SecretStr("postgresql://placeholder"), kafka_bootstrap="placeholder:9092"
                )
                if not relay.otlp_endpoint:
                    return settings, "the relay has no NEIBAO_RELAY_OTLP_ENDPOINT"
        except ValidationError as exc:
            return None, f"its Settings refuse the environment: {exc}"
    return settings, None


@dataclass
class Findings:
    """What the workloads showed, accumulated over the rendered objects."""

    running: dict[str, set[str]]  # service -> the processes that run (migrate: its Job)
    grpc_servers: dict[str, str] = dataclasses.field(default_factory=dict)  # service -> "<Service>:<port>"
    gateway_upstreams: dict[str, str] | None = None
    errors: list[str] = dataclasses.field(default_factory=list)


def check_server(
    name: str, *, image: str, container: Mapping[str, Any], settings: Any, service_ports: Any, found: Findings
) -> None:
    """A server's ports: opened by its Settings, declared by its container, published by its Service."""
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    gateway = "http_port" in type(settings).model_fields
    opened = {"metrics": settings.metrics_port}
    opened["http" if gateway else "grpc"] = settings.http_port if gateway else settings.grpc_port
    if ports != opened:
        found.errors.append(f"{name}: the container declares ports {ports}, its Settings open {opened}")
    service = name.split(" ", 1)[1]
    if "grpc" in ports:
        if service_ports.get(service, {}).get("grpc") != ports["grpc"]:
            found.errors.append(f"{name}: no Service {service} with port grpc {ports['grpc']}")
        found.grpc_servers[image] = f"{service}:{ports['grpc']}"
    if gateway:
        found.gateway_upstreams = dict(settings.upstreams)


def check(documents: list[dict[str, Any]], optional: frozenset[str]) -> list[str]:
    """Every mismatch between the rendered chart and the services (processes in `optional` may not run)."""
    services = declared()
    config_maps = {d["metadata"]["name"]: d.get("data", {}) for d in documents if d["kind"] == "ConfigMap"}
    service_ports = {
        d["metadata"]["name"]: {p["name"]: p["port"] for p in d["spec"]["ports"]}
        for d in documents
        if d["kind"] == "Service"
    }
    found = Findings(running={name: set() for name in services})
    for document in documents:
        if document["kind"] not in ("Deployment", "Job"):
            continue
        name = f"{document['kind']} {document['metadata']['name']}"
        container = document["spec"]["template"]["spec"]["containers"][0]
        image = container["image"].rsplit("/", 1)[-1].split(":")[0]
        if image not in services:
            continue
        process = container["args"][0]
        expected = ["migrate"] if document["kind"] == "Job" else services[image].get("processes", ["serve"])
        if process not in expected:
            found.errors.append(f"{name}: runs {process!r}, which {image} does not declare")
        found.running[image].add(process)
        try:
            variables = container_environment(container, config_maps)
        except ValueError as exc:
            found.errors.append(f"{name}: {exc}")
            continue
        settings, problem = load_settings(services[image]["package"], process, variables)
        if problem:
            found.errors.append(f"{name}: {problem}")
        elif document["kind"] == "Deployment" and process == "serve":
            check_server(
                name,
                image=image,
                container=container,
                settings=settings,
                service_ports=service_ports,
                found=found,
            )
    for image, table in services.items():
        missing = set(table.get("processes", ["serve"])) - found.running[image] - optional
        if missing:
            found.errors.append(f"{image}: no Deployment runs {sorted(missing)}")
        if table.get("database") and "migrate" not in found.running[image]:
            found.errors.append(f"{image}: owns a database but no migration Job runs")
    if found.gateway_upstreams is not None and found.gateway_upstreams != found.grpc_servers:
        found.errors.append(
            f"gateway: upstreams {found.gateway_upstreams} are not the gRPC servers {found.grpc_servers}"
        )
    return found.errors


def main() -> int:
    """Check the manifests on stdin; print each mismatch."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--optional", action="append", default=[], help="a process the values may leave off")
    optional = frozenset(parser.parse_args().optional)
    documents = [d for d in yaml.safe_load_all(sys.stdin) if d]
    errors = check(documents, optional)
    for error in errors:
        print(f"chart-settings: {error}", file=sys.stderr)
    if not errors:
        print(f"chart-settings: every process's Settings accept its environment ({len(documents)} objects)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
