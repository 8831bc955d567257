"""neibao-stack: bring the real servers (and the services) up and down on this machine, without Docker."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable

from neibao_localstack import console, health, provision, services, supervisor
from neibao_localstack.config import StackConfig, java_home_for_keycloak, load
from neibao_localstack.progress import fail, say, step

SERVERS = ["postgres", "kafka", "keycloak"]


def _programs(cfg: StackConfig, found: list[services.Service]) -> list[supervisor.Program]:
    data = provision.ensure_postgres(cfg)
    keycloak_env = {
        "KC_DB": "dev-mem",
        "KC_BOOTSTRAP_ADMIN_USERNAME": "kcadmin",
        "KC_BOOTSTRAP_ADMIN_PASSWORD": cfg.pg_admin_password,
        "JAVA_OPTS_APPEND": "-Xms256m -Xmx768m -XX:+UseG1GC",
    }
    java_home = java_home_for_keycloak()
    if java_home:
        keycloak_env["JAVA_HOME"] = java_home
    return [
        supervisor.Program(
            name="postgres",
            command=provision.postgres_command(cfg, data),
            directory=data,
            user=provision.PG_SYSTEM_USER if provision.running_as_root() else None,
            priority=10,
            stop_signal="INT",  # PostgreSQL's "fast" shutdown
        ),
        supervisor.Program(
            name="kafka",
            command=provision.kafka_command(cfg),
            directory=cfg.kafka_dir,
            priority=20,
            stop_wait_seconds=60,
        ),
        supervisor.Program(
            name="keycloak",
            command=provision.keycloak_command(cfg),
            directory=cfg.keycloak_home,
            environment=keycloak_env,
            priority=30,
            group_signals=True,  # kc.sh starts java as a child
            start_seconds=5,
        ),
        *services.programs(cfg, found),
    ]


def _ports_in_use(cfg: StackConfig) -> list[int]:
    busy = []
    for port in (
        cfg.pg_port,
        cfg.kafka_port,
        cfg.kafka_controller_port,
        cfg.keycloak_port,
        cfg.keycloak_management_port,
    ):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.settimeout(0.3)
            if probe.connect_ex((cfg.host, port)) == 0:
                busy.append(port)
    return busy


def up(cfg: StackConfig) -> bool:
    """Provision and start the servers, wait until ready; True if this call started supervisord."""
    started_here = False
    total = time.monotonic()
    cfg.run_dir.mkdir(parents=True, exist_ok=True)
    cfg.logs_dir.mkdir(parents=True, exist_ok=True)
    provision.ensure_kafka(cfg)
    provision.ensure_keycloak(cfg)
    found = services.discover(cfg)
    cfg.supervisor_conf.write_text(supervisor.render(cfg, _programs(cfg, found)))
    if supervisor.pid(cfg) is None:
        busy = _ports_in_use(cfg)
        if busy:
            fail(
                f"ports {busy} on {cfg.host} are in use by something else; stop it or choose other ports "
                "(NEIBAO_PG_PORT, NEIBAO_KAFKA_PORT, NEIBAO_KAFKA_CONTROLLER_PORT, NEIBAO_KEYCLOAK_PORT, "
                "NEIBAO_KEYCLOAK_MANAGEMENT_PORT)"
            )
        say(f"starting PostgreSQL :{cfg.pg_port}, Kafka :{cfg.kafka_port}, Keycloak :{cfg.keycloak_port}")
        supervisor.start(cfg)
        started_here = True
    else:
        supervisor.ctl(cfg, "update")
        for name in SERVERS:
            supervisor.ctl(cfg, "start", name, check=False)
    try:
        health.wait_all(cfg, SERVERS)
    except health.NotReady as exc:
        if started_here:
            supervisor.shutdown(cfg)
        fail(str(exc))
    with step("PostgreSQL: databases and roles per service"):
        health.ensure_databases(cfg)
    with step("Kafka: declared topics"):
        created = health.ensure_topics(cfg)
        say(f"{created} topics created")
    _write_env_file(cfg)
    say(f"stack ready in {time.monotonic() - total:.1f}s (logs in {cfg.logs_dir})")
    return started_here


def _write_env_file(cfg: StackConfig) -> None:
    lines = [f"export {key}={value}" for key, value in cfg.environment().items()]
    (cfg.run_dir / "stack.env").write_text("\n".join(lines) + "\n")


def down(cfg: StackConfig) -> None:
    """Stop every supervised process and supervisord."""
    if supervisor.pid(cfg) is None:
        say("nothing is running")
        return
    with step("stopping the stack"):
        if not supervisor.shutdown(cfg):
            fail("supervisord did not stop in time; see .run/logs/supervisord.log")


def purge(cfg: StackConfig) -> None:
    """Stop everything and delete this clone's run data (cluster, broker data, logs); keep caches."""
    down(cfg)
    for path in (cfg.pg_dir, cfg.kafka_dir, cfg.run_dir / "keycloak", cfg.logs_dir):
        if path.is_symlink():
            target = path.resolve()
            # The cluster's own folder outside the run folder (see provision.postgres_data_parent).
            shutil.rmtree(target.parent if target.parent.parent == provision.LINKED_DATA_ROOT else target)
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
    for leftover in ("supervisord.conf", "stack.env"):
        (cfg.run_dir / leftover).unlink(missing_ok=True)
    say(f"deleted the run data under {cfg.run_dir}")


