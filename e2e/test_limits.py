"""The gateway's limits through the running platform: an oversize body is a 413 before anything is read
into a service; a flood from one principal is a 429 with Retry-After while another is still served."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx

from .conftest import TokenBook
from .support import DEMO_POSTAL, assert_problem, new_uscc, unit_body

# More than the default person limit (50/s) can pass in the time these take on loopback; a bound.
FLOOD_REQUESTS = 400


def test_an_oversize_body_is_413_and_registers_nothing(raw_api: httpx.Client, tokens: TokenBook) -> None:
    uscc = new_uscc()
    body = unit_body(uscc, address="街" * (1024 * 1024))  # > 1 MiB of UTF-8
    response = raw_api.post("/api/v1/units", json=body, headers=tokens.bearer("police-heping"))
    problem = assert_problem(response, 413)
    assert problem["type"] == "urn:neibao:problem:content-too-large"
    assert_problem(raw_api.get(f"/api/v1/units/{uscc}", headers=tokens.bearer("admin")), 404)


def test_a_flood_from_one_principal_is_throttled_while_another_is_served(
    raw_api: httpx.Client, tokens: TokenBook
) -> None:
    assert urlsplit(str(raw_api.base_url)).hostname in {"127.0.0.1", "localhost", "::1"}  # loopback only
    flooder = tokens.bearer("regulator-commerce-dalian")
    bystander = tokens.bearer("police-dalian")
    throttled = None
    started = time.monotonic()
    for _ in range(FLOOD_REQUESTS):
        response = raw_api.get("/api/v1/me", headers=flooder)
        if response.status_code == 429:
            throttled = response
            break
        assert response.status_code == 200, response.text
    assert throttled is not None, (
        f"{FLOOD_REQUESTS} requests in {time.monotonic() - started:.1f}s not limited"
    )
    problem = assert_problem(throttled, 429)
    assert problem["type"] == "urn:neibao:problem:rate-limited"
    retry_after = int(throttled.headers["retry-after"])
    assert 1 <= retry_after <= 60

    served = raw_api.get(f"/api/v1/units/{DEMO_POSTAL}", headers=bystander)
    assert served.status_code == 200, served.text

    time.sleep(retry_after)
    assert raw_api.get("/api/v1/me", headers=flooder).status_code == 200  # served again after the wait
