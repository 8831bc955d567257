"""Bearer metadata parsing, the principal context and token forwarding (no server)."""

from __future__ import annotations

import asyncio

import pytest

from neibao_identity import (
    InvalidToken,
    InvalidTokenReason,
    NotAuthenticated,
    Principal,
    authenticated,
    bearer_metadata,
    bearer_token,
    current_principal,
    current_principal_or_none,
    current_token,
    forwarding_metadata,
)

ALICE = Principal("sub-1", "police-heping", frozenset({"police"}), jurisdiction="210102")


@pytest.mark.parametrize(
    "metadata",
    [
        [("authorization", "Bearer abc.def.ghi")],
        [("authorization", "bearer abc.def.ghi")],
        [("Authorization", "  Bearer   abc.def.ghi  ")],
        [("x-request-id", "1"), ("authorization", "BEARER abc.def.ghi")],
    ],
)
def test_bearer_token_is_read_from_metadata(metadata: list[tuple[str, str]]) -> None:
    assert bearer_token(metadata) == "abc.def.ghi"


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        (None, InvalidTokenReason.MISSING),
        ([], InvalidTokenReason.MISSING),
        ([("x-authorization", "Bearer a.b.c")], InvalidTokenReason.MISSING),
        ([("authorization", "Basic dXNlcjpwYXNz")], InvalidTokenReason.MALFORMED),
        ([("authorization", "Bearer")], InvalidTokenReason.MALFORMED),
        ([("authorization", "Bearer a b")], InvalidTokenReason.MALFORMED),
        ([("authorization", "a.b.c")], InvalidTokenReason.MALFORMED),
        ([("authorization", b"Bearer a.b.c")], InvalidTokenReason.MALFORMED),
        (
            [("authorization", "Bearer a.b.c"), ("authorization", "Bearer d.e.f")],
            InvalidTokenReason.MALFORMED,
        ),
    ],
)
def test_bad_authorization_metadata_is_refused(
    metadata: list[tuple[str, str | bytes]] | None, reason: InvalidTokenReason
) -> None:
    with pytest.raises(InvalidToken) as caught:
        bearer_token(metadata)
    assert caught.value.reason is reason


def test_the_principal_is_bound_only_inside_the_block() -> None:
    assert current_principal_or_none() is None
    with pytest.raises(NotAuthenticated):
        current_principal()
    with authenticated(ALICE, "tok") as bound:
        assert bound is ALICE
        assert current_principal() is ALICE
        assert current_token() == "tok"
    assert current_principal_or_none() is None
    with pytest.raises(NotAuthenticated):
        current_token()


async def test_concurrent_tasks_see_their_own_principal() -> None:
    bob = Principal("sub-2", "police-dalian", frozenset({"police"}), jurisdiction="210200")

    async def serve(principal: Principal) -> str:
        with authenticated(principal):
            await asyncio.sleep(0.01)
            return current_principal().username

    assert await asyncio.gather(serve(ALICE), serve(bob)) == ["police-heping", "police-dalian"]


def test_forwarding_metadata_replaces_any_authorization_with_the_callers_token() -> None:
    with authenticated(ALICE, "caller.token.sig"):
        metadata = forwarding_metadata([("x-request-id", "7"), ("Authorization", "Bearer other")])
    assert metadata == (("x-request-id", "7"), ("authorization", "Bearer caller.token.sig"))
    assert bearer_metadata("t") == (("authorization", "Bearer t"),)


def test_forwarding_without_a_caller_is_refused() -> None:
    with pytest.raises(NotAuthenticated):
        forwarding_metadata()
    with authenticated(ALICE), pytest.raises(NotAuthenticated):  # bound without a token
        forwarding_metadata()
