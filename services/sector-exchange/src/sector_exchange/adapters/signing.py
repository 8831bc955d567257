"""Ed25519 receipt signatures (the `cryptography` package): keys by id, one active."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from sector_exchange.service.handlers import PublicKey

ED25519: Final = "Ed25519"
SEED_BYTES: Final = 32


def parse_keyring(text: str) -> dict[str, bytes]:
    """ "id:<base64 of a 32-byte Ed25519 private key>,id2:..." as raw keys by id."""
    keys: dict[str, bytes] = {}
    for item in text.split(","):
        key_id, sep, material = item.strip().partition(":")
        if not sep or not key_id:
            raise ValueError("signing keys must look like 'k1:<base64>,k2:<base64>'")
        if key_id in keys:
            raise ValueError(f"signing key id {key_id!r} appears twice")
        try:
            raw = base64.b64decode(material.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"signing key {key_id!r} is not valid base64") from None
        if len(raw) != SEED_BYTES:
            raise ValueError(f"signing key {key_id!r} must be {SEED_BYTES} bytes, got {len(raw)}")
        keys[key_id] = raw
    return keys


class Ed25519Signer:
    """Signs with the active key; lists every key's public half."""

    algorithm = ED25519

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        if active_key_id not in keys:
            raise ValueError(f"the active signing key {active_key_id!r} is not among the keys")
        self._keys = {key_id: Ed25519PrivateKey.from_private_bytes(raw) for key_id, raw in keys.items()}
        self._active = active_key_id

    @property
    def key_id(self) -> str:
        """The id of the key new receipts are signed with."""
        return self._active

    def sign(self, message: bytes) -> str:
        """Base64 of the Ed25519 signature of `message`."""
        return base64.b64encode(self._keys[self._active].sign(message)).decode()

    def public_keys(self) -> list[PublicKey]:
        """Every key's public half (base64 of the raw 32 bytes)."""
        return [
            PublicKey(
                key_id=key_id,
                algorithm=ED25519,
                public_key=base64.b64encode(
                    key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
                ).decode(),
                active=key_id == self._active,
            )
            for key_id, key in sorted(self._keys.items())
        ]


def verify(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is a valid Ed25519 signature of `message` by `public_key` (base64)."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        key.verify(base64.b64decode(signature), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
