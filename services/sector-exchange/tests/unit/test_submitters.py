"""Submitters: the packaged registration and who may submit what."""

from __future__ import annotations

import pytest

from sector_exchange.adapters.submitters import load_submitters, parse_submitters
from sector_exchange.domain.errors import Forbidden
from sector_exchange.domain.submitters import Caller

POSTAL_ORG = "91210200MA0YP3D80R"


def postal_client(**changes: object) -> Caller:
    fields: dict[str, object] = {
        "subject": "s",
        "roles": frozenset({"sector-system"}),
        "client_id": "sector-postal-demo",
        "org": POSTAL_ORG,
        "sector": "postal",
        "machine": True,
    }
    fields.update(changes)
    return Caller(**fields)  # type: ignore[arg-type]


def test_the_postal_demo_client_submits_shipments_as_its_company() -> None:
    registry = load_submitters()
    submitter = registry.authorise(postal_client(), "postal/shipments")
    assert submitter.organisation == POSTAL_ORG


@pytest.mark.parametrize(
    ("caller", "dataset"),
    [
        (postal_client(), "commerce/fuel-sales"),
        (postal_client(org="91210102MA0LN001X3"), "postal/shipments"),
        (postal_client(sector="commerce"), "postal/shipments"),
        (postal_client(client_id="someone-else"), "postal/shipments"),
        (postal_client(roles=frozenset({"police"})), "postal/shipments"),
        (postal_client(machine=False), "postal/shipments"),
    ],
)
def test_anything_else_is_refused(caller: Caller, dataset: str) -> None:
    with pytest.raises(Forbidden):
        load_submitters().authorise(caller, dataset)


def test_a_submitter_of_another_sectors_dataset_is_refused_at_load() -> None:
    with pytest.raises(ValueError, match="own sector"):
        parse_submitters(
            {
                "submitters": [
                    {
                        "client_id": "c",
                        "organisation": POSTAL_ORG,
                        "sector": "postal",
                        "datasets": ["commerce/fuel-sales"],
                    }
                ]
            }
        )
