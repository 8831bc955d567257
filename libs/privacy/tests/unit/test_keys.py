"""PrivacyKeys: parsing base64 keys from the environment and failing fast."""

from __future__ import annotations

import base64
import os

import pytest
from pydantic import SecretBytes, ValidationError

from neibao_privacy import PrivacyKeys


def b64_key(size: int = 32) -> str:
    return base64.b64encode(os.urandom(size)).decode()


def test_reads_keys_from_environment(pii_env: dict[str, str]) -> None:
    keys = PrivacyKeys()  # type: ignore[call-arg]
    assert set(keys.keys) == {"k1", "k2"}
    assert keys.active_key == "k2"
    raw_k1 = base64.b64decode(pii_env["NEIBAO_PII_KEYS"].split(",")[0].split(":")[1])
    assert keys.encryption_keys()["k1"] == raw_k1
    assert keys.index_key.get_secret_value() == base64.b64decode(pii_env["NEIBAO_PII_INDEX_KEY"])


def test_secrets_are_not_in_repr(pii_env: dict[str, str]) -> None:
    keys = PrivacyKeys()  # type: ignore[call-arg]
    text = repr(keys) + str(keys)
    for material in (pii_env["NEIBAO_PII_INDEX_KEY"], pii_env["NEIBAO_PII_KEYS"].split(":")[1]):
        assert material not in text


@pytest.mark.parametrize("missing", ["NEIBAO_PII_KEYS", "NEIBAO_PII_ACTIVE_KEY", "NEIBAO_PII_INDEX_KEY"])
def test_every_secret_is_required(
    pii_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.delenv(missing)
    with pytest.raises(ValidationError, match="Field required"):
        PrivacyKeys()  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("NEIBAO_PII_KEYS", f"k1:{b64_key(16)}", "must be 32 bytes, got 16"),
        ("NEIBAO_PII_KEYS", f"k1:{b64_key(33)}", "must be 32 bytes, got 33"),
        ("NEIBAO_PII_KEYS", "k1:not base64!", "not valid standard base64"),
        ("NEIBAO_PII_KEYS", b64_key(), "must look like"),
        ("NEIBAO_PII_KEYS", f"k1:{b64_key()},k1:{b64_key()}", "appears twice"),
        ("NEIBAO_PII_KEYS", f"bad id:{b64_key()}", "must be 1-32 characters"),
        ("NEIBAO_PII_ACTIVE_KEY", "k9", "active key 'k9' is not among the keys"),
        ("NEIBAO_PII_INDEX_KEY", b64_key(16), "at least 32 bytes"),
        ("NEIBAO_PII_INDEX_KEY", "%%%", "not valid standard base64"),
    ],
)
def test_bad_values_fail_fast(
    pii_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    if variable == "NEIBAO_PII_KEYS" and "k1:" in value and "k2" not in value:
        monkeypatch.setenv("NEIBAO_PII_ACTIVE_KEY", "k1")
    with pytest.raises(ValidationError, match=message) as caught:
        PrivacyKeys()  # type: ignore[call-arg]
    # a validation error never carries key material into logs
    secret = value.partition(":")[2] if ":" in value else value
    if variable != "NEIBAO_PII_ACTIVE_KEY":
        assert secret not in str(caught.value)


def test_index_key_must_differ_from_encryption_keys() -> None:
    shared = os.urandom(32)
    with pytest.raises(ValidationError, match="index key must differ"):
        PrivacyKeys(keys={"k1": SecretBytes(shared)}, active_key="k1", index_key=SecretBytes(shared))


def test_accepts_raw_bytes_when_built_in_code() -> None:
    keys = PrivacyKeys(
        keys={"k1": SecretBytes(os.urandom(32))}, active_key="k1", index_key=SecretBytes(os.urandom(32))
    )
    assert len(keys.encryption_keys()["k1"]) == 32
