"""schemathesis against the running gateway's /openapi.json, as police-heping and as the province admin:
no answer is a 5xx, and every answer conforms to the document (status code, content type, headers, body).

Bounded: a few examples per operation (the document's own, then generated ones), so that the run takes
well under a minute. Writes only touch a unit this test registers: an operation that would change one
of the demo units (the document's examples name them) is pointed at the scratch unit instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from requests.adapters import HTTPAdapter
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from urllib3.util.retry import Retry

from neibao_testkit import endpoints_from_env

from .conftest import TokenBook
from .support import DEMO_POSTAL, DEMO_UNIT, new_uscc, unit_body

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
MAX_EXAMPLES = 12
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def scratch_unit(api: httpx.Client, tokens: TokenBook) -> str:
    """A unit of 和平区 registered for this run, which the generated writes may change at will."""
    uscc = new_uscc()
    body = unit_body(uscc, name="沈阳模式测试临时有限公司")
    response = api.post("/api/v1/units", json=body, headers=tokens.bearer("police-heping"))
    assert response.status_code == 201, response.text
    return uscc


@pytest.fixture(scope="module")
def session() -> Iterator[requests.Session]:
    """HTTP for schemathesis, waiting out 429s (Retry-After) as a well-behaved client does."""
    retry = Retry(total=8, status_forcelist=[429], allowed_methods=None, respect_retry_after_header=True)
    with requests.Session() as http:
        http.mount("http://", HTTPAdapter(max_retries=retry))
        yield http


# Loaded when the module is collected (the platform runs by then; if it does not, collection fails).
# The live streams are left out: an endless SSE answer is no document to check (tests/ and e2e cover them).
schema = schemathesis.openapi.from_url(
    f"{endpoints_from_env().gateway_url}/openapi.json",
    config=SchemathesisConfig.from_dict(
        {
            "phases": {
                # The coverage phase's boundary values, valid ones only: its invalid ones (hundreds per
                # operation) would outrun the gateway's per-person limit (1,200/min); fuzzing sends invalid
                # input too. Every method the document lacks is a 405 problem: two stand for them all.
                "coverage": {"generation": {"mode": "positive"}, "unexpected-methods": ["PUT", "DELETE"]},
            },
        }
    ),
    timeout=10,
    wait_for_schema=30,
).exclude(path=["/api/v1/units/stream", "/api/v1/alarms/stream"])


def call_and_validate(
    case: Any,
    principal: str,
    gateway: str,
    tokens: TokenBook,
    scratch_unit: str,
    *,
    session: requests.Session,
) -> None:
    """Send the case as `principal` and check the answer against the document."""
    if case.method != "GET" and (case.path_parameters or {}).get("uscc") in {DEMO_UNIT, DEMO_POSTAL}:
        case.path_parameters["uscc"] = scratch_unit
    case.call_and_validate(
        base_url=gateway, session=session, headers=tokens.bearer(principal), checks=CHECKS, timeout=10
    )


@schema.parametrize()
@SETTINGS
def test_police_of_a_district(
    case: Any, gateway: str, tokens: TokenBook, scratch_unit: str, session: requests.Session
) -> None:
    call_and_validate(case, "police-heping", gateway, tokens, scratch_unit, session=session)


@schema.parametrize()
@SETTINGS
def test_the_province_admin(
    case: Any, gateway: str, tokens: TokenBook, scratch_unit: str, session: requests.Session
) -> None:
    call_and_validate(case, "admin", gateway, tokens, scratch_unit, session=session)
