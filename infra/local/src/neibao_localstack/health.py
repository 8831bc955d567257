"""Readiness of each server, and the set-up that needs it running (databases, roles, topics)."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import grpc
import httpx
import psycopg
import yaml
from grpc_health.v1 import health_pb2, health_pb2_grpc
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from psycopg import sql

from neibao_localstack import supervisor
from neibao_localstack.config import SERVICE_DATABASES, StackConfig
from neibao_localstack.progress import say

if TYPE_CHECKING:
    from neibao_localstack.services import Service


class NotReady(Exception):
    """A server did not become ready in time, or its process died."""


def postgres_ready(cfg: StackConfig) -> None:
    """Raises unless PostgreSQL accepts a connection."""
    with psycopg.connect(cfg.pg_url(), connect_timeout=3) as conn:
        conn.execute("SELECT 1")


def kafka_ready(cfg: StackConfig) -> None:
    """Raises unless the broker answers an admin request."""
    # A plain connect first: the admin client backs off for seconds after a refused connection.
    socket.create_connection((cfg.host, cfg.kafka_port), timeout=2).close()
    admin = KafkaAdminClient(bootstrap_servers=cfg.kafka_bootstrap, request_timeout_ms=5000)
    try:
        admin.list_topics()
    finally:
        admin.close()


def keycloak_ready(cfg: StackConfig) -> None:
    """Raises unless Keycloak is ready and the neibao realm publishes its discovery document."""
    health = httpx.get(f"http://{cfg.host}:{cfg.keycloak_management_port}/health/ready", timeout=3)
    health.raise_for_status()
    discovery = httpx.get(f"{cfg.keycloak_url}/realms/neibao/.well-known/openid-configuration", timeout=3)
    discovery.raise_for_status()


CHECKS: dict[str, tuple[Callable[[StackConfig], None], float]] = {
    "postgres": (postgres_ready, 60),
    "kafka": (kafka_ready, 120),
    "keycloak": (keycloak_ready, 240),
}


def _log_tail(cfg: StackConfig, name: str, lines: int = 25) -> str:
    path = cfg.logs_dir / f"{name}.log"
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_one(cfg: StackConfig, name: str) -> float:
    """Wait for one server; returns the seconds it took, raises NotReady with its log tail."""
    check, timeout = CHECKS[name]
    started = time.monotonic()
    last_error: Exception | None = None
    while time.monotonic() - started < timeout:
        try:
            check(cfg)
            return time.monotonic() - started
        except Exception as exc:  # any failure means "not yet"; the last one is reported
            last_error = exc
        if supervisor.pid(cfg) is None:
            raise NotReady(f"{name}: the stack was stopped while waiting")
        state = supervisor.states(cfg).get(name)
        if state in {"FATAL", "EXITED", "BACKOFF", "STOPPED"}:
            raise NotReady(
                f"{name} is {state}; last lines of {cfg.logs_dir / (name + '.log')}:\n{_log_tail(cfg, name)}"
            )
        time.sleep(0.5)
    raise NotReady(
        f"{name} not ready after {timeout:.0f}s ({last_error!r}); last lines of its log:\n"
        f"{_log_tail(cfg, name)}"
    )


def wait_all(cfg: StackConfig, names: list[str]) -> None:
    """Wait for every named server at once, reporting each as it becomes ready."""

    def one(name: str) -> None:
        seconds = wait_one(cfg, name)
        say(f"{name} ready in {seconds:.1f}s")

    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        for future in [pool.submit(one, name) for name in names]:
            future.result()


def service_ready(cfg: StackConfig, service: Service) -> None:
    """Raises unless the service answers: gRPC health SERVING, or HTTP /readyz 200 for the gateway."""
    if service.grpc_port is not None:
        with grpc.insecure_channel(f"{cfg.host}:{service.grpc_port}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
            if reply.status != health_pb2.HealthCheckResponse.SERVING:
                raise NotReady(f"{service.name} health is {reply.status}")
    if service.http_port is not None:
        httpx.get(f"http://{cfg.host}:{service.http_port}/readyz", timeout=3).raise_for_status()


def wait_services(cfg: StackConfig, found: list[Service], timeout: float = 90) -> None:
    """Wait until every service answers; a process that dies fails at once with its log tail."""
    for service in found:
        started = time.monotonic()
        last_error: Exception | None = None
        while True:
            try:
                service_ready(cfg, service)
                say(f"{service.name} ready in {time.monotonic() - started:.1f}s")
                break
            except Exception as exc:  # any failure means "not yet"; the last one is reported
                last_error = exc
            states = supervisor.states(cfg)
            for process in service.processes:
                name = f"{service.name}-{process}"
                if states.get(name) in {"FATAL", "EXITED", "BACKOFF", "STOPPED"}:
                    raise NotReady(f"{name} is {states[name]}; its log:\n{_log_tail(cfg, name)}")
            if time.monotonic() - started > timeout:
                logs = "\n".join(
                    f"{service.name}-{process} ({states.get(f'{service.name}-{process}', '?')}):\n"
                    f"{_log_tail(cfg, f'{service.name}-{process}')}"
                    for process in service.processes
                )
                raise NotReady(
                    f"{service.name} not ready after {timeout:.0f}s ({last_error!r}); logs:\n{logs}"
                )
            time.sleep(0.5)


def service_password(cfg: StackConfig, database: str) -> str:
    """The local password of a service's role (loopback-only development cluster)."""
    return f"{database.replace('_', '-')}-local"


