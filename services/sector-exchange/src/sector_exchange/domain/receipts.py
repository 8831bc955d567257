"""Receipts and the message log, as bytes anyone can recompute from the exported data alone.

- The batch hash is SHA-256 over the canonical JSON (keys sorted, no spaces, UTF-8) of
  {"batch_id", "dataset": "sector/name", "organisation", "records": [as submitted]}: a submitter
  verifies it from its own copy, and a changed record changes it.
- The receipt's signature covers the canonical JSON of the statement: the hash, the outcome
  (accepted count, rejected indexes), the signing time, the key id and the algorithm.
- The message log chains batches: each entry's hash covers the previous entry's hash.
- Every hash names its algorithm ("sha256:<hex>" or "sm3:<hex>"): a verifier recomputes each with its
  own, so entries and receipts made before a switch to SM3 keep verifying.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from cryptography.hazmat.primitives import hashes

SHA256: Final = "sha256"
SM3: Final = "sm3"
HASH_PREFIX: Final = "sha256:"
GENESIS: Final = HASH_PREFIX + "0" * 64


def _sm3(data: bytes) -> str:
    hasher = hashes.Hash(hashes.SM3())
    hasher.update(data)
    return hasher.finalize().hex()


DIGESTS: Final[dict[str, Callable[[bytes], str]]] = {
    SHA256: lambda data: hashlib.sha256(data).hexdigest(),
    SM3: _sm3,
}
STATEMENT_VERSION: Final = 1


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no insignificant space, UTF-8, no NaN."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def sha256(data: bytes) -> str:
    """ "sha256:<hex>"."""
    return HASH_PREFIX + hashlib.sha256(data).hexdigest()


def digest(data: bytes, algorithm: str = SHA256) -> str:
    """ "<algorithm>:<hex>" (sha256 or sm3)."""
    return f"{algorithm}:{DIGESTS[algorithm](data)}"


def algorithm_of(hashed: str) -> str:
    """The algorithm a "<algorithm>:<hex>" hash names; ValueError for another."""
    algorithm = hashed.partition(":")[0]
    if algorithm not in DIGESTS:
        raise ValueError(f"unknown hash algorithm {algorithm!r}")
    return algorithm


def batch_hash(
    *, batch_id: str, dataset: str, organisation: str, records: Sequence[Any], algorithm: str = SHA256
) -> str:
    """The hash of a batch as submitted."""
    document = {
        "batch_id": batch_id,
        "dataset": dataset,
        "organisation": organisation,
        "records": list(records),
    }
    return digest(canonical_json(document), algorithm)


def signing_time(moment: datetime) -> str:
    """The receipt's time as it is signed and shown: UTC, whole seconds, RFC 3339 with Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Statement:
    """What a receipt's signature covers."""

    batch_id: str
    dataset: str
    organisation: str
    hash: str
    accepted: int
    rejected: tuple[int, ...]
    signed_at: str
    key_id: str
    algorithm: str

    def to_bytes(self) -> bytes:
        """The canonical bytes that are signed."""
        return canonical_json(
            {
                "v": STATEMENT_VERSION,
                "batch_id": self.batch_id,
                "dataset": self.dataset,
                "organisation": self.organisation,
                "hash": self.hash,
                "accepted": self.accepted,
                "rejected": list(self.rejected),
                "signed_at": self.signed_at,
                "key_id": self.key_id,
                "algorithm": self.algorithm,
            }
        )


@dataclass(frozen=True, slots=True)
class Receipt:
    """The platform's signed acknowledgement of a batch."""

    hash: str
    signature: str  # base64
    algorithm: str
    key_id: str
    signed_at: str  # RFC 3339, whole seconds, Z


def log_entry_hash(
    *,
    sequence: int,
    previous: str,
    batch_id: str,
    organisation: str,
    receipt: Receipt,
    algorithm: str = SHA256,
) -> str:
    """The hash of one message-log entry, chained to the previous entry's hash."""
    return digest(
        canonical_json(
            {
                "sequence": sequence,
                "previous": previous,
                "batch_id": batch_id,
                "organisation": organisation,
                "hash": receipt.hash,
                "signature": receipt.signature,
                "signed_at": receipt.signed_at,
            }
        ),
        algorithm,
    )


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One row of the message log."""

    sequence: int
    previous: str
    batch_id: str
    organisation: str
    receipt: Receipt
    entry_hash: str


def broken_links(entries: Sequence[LogEntry], start: str = GENESIS) -> list[int]:
    """The sequences of entries whose chain does not hold (empty: the chain is intact)."""
    broken: list[int] = []
    previous = start
    for entry in entries:
        try:
            algorithm = algorithm_of(entry.entry_hash)
        except ValueError:
            broken.append(entry.sequence)
            previous = entry.entry_hash
            continue
        expected = log_entry_hash(
            sequence=entry.sequence,
            previous=previous,
            batch_id=entry.batch_id,
            organisation=entry.organisation,
            receipt=entry.receipt,
            algorithm=algorithm,
        )
        if entry.previous != previous or entry.entry_hash != expected:
            broken.append(entry.sequence)
        previous = entry.entry_hash
    return broken
