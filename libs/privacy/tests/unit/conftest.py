"""Key material made fresh for each test run: never a fixed key in code."""

from __future__ import annotations

import base64
import os

import pytest

from neibao_privacy import PrivacyKeys


def b64_key(size: int = 32) -> str:
    return base64.b64encode(os.urandom(size)).decode()


@pytest.fixture
def pii_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """NEIBAO_PII_* variables with two keys, k2 active."""
    env = {
        "NEIBAO_PII_KEYS": f"k1:{b64_key()},k2:{b64_key()}",
        "NEIBAO_PII_ACTIVE_KEY": "k2",
        "NEIBAO_PII_INDEX_KEY": b64_key(),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def keys(pii_env: dict[str, str]) -> PrivacyKeys:
    return PrivacyKeys()  # type: ignore[call-arg]  # read from the environment
