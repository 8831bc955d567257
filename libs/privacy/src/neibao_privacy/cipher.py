"""AES-256-GCM field encryption with key ids and place-binding associated data.

Ciphertext layout, version 1:

    0x01 | len(key_id) (1 byte) | key_id (ASCII) | nonce (12 random bytes) | ciphertext + 16-byte tag

The version byte names the algorithm too (1 = AES-256-GCM), so SM4-GCM can come as version 2 and
both read side by side. The header and the caller's context (its place, e.g. "person.id_number:42")
are the associated data: a ciphertext copied to another row or column, or with an edited header,
fails authentication.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from neibao_privacy.errors import InvalidCiphertext, UnknownKeyId
from neibao_privacy.keys import ENCRYPTION_KEY_BYTES, KEY_ID_PATTERN, PrivacyKeys

VERSION_AES_256_GCM: Final = 1
NONCE_BYTES: Final = 12
TAG_BYTES: Final = 16
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def field_context(table: str, column: str, row_id: str | int | uuid.UUID) -> str:
    """The associated data that binds a ciphertext to one column of one row: "table.column:row_id"."""
    for part, name in ((table, "table"), (column, "column")):
        if not _IDENTIFIER.match(part):
            raise ValueError(f"{name} must be a lower-case SQL identifier, got {part!r}")
    row = str(row_id)
    if not row:
        raise ValueError("row_id must not be empty")
    return f"{table}.{column}:{row}"


class FieldCipher:
    """Encrypts with the active key; decrypts with whichever key id the ciphertext names."""

    def __init__(self, keys: Mapping[str, bytes], active_key_id: str) -> None:
        for key_id, key in keys.items():
            if not KEY_ID_PATTERN.match(key_id):
                raise ValueError(f"key id {key_id!r} must be 1-32 characters of A-Z a-z 0-9 _ -")
            if len(key) != ENCRYPTION_KEY_BYTES:
                raise ValueError(f"key {key_id!r} must be {ENCRYPTION_KEY_BYTES} bytes, got {len(key)}")
        if active_key_id not in keys:
            raise ValueError(f"active key {active_key_id!r} is not in the keyring")
        self._aeads = MappingProxyType({key_id: AESGCM(key) for key_id, key in keys.items()})
        self._active_key_id = active_key_id

    @classmethod
    def from_keys(cls, keys: PrivacyKeys) -> FieldCipher:
        """Build from validated settings."""
        return cls(keys.encryption_keys(), keys.active_key)

    @property
    def active_key_id(self) -> str:
        """The key id new ciphertexts are made with."""
        return self._active_key_id

    def encrypt(self, plaintext: bytes, *, context: str) -> bytes:
        """Encrypt bytes for the place named by `context` (see `field_context`)."""
        header = self._header(self._active_key_id)
        # A fresh random 96-bit nonce per message; rotate keys long before 2**32 messages per key.
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aeads[self._active_key_id].encrypt(nonce, plaintext, _aad(header, context))
        return header + nonce + sealed

    def decrypt(self, ciphertext: bytes, *, context: str) -> bytes:
        """Decrypt what `encrypt` made for the same `context`; InvalidCiphertext or UnknownKeyId if not."""
        key_id, body_start = _parse_header(ciphertext)
        aead = self._aeads.get(key_id)
        if aead is None:
            raise UnknownKeyId(key_id)
        nonce = ciphertext[body_start : body_start + NONCE_BYTES]
        sealed = ciphertext[body_start + NONCE_BYTES :]
        try:
            return aead.decrypt(nonce, sealed, _aad(ciphertext[:body_start], context))
        except InvalidTag:
            raise InvalidCiphertext(
                "authentication failed: the ciphertext was altered or belongs to another row or column"
            ) from None

    def encrypt_text(self, plaintext: str, *, context: str) -> bytes:
        """Encrypt a string (UTF-8) for the place named by `context`."""
        return self.encrypt(plaintext.encode("utf-8"), context=context)

    def decrypt_text(self, ciphertext: bytes, *, context: str) -> str:
        """Decrypt a string made by `encrypt_text`."""
        return self.decrypt(ciphertext, context=context).decode("utf-8")

    def needs_reencryption(self, ciphertext: bytes) -> bool:
        """True when the ciphertext was made with a key other than the active one."""
        return key_id_of(ciphertext) != self._active_key_id

    def reencrypt(self, ciphertext: bytes, *, context: str) -> bytes:
        """Decrypt and encrypt again under the active key, for key-rotation jobs."""
        return self.encrypt(self.decrypt(ciphertext, context=context), context=context)

    @staticmethod
    def _header(key_id: str) -> bytes:
        encoded = key_id.encode("ascii")
        return bytes((VERSION_AES_256_GCM, len(encoded))) + encoded


def key_id_of(ciphertext: bytes) -> str:
    """The key id a ciphertext names, without decrypting it."""
    return _parse_header(ciphertext)[0]


def _aad(header: bytes, context: str) -> bytes:
    if not context:
        raise ValueError(
            "context must name the ciphertext's place, e.g. field_context(table, column, row_id)"
        )
    # The header has its own length prefix, so header + context cannot be split two ways.
    return header + context.encode("utf-8")


def _parse_header(ciphertext: bytes) -> tuple[str, int]:
    """(key id, offset of the nonce); raises InvalidCiphertext on anything but a well-formed v1 header."""
    if len(ciphertext) < 2:
        raise InvalidCiphertext("too short to be a ciphertext")
    if ciphertext[0] != VERSION_AES_256_GCM:
        raise InvalidCiphertext(f"unsupported ciphertext version {ciphertext[0]}")
    body_start = 2 + ciphertext[1]
    if len(ciphertext) < body_start + NONCE_BYTES + TAG_BYTES:
        raise InvalidCiphertext("too short to be a ciphertext")
    try:
        key_id = ciphertext[2:body_start].decode("ascii")
    except UnicodeDecodeError:
        raise InvalidCiphertext("the key id is not ASCII") from None
    if not KEY_ID_PATTERN.match(key_id):
        raise InvalidCiphertext("the key id is malformed")
    return key_id, body_start
