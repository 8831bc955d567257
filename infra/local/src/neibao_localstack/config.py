"""Where everything lives and which ports it uses: one frozen config read from the environment."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

KAFKA_VERSION = "4.3.1"
KEYCLOAK_VERSION = "26.7.3"
MAVEN_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# One database and one role per service that owns data (ARCHITECTURE.md); the gateway owns none.
SERVICE_DATABASES = (
    "unit_registry",
    "device_inventory",
    "alarm_routing",
    "safe_unit_scoring",
    "sector_exchange",
)


def _repo_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "infra" / "local").is_dir() and (parent / "pyproject.toml").is_file():
            return parent
    return Path.cwd()


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        port = int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name}={raw!r} is not a port number") from exc
    if not 0 < port < 65536:
        raise SystemExit(f"{name}={port} is outside 1..65535")
    return port


@dataclass(frozen=True)
class StackConfig:
    """Paths, ports and versions of the local stack."""

    repo: Path
    run_dir: Path
    cache_dir: Path
    host: str
    pg_port: int
    pg_admin_password: str
    kafka_port: int
    kafka_controller_port: int
    keycloak_port: int
    keycloak_management_port: int
    gateway_port: int
    grpc_base_port: int
    metrics_base_port: int

    @property
    def logs_dir(self) -> Path:
        """Every server's and service's log file."""
        return self.run_dir / "logs"

    @property
    def supervisor_conf(self) -> Path:
        """The generated supervisord configuration."""
        return self.run_dir / "supervisord.conf"

    @property
    def supervisor_socket(self) -> Path:
        """supervisord's control socket."""
        return self.run_dir / "supervisor.sock"

    @property
    def supervisor_pidfile(self) -> Path:
        """supervisord's pid file."""
        return self.run_dir / "supervisord.pid"

    @property
    def pg_dir(self) -> Path:
        """The private PostgreSQL cluster (may be a link, see provision.postgres_data_dir)."""
        return self.run_dir / "postgres"

    @property
    def kafka_dir(self) -> Path:
        """Broker configuration and data."""
        return self.run_dir / "kafka"

    @property
    def kafka_libs(self) -> Path:
        """The broker's classpath, cached across runs and clones."""
        return self.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"

    @property
    def keycloak_cache(self) -> Path:
        """The unpacked Keycloak distribution, cached across runs and clones."""
        return self.cache_dir / "keycloak" / f"keycloak-{KEYCLOAK_VERSION}"

    @property
    def keycloak_home(self) -> Path:
        """This clone's own copy of the distribution (Keycloak writes its build into its home)."""
        return self.run_dir / "keycloak" / f"keycloak-{KEYCLOAK_VERSION}"

    @property
    def maven_repo(self) -> Path:
        """Maven's local repository for the artifacts we fetch."""
        return self.cache_dir / "m2"

    @property
    def kafka_bootstrap(self) -> str:
        """Bootstrap servers for clients."""
        return f"{self.host}:{self.kafka_port}"

    @property
    def keycloak_url(self) -> str:
        """Keycloak's base URL; tokens' issuer is this plus /realms/neibao."""
        return f"http://{self.host}:{self.keycloak_port}"

    def pg_url(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        """A libpq URL on the private cluster."""
        secret = self.pg_admin_password if password is None else password
        return f"postgresql://{user}:{secret}@{self.host}:{self.pg_port}/{database}"

    def environment(self) -> dict[str, str]:
        """The NEIBAO_* variables that point clients and tests at this stack."""
        return {
            "NEIBAO_HOST": self.host,
            "NEIBAO_PG_PORT": str(self.pg_port),
            "NEIBAO_PG_ADMIN_PASSWORD": self.pg_admin_password,
            "NEIBAO_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "NEIBAO_KEYCLOAK_URL": self.keycloak_url,
            "NEIBAO_KEYCLOAK_REALM": "neibao",
            "NEIBAO_GATEWAY_URL": f"http://{self.host}:{self.gateway_port}",
            "NEIBAO_GRPC_BASE_PORT": str(self.grpc_base_port),
        }


def java_home_for_keycloak() -> str | None:
    """Keycloak 26.6+ prefers Java 25; take the Temurin 25 JDK where it is installed."""
    for candidate in ("/usr/lib/jvm/temurin-25-jdk-amd64", "/usr/lib/jvm/temurin-25-jdk-arm64"):
        if Path(candidate, "bin", "java").exists():
            return candidate
    if os.environ.get("JAVA_HOME"):
        return os.environ["JAVA_HOME"]
    java = shutil.which("java")
    return str(Path(java).resolve().parent.parent) if java else None


def load() -> StackConfig:
    """The stack's configuration from NEIBAO_* variables, with the documented defaults."""
    repo = _repo_root()
    env = os.environ
    cache = Path(
        env.get("NEIBAO_CACHE_DIR", Path(env.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "neibao")
    )
    return StackConfig(
        repo=repo,
        run_dir=Path(env.get("NEIBAO_RUN_DIR", repo / ".run")).resolve(),
        cache_dir=cache.resolve(),
        host=env.get("NEIBAO_HOST", "127.0.0.1"),
        pg_port=_port("NEIBAO_PG_PORT", 55432),
        # A loopback-only development cluster; production secrets come from the deployment.
        pg_admin_password=env.get("NEIBAO_PG_ADMIN_PASSWORD", "neibao-local"),
        kafka_port=_port("NEIBAO_KAFKA_PORT", 9092),
        kafka_controller_port=_port("NEIBAO_KAFKA_CONTROLLER_PORT", 9093),
        keycloak_port=_port("NEIBAO_KEYCLOAK_PORT", 8180),
        keycloak_management_port=_port("NEIBAO_KEYCLOAK_MANAGEMENT_PORT", 9180),
        gateway_port=_port("NEIBAO_GATEWAY_PORT", 8080),
        grpc_base_port=_port("NEIBAO_GRPC_BASE_PORT", 50051),
        metrics_base_port=_port("NEIBAO_METRICS_BASE_PORT", 9464),
    )
