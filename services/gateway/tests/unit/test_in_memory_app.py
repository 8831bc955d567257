"""Behaviour checked in-process with keys and services of our own (httpx mock transport): the nbf claim,
page sizes, fail-closed audit. No network."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any

import httpx
from fastapi import FastAPI
from joserfc.jwk import RSAKey

from gateway.domain.caller import Caller
from gateway.entrypoints.http.auth import ALL_ROLES, require_roles
from gateway.entrypoints.http.dependencies import Audit, GatewayDependencies
from gateway.entrypoints.http.openapi import gateway_router
from gateway.entrypoints.http.paging import PageSize
from gateway.service.audit import AuditNotRecorded, AuditTrail
from neibao.audit.v1.audit_pb2 import DISCLOSURE_CLEAR, PERSONAL_DATA_KIND_RESIDENT_ID
from neibao_identity import JwksCache, TokenVerifier, VerifiedTokenCache
from neibao_messaging.envelope import KafkaHeaders

from ..support import Forge
from .conftest import AppFactory

ISSUER = "http://keycloak.test/realms/neibao"
KEY = RSAKey.generate_key(2048, parameters={"kid": "local-1", "use": "sig", "alg": "RS256"})


def trust_local_key(dependencies: GatewayDependencies) -> None:
    """Point the verifier at a JWKS served from memory, holding KEY."""
    jwks = {"keys": [KEY.as_dict(private=False)]}
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=jwks))
    http = httpx.AsyncClient(transport=transport)
    cache = JwksCache(ISSUER, http, jwks_url="http://keycloak.test/certs")
    dependencies.jwks = cache
    dependencies.verifier = VerifiedTokenCache(TokenVerifier(cache))


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "iss": ISSUER,
        "aud": "neibao-gateway",
        "sub": "3f0d",
        "typ": "Bearer",
        "iat": now,
        "exp": now + 300,
        "azp": "neibao-cli",
        "preferred_username": "police-heping",
        "realm_access": {"roles": ["police"]},
        "jurisdiction": "210102",
    }
    return base | changes


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_with_nbf_in_the_future_is_refused(
    make_app: AppFactory, client_of: Callable[[FastAPI], httpx.AsyncClient], forge: Forge
) -> None:
    app, dependencies = make_app()
    trust_local_key(dependencies)
    client = client_of(app)

    good = await client.get("/api/v1/me", headers=bearer(forge.sign(claims(), KEY)))
    early = await client.get(
        "/api/v1/me", headers=bearer(forge.sign(claims(nbf=int(time.time()) + 600), KEY))
    )

    assert good.status_code == 200
    assert early.status_code == 401
    assert 'error_description="not_yet_valid"' in early.headers["www-authenticate"]


def paged_route(app: FastAPI) -> None:
    router = gateway_router()

    @router.get("/api/v1/test/items")
    async def items(_caller: Annotated[Caller, require_roles(*ALL_ROLES)], limit: PageSize) -> dict[str, int]:
        return {"limit": limit}

    app.include_router(router)


async def test_page_sizes_default_and_are_capped(
    make_app: AppFactory, client_of: Callable[[FastAPI], httpx.AsyncClient], forge: Forge
) -> None:
    app, dependencies = make_app(default_page_size=20, max_page_size=100)
    trust_local_key(dependencies)
    paged_route(app)
    client, headers = client_of(app), bearer(forge.sign(claims(), KEY))

    default = await client.get("/api/v1/test/items", headers=headers)
    chosen = await client.get("/api/v1/test/items?limit=100", headers=headers)
    too_many = await client.get("/api/v1/test/items?limit=101", headers=headers)
    zero = await client.get("/api/v1/test/items?limit=0", headers=headers)

    assert default.json() == {"limit": 20}
    assert chosen.json() == {"limit": 100}
    assert too_many.status_code == 400
    assert too_many.json()["errors"] == [{"pointer": "/limit", "detail": "must be at most 100"}]
    assert zero.status_code == 400
    assert zero.json()["errors"][0]["pointer"] == "/limit"


class RefusingPublisher:
    def __init__(self) -> None:
        self.calls = 0

    async def publish(self, topic: str, key: bytes, value: bytes, headers: KafkaHeaders) -> None:
        self.calls += 1
        raise AuditNotRecorded("broker away")


async def test_personal_data_is_withheld_when_its_audit_fails(
    make_app: AppFactory, client_of: Callable[[FastAPI], httpx.AsyncClient], forge: Forge
) -> None:
    app, dependencies = make_app()
    trust_local_key(dependencies)
    publisher = RefusingPublisher()
    dependencies.audit = AuditTrail(publisher, "audit")
    router = gateway_router()

    @router.get("/api/v1/test/person")
    async def person(caller: Annotated[Caller, require_roles(*ALL_ROLES)], audit: Audit) -> dict[str, str]:
        await audit.personal_data_read(
            caller, kinds=[PERSONAL_DATA_KIND_RESIDENT_ID], disclosure=DISCLOSURE_CLEAR, record_count=1
        )
        return {"resident_id": "210102199001011234"}

    app.include_router(router)

    response = await client_of(app).get("/api/v1/test/person", headers=bearer(forge.sign(claims(), KEY)))

    assert publisher.calls == 1
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "210102199001011234" not in response.text
