"""Receipt signatures: Ed25519 (the `cryptography` package) or SM2 with SM3 (GB/T 32918, `gmssl`), by key.

A keyring lists keys by id, each with its algorithm: "k1:<base64>" is an Ed25519 key (its 32-byte seed),
"k2:sm2:<base64>" an SM2 key (its 32-byte private scalar). New receipts are signed with the active key, so
moving from Ed25519 to SM2 is adding an SM2 key and making it active: old receipts keep their algorithm and
key id and still verify. Signatures are base64: Ed25519's 64 bytes, SM2's r || s (32 bytes each); public
keys are base64 of Ed25519's raw 32 bytes or SM2's uncompressed point (0x04 || x || y).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from gmssl import sm2  # type: ignore[import-untyped]

from sector_exchange.service.handlers import PublicKey

ED25519: Final = "Ed25519"
SM2: Final = "SM2"
ALGORITHMS: Final = (ED25519, SM2)
SEED_BYTES: Final = 32
SM2_ORDER: Final = int(sm2.default_ecc_table["n"], 16)
SM2_POINT_BYTES: Final = 65  # 0x04 || x || y


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """A private key and its algorithm."""

    algorithm: str
    raw: bytes


def parse_keyring(text: str) -> dict[str, KeyMaterial]:
    """ "id:<base64>" (Ed25519) or "id:sm2:<base64>" (SM2) items, comma-separated, as keys by id."""
    keys: dict[str, KeyMaterial] = {}
    for item in text.split(","):
        parts = [part.strip() for part in item.strip().split(":")]
        if len(parts) == 2:
            key_id, algorithm, material = parts[0], ED25519, parts[1]
        elif len(parts) == 3 and parts[1].lower() in {"ed25519", "sm2"}:
            key_id, algorithm, material = (
                parts[0],
                {"ed25519": ED25519, "sm2": SM2}[parts[1].lower()],
                parts[2],
            )
        else:
            raise ValueError("signing keys must look like 'k1:<base64>,k2:sm2:<base64>'")
        if not key_id:
            raise ValueError("a signing key needs an id")
        if key_id in keys:
            raise ValueError(f"signing key id {key_id!r} appears twice")
        try:
            raw = base64.b64decode(material, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"signing key {key_id!r} is not valid base64") from None
        if len(raw) != SEED_BYTES:
            raise ValueError(f"signing key {key_id!r} must be {SEED_BYTES} bytes, got {len(raw)}")
        if algorithm == SM2 and not 1 <= int.from_bytes(raw, "big") < SM2_ORDER - 1:
            raise ValueError(f"signing key {key_id!r} is not an SM2 private key (1 <= d < n - 1)")
        keys[key_id] = KeyMaterial(algorithm, raw)
    return keys


class _Sm2Key:
    """An SM2 private key (gmssl works in hex strings)."""

    def __init__(self, raw: bytes) -> None:
        private = raw.hex()
        point = sm2.CryptSM2(private_key=private, public_key="")._kg(
            int(private, 16), sm2.default_ecc_table["g"]
        )
        self._crypt = sm2.CryptSM2(private_key=private, public_key=point)
        self.public_point = bytes.fromhex("04" + point)

    def sign(self, message: bytes) -> bytes:
        """r || s of the SM3-with-SM2 signature (default user id), with a nonce from `secrets`."""
        while True:
            # gmssl's own nonce comes from `random`: never let it choose one.
            nonce = secrets.randbelow(SM2_ORDER - 1) + 1
            signature = self._crypt.sign_with_sm3(message, f"{nonce:064x}")
            if signature:  # None when r or s came out 0: another nonce
                return bytes.fromhex(signature)


class ReceiptSigner:
    """Signs with the active key; lists every key's public half."""

    def __init__(self, keys: Mapping[str, KeyMaterial], active_key_id: str) -> None:
        if active_key_id not in keys:
            raise ValueError(f"the active signing key {active_key_id!r} is not among the keys")
        self._algorithms = {key_id: key.algorithm for key_id, key in keys.items()}
        self._ed25519 = {
            key_id: Ed25519PrivateKey.from_private_bytes(key.raw)
            for key_id, key in keys.items()
            if key.algorithm == ED25519
        }
        self._sm2 = {key_id: _Sm2Key(key.raw) for key_id, key in keys.items() if key.algorithm == SM2}
        self._active = active_key_id

    @property
    def key_id(self) -> str:
        """The id of the key new receipts are signed with."""
        return self._active

    @property
    def algorithm(self) -> str:
        """The algorithm of the active key."""
        return self._algorithms[self._active]

    def sign(self, message: bytes) -> str:
        """Base64 of the active key's signature of `message`."""
        if self._active in self._sm2:
            return base64.b64encode(self._sm2[self._active].sign(message)).decode()
        return base64.b64encode(self._ed25519[self._active].sign(message)).decode()

    def public_keys(self) -> list[PublicKey]:
        """Every key's public half, base64."""
        found: list[PublicKey] = []
        for key_id in sorted(self._algorithms):
            if key_id in self._sm2:
                raw = self._sm2[key_id].public_point
            else:
                raw = self._ed25519[key_id].public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            found.append(
                PublicKey(
                    key_id=key_id,
                    algorithm=self._algorithms[key_id],
                    public_key=base64.b64encode(raw).decode(),
                    active=key_id == self._active,
                )
            )
        return found


def verify(public_key: str, message: bytes, signature: str, algorithm: str = ED25519) -> bool:
    """Whether `signature` (base64) is a valid `algorithm` signature of `message` by `public_key` (base64)."""
    try:
        key = base64.b64decode(public_key, validate=True)
        signed = base64.b64decode(signature, validate=True)
        if algorithm == SM2:
            if len(key) != SM2_POINT_BYTES or key[0] != 4 or len(signed) != 2 * SEED_BYTES:
                return False
            r, s = int.from_bytes(signed[:32], "big"), int.from_bytes(signed[32:], "big")
            if not (0 < r < SM2_ORDER and 0 < s < SM2_ORDER):
                return False
            checker = sm2.CryptSM2(private_key="", public_key=key[1:].hex())
            return bool(checker.verify_with_sm3(signed.hex(), message))
        if algorithm != ED25519:
            return False
        Ed25519PublicKey.from_public_bytes(key).verify(signed, message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
