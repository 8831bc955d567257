"""Key material for personal-data protection, from the environment, never from code."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from typing import Annotated, Any, Final

from pydantic import SecretBytes, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENCRYPTION_KEY_BYTES: Final = 32  # AES-256
MIN_INDEX_KEY_BYTES: Final = 32  # HMAC-SHA256 block of security
KEY_ID_PATTERN: Final = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{what} is not valid standard base64") from None


class PrivacyKeys(BaseSettings):
    """The field-encryption keyring, its active key id and the blind-index key.

    Read from NEIBAO_PII_KEYS ("k1:<base64>,k2:<base64>"), NEIBAO_PII_ACTIVE_KEY ("k2") and
    NEIBAO_PII_INDEX_KEY ("<base64>"). None has a default: a service without keys does not start.
    """

    # hide_input_in_errors: a validation error must never print key material into a log.
    model_config = SettingsConfigDict(
        env_prefix="NEIBAO_PII_", frozen=True, extra="forbid", hide_input_in_errors=True
    )

    keys: Annotated[dict[str, SecretBytes], NoDecode]
    active_key: str
    index_key: SecretBytes

    @field_validator("keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: Any) -> Any:
        if isinstance(value, str):
            pairs: dict[str, bytes] = {}
            for item in value.split(","):
                key_id, sep, material = item.strip().partition(":")
                if not sep:
                    raise ValueError("keys must look like 'k1:<base64>,k2:<base64>'")
                if key_id in pairs:
                    raise ValueError(f"key id {key_id!r} appears twice")
                pairs[key_id] = _b64(material, f"key {key_id!r}")
            value = pairs
        if isinstance(value, Mapping):
            return {
                key_id: _b64(material, f"key {key_id!r}") if isinstance(material, str) else material
                for key_id, material in value.items()
            }
        return value

    @field_validator("keys")
    @classmethod
    def _check_keys(cls, value: dict[str, SecretBytes]) -> dict[str, SecretBytes]:
        if not value:
            raise ValueError("at least one encryption key is required")
        for key_id, material in value.items():
            if not KEY_ID_PATTERN.match(key_id):
                raise ValueError(f"key id {key_id!r} must be 1-32 characters of A-Z a-z 0-9 _ -")
            if len(material.get_secret_value()) != ENCRYPTION_KEY_BYTES:
                raise ValueError(
                    f"key {key_id!r} must be {ENCRYPTION_KEY_BYTES} bytes, "
                    f"got {len(material.get_secret_value())}"
                )
        return value

    @field_validator("index_key", mode="before")
    @classmethod
    def _parse_index_key(cls, value: Any) -> Any:
        return _b64(value, "index key") if isinstance(value, str) else value

    @field_validator("index_key")
    @classmethod
    def _check_index_key(cls, value: SecretBytes) -> SecretBytes:
        if len(value.get_secret_value()) < MIN_INDEX_KEY_BYTES:
            raise ValueError(f"index key must be at least {MIN_INDEX_KEY_BYTES} bytes")
        return value

    @model_validator(mode="after")
    def _check_roles(self) -> PrivacyKeys:
        if self.active_key not in self.keys:
            known = ", ".join(sorted(self.keys))
            raise ValueError(f"active key {self.active_key!r} is not among the keys ({known})")
        index = self.index_key.get_secret_value()
        if any(index == key.get_secret_value() for key in self.keys.values()):
            raise ValueError("the index key must differ from every encryption key")
        return self

    def encryption_keys(self) -> dict[str, bytes]:
        """The keyring as raw bytes, for FieldCipher."""
        return {key_id: key.get_secret_value() for key_id, key in self.keys.items()}