def ensure_databases(cfg: StackConfig) -> None:
    """One database and one owning role per service, with the contrib extensions they use."""
    with psycopg.connect(cfg.pg_url(), autocommit=True) as conn:
        for database in SERVICE_DATABASES:
            role_exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (database,)).fetchone()
            statement = (
                "ALTER ROLE {} WITH LOGIN PASSWORD {}" if role_exists else "CREATE ROLE {} LOGIN PASSWORD {}"
            )
            conn.execute(
                sql.SQL(statement).format(
                    sql.Identifier(database), sql.Literal(service_password(cfg, database))
                )
            )
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
                conn.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(database), sql.Identifier(database)
                    )
                )
            with psycopg.connect(cfg.pg_url(database), autocommit=True) as db:
                for extension in ("pg_trgm", "btree_gin"):
                    db.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension)))


def declared_topics(repo: Path) -> list[NewTopic]:
    """The platform topics and their dead-letter twins, from infra/kafka/topics.yaml."""
    manifest = yaml.safe_load((repo / "infra" / "kafka" / "topics.yaml").read_text())
    defaults = manifest["defaults"]
    topics: list[NewTopic] = []
    for entry in manifest["topics"]:
        partitions = int(entry.get("partitions", defaults["partitions"]))
        retention = int(entry.get("retention_days", defaults["retention_days"]))
        dlq_retention = int(entry.get("dlq_retention_days", defaults["dlq_retention_days"]))
        topics.append(_topic(entry["name"], partitions, retention))
        topics.append(_topic(entry["name"] + ".dlq", partitions, max(retention, dlq_retention)))
    return topics


def _topic(name: str, partitions: int, retention_days: int) -> NewTopic:
    return NewTopic(
        name,
        num_partitions=partitions,
        replication_factor=1,
        topic_configs={"retention.ms": str(retention_days * 86_400_000)},
    )


def ensure_topics(cfg: StackConfig) -> int:
    """Create the declared topics that do not exist yet; returns how many were created."""
    admin = KafkaAdminClient(bootstrap_servers=cfg.kafka_bootstrap, request_timeout_ms=30_000)
    try:
        existing = set(admin.list_topics())
        missing = [topic for topic in declared_topics(cfg.repo) if topic.name not in existing]
        for topic in missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([topic])
        return len(missing)
    finally:
        admin.close()
