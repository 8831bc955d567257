"""The OpenAPI document: every route documented with its roles, problems and the bearer scheme. No I/O."""

from __future__ import annotations

from typing import Any

from .conftest import AppFactory

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_every_api_operation_declares_roles_security_and_problems(make_app: AppFactory) -> None:
    app, _ = make_app()
    document = app.openapi()

    api = [(path, method, op) for path, method, op in operations(document) if path.startswith("/api/v1/")]
    assert {(path, method) for path, method, _ in api} >= {
        ("/api/v1/me", "get"),
        ("/api/v1/units/stream", "get"),
        ("/api/v1/units", "get"),
        ("/api/v1/units", "post"),
        ("/api/v1/units/{uscc}", "get"),
        ("/api/v1/units/{uscc}", "patch"),
        ("/api/v1/jurisdictions", "get"),
    }
    for path, method, op in api:
        assert op["x-roles"], (path, method)
        assert op["security"] == [{"bearer": []}]
        assert op["operationId"]
        for status in ("401", "403", "429", "503"):
            assert op["responses"][status]["content"] == PROBLEM, (path, status)
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "An access token of Keycloak realm `neibao` for audience `neibao-gateway`.",
    }


def test_the_problem_schema_replaces_fastapis_validation_error(make_app: AppFactory) -> None:
    app, _ = make_app()
    document = app.openapi()
    schemas = document["components"]["schemas"]

    assert "HTTPValidationError" not in schemas
    assert (
        not [  # the gateway answers invalid input with 400, never FastAPI's 422
            (path, method) for path, method, op in operations(document) if "422" in op["responses"]
        ]
    )
    assert set(schemas["Problem"]["properties"]) >= {
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "errors",
    }
    assert schemas["Problem"]["properties"]["errors"]["anyOf"][0]["items"] == {
        "$ref": "#/components/schemas/FieldViolation"
    }
    stream = document["paths"]["/api/v1/units/stream"]["get"]
    assert stream["responses"]["400"]["content"] == PROBLEM
    assert "text/event-stream" in stream["responses"]["200"]["content"]
    assert document["paths"]["/readyz"]["get"]["responses"]["503"]["content"] == PROBLEM


def test_probes_and_pages_outside_the_api_need_no_token(make_app: AppFactory) -> None:
    app, _ = make_app()
    document = app.openapi()
    for path in ("/healthz", "/readyz"):
        assert "security" not in document["paths"][path]["get"]
    assert "/" not in document["paths"]
    assert "/docs" not in document["paths"]


def test_every_schema_has_one_plain_name(make_app: AppFactory) -> None:
    """Two models of one name would be published under module paths, and generated clients would carry
    them (`gateway__entrypoints__http__..._PartyKind`): each REST model and enum has a name of its own."""
    app, _ = make_app()
    names = list(app.openapi()["components"]["schemas"])
    assert [name for name in names if "__" in name or name.endswith(("-Input", "-Output"))] == []
