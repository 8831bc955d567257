"""Install-once steps: the PostgreSQL cluster, the Kafka classpath and storage, the Keycloak distribution.

Every step is idempotent: it checks what is there and does only what is missing. Downloads come from
Maven Central through Maven and are cached outside the clone (NEIBAO_CACHE_DIR).
"""

from __future__ import annotations

import base64
import hashlib
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from neibao_localstack.config import (
    KAFKA_VERSION,
    KEYCLOAK_VERSION,
    MAVEN_DEPENDENCY_PLUGIN,
    StackConfig,
)
from neibao_localstack.progress import fail, say, step

PG_SYSTEM_USER = "postgres"
LINKED_DATA_ROOT = Path("/var/lib/neibao-local")


def running_as_root() -> bool:
    """initdb and postgres refuse root: as root we run them as the `postgres` system user."""
    return os.geteuid() == 0


def postgres_bin_dir() -> Path:
    """The newest installed PostgreSQL server binaries (Debian layout)."""
    candidates = sorted(
        (p for p in Path("/usr/lib/postgresql").glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    if not candidates:
        fail("PostgreSQL server binaries are missing: run `make bootstrap` (installs Debian's postgresql)")
    return candidates[-1]


def _traversable_by(user: str, path: Path) -> bool:
    """Whether `user` can reach `path` through every ancestor directory."""
    entry = pwd.getpwnam(user)
    for ancestor in [path, *path.parents]:
        if not ancestor.exists():
            continue
        st = ancestor.stat()
        if st.st_uid == entry.pw_uid:
            allowed = bool(st.st_mode & 0o100)
        elif st.st_gid == entry.pw_gid:
            allowed = bool(st.st_mode & 0o010)
        else:
            allowed = bool(st.st_mode & 0o001)
        if not allowed:
            return False
    return True


def postgres_data_parent(cfg: StackConfig) -> Path:
    """Where the cluster lives: in the run folder, or, if `postgres` cannot reach it, a linked folder."""
    if not running_as_root() or _traversable_by(PG_SYSTEM_USER, cfg.run_dir):
        return cfg.pg_dir
    # A clone under a private folder (mktemp -d is 0700): keep the data where `postgres` can reach it
    # and link it from the run folder so it is still found there.
    digest = hashlib.sha256(str(cfg.run_dir).encode()).hexdigest()[:12]
    return LINKED_DATA_ROOT / digest / "postgres"


def ensure_postgres(cfg: StackConfig) -> Path:
    """A private cluster initialised once (UTF-8, C.UTF-8 locale, scram on TCP); returns its data dir."""
    target = postgres_data_parent(cfg)
    if target != cfg.pg_dir:
        target.mkdir(parents=True, exist_ok=True)
        if not cfg.pg_dir.is_symlink():
            if cfg.pg_dir.exists():
                shutil.rmtree(cfg.pg_dir)
            cfg.pg_dir.parent.mkdir(parents=True, exist_ok=True)
            cfg.pg_dir.symlink_to(target)
    data = target / "data"
    if (data / "PG_VERSION").exists():
        return data
    with step("PostgreSQL: initialising a private cluster"):
        target.mkdir(parents=True, exist_ok=True)
        bin_dir = postgres_bin_dir()
        with tempfile.NamedTemporaryFile("w", dir=target, delete=False) as pwfile:
            pwfile.write(cfg.pg_admin_password + "\n")
        pw_path = Path(pwfile.name)
        command = [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            f"--pwfile={pw_path}",
            "--auth-local=peer",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ]
        try:
            if running_as_root():
                entry = pwd.getpwnam(PG_SYSTEM_USER)
                for path in (target, pw_path):
                    os.chown(path, entry.pw_uid, entry.pw_gid)
                command = ["runuser", "-u", PG_SYSTEM_USER, "--", *command]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
        finally:
            pw_path.unlink(missing_ok=True)
        if result.returncode != 0:
            fail(f"initdb failed:\n{result.stdout}\n{result.stderr}")
    return data


def ensure_pii_keys(cfg: StackConfig) -> dict[str, str]:
    """This clone's personal-data keys (AES-256 and HMAC), made once from the OS's randomness and kept in
    the run folder: never in code. Production keys come from the deployment's secret store."""
    path = cfg.run_dir / "pii-keys.env"
    if not path.exists():
        cfg.run_dir.mkdir(parents=True, exist_ok=True)
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        index = base64.b64encode(secrets.token_bytes(32)).decode()
        path.touch(mode=0o600)
        path.write_text(
            f"NEIBAO_PII_KEYS=local1:{key}\nNEIBAO_PII_ACTIVE_KEY=local1\nNEIBAO_PII_INDEX_KEY={index}\n"
        )
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return dict(pairs)


def ensure_signing_keys(cfg: StackConfig, env_prefix: str) -> dict[str, str]:
    """This clone's receipt-signing key (an Ed25519 private key is any 32 random bytes), made once from the
    OS's randomness and kept in the run folder, as `<env_prefix>SIGNING_KEYS`/`SIGNING_ACTIVE_KEY`."""
    path = cfg.run_dir / "signing-keys.env"
    if not path.exists():
        cfg.run_dir.mkdir(parents=True, exist_ok=True)
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        path.touch(mode=0o600)
        path.write_text(f"SIGNING_KEYS=local1:{key}\nSIGNING_ACTIVE_KEY=local1\n")
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {f"{env_prefix}{name}": value for name, value in pairs}


def postgres_command(cfg: StackConfig, data: Path) -> list[str]:
    """The server's command line: TCP on loopback only, no Unix socket to collide with other clusters."""
    return [
        str(postgres_bin_dir() / "postgres"),
        "-D",
        str(data),
        "-p",
        str(cfg.pg_port),
        "-c",
        f"listen_addresses={cfg.host}",
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=300",
        "-c",
        "shared_buffers=256MB",
    ]


def _maven(args: list[str], cfg: StackConfig, cwd: Path | None = None) -> None:
    if shutil.which("mvn") is None:
        fail("Maven is missing: run `make bootstrap` (installs Debian's maven)")
    command = ["mvn", "-B", "-q", f"-Dmaven.repo.local={cfg.maven_repo}", *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        fail(f"Maven failed: {' '.join(command)}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")


def ensure_kafka(cfg: StackConfig) -> None:
    """The broker's jars (cached), its configuration and formatted KRaft storage."""
    libs = cfg.kafka_libs
    if not any(libs.glob(f"kafka_2.13-{KAFKA_VERSION}.jar")):
        with step(f"Kafka {KAFKA_VERSION}: fetching the broker's jars from Maven Central"):
            staging = libs.parent / f"libs.{uuid.uuid4().hex[:8]}"
            _maven(
                [
                    f"{MAVEN_DEPENDENCY_PLUGIN}:copy-dependencies",
                    "-DincludeScope=runtime",
                    f"-DoutputDirectory={staging}",
                ],
                cfg,
                cwd=cfg.repo / "infra" / "local" / "kafka",
            )
            if libs.exists():
                shutil.rmtree(libs)
            staging.rename(libs)
    kafka_dir = cfg.kafka_dir
    data = kafka_dir / "data"
    kafka_dir.mkdir(parents=True, exist_ok=True)
    (kafka_dir / "server.properties").write_text(_kafka_properties(cfg, data))
    (kafka_dir / "log4j2.properties").write_text(_KAFKA_LOG4J)
    if (data / "meta.properties").exists():
        return
    with step("Kafka: formatting KRaft storage"):
        id_file = kafka_dir / "cluster-id"
        if not id_file.exists():
            # A 22-character base64url UUID that does not start with '-'.
            raw = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
            id_file.write_text(("N" + raw[1:]) if raw.startswith("-") else raw)
        result = subprocess.run(
            [
                "java",
                f"-Dlog4j2.configurationFile={kafka_dir / 'log4j2.properties'}",
                "-cp",
                f"{libs}/*",
                "kafka.tools.StorageTool",
                "format",
                "-t",
                id_file.read_text().strip(),
                "-c",
                str(kafka_dir / "server.properties"),
                "--ignore-formatted",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            fail(f"Kafka storage format failed:\n{result.stdout}\n{result.stderr}")


def kafka_command(cfg: StackConfig) -> list[str]:
    """The broker's command line (one node, broker and controller)."""
    return [
        "java",
        "-Xms256m",
        "-Xmx512m",
        "-XX:+UseG1GC",
        f"-Dlog4j2.configurationFile={cfg.kafka_dir / 'log4j2.properties'}",
        "-cp",
        f"{cfg.kafka_libs}/*",
        "kafka.Kafka",
        str(cfg.kafka_dir / "server.properties"),
    ]


def _kafka_properties(cfg: StackConfig, data: Path) -> str:
    return f"""# Generated by neibao-stack: a single KRaft node on loopback.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@{cfg.host}:{cfg.kafka_controller_port}
listeners=PLAINTEXT://{cfg.host}:{cfg.kafka_port},CONTROLLER://{cfg.host}:{cfg.kafka_controller_port}
advertised.listeners=PLAINTEXT://{cfg.host}:{cfg.kafka_port}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs={data}
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Topics are declared (infra/kafka/topics.yaml, tests create their own): a typo must not create one.
auto.create.topics.enable=false
delete.topic.enable=true
log.retention.hours=168
"""


_KAFKA_LOG4J = """status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
logger.raft.name = org.apache.kafka.raft
logger.raft.level = WARN
"""


def ensure_keycloak(cfg: StackConfig) -> None:
    """The distribution (cached), this clone's copy of it, and the realm to import at start."""
    cache = cfg.keycloak_cache
    if not (cache / "bin" / "kc.sh").exists():
        with step(f"Keycloak {KEYCLOAK_VERSION}: fetching the distribution from Maven Central"):
            staging = cache.parent / f"unpack.{uuid.uuid4().hex[:8]}"
            _maven(
                [
                    f"{MAVEN_DEPENDENCY_PLUGIN}:unpack",
                    f"-Dartifact=org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip",
                    f"-DoutputDirectory={staging}",
                ],
                cfg,
            )
            unpacked = staging / f"keycloak-{KEYCLOAK_VERSION}"
            if cache.exists():
                shutil.rmtree(cache)
            unpacked.rename(cache)
            shutil.rmtree(staging, ignore_errors=True)
    home = cfg.keycloak_home
    if not (home / "bin" / "kc.sh").exists():
        with step("Keycloak: preparing this clone's copy of the distribution"):
            home.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(cache, home, symlinks=True)
    realm = cfg.repo / "infra" / "keycloak" / "realm-neibao.json"
    imports = home / "data" / "import"
    imports.mkdir(parents=True, exist_ok=True)
    for old in imports.glob("*.json"):
        old.unlink()
    if realm.exists():
        shutil.copy2(realm, imports / realm.name)
    else:
        say(f"warning: {realm} is missing; Keycloak starts without the neibao realm")


def keycloak_command(cfg: StackConfig) -> list[str]:
    """start-dev with an in-memory database: the realm is imported fresh at every start."""
    return [
        str(cfg.keycloak_home / "bin" / "kc.sh"),
        "start-dev",
        "--import-realm",
        f"--http-host={cfg.host}",
        f"--http-port={cfg.keycloak_port}",
        f"--http-management-port={cfg.keycloak_management_port}",
        "--health-enabled=true",
        "--cache=local",
    ]
