"""HTTP behaviour every client sees: problem+json everywhere, security headers, CORS, request id, trace."""

from __future__ import annotations

from pathlib import Path

import pytest

from neibao_testkit import StackEndpoints

from .conftest import StartGateway, bearer

CONSOLE_ORIGIN = "https://console.neibao.test"


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"].startswith(("urn:neibao:problem:", "about:blank"))
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    assert "gateway." not in response.text
    return body


async def test_unknown_paths_and_methods_are_problems(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway()

    assert_problem(await gateway.client.get("/api/v1/nothing-here"), 404)
    assert_problem(await gateway.client.get("/no/such/page"), 404)
    not_allowed = await gateway.client.delete("/api/v1/me", headers=bearer(tokens["admin"]))
    assert_problem(not_allowed, 405)
    assert not_allowed.headers["allow"] == "GET"


async def test_validation_errors_point_at_the_field(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway()

    response = await gateway.client.get(
        "/api/v1/units/stream", headers={**bearer(tokens["police-heping"]), "Last-Event-ID": "9" * 100}
    )

    # The same answer as a service's field violations: a 400 naming the field.
    body = assert_problem(response, 400)
    assert body["type"] == "urn:neibao:problem:invalid-argument"
    assert [error["pointer"] for error in body["errors"]] == ["/last-event-id"]
    assert body["errors"][0]["detail"]


async def test_security_headers_on_every_response(
    start_gateway: StartGateway, tokens: dict[str, str], stack: StackEndpoints
) -> None:
    gateway = await start_gateway()
    responses = [
        await gateway.client.get("/api/v1/me", headers=bearer(tokens["admin"])),
        await gateway.client.get("/api/v1/me"),
        await gateway.client.get("/healthz"),
        await gateway.client.get("/"),
        await gateway.client.get("/nothing"),
    ]
    for response in responses:
        csp = response.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert f"connect-src 'self' {stack.keycloak_url}" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "strict-transport-security" not in response.headers  # plain HTTP
    assert responses[0].headers["cache-control"] == "no-store"


async def test_hsts_only_over_tls_as_told_by_a_trusted_proxy(start_gateway: StartGateway) -> None:
    trusting = await start_gateway()  # the test client is 127.0.0.1: a trusted proxy by default
    over_tls = await trusting.client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert over_tls.headers["strict-transport-security"].startswith("max-age=31536000")

    distrusting = await start_gateway(trusted_proxies=["10.1.2.3"])
    spoofed = await distrusting.client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in spoofed.headers


async def test_cors_only_for_the_console_origins(start_gateway: StartGateway) -> None:
    gateway = await start_gateway(cors_origins=[CONSOLE_ORIGIN])
    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}

    allowed = await gateway.client.options("/api/v1/me", headers={"Origin": CONSOLE_ORIGIN, **preflight})
    refused = await gateway.client.options("/api/v1/me", headers={"Origin": "https://evil.test", **preflight})
    simple = await gateway.client.get("/healthz", headers={"Origin": "https://evil.test"})

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == CONSOLE_ORIGIN
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert allowed.headers["x-content-type-options"] == "nosniff"
    assert_problem(refused, 400)
    assert "access-control-allow-origin" not in refused.headers
    assert "access-control-allow-origin" not in simple.headers


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("req-123.abc", True), ("x" * 200, False), ("bad id\r\nX-Evil: 1", False), ("", False)],
)
async def test_request_id_is_kept_when_sane_else_made(
    start_gateway: StartGateway, sent: str, kept: bool
) -> None:
    gateway = await start_gateway()
    headers = {"X-Request-ID": sent} if "\r" not in sent else {"X-Request-ID": sent.replace("\r\n", " ")}

    response = await gateway.client.get("/api/v1/nothing", headers=headers)

    returned = response.headers["x-request-id"]
    assert (returned == sent) is kept
    assert 1 <= len(returned) <= 128
    assert response.json()["request_id"] == returned


async def test_the_trace_continues_and_comes_back(
    start_gateway: StartGateway, tokens: dict[str, str]
) -> None:
    gateway = await start_gateway()
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"

    response = await gateway.client.get(
        "/api/v1/me",
        headers={**bearer(tokens["admin"]), "traceparent": f"00-{trace_id}-00f067aa0ba902b7-01"},
    )

    version, returned_trace, span_id, flags = response.headers["traceparent"].split("-")
    assert (version, returned_trace, flags) == ("00", trace_id, "01")
    assert span_id != "00f067aa0ba902b7"  # the gateway's own server span
    server_spans = [span for span in gateway.spans.get_finished_spans() if span.kind.name == "SERVER"]
    assert any(format(span.context.trace_id, "032x") == trace_id for span in server_spans)


async def test_without_a_console_the_root_points_to_the_docs(start_gateway: StartGateway) -> None:
    gateway = await start_gateway()

    root = await gateway.client.get("/")
    docs = await gateway.client.get("/docs")
    asset = await gateway.client.get("/docs/assets/swagger-ui-bundle.js")
    openapi = await gateway.client.get("/openapi.json")

    assert root.status_code == 200
    assert "/docs" in root.text
    assert docs.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in docs.text
    assert "'sha256-" in docs.headers["content-security-policy"]
    assert asset.status_code == 200
    assert openapi.status_code == 200
    assert openapi.json()["openapi"].startswith("3.")


async def test_the_console_is_served_with_client_side_routes(
    start_gateway: StartGateway, tmp_path: Path
) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app.js").write_text("console.log(1)")
    gateway = await start_gateway(console_dir=str(tmp_path))

    root = await gateway.client.get("/")
    route = await gateway.client.get("/units/91210102MA0LN001X3")
    asset = await gateway.client.get("/assets/app.js")
    missing_asset = await gateway.client.get("/assets/missing.js")
    api = await gateway.client.get("/api/v1/no-such-resource")

    assert root.text == route.text == "<!doctype html><div id=root></div>"
    assert asset.text == "console.log(1)"
    assert_problem(missing_asset, 404)
    assert_problem(api, 404)
