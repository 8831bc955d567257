"""python -m unit_registry serve|relay|migrate|seed|sweep."""

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
