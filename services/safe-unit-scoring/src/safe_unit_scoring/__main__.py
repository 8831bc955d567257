"""python -m safe_unit_scoring serve|consume|relay|sweep|rollover|recompute|migrate|downgrade."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from safe_unit_scoring import bootstrap
from safe_unit_scoring.config import Settings


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of the service's processes; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m safe_unit_scoring", description=__doc__)
    sub = parser.add_subparsers(dest="process", required=True)
    sub.add_parser("serve", help="the gRPC server")
    sub.add_parser("consume", help="facts from the other services' events; rescores the unit")
    sub.add_parser("relay", help="the outbox relay (publishes score events to Kafka)")
    sweep = sub.add_parser("sweep", help="announce self-assessment reviews due soon and overdue")
    sweep.add_argument("--once", action="store_true", help="one pass, then exit")
    sub.add_parser(
        "rollover", help="recompute every open unit at the start of each month (and when unscored)"
    )
    recompute = sub.add_parser(
        "recompute",
        help="every open unit's score for a period (the running month by default), or for a range of "
        "past periods oldest first (re-scoring history under a new model version); prints what it did",
    )
    recompute.add_argument("--period", help="YYYY-MM (default: the running month)")
    recompute.add_argument("--through", help="YYYY-MM: recompute --period up to this one, oldest first")
    recompute.add_argument("--model", type=Path, help="an indicator model file (default: the configured one)")
    recompute.add_argument("--workers", type=int, default=2, help="scoring processes (0: in this process)")
    migrate = sub.add_parser("migrate", help="upgrade the database (alembic)")
    migrate.add_argument("revision", nargs="?", default="head")
    downgrade = sub.add_parser("downgrade", help="downgrade the database (alembic)")
    downgrade.add_argument("revision")
    args = parser.parse_args(argv)
    try:
        settings = Settings()  # type: ignore[call-arg]  # from the environment
    except ValidationError as exc:
        print(f"invalid settings (NEIBAO_SAFE_UNIT_SCORING_* variables):\n{exc}", file=sys.stderr)
        return 2
    url = settings.database_url.get_secret_value()
    match args.process:
        case "serve":
            asyncio.run(bootstrap.serve(settings))
        case "consume":
            return bootstrap.consume(settings)
        case "relay":
            return bootstrap.relay(settings)
        case "sweep":
            asyncio.run(bootstrap.sweep(settings, once=args.once))
        case "rollover":
            return bootstrap.rollover(settings)
        case "recompute":
            return bootstrap.recompute(
                settings, args.period, args.through, model_file=args.model, workers=args.workers
            )
        case "migrate":
            bootstrap.migrate(url, args.revision)
        case "downgrade":
            bootstrap.downgrade(url, args.revision)
    return 0


if __name__ == "__main__":
    sys.exit(main())
