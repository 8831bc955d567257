"""Security headers, request ids, the docs page's CSP, jurisdiction names, settings. No I/O."""

from __future__ import annotations

import base64
import hashlib

import pytest
from pydantic import ValidationError
from starlette.datastructures import Headers

from gateway.domain.jurisdiction import describe_jurisdiction
from gateway.entrypoints.http.middleware import console_csp, request_id_from, security_headers
from gateway.entrypoints.http.routes.site import docs_csp

from ..support import make_settings


def test_the_console_csp_allows_only_this_origin_and_keycloak() -> None:
    csp = dict(part.split(" ", 1) for part in console_csp("https://sso.neibao.test").split("; "))

    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["connect-src"] == "'self' https://sso.neibao.test"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert "unsafe-eval" not in str(csp)


def test_the_standard_security_headers() -> None:
    headers = security_headers("default-src 'self'")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in headers  # only over TLS, added per request


def test_the_docs_csp_allows_exactly_its_inline_script() -> None:
    html = "<script src='/docs/assets/x.js'></script><script>init()</script>"
    expected = base64.b64encode(hashlib.sha256(b"init()").digest()).decode()

    csp = docs_csp(html, "http://kc")

    assert f"script-src 'self' 'sha256-{expected}'" in csp
    assert "unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("4bf92f3577b34da6", True),
        ("req-1.a:b_c", True),
        ("x" * 129, False),
        ("-leading-dash", False),
        ("has space", False),
        ("中文", False),
    ],
)
def test_request_ids(value: str, kept: bool) -> None:
    headers = Headers(raw=[(b"x-request-id", value.encode())])
    assert (request_id_from(headers) == value) is kept
    assert len(request_id_from(Headers(raw=[]))) == 32


@pytest.mark.parametrize(
    ("code", "name", "level"),
    [
        ("210000", "辽宁省", "province"),
        ("210100", "沈阳市", "city"),
        ("210102", "沈阳市和平区", "county"),
        ("210211", "大连市甘井子区", "county"),
        ("219999", None, "county"),
        ("abc", None, None),
    ],
)
def test_jurisdiction_full_names(code: str, name: str | None, level: str | None) -> None:
    described = describe_jurisdiction(code)
    assert (described.name, described.level) == (name, level)


def test_settings_fail_fast_and_derive_the_issuer() -> None:
    settings = make_settings(keycloak_url="https://sso.neibao.test/", keycloak_realm="neibao")
    assert settings.issuer == "https://sso.neibao.test/realms/neibao"
    assert settings.keycloak_origin == "https://sso.neibao.test"
    assert make_settings(keycloak_url="http://127.0.0.1:8180").keycloak_origin == "http://127.0.0.1:8180"
    with pytest.raises(ValidationError):
        make_settings(rate_limit_person="lots")
    with pytest.raises(ValidationError):
        make_settings(default_page_size=100, max_page_size=10)
