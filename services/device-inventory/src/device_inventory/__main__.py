"""python -m device_inventory serve|relay|consume|sweep|demo|migrate|downgrade|seed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from device_inventory import bootstrap
from device_inventory.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of the service's processes; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m device_inventory", description=__doc__)
    sub = parser.add_subparsers(dest="process", required=True)
    sub.add_parser("serve", help="the gRPC server")
    sub.add_parser("relay", help="the outbox relay (publishes events to Kafka)")
    sub.add_parser("consume", help="the unit-events and heartbeat consumers")
    sweep = sub.add_parser("sweep", help="mark silent devices offline, re-evaluate compliance (loops)")
    sweep.add_argument("--once", action="store_true", help="one sweep, then exit")
    demo = sub.add_parser("demo", help="the demo device platform (does nothing until `seed` switched it on)")
    demo.add_argument("--once", action="store_true", help="one round, then exit")
    sub.add_parser("seed", help="switch the demo device platform on and equip the units known (idempotent)")
    migrate = sub.add_parser("migrate", help="upgrade the database (alembic)")
    migrate.add_argument("revision", nargs="?", default="head")
    downgrade = sub.add_parser("downgrade", help="downgrade the database (alembic)")
    downgrade.add_argument("revision")
    args = parser.parse_args(argv)
    try:
        settings = Settings()  # type: ignore[call-arg]  # from the environment
    except ValidationError as exc:
        print(f"invalid settings (NEIBAO_DEVICE_INVENTORY_* variables):\n{exc}", file=sys.stderr)
        return 2
    url = settings.database_url.get_secret_value()
    match args.process:
        case "serve":
            asyncio.run(bootstrap.serve(settings))
        case "relay":
            return bootstrap.relay(settings)
        case "consume":
            return bootstrap.consume(settings)
        case "sweep":
            print(asyncio.run(bootstrap.sweep(settings, once=args.once)).summary())
        case "demo":
            asyncio.run(bootstrap.run_demo_platform(settings, once=args.once))
        case "seed":
            print(asyncio.run(bootstrap.seed(settings)).summary())
        case "migrate":
            bootstrap.migrate(url, args.revision)
        case "downgrade":
            bootstrap.downgrade(url, args.revision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
