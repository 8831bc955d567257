"""python -m unit_registry serve|relay|sweeper|migrate|downgrade|seed|sweep|load-bench."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from unit_registry import bootstrap
from unit_registry.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of the service's processes; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m unit_registry", description=__doc__)
    sub = parser.add_subparsers(dest="process", required=True)
    sub.add_parser("serve", help="the gRPC server")
    sub.add_parser("relay", help="the outbox relay (publishes events to Kafka)")
    migrate = sub.add_parser("migrate", help="upgrade the database (alembic)")
    migrate.add_argument("revision", nargs="?", default="head")
    downgrade = sub.add_parser("downgrade", help="downgrade the database (alembic)")
    downgrade.add_argument("revision")
    seed = sub.add_parser("seed", help="load the demo province (idempotent)")
    seed.add_argument("--units", type=int, default=None, help="how many generated units (default 5000)")
    sub.add_parser("sweep", help="flag what became overdue and announce it once (run periodically)")
    sub.add_parser(
        "sweeper", help="run the sweep every NEIBAO_UNIT_REGISTRY_SWEEP_INTERVAL_SECONDS until SIGTERM"
    )
    bench = sub.add_parser(
        "load-bench",
        help="add generated units for benchmarks by COPY (no history, no outbox events)",
        description=(
            "Add COUNT generated units (realistic names and addresses, valid unique USCCs, spread over "
            "Liaoning's counties, police stations and sectors; key units with their designations) by COPY "
            "from parallel producers. Their rows are made by the write path's own mapping, search tokens "
            "included, so queries cannot tell them from units registered through the API. For benchmarks "
            "only: no change history and no outbox events are written (other services learn nothing of "
            "them), and the dossier's overdue flags are left to the sweep. One transaction: a load into an "
            "empty table drops and rebuilds its secondary indexes inside it, so other sessions wait for the "
            "commit. Prints units/s."
        ),
    )
    bench.add_argument("--count", type=int, required=True, help="how many units to add")
    bench.add_argument("--workers", type=int, default=None, help="producer processes (default 2)")
    bench.add_argument(
        "--batch", type=int, default=None, help="units per producer task and COPY (default 10000)"
    )
    args = parser.parse_args(argv)
    try:
        settings = Settings()  # type: ignore[call-arg]  # from the environment
    except ValidationError as exc:
        print(f"invalid settings (NEIBAO_UNIT_REGISTRY_* variables):\n{exc}", file=sys.stderr)
        return 2
    url = settings.database_url.get_secret_value()
    match args.process:
        case "serve":
            asyncio.run(bootstrap.serve(settings))
        case "relay":
            return bootstrap.relay(settings)
        case "migrate":
            bootstrap.migrate(url, args.revision)
        case "downgrade":
            bootstrap.downgrade(url, args.revision)
        case "seed":
            from unit_registry.demo.load import DEFAULT_UNITS, seed_demo_province

            report = seed_demo_province(url, settings.privacy_keys(), units=args.units or DEFAULT_UNITS)
            print(report.summary())
            # The seeded dossiers' flags and overdue hazards, as the periodic job would find them.
            print(asyncio.run(bootstrap.sweep(settings)).summary())
        case "sweep":
            print(asyncio.run(bootstrap.sweep(settings)).summary())
        case "sweeper":
            asyncio.run(bootstrap.sweep_periodically(settings))
        case "load-bench":
            from unit_registry.demo.bulk import DEFAULT_BATCH, DEFAULT_WORKERS, load_bench_units

            loaded = load_bench_units(
                url, args.count, workers=args.workers or DEFAULT_WORKERS, batch=args.batch or DEFAULT_BATCH
            )
            print(loaded.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
