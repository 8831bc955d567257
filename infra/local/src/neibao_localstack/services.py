"""The platform's own services, found under services/*: each declares how it runs in its pyproject.

A service opts in with a table in its pyproject.toml:

    [tool.neibao.service]
    package = "unit_registry"          # python -m unit_registry <process>
    env_prefix = "NEIBAO_UNIT_REGISTRY_"
    processes = ["serve", "relay", "consume"]
    grpc_port_offset = 0               # gRPC port = NEIBAO_GRPC_BASE_PORT + offset
    metrics_port_offset = 0            # optional: Prometheus port = NEIBAO_METRICS_BASE_PORT + offset
                                       # (defaults to the gRPC offset)
    database = "unit_registry"         # optional: its own database, migrated before start
    http_port = 8080                   # optional: a public HTTP port (the gateway)
    seed = true                        # optional: `python -m <package> seed` loads the demo province
    seed_after_start = true            # optional: the same, once the services run (data that comes
                                       # through other services' events)
    signing_keys = true                # optional: <env_prefix>SIGNING_KEYS from .run/signing-keys.env
"""

from __future__ import annotations

import json
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from neibao_localstack import provision
from neibao_localstack.config import StackConfig
from neibao_localstack.health import service_password
from neibao_localstack.supervisor import Program


@dataclass(frozen=True)
class Service:
    """One runnable service of the platform."""

    name: str
    directory: Path
    package: str
    env_prefix: str
    processes: tuple[str, ...]
    grpc_port: int | None
    metrics_port: int | None
    database: str | None
    http_port: int | None
    seed: bool
    # Whether it signs (receipts): it gets the clone's local signing key.
    signing_keys: bool = False
    # Whether its seed runs after the services start (it needs what other services' events bring).
    seed_after_start: bool = False
    # Every service's gRPC address by name: what the gateway routes to.
    upstreams: tuple[tuple[str, str], ...] = ()

    def environment(self, cfg: StackConfig) -> dict[str, str]:
        """What the service's Settings read, on top of the stack's NEIBAO_* variables."""
        env = dict(cfg.environment())
        env["PYTHONUNBUFFERED"] = "1"
        if self.grpc_port is not None:
            env[f"{self.env_prefix}GRPC_PORT"] = str(self.grpc_port)
        if self.metrics_port is not None:
            env[f"{self.env_prefix}METRICS_PORT"] = str(self.metrics_port)
        if self.database:
            password = service_password(cfg, self.database)
            url = cfg.pg_url(self.database, user=self.database, password=password)
            env[f"{self.env_prefix}DATABASE_URL"] = url.replace("postgresql://", "postgresql+psycopg://", 1)
        if self.database:
            # Personal data in its database is encrypted and blind-indexed with the stack's local keys.
            env.update(provision.ensure_pii_keys(cfg))
        if self.signing_keys:
            env.update(provision.ensure_signing_keys(cfg, self.env_prefix))
        if self.http_port is not None:
            env[f"{self.env_prefix}HTTP_HOST"] = cfg.host
            env[f"{self.env_prefix}HTTP_PORT"] = str(self.http_port)
            env[f"{self.env_prefix}UPSTREAMS"] = json.dumps(dict(self.upstreams))
        return env

    def command(self, process: str) -> list[str]:
        """The command line of one of its processes."""
        return [sys.executable, "-m", self.package, process]


def discover(cfg: StackConfig) -> list[Service]:
    """Every service under services/ that declares [tool.neibao.service]."""
    found: list[Service] = []
    for pyproject in sorted((cfg.repo / "services").glob("*/pyproject.toml")):
        table = tomllib.loads(pyproject.read_text()).get("tool", {}).get("neibao", {}).get("service")
        if not table:
            continue
        offset = table.get("grpc_port_offset")
        found.append(
            Service(
                name=pyproject.parent.name,
                directory=pyproject.parent,
                package=table["package"],
                env_prefix=table["env_prefix"],
                processes=tuple(table.get("processes", ["serve"])),
                grpc_port=cfg.grpc_base_port + int(offset) if offset is not None else None,
                metrics_port=_metrics_port(cfg, table),
                database=table.get("database"),
                http_port=cfg.gateway_port if table.get("http_port") else None,
                seed=bool(table.get("seed", False)),
                signing_keys=bool(table.get("signing_keys", False)),
                seed_after_start=bool(table.get("seed_after_start", False)),
            )
        )
    upstreams = tuple((s.name, f"{cfg.host}:{s.grpc_port}") for s in found if s.grpc_port is not None)
    return [replace(s, upstreams=upstreams) if s.http_port is not None else s for s in found]


def _metrics_port(cfg: StackConfig, table: dict[str, object]) -> int | None:
    """NEIBAO_METRICS_BASE_PORT + metrics_port_offset (default: the gRPC offset), or none."""
    offset = table.get("metrics_port_offset", table.get("grpc_port_offset"))
    return cfg.metrics_base_port + int(str(offset)) if offset is not None else None


def programs(cfg: StackConfig, services: list[Service]) -> list[Program]:
    """A supervised program per service process."""
    return [
        Program(
            name=f"{service.name}-{process}",
            command=service.command(process),
            directory=cfg.repo,
            environment=service.environment(cfg),
            priority=200,
            # Started by `run` once its database is migrated.
            autostart=False,
        )
        for service in services
        for process in service.processes
    ]
