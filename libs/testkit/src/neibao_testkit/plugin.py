"""The pytest plugin: session checks that each server answers, and per-test resources on them."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from kafka.admin import KafkaAdminClient, NewTopic

from neibao_testkit.endpoints import DEMO_PASSWORD, StackEndpoints, endpoints_from_env

_HINT = "start the local stack with `make up` (or point NEIBAO_* variables at a running server)"


@pytest.fixture(scope="session")
def stack() -> StackEndpoints:
    """The endpoints of the real servers."""
    return endpoints_from_env()


@pytest.fixture(scope="session")
def postgres(stack: StackEndpoints) -> StackEndpoints:
    """Fails (never skips) unless PostgreSQL answers."""
    try:
        with psycopg.connect(stack.pg_conninfo(), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        pytest.fail(f"PostgreSQL is not reachable at {stack.pg_host}:{stack.pg_port}: {exc}; {_HINT}")
    return stack


@pytest.fixture
def pg_database(postgres: StackEndpoints) -> Iterator[str]:
    """A fresh, empty database for one test; its SQLAlchemy URL. Dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.pg_conninfo(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres.pg_url(name)
    finally:
        with psycopg.connect(postgres.pg_conninfo(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def kafka(stack: StackEndpoints) -> StackEndpoints:
    """Fails (never skips) unless Kafka answers."""
    try:
        admin = KafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap, request_timeout_ms=10_000)
        admin.list_topics()
        admin.close()
    except Exception as exc:
        pytest.fail(f"Kafka is not reachable at {stack.kafka_bootstrap}: {exc!r}; {_HINT}")
    return stack


@pytest.fixture
def kafka_topic(kafka: StackEndpoints) -> Iterator[Callable[..., str]]:
    """A factory of fresh topics (unique names) for one test; they are deleted afterwards."""
    admin = KafkaAdminClient(bootstrap_servers=kafka.kafka_bootstrap, request_timeout_ms=30_000)
    created: list[str] = []

    def make(prefix: str = "test", partitions: int = 1) -> str:
        name = f"{prefix}.{uuid.uuid4().hex[:12]}"
        admin.create_topics([NewTopic(name, num_partitions=partitions, replication_factor=1)])
        created.append(name)
        return name

    try:
        yield make
    finally:
        if created:
            admin.delete_topics(created)
        admin.close()


class KeycloakTokens:
    """Obtains real tokens from the realm: password grant for the demo users, client credentials."""

    def __init__(self, stack: StackEndpoints) -> None:
        self._token_url = f"{stack.issuer}/protocol/openid-connect/token"

    def password(
        self, username: str, password: str = DEMO_PASSWORD, client_id: str = "neibao-cli"
    ) -> dict[str, Any]:
        """Token response for a user through the public scripting client."""
        return self._grant(
            {"grant_type": "password", "client_id": client_id, "username": username, "password": password}
        )

    def client_credentials(self, client_id: str, client_secret: str) -> dict[str, Any]:
        """Token response for a machine client."""
        return self._grant(
            {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
        )

    def _grant(self, form: dict[str, str]) -> dict[str, Any]:
        response = httpx.post(self._token_url, data=form, timeout=30)
        if response.status_code != 200:
            pytest.fail(
                f"token grant for {form.get('username') or form['client_id']} failed: {response.text}"
            )
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="session")
def keycloak(stack: StackEndpoints) -> StackEndpoints:
    """Fails (never skips) unless the realm's discovery document answers."""
    url = f"{stack.issuer}/.well-known/openid-configuration"
    try:
        httpx.get(url, timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        pytest.fail(f"Keycloak realm is not reachable at {url}: {exc!r}; {_HINT}")
    return stack


@pytest.fixture(scope="session")
def gateway(keycloak: StackEndpoints) -> str:
    """The running platform's gateway URL; fails (never skips) unless it is ready."""
    url = f"{keycloak.gateway_url}/readyz"
    try:
        httpx.get(url, timeout=10).raise_for_status()
    except httpx.HTTPError as exc:
        pytest.fail(
            f"the gateway is not ready at {url}: {exc!r}; start the platform with `make run` or `make test`"
        )
    return keycloak.gateway_url


@pytest.fixture(scope="session")
def keycloak_tokens(keycloak: StackEndpoints) -> KeycloakTokens:
    """Real tokens from the realm."""
    return KeycloakTokens(keycloak)
