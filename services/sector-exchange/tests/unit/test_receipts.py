"""Receipts and the message log: canonical hashing, Ed25519 signatures, the hash chain."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from sector_exchange.adapters.signing import ReceiptSigner, parse_keyring, verify
from sector_exchange.domain.receipts import (
    GENESIS,
    LogEntry,
    Receipt,
    Statement,
    batch_hash,
    broken_links,
    canonical_json,
    digest,
    log_entry_hash,
    signing_time,
)


def seed() -> str:
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return base64.b64encode(raw).decode()


def test_canonical_json_ignores_key_order_and_spacing() -> None:
    assert canonical_json({"b": 1, "a": "和平"}) == canonical_json({"a": "和平", "b": 1})
    assert canonical_json({"a": [1, 2]}) == b'{"a":[1,2]}'


def test_batch_hash_changes_with_any_record() -> None:
    records = [{"waybill_no": "SF1", "quantity": 1}, {"waybill_no": "SF2"}]
    first = batch_hash(batch_id="b1", dataset="postal/shipments", organisation="X", records=records)
    same = batch_hash(
        batch_id="b1", dataset="postal/shipments", organisation="X", records=[dict(r) for r in records]
    )
    tampered = batch_hash(
        batch_id="b1",
        dataset="postal/shipments",
        organisation="X",
        records=[{"waybill_no": "SF1", "quantity": 2}, {"waybill_no": "SF2"}],
    )
    assert first == same
    assert first != tampered
    assert first.startswith("sha256:")
    assert len(first) == len("sha256:") + 64


def test_signing_time_is_whole_seconds_utc() -> None:
    assert signing_time(datetime(2026, 11, 24, 8, 0, 1, 999_999, tzinfo=UTC)) == "2026-11-24T08:00:01Z"


def test_a_signed_statement_verifies_and_a_changed_one_does_not() -> None:
    signer = ReceiptSigner(parse_keyring(f"r1:{seed()},r2:{seed()}"), "r2")
    assert signer.algorithm == "Ed25519"
    statement = Statement(
        "b1", "postal/shipments", "X", "sha256:" + "a" * 64, 3, (1,), "2026-11-24T08:00:00Z", "r2", "Ed25519"
    )
    signature = signer.sign(statement.to_bytes())
    public = {k.key_id: k for k in signer.public_keys()}
    assert public["r2"].active
    assert not public["r1"].active
    assert verify(public["r2"].public_key, statement.to_bytes(), signature)
    assert not verify(public["r1"].public_key, statement.to_bytes(), signature)
    changed = Statement(
        "b1", "postal/shipments", "X", "sha256:" + "a" * 64, 4, (1,), "2026-11-24T08:00:00Z", "r2", "Ed25519"
    )
    assert not verify(public["r2"].public_key, changed.to_bytes(), signature)


@pytest.mark.parametrize(
    "text",
    ["", "r1", "r1:notbase64!", f"r1:{base64.b64encode(os.urandom(16)).decode()}", "r1:AAAA,r1:AAAA"],
)
def test_malformed_keyrings_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="signing key"):
        parse_keyring(text)


def test_sm2_keys_sign_and_both_algorithms_verify_side_by_side() -> None:
    signer = ReceiptSigner(parse_keyring(f"e1:{seed()},g1:sm2:{seed()}"), "g1")
    assert (signer.key_id, signer.algorithm) == ("g1", "SM2")
    statement = Statement(
        "b1", "postal/shipments", "X", "sm3:" + "a" * 64, 3, (1,), "2026-11-24T08:00:00Z", "g1", "SM2"
    )
    signature = signer.sign(statement.to_bytes())
    assert len(base64.b64decode(signature)) == 64
    public = {k.key_id: k for k in signer.public_keys()}
    assert (public["g1"].algorithm, public["e1"].algorithm) == ("SM2", "Ed25519")
    assert len(base64.b64decode(public["g1"].public_key)) == 65
    assert verify(public["g1"].public_key, statement.to_bytes(), signature, "SM2")
    assert not verify(public["g1"].public_key, statement.to_bytes() + b" ", signature, "SM2")
    assert not verify(public["g1"].public_key, statement.to_bytes(), signature, "Ed25519")
    assert not verify(public["e1"].public_key, statement.to_bytes(), signature, "SM2")
    # Two signatures of one statement differ (a fresh nonce each) and both verify.
    again = signer.sign(statement.to_bytes())
    assert again != signature
    assert verify(public["g1"].public_key, statement.to_bytes(), again, "SM2")


def test_sm3_hashes_name_their_algorithm() -> None:
    records = [{"a": 1}]
    sm3 = batch_hash(
        batch_id="b", dataset="postal/shipments", organisation="X", records=records, algorithm="sm3"
    )
    sha = batch_hash(batch_id="b", dataset="postal/shipments", organisation="X", records=records)
    assert sm3.startswith("sm3:")
    assert len(sm3) == len("sm3:") + 64
    assert sha.startswith("sha256:")
    assert digest(b"abc", "sm3") == "sm3:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def chain(length: int, algorithms: tuple[str, ...] = ("sha256",)) -> list[LogEntry]:
    entries: list[LogEntry] = []
    previous = GENESIS
    for sequence in range(1, length + 1):
        receipt = Receipt(f"sha256:{sequence:064d}", "c2ln", "Ed25519", "r1", "2026-11-24T08:00:00Z")
        entry_hash = log_entry_hash(
            sequence=sequence,
            previous=previous,
            batch_id=f"b{sequence}",
            organisation="X",
            receipt=receipt,
            algorithm=algorithms[min(sequence - 1, len(algorithms) - 1)],
        )
        entries.append(LogEntry(sequence, previous, f"b{sequence}", "X", receipt, entry_hash))
        previous = entry_hash
    return entries


def test_an_intact_chain_has_no_broken_links() -> None:
    assert broken_links(chain(5)) == []


def test_a_changed_entry_breaks_the_chain_there() -> None:
    entries = chain(5)
    victim = entries[2]
    forged = Receipt(
        "sha256:" + "f" * 64, *(victim.receipt.signature, "Ed25519", "r1", victim.receipt.signed_at)
    )
    entries[2] = LogEntry(victim.sequence, victim.previous, victim.batch_id, "X", forged, victim.entry_hash)
    assert broken_links(entries) == [3]


def test_a_chain_switching_from_sha256_to_sm3_still_verifies_and_breaks_where_changed() -> None:
    entries = chain(5, ("sha256", "sha256", "sm3"))
    assert [e.entry_hash.partition(":")[0] for e in entries] == ["sha256", "sha256", "sm3", "sm3", "sm3"]
    assert broken_links(entries) == []
    victim = entries[3]
    entries[3] = LogEntry(victim.sequence, victim.previous, "other", "X", victim.receipt, victim.entry_hash)
    assert broken_links(entries) == [4]
    relabelled = entries[1]
    entries[1] = LogEntry(
        relabelled.sequence,
        relabelled.previous,
        relabelled.batch_id,
        "X",
        relabelled.receipt,
        "sm3:" + relabelled.entry_hash.partition(":")[2],
    )
    assert 2 in broken_links(entries)