def status(cfg: StackConfig) -> int:
    """Print what runs and whether each server answers; non-zero if something is down."""
    if supervisor.pid(cfg) is None:
        say("the stack is not running (make up)")
        return 1
    print(supervisor.ctl(cfg, "status", check=False), end="")
    healthy = True
    for name, (check, _timeout) in health.CHECKS.items():
        try:
            check(cfg)
            say(f"{name}: ready")
        except Exception as exc:  # report every failure the same way
            healthy = False
            say(f"{name}: NOT ready ({exc!r})")
    return 0 if healthy else 1


def restart(cfg: StackConfig, names: list[str]) -> None:
    """Restart some programs (Keycloak re-imports the realm file), then wait for the servers among them."""
    if supervisor.pid(cfg) is None:
        fail("the stack is not running (make up)")
    if "keycloak" in names:
        provision.ensure_keycloak(cfg)
    supervisor.ctl(cfg, "restart", *names)
    servers = [name for name in names if name in SERVERS]
    if servers:
        health.wait_all(cfg, servers)
    restarted = {name.rsplit("-", 1)[0] for name in names if name not in SERVERS}
    found = [service for service in services.discover(cfg) if service.name in restarted]
    if found:
        try:
            health.wait_services(cfg, found)
        except health.NotReady as exc:
            fail(str(exc))


def migrate_and_seed(cfg: StackConfig, found: list[services.Service], seed: bool) -> None:
    """Each service's migrations, then (for `run`) its demo data."""
    for service in found:
        env = {**os.environ, **service.environment(cfg)}
        if service.database:
            with step(f"{service.name}: migrating"):
                _run_checked(service.command("migrate"), env)
        if seed and service.seed:
            with step(f"{service.name}: seeding the demo province"):
                _run_checked(service.command("seed"), env)


def seed_after_start(cfg: StackConfig, found: list[services.Service]) -> None:
    """The demo data of services that need the others running (their events), once everything answers."""
    for service in found:
        if service.seed_after_start:
            with step(f"{service.name}: seeding the demo province"):
                _run_checked(service.command("seed"), {**os.environ, **service.environment(cfg)})


