"""Where the real servers are, read from the same environment variables the local stack uses."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

DEMO_PASSWORD = "neibao-demo"  # noqa: S105 - the documented password of the demo accounts


@dataclass(frozen=True)
class StackEndpoints:
    """Addresses and admin credentials of PostgreSQL, Kafka and Keycloak."""

    pg_host: str
    pg_port: int
    pg_admin_user: str
    pg_admin_password: str
    kafka_bootstrap: str
    keycloak_url: str
    realm: str
    gateway_url: str
    grpc_base_port: int

    def pg_url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        """A SQLAlchemy URL for `database` as the cluster's superuser."""
        return (
            f"{driver}://{quote(self.pg_admin_user)}:{quote(self.pg_admin_password)}"
            f"@{self.pg_host}:{self.pg_port}/{database}"
        )

    def pg_conninfo(self, database: str = "postgres") -> str:
        """A libpq connection string for `database` as the cluster's superuser."""
        return self.pg_url(database, driver="postgresql")

    @property
    def issuer(self) -> str:
        """The realm's issuer URL, exactly as tokens carry it."""
        return f"{self.keycloak_url}/realms/{self.realm}"


def endpoints_from_env() -> StackEndpoints:
    """Endpoints from NEIBAO_* variables, defaulting to the local stack's ports on 127.0.0.1."""
    env = os.environ
    host = env.get("NEIBAO_HOST", "127.0.0.1")
    return StackEndpoints(
        pg_host=env.get("NEIBAO_PG_HOST", host),
        pg_port=int(env.get("NEIBAO_PG_PORT", "55432")),
        pg_admin_user=env.get("NEIBAO_PG_ADMIN_USER", "postgres"),
        pg_admin_password=env.get("NEIBAO_PG_ADMIN_PASSWORD", "neibao-local"),
        kafka_bootstrap=env.get("NEIBAO_KAFKA_BOOTSTRAP", f"{host}:{env.get('NEIBAO_KAFKA_PORT', '9092')}"),
        keycloak_url=env.get(
            "NEIBAO_KEYCLOAK_URL", f"http://{host}:{env.get('NEIBAO_KEYCLOAK_PORT', '8180')}"
        ).rstrip("/"),
        realm=env.get("NEIBAO_KEYCLOAK_REALM", "neibao"),
        gateway_url=env.get(
            "NEIBAO_GATEWAY_URL", f"http://{host}:{env.get('NEIBAO_GATEWAY_PORT', '8080')}"
        ).rstrip("/"),
        grpc_base_port=int(env.get("NEIBAO_GRPC_BASE_PORT", "50051")),
    )
