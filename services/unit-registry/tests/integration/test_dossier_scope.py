"""The dossier's scope with real tokens: every account reads exactly the dossiers of the units it sees;
informants are known to police only; no list ever holds another unit's records."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import pytest

from neibao.unitregistry.v1 import dossier_pb2, informant_pb2, inspection_pb2, staff_pb2

from .conftest import DALIAN_EXPRESS, HEPING_EXPRESS, HEPING_SHOP, Registry
from .dossier_fixtures import SHARED_ID, Dossiers, write_dossiers
from .test_scope import EVERYONE, VISIBLE

POLICE = {"admin", "police-shenyang", "police-heping", "police-dalian"}


@pytest.fixture
async def dossiers(populated: Registry) -> Dossiers:
    return await write_dossiers(populated)


Lister = Callable[[Registry, str, Any], Awaitable[list[str]]]


async def _usccs(call: Awaitable[Any]) -> list[str]:
    response = await call
    return [item.uscc for item in response.items]


# Every listing of the dossier, as (name, call returning the usccs of the items it lists).
LISTINGS: list[tuple[str, Lister]] = [
    (
        "filings",
        lambda r, u, m: _usccs(r.dossier.ListFilings(dossier_pb2.ListFilingsRequest(uscc=u), metadata=m)),
    ),
    (
        "responsible_persons",
        lambda r, u, m: _usccs(
            r.dossier.ListResponsiblePersons(dossier_pb2.ListResponsiblePersonsRequest(uscc=u), metadata=m)
        ),
    ),
    (
        "key_parts",
        lambda r, u, m: _usccs(r.dossier.ListKeyParts(dossier_pb2.ListKeyPartsRequest(uscc=u), metadata=m)),
    ),
    (
        "emergency_plans",
        lambda r, u, m: _usccs(
            r.dossier.ListEmergencyPlans(dossier_pb2.ListEmergencyPlansRequest(uscc=u), metadata=m)
        ),
    ),
    (
        "drills",
        lambda r, u, m: _usccs(r.dossier.ListDrills(dossier_pb2.ListDrillsRequest(uscc=u), metadata=m)),
    ),
    (
        "workstations",
        lambda r, u, m: _usccs(
            r.dossier.ListWorkstations(dossier_pb2.ListWorkstationsRequest(uscc=u), metadata=m)
        ),
    ),
    ("staff", lambda r, u, m: _usccs(r.staff.ListStaff(staff_pb2.ListStaffRequest(uscc=u), metadata=m))),
    (
        "inspections",
        lambda r, u, m: _usccs(
            r.inspections.ListInspections(inspection_pb2.ListInspectionsRequest(uscc=u), metadata=m)
        ),
    ),
    (
        "hazards",
        lambda r, u, m: _usccs(
            r.inspections.ListHazards(inspection_pb2.ListHazardsRequest(uscc=u), metadata=m)
        ),
    ),
]
INFORMANT_LISTINGS: list[tuple[str, Lister]] = [
    (
        "informants",
        lambda r, u, m: _usccs(
            r.informants.ListInformants(informant_pb2.ListInformantsRequest(uscc=u), metadata=m)
        ),
    ),
    (
        "informant_reports",
        lambda r, u, m: _usccs(
            r.informants.ListInformantReports(informant_pb2.ListInformantReportsRequest(uscc=u), metadata=m)
        ),
    ),
]


async def _not_found(call: Awaitable[Any]) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize("user", sorted(VISIBLE))
async def test_each_account_reads_the_dossiers_of_its_units_only(dossiers: Dossiers, user: str) -> None:
    registry, auth = dossiers.registry, dossiers.registry.auth(user)
    for uscc in sorted(EVERYONE):
        visible = uscc in VISIBLE[user]
        for name, listing in LISTINGS:
            if visible:
                assert set(await listing(registry, uscc, auth)) <= {uscc}, (name, uscc)
            else:
                await _not_found(listing(registry, uscc, auth))
        for name, listing in INFORMANT_LISTINGS:
            if visible and user in POLICE:
                assert set(await listing(registry, uscc, auth)) <= {uscc}, (name, uscc)
            else:
                # Not police: informants do not exist for them, not even at their own unit.
                await _not_found(listing(registry, uscc, auth))
        dossier = registry.dossier.GetDossier(dossier_pb2.GetDossierRequest(uscc=uscc), metadata=auth)
        if visible:
            assert (await dossier).dossier.uscc == uscc
        else:
            await _not_found(dossier)


@pytest.mark.parametrize("user", sorted(VISIBLE))
async def test_single_records_follow_their_unit(dossiers: Dossiers, user: str) -> None:
    registry, auth = dossiers.registry, dossiers.registry.auth(user)
    visible = HEPING_SHOP in VISIBLE[user]
    gets: list[Awaitable[Any]] = [
        registry.staff.GetStaffMember(
            staff_pb2.GetStaffMemberRequest(uscc=HEPING_SHOP, id=dossiers.shop_staff_id), metadata=auth
        ),
        registry.inspections.GetHazard(
            inspection_pb2.GetHazardRequest(uscc=HEPING_SHOP, id=dossiers.shop_hazard_id), metadata=auth
        ),
        registry.inspections.GetInspection(
            inspection_pb2.GetInspectionRequest(uscc=HEPING_SHOP, id=dossiers.shop_inspection_id),
            metadata=auth,
        ),
    ]
    for call in gets:
        if visible:
            await call
        else:
            await _not_found(call)
    informant = registry.informants.GetInformant(
        informant_pb2.GetInformantRequest(uscc=HEPING_SHOP, id=dossiers.shop_informant_id), metadata=auth
    )
    if visible and user in POLICE:
        assert (await informant).informant.name == "李强"
    else:
        await _not_found(informant)


async def test_a_record_is_not_found_through_another_unit(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    # The Heping shop's staff member, asked for under the express company the caller also sees.
    await _not_found(
        registry.staff.GetStaffMember(
            staff_pb2.GetStaffMemberRequest(uscc=HEPING_EXPRESS, id=dossiers.shop_staff_id),
            metadata=registry.auth("police-heping"),
        )
    )
    await _not_found(
        registry.inspections.GetHazard(
            inspection_pb2.GetHazardRequest(uscc=HEPING_EXPRESS, id="not-an-id"),
            metadata=registry.auth("admin"),
        )
    )


async def test_the_dossier_summary_counts_informants_for_police_only(dossiers: Dossiers) -> None:
    registry = dossiers.registry
    police = await registry.dossier.GetDossier(
        dossier_pb2.GetDossierRequest(uscc=HEPING_SHOP), metadata=registry.auth("police-heping")
    )
    assert police.dossier.HasField("informants")
    assert police.dossier.informants == 1
    chief = await registry.dossier.GetDossier(
        dossier_pb2.GetDossierRequest(uscc=HEPING_SHOP), metadata=registry.auth("security-chief-demo")
    )
    assert not chief.dossier.HasField("informants")
    assert (chief.dossier.staff_full_time, chief.dossier.key_parts, chief.dossier.hazards_open) == (1, 1, 1)
    assert chief.dossier.open_filing.state == dossier_pb2.FILING_STATE_DRAFT


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("admin", {HEPING_SHOP, DALIAN_EXPRESS}),
        ("police-shenyang", {HEPING_SHOP}),
        ("police-heping", {HEPING_SHOP}),
        ("police-dalian", {DALIAN_EXPRESS}),
    ],
)
async def test_lookup_by_resident_id_finds_only_records_in_scope(
    dossiers: Dossiers, user: str, expected: set[str]
) -> None:
    registry = dossiers.registry
    # Typed as people type it: lower-case check character, spaces.
    typed = f" {SHARED_ID[:6]} {SHARED_ID[6:].lower()} "
    found = await registry.staff.FindStaffByResidentId(
        staff_pb2.FindStaffByResidentIdRequest(resident_id=typed), metadata=registry.auth(user)
    )
    assert {m.uscc for m in found.items} == expected
    assert {m.resident_id for m in found.items} == {SHARED_ID}
    assert found.disclosure.level == dossier_pb2.DISCLOSURE_LEVEL_CLEAR
    assert set(found.disclosure.subject_ids) == {m.id for m in found.items}


@pytest.mark.parametrize("user", ["regulator-postal", "regulator-commerce-dalian", "security-chief-demo"])
async def test_lookup_by_resident_id_is_for_police(dossiers: Dossiers, user: str) -> None:
    registry = dossiers.registry
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.staff.FindStaffByResidentId(
            staff_pb2.FindStaffByResidentIdRequest(resident_id=SHARED_ID), metadata=registry.auth(user)
        )
    assert caught.value.code() is grpc.StatusCode.PERMISSION_DENIED
