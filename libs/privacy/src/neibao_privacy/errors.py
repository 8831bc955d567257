"""Typed errors of field encryption."""

from __future__ import annotations


class PrivacyError(Exception):
    """Base of every error this library raises on purpose."""


class InvalidCiphertext(PrivacyError):
    """A ciphertext is malformed, was tampered with, or belongs to another place (row or column)."""


class UnknownKeyId(PrivacyError):
    """A ciphertext names a key id that the keyring does not hold."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"no key with id {key_id!r} in the keyring; was it removed before re-encryption?")
        self.key_id = key_id
