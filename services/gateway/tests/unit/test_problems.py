"""Problems, JSON pointers and the mapping of upstream gRPC statuses. No I/O."""

from __future__ import annotations

from http import HTTPStatus

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2, status_pb2

from gateway.adapters.upstream import field_violations, problem_from_status
from gateway.domain.problems import (
    FieldViolation,
    Problem,
    pointer,
    pointer_from_field_path,
    pointer_from_location,
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("uscc", "/uscc"),
        ("unit.uscc", "/unit/uscc"),
        ("contacts[2].phone", "/contacts/2/phone"),
        ("matrix[0][1]", "/matrix/0/1"),
        ("a/b.c~d", "/a~1b/c~0d"),
        ("/already/a/pointer", "/already/a/pointer"),
        ("", ""),
    ],
)
def test_protobuf_field_paths_become_json_pointers(path: str, expected: str) -> None:
    assert pointer_from_field_path(path) == expected


@pytest.mark.parametrize(
    ("location", "expected"),
    [
        (("body", "uscc"), "/uscc"),
        (("body", "contacts", 0, "phone"), "/contacts/0/phone"),
        (("query", "limit"), "/limit"),
        (("header", "last-event-id"), "/last-event-id"),
        (("path", "uscc"), "/uscc"),
        (("body",), ""),
    ],
)
def test_validation_locations_become_pointers_without_their_source(
    location: tuple[str | int, ...], expected: str
) -> None:
    assert pointer_from_location(location) == expected


def test_pointer_escapes_tokens() -> None:
    assert pointer(["a/b", "m~n", 3]) == "/a~1b/m~0n/3"


def test_problem_document_has_the_rfc_9457_members() -> None:
    problem = Problem(
        422, "bad fields", slug="validation", errors=[FieldViolation("/uscc", "wrong check digit")]
    )

    body = problem.body(instance="/api/v1/units", request_id="r1")

    assert body == {
        "type": "urn:neibao:problem:validation",
        "title": HTTPStatus(422).phrase,
        "status": 422,
        "detail": "bad fields",
        "instance": "/api/v1/units",
        "errors": [{"pointer": "/uscc", "detail": "wrong check digit"}],
        "request_id": "r1",
    }
    assert Problem(404).body() == {"type": "about:blank", "title": "Not Found", "status": 404}


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (grpc.StatusCode.INVALID_ARGUMENT, 400),
        (grpc.StatusCode.OUT_OF_RANGE, 400),
        (grpc.StatusCode.NOT_FOUND, 404),
        (grpc.StatusCode.ALREADY_EXISTS, 409),
        (grpc.StatusCode.FAILED_PRECONDITION, 409),
        (grpc.StatusCode.ABORTED, 409),
        (grpc.StatusCode.PERMISSION_DENIED, 403),
        (grpc.StatusCode.UNAUTHENTICATED, 401),
        (grpc.StatusCode.UNAVAILABLE, 503),
        (grpc.StatusCode.DEADLINE_EXCEEDED, 503),
        (grpc.StatusCode.INTERNAL, 502),
        (grpc.StatusCode.UNKNOWN, 502),
        (grpc.StatusCode.UNIMPLEMENTED, 502),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, 502),
        (grpc.StatusCode.DATA_LOSS, 502),
        (grpc.StatusCode.CANCELLED, 502),
    ],
)
def test_grpc_statuses_map_to_http(code: grpc.StatusCode, status: int) -> None:
    assert problem_from_status(code, "details").status == status


def test_a_failed_precondition_of_a_conditional_request_is_412() -> None:
    assert problem_from_status(grpc.StatusCode.FAILED_PRECONDITION, "etag", conditional=True).status == 412


def test_server_side_details_never_reach_the_client() -> None:
    for code in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.PERMISSION_DENIED):
        problem = problem_from_status(code, "sqlalchemy.exc.OperationalError: connection to 10.0.0.5 refused")
        assert "sqlalchemy" not in str(problem.body())
    assert problem_from_status(grpc.StatusCode.UNAVAILABLE, None).headers["Retry-After"]
    unauthenticated = problem_from_status(grpc.StatusCode.UNAUTHENTICATED, "x")
    assert unauthenticated.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_request_details_become_field_violations() -> None:
    rich = status_pb2.Status(code=code_pb2.INVALID_ARGUMENT, message="invalid")
    rich.details.add().Pack(
        error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field="unit.uscc", description="bad check digit")
            ]
        )
    )
    rich.details.add().Pack(error_details_pb2.ErrorInfo(reason="IGNORED"))

    violations = field_violations(rich)

    assert violations == [FieldViolation("/unit/uscc", "bad check digit")]
    problem = problem_from_status(grpc.StatusCode.INVALID_ARGUMENT, "invalid", violations)
    assert problem.body()["errors"] == [{"pointer": "/unit/uscc", "detail": "bad check digit"}]
    assert field_violations(None) == []
