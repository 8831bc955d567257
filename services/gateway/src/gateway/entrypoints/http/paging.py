"""Page sizes of list routes: `limit` defaults to the configured size and may not exceed the cap.

A limit above the cap is refused (400, pointer /limit) rather than clamped, so a client never takes a
short page for the last one.

    async def list_units(caller: ..., limit: PageSize) -> UnitPage:
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from gateway.domain.problems import FieldViolation, Problem
from gateway.entrypoints.http.dependencies import gateway_dependencies


async def page_size(
    request: Request,
    limit: Annotated[
        int | None,
        Query(ge=1, description="Items per page (default and cap are configured: 50 and 200 by default)."),
    ] = None,
) -> int:
    """The page size a list route serves: `limit`, or the default; above the cap a 400 problem."""
    settings = gateway_dependencies(request).settings
    if limit is None:
        return settings.default_page_size
    if limit > settings.max_page_size:
        raise Problem(
            400,
            f"At most {settings.max_page_size} items per page.",
            slug="invalid-argument",
            errors=[FieldViolation("/limit", f"must be at most {settings.max_page_size}")],
        )
    return limit


PageSize = Annotated[int, Depends(page_size)]