def _run_checked(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        fail(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def start_services(cfg: StackConfig, found: list[services.Service]) -> None:
    """(Re)start every service process, so it runs the current code, and wait until each answers."""
    names = [program.name for program in services.programs(cfg, found)]
    if not names:
        return
    with step(f"starting {len(names)} service processes"):
        supervisor.ctl(cfg, "restart", *names, check=False)
        try:
            health.wait_services(cfg, found)
        except health.NotReady as exc:
            fail(str(exc))


def demo_accounts(cfg: StackConfig) -> list[dict[str, str]]:
    """The demo users of the realm file, for the banner."""
    realm = json.loads((cfg.repo / "infra" / "keycloak" / "realm-neibao.json").read_text())
    accounts = []
    for user in realm.get("users", []):
        if user.get("username", "").startswith("service-account-"):
            continue
        attributes = user.get("attributes", {})
        accounts.append(
            {
                "user": user["username"],
                "roles": ",".join(r for r in user.get("realmRoles", []) if not r.startswith("default-roles")),
                "jurisdiction": ",".join(attributes.get("jurisdiction", [])),
                "sector": ",".join(attributes.get("sector", [])),
                "unit": ",".join(attributes.get("unit", [])),
            }
        )
    return accounts


def banner(cfg: StackConfig, found: list[services.Service]) -> str:
    """URLs and demo accounts, printed once everything is ready."""
    lines = ["", "Neibao is running on this machine:"]
    if any(service.http_port for service in found):
        lines.append(f"  console and API   http://{cfg.host}:{cfg.gateway_port}/  (OpenAPI at /docs)")
    for service in found:
        if service.grpc_port is not None:
            lines.append(f"  {service.name:<17} grpc://{cfg.host}:{service.grpc_port}")
    lines += [
        f"  Keycloak          {cfg.keycloak_url}/admin/  (realm neibao; admin console: kcadmin / "
        f"{cfg.pg_admin_password})",
        f"  PostgreSQL        {cfg.host}:{cfg.pg_port}  (superuser postgres / {cfg.pg_admin_password})",
        f"  Kafka             {cfg.kafka_bootstrap}",
        f"  logs              {cfg.logs_dir}",
        "",
        "Demo accounts (password neibao-demo):",
    ]
    for account in demo_accounts(cfg):
        lines.append(
            f"  {account['user']:<26} {account['roles']:<15} jurisdiction {account['jurisdiction']:<7}"
            + (f" sector {account['sector']}" if account["sector"] else "")
            + (f" unit {account['unit']}" if account["unit"] else "")
        )
    lines += [
        "  sector-postal-demo, sector-commerce-demo"
        " (machine clients, client credentials, secret neibao-demo-secret)",
        "",
        "Press Ctrl-C to stop everything.",
    ]
    return "\n".join(lines)


def start_platform(cfg: StackConfig) -> tuple[bool, list[services.Service]]:
    """Servers up, every service migrated, seeded and (re)started on the current code, as `make run` has it.

    Returns whether this call started supervisord, and the services.
    """
    started_here = up(cfg)
    console.build(cfg)  # the gateway serves it at /
    found = services.discover(cfg)
    migrate_and_seed(cfg, found, seed=True)
    start_services(cfg, found)
    seed_after_start(cfg, found)
    return started_here, found


def platform(cfg: StackConfig) -> None:
    """The whole platform up, migrated and seeded, left running in the background (`down` stops it)."""
    started = time.monotonic()
    _, found = start_platform(cfg)
    text = banner(cfg, found).replace("Press Ctrl-C to stop everything.", "Stop it with `make down`.")
    print(text, flush=True)
    say(f"ready in {time.monotonic() - started:.1f}s")


def run(cfg: StackConfig) -> None:
    """The whole platform up, migrated and seeded; stops everything on Ctrl-C or SIGTERM, at any moment."""
    started = time.monotonic()

    def interrupted(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupted)
    try:
        _, found = start_platform(cfg)
        print(banner(cfg, found), flush=True)
        say(f"ready in {time.monotonic() - started:.1f}s")
        while supervisor.pid(cfg) is not None:
            time.sleep(1)
        say("supervisord is gone; exiting")
    except KeyboardInterrupt:
        # Ctrl-C (or SIGTERM) during start-up or while running: stop whatever was started.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        say("interrupted")
        down(cfg)


def run_tests(cfg: StackConfig, command: list[str]) -> int:
    """Bring up what the tests need, run them, and tear down what this call started."""
    # End-to-end tests run against the platform as `make run` has it: migrated, seeded, every service up.
    started_here, _ = start_platform(cfg)
    env = {**os.environ, **cfg.environment()}
    try:
        return subprocess.run(command, env=env, check=False).returncode
    finally:
        if started_here:
            down(cfg)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="neibao-stack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("provision", help="install what is missing (jars, distribution, cluster); start nothing")
    sub.add_parser("up", help="start PostgreSQL, Kafka and Keycloak and wait until ready")
    sub.add_parser("down", help="stop everything this clone started")
    sub.add_parser("status", help="what runs and whether it answers")
    sub.add_parser("run", help="the whole platform, seeded; Ctrl-C stops it")
    sub.add_parser("platform", help="the whole platform, seeded, left running in the background")
    sub.add_parser("purge", help="stop and delete this clone's run data (caches are kept)")
    sub.add_parser("env", help="print the NEIBAO_* variables pointing at this stack")
    sub.add_parser("console", help="install the console's npm packages and build it, each only when stale")
    logs = sub.add_parser("logs", help="follow the logs")
    logs.add_argument("names", nargs="*")
    again = sub.add_parser("restart", help="restart programs (keycloak re-imports the realm)")
    again.add_argument("names", nargs="+")
    tests = sub.add_parser("test", help="run a command against the stack, tearing down what was started")
    tests.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cfg = load()
    if args.command == "test":
        command = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
        if not command:
            parser.error("test needs a command after --")
        sys.exit(run_tests(cfg, command))
    if args.command == "logs":
        files = [cfg.logs_dir / f"{name}.log" for name in args.names] or sorted(cfg.logs_dir.glob("*.log"))
        os.execvp("tail", ["tail", "-n", "50", "-F", *map(str, files)])
    if args.command == "restart":
        restart(cfg, args.names)
        return
    commands: dict[str, Callable[[StackConfig], object]] = {
        "provision": provision_all,
        "up": up,
        "down": down,
        "run": run,
        "platform": platform,
        "purge": purge,
        "env": print_env,
        "console": console.build,
    }
    if args.command == "status":
        sys.exit(status(cfg))
    commands[args.command](cfg)


def provision_all(cfg: StackConfig) -> None:
    """Install what is missing, start nothing."""
    provision.ensure_postgres(cfg)
    provision.ensure_kafka(cfg)
    provision.ensure_keycloak(cfg)


def print_env(cfg: StackConfig) -> None:
    """The NEIBAO_* variables as shell exports."""
    for key, value in cfg.environment().items():
        print(f"export {key}={value}")


if __name__ == "__main__":
    main()
