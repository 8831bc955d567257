"""The offline verifier: a receipt against the submitter's own copy of the batch, and an exported message
log's hash chain. It needs no database, no network and no settings: exported data and a public key."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sector_exchange.adapters.signing import verify
from sector_exchange.domain.receipts import (
    GENESIS,
    LogEntry,
    Receipt,
    Statement,
    algorithm_of,
    batch_hash,
    broken_links,
)


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether the data verified, and what failed."""

    ok: bool
    problems: tuple[str, ...] = ()


def verify_receipt(batch: dict[str, Any], answer: dict[str, Any], public_key: str) -> Verdict:
    """Check a receipt (the submit answer) against the batch as submitted.

    `batch`: {"batch_id", "dataset": "sector/name", "organisation", "records": [...]}; `answer`: the
    exchange's answer to the submission (batch_id, accepted, rejected, receipt).
    """
    problems: list[str] = []
    receipt = answer["receipt"]
    try:
        algorithm = algorithm_of(receipt["hash"])
    except ValueError as error:
        return Verdict(False, (str(error),))
    digest = batch_hash(
        batch_id=batch["batch_id"],
        dataset=batch["dataset"],
        organisation=batch["organisation"],
        records=batch["records"],
        algorithm=algorithm,
    )
    if digest != receipt["hash"]:
        problems.append("the batch's hash differs from the receipt's: the records are not those acknowledged")
    statement = Statement(
        batch_id=answer["batch_id"],
        dataset=batch["dataset"],
        organisation=batch["organisation"],
        hash=receipt["hash"],
        accepted=int(answer["accepted"]),
        rejected=tuple(int(r["index"]) for r in answer["rejected"]),
        signed_at=receipt["signed_at"],
        key_id=receipt["key_id"],
        algorithm=receipt["algorithm"],
    )
    if not verify(public_key, statement.to_bytes(), receipt["signature"], receipt["algorithm"]):
        problems.append("the signature does not verify with this public key")
    return Verdict(not problems, tuple(problems))


def log_entries(lines: Iterable[str]) -> list[LogEntry]:
    """Message-log entries from exported JSON lines (one object per line, in sequence order)."""
    entries: list[LogEntry] = []
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        entries.append(
            LogEntry(
                sequence=int(row["sequence"]),
                previous=row["previous"],
                batch_id=row["batch_id"],
                organisation=row["organisation"],
                receipt=Receipt(**row["receipt"]),
                entry_hash=row["entry_hash"],
            )
        )
    return entries


def entry_to_json(entry: LogEntry) -> str:
    """One exported line of the message log."""
    receipt = entry.receipt
    return json.dumps(
        {
            "sequence": entry.sequence,
            "previous": entry.previous,
            "batch_id": entry.batch_id,
            "organisation": entry.organisation,
            "receipt": {
                "hash": receipt.hash,
                "signature": receipt.signature,
                "algorithm": receipt.algorithm,
                "key_id": receipt.key_id,
                "signed_at": receipt.signed_at,
            },
            "entry_hash": entry.entry_hash,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def verify_log(entries: list[LogEntry], start: str = GENESIS) -> Verdict:
    """Check an exported log's chain (from the genesis hash, or from `start` for a later segment)."""
    problems = [
        f"entry {sequence} does not chain to the one before it" for sequence in broken_links(entries, start)
    ]
    return Verdict(not problems, tuple(problems))
