"""python -m alarm_routing serve|relay|consume|escalate|replay|migrate|downgrade|seed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from alarm_routing import bootstrap
from alarm_routing.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of the service's processes; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m alarm_routing", description=__doc__)
    sub = parser.add_subparsers(dest="process", required=True)
    sub.add_parser("serve", help="the gRPC server")
    sub.add_parser("relay", help="the outbox relay (publishes alarm events to Kafka)")
    sub.add_parser("consume", help="the unit read model's consumer of unit-registry events")
    escalate = sub.add_parser("escalate", help="fire due escalation timers (polls PostgreSQL)")
    escalate.add_argument("--once", action="store_true", help="one pass, then exit")
    replay = sub.add_parser(
        "replay", help="route past alarms again under a rules file; print the differences"
    )
    replay.add_argument("--rules", type=Path, default=None, help="the rules file (default: the packaged one)")
    replay.add_argument(
        "--since", type=datetime.fromisoformat, required=True, help="ISO 8601 time with a zone"
    )
    replay.add_argument("--limit", type=int, default=10_000, help="at most this many alarms, newest first")
    migrate = sub.add_parser("migrate", help="upgrade the database (alembic)")
    migrate.add_argument("revision", nargs="?", default="head")
    downgrade = sub.add_parser("downgrade", help="downgrade the database (alembic)")
    downgrade.add_argument("revision")
    sub.add_parser("seed", help="the demo province's alarms (once the services run: waits for the units)")
    args = parser.parse_args(argv)
    try:
        settings = Settings()  # type: ignore[call-arg]  # from the environment
    except ValidationError as exc:
        print(f"invalid settings (NEIBAO_ALARM_ROUTING_* variables):\n{exc}", file=sys.stderr)
        return 2
    url = settings.database_url.get_secret_value()
    match args.process:
        case "serve":
            asyncio.run(bootstrap.serve(settings))
        case "relay":
            return bootstrap.relay(settings)
        case "consume":
            return bootstrap.consume(settings)
        case "escalate":
            asyncio.run(bootstrap.escalate(settings, once=args.once))
        case "replay":
            print(asyncio.run(bootstrap.replay(settings, args.rules, args.since, args.limit)).summary())
        case "migrate":
            bootstrap.migrate(url, args.revision)
        case "downgrade":
            bootstrap.downgrade(url, args.revision)
        case "seed":
            raised = asyncio.run(bootstrap.seed(settings))
            print(f"demo alarms raised: {len(raised)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
