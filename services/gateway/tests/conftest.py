"""Fixtures of the gateway's tests (the neibao_testkit plugin provides the real servers)."""

from __future__ import annotations

import pytest

from .support import Forge


@pytest.fixture(scope="session")
def forge() -> Forge:
    """The token forger."""
    return Forge()
