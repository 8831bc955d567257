"""ETags and If-Match (strong comparison, `*`, lists), and which route a unit path reaches. No I/O."""

from __future__ import annotations

import pytest

from gateway.domain.problems import Problem
from gateway.entrypoints.http.rest import if_match_versions, strong_etag, version_to_change
from gateway.entrypoints.http.routes import units
from gateway.entrypoints.http.routes.units import unit_response
from neibao.unitregistry.v1 import unit_pb2


@pytest.mark.parametrize(
    ("header", "versions"),
    [
        ('"3"', {3}),
        (' "3" ', {3}),
        ('"3", "4"', {3, 4}),
        ('W/"3"', set()),  # weak tags never match (RFC 9110 §13.1.1)
        ('W/"3", "5"', {5}),
        ("3", set()),  # not an entity tag
        ('"0"', set()),
        ('"x"', set()),
        ('"٣"', set()),  # a digit, but not an ASCII one
        ("", set()),
    ],
)
def test_if_match_admits_the_versions_of_its_strong_tags(header: str, versions: set[int]) -> None:
    assert if_match_versions(header) == versions


def test_if_match_star_admits_any_version() -> None:
    assert if_match_versions(" * ") is None
    assert strong_etag(7) == '"7"'


async def current() -> int:
    return 4


async def test_the_version_a_change_is_based_on() -> None:
    assert await version_to_change('"3"', current, required=True) == 3  # the service checks it
    assert await version_to_change("*", current, required=True) == 4
    assert await version_to_change('"2", "4"', current, required=True) == 4
    assert await version_to_change(None, current, required=False) == 0


@pytest.mark.parametrize(
    ("header", "status"), [(None, 428), ('W/"4"', 412), ('"2", "3"', 412), ("garbage", 412)]
)
async def test_a_change_without_a_matching_if_match_is_refused(header: str | None, status: int) -> None:
    with pytest.raises(Problem) as refused:
        await version_to_change(header, current, required=True)
    assert refused.value.status == status


def test_the_live_stream_is_declared_before_the_unit_path_that_would_take_it() -> None:
    # Routes match in declaration order: /units/{uscc} first would answer /units/stream as a USCC.
    # (tests/integration/test_live_stream.py and e2e stream from the path itself.)
    paths = [getattr(route, "path", "") for route in units.router.routes]
    assert paths.index("/units/stream") < paths.index("/units/{uscc}")


def test_a_units_etag_is_its_version_in_quotes() -> None:
    response = unit_response(
        unit_pb2.Unit(uscc="91210102MA0LN001X3", version=3), status_code=201, created=True
    )
    assert response.headers["etag"] == '"3"'
    assert response.headers["location"] == "/api/v1/units/91210102MA0LN001X3"
    assert response.headers["content-type"] == "application/json"
