"""python -m sector_exchange serve|relay|migrate|downgrade|retention|export-log|verify-receipt|verify-log."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from sector_exchange import bootstrap
from sector_exchange.config import Settings
from sector_exchange.domain.receipts import GENESIS
from sector_exchange.entrypoints import verifier

OFFLINE = frozenset({"verify-receipt", "verify-log"})


def _offline(args: argparse.Namespace) -> int:
    """The verifier's commands: exported files and a public key only, no settings."""
    if args.process == "verify-receipt":
        verdict = verifier.verify_receipt(
            json.loads(Path(args.batch).read_text(encoding="utf-8")),
            json.loads(Path(args.receipt).read_text(encoding="utf-8")),
            args.public_key,
        )
    else:
        lines = Path(args.log).read_text(encoding="utf-8").splitlines()
        verdict = verifier.verify_log(verifier.log_entries(lines), start=args.start)
    for problem in verdict.problems:
        print(problem, file=sys.stderr)
    print("verified" if verdict.ok else "NOT verified")
    return 0 if verdict.ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run one of the service's processes; the exit status."""
    parser = argparse.ArgumentParser(prog="python -m sector_exchange", description=__doc__)
    sub = parser.add_subparsers(dest="process", required=True)
    sub.add_parser("serve", help="the gRPC server")
    sub.add_parser("relay", help="the outbox relay (publishes events to Kafka)")
    migrate = sub.add_parser("migrate", help="upgrade the database (alembic)")
    migrate.add_argument("revision", nargs="?", default="head")
    downgrade = sub.add_parser("downgrade", help="downgrade the database (alembic)")
    downgrade.add_argument("revision")
    sub.add_parser("retention", help="make the coming months' partitions, delete expired records (daily)")
    sub.add_parser("housekeeper", help="the retention job at start, then daily, until SIGTERM")
    export = sub.add_parser("export-log", help="print the message log as JSON lines")
    export.add_argument("--after", type=int, default=0, help="from the entry after this sequence")
    check = sub.add_parser("verify-receipt", help="check a receipt against one's own copy of the batch")
    check.add_argument("batch", help='JSON file: {"batch_id", "dataset", "organisation", "records"}')
    check.add_argument("receipt", help="JSON file: the exchange's answer to the submission")
    check.add_argument("--public-key", required=True, help="base64 public key (GET /api/v1/exchange/keys)")
    chain = sub.add_parser("verify-log", help="check an exported message log's hash chain")
    chain.add_argument("log", help="the JSON lines `export-log` printed")
    chain.add_argument("--start", default=GENESIS, help="the hash before the first line")
    args = parser.parse_args(argv)
    if args.process in OFFLINE:
        return _offline(args)
    try:
        settings = Settings()  # type: ignore[call-arg]  # from the environment
    except ValidationError as exc:
        print(f"invalid settings (NEIBAO_SECTOR_EXCHANGE_* variables):\n{exc}", file=sys.stderr)
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
        case "housekeeper":
            return bootstrap.housekeeper(settings)
        case "retention":
            report = bootstrap.retention(settings)
            print(json.dumps(dataclasses.asdict(report), ensure_ascii=False, sort_keys=True))
        case "export-log":
            for line in asyncio.run(bootstrap.export_log(settings, args.after)):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
