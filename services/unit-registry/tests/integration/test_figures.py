"""Dossier figures on the real servers: counted from the dossier records, inside the caller's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from neibao.unitregistry.v1 import dossier_pb2, figures_pb2, figures_pb2_grpc, inspection_pb2, unit_pb2
from unit_registry.domain.dossier import DrillDraft, local_date
from unit_registry.service import dossier_handlers
from unit_registry.service.dossier_commands import ItemCreate

from .conftest import (
    DALIAN_EXPRESS,
    HEPING_EXPRESS,
    HEPING_SHOP,
    Registry,
    field_violations,
    unit_security_of,
)

COUNTS = (
    "units",
    "key_units",
    "key_units_filed",
    "drills_overdue",
    "hazards_overdue",
    "units_hazards_overdue",
)


def counts(row: figures_pb2.FigureRow) -> dict[str, int]:
    return {name: getattr(row, name) for name in COUNTS}


async def figures(
    registry: Registry, user: str, **request: object
) -> tuple[figures_pb2.FigureRow, dict[str, figures_pb2.FigureRow]]:
    stub = figures_pb2_grpc.FiguresServiceStub(registry.channel)  # type: ignore[no-untyped-call]
    answer = await stub.GetFigures(
        figures_pb2.GetFiguresRequest(**request),  # type: ignore[arg-type]
        metadata=registry.auth(user),
    )
    return answer.total, {row.key: row for row in answer.rows}


async def designate(registry: Registry, uscc: str, proposer: str, bureau: str) -> None:
    await registry.units.ProposeKeyUnit(
        unit_pb2.ProposeKeyUnitRequest(uscc=uscc, category=unit_pb2.KEY_UNIT_CATEGORY_OTHER_DESIGNATED),
        metadata=registry.auth(proposer),
    )
    await registry.units.ConfirmKeyUnit(
        unit_pb2.ConfirmKeyUnitRequest(uscc=uscc, designated_on="2025-01-01"), metadata=registry.auth(bureau)
    )


async def drill(registry: Registry, uscc: str, jurisdiction: str, on: datetime) -> None:
    draft = DrillDraft(drilled_on=local_date(on), scenario="消防疏散", participants=20)
    await dossier_handlers.record_drill(
        ItemCreate(uscc, draft), unit_security_of(uscc, jurisdiction), registry.unit_of_work()
    )


async def hazard(registry: Registry, uscc: str, police: str) -> str:
    police_auth = registry.auth(police)
    inspection = await registry.inspections.RecordInspection(
        inspection_pb2.RecordInspectionRequest(
            uscc=uscc, inspected_on="2025-05-03", organisation="派出所", inspectors=["张伟"]
        ),
        metadata=police_auth,
    )
    opened = await registry.inspections.OpenHazard(
        inspection_pb2.OpenHazardRequest(
            uscc=uscc,
            inspection_id=inspection.inspection.id,
            severity=dossier_pb2.SEVERITY_HIGH,
            description="消防通道被杂物堵塞",
            deadline="2099-01-01",
        ),
        metadata=police_auth,
    )
    return opened.hazard.id


@pytest.fixture
async def province(populated: Registry) -> Registry:
    """Three key units: the Heping shop filed and drilled, with one hazard overdue and one not; the Heping
    express drilled once in 12 months (and once before); the Dalian express with a hazard overdue."""
    registry = populated
    await designate(registry, HEPING_SHOP, "police-heping", "police-shenyang")
    await designate(registry, HEPING_EXPRESS, "police-heping", "police-shenyang")
    await designate(registry, DALIAN_EXPRESS, "police-dalian", "police-dalian")
    chief = registry.auth("security-chief-demo")
    draft = await registry.dossier.SaveFilingDraft(
        dossier_pb2.SaveFilingDraftRequest(
            uscc=HEPING_SHOP,
            organisation_name="保卫部",
            head_name="钱明",
            full_time_staff=3,
            established_on="2024-03-01",
        ),
        metadata=chief,
    )
    submitted = await registry.dossier.SubmitFiling(
        dossier_pb2.SubmitFilingRequest(uscc=HEPING_SHOP, id=draft.filing.id), metadata=chief
    )
    await registry.dossier.AcceptFiling(
        dossier_pb2.AcceptFilingRequest(uscc=HEPING_SHOP, id=submitted.filing.id, note="材料齐全"),
        metadata=registry.auth("police-heping"),
    )
    now = datetime.now(UTC)
    await drill(registry, HEPING_SHOP, "210102", now - timedelta(days=30))
    await drill(registry, HEPING_SHOP, "210102", now - timedelta(days=200))
    await drill(registry, HEPING_EXPRESS, "210102", now - timedelta(days=30))
    await drill(registry, HEPING_EXPRESS, "210102", now - timedelta(days=400))  # outside the 12 months
    overdue_shop = await hazard(registry, HEPING_SHOP, "police-heping")
    await hazard(registry, HEPING_SHOP, "police-heping")  # its deadline is far ahead
    overdue_dalian = await hazard(registry, DALIAN_EXPRESS, "police-dalian")
    yesterday = local_date(now) - timedelta(days=1)
    # Deadlines pass with the calendar; the API refuses to open a hazard already overdue.
    registry.execute(
        "UPDATE hazard SET deadline = %s WHERE id = ANY(%s::uuid[])",
        yesterday,
        [overdue_shop, overdue_dalian],
    )
    return registry


async def test_the_province_by_city(province: Registry) -> None:
    total, rows = await figures(province, "admin")
    assert sorted(rows) == ["210100", "210200"]
    assert counts(rows["210100"]) == {
        "units": 2,
        "key_units": 2,
        "key_units_filed": 1,
        "drills_overdue": 1,
        "hazards_overdue": 1,
        "units_hazards_overdue": 1,
    }
    assert rows["210100"].filing_rate == pytest.approx(0.5)
    assert counts(rows["210200"]) == {
        "units": 1,
        "key_units": 1,
        "key_units_filed": 0,
        "drills_overdue": 1,
        "hazards_overdue": 1,
        "units_hazards_overdue": 1,
    }
    assert total.key == ""
    assert counts(total) == {
        "units": 3,
        "key_units": 3,
        "key_units_filed": 1,
        "drills_overdue": 2,
        "hazards_overdue": 2,
        "units_hazards_overdue": 2,
    }
    assert total.filing_rate == pytest.approx(1 / 3)


async def test_rows_are_one_level_under_the_callers_jurisdiction_and_nothing_outside_it(
    province: Registry,
) -> None:
    total, rows = await figures(province, "police-heping")
    assert list(rows) == ["210102"]
    assert (total.units, total.hazards_overdue) == (2, 1)
    total, rows = await figures(province, "police-dalian")
    assert list(rows) == ["210202"]
    assert (total.key_units, total.key_units_filed) == (1, 0)
    # Asking for a jurisdiction outside one's own finds nothing in it.
    total, rows = await figures(province, "police-dalian", jurisdiction="210100")
    assert rows == {}
    assert total.units == 0
    # The admin asking for a city: its districts.
    _, rows = await figures(province, "admin", jurisdiction="210100")
    assert list(rows) == ["210102"]


async def test_regulators_count_their_sector_and_rows_group_by_lead_sector(province: Registry) -> None:
    total, rows = await figures(province, "regulator-postal", group_by=figures_pb2.FIGURE_GROUPING_SECTOR)
    assert list(rows) == ["postal"]
    assert counts(total) == {
        "units": 2,
        "key_units": 2,
        "key_units_filed": 0,
        "drills_overdue": 2,
        "hazards_overdue": 1,
        "units_hazards_overdue": 1,
    }
    total, rows = await figures(province, "regulator-commerce-dalian")
    assert rows == {}
    assert counts(total) == dict.fromkeys(COUNTS, 0)
    _, rows = await figures(
        province, "admin", group_by=figures_pb2.FIGURE_GROUPING_SECTOR, sector="transport"
    )
    assert list(rows) == ["postal"]  # the Dalian express: lead sector postal, also transport


async def test_a_rectified_hazard_and_a_new_drill_change_the_figures_at_once(province: Registry) -> None:
    chief = province.auth("security-chief-demo")
    overdue = province.rows("SELECT id FROM hazard WHERE uscc = %s AND deadline < '2099-01-01'", HEPING_SHOP)
    await province.inspections.RectifyHazard(
        inspection_pb2.RectifyHazardRequest(
            uscc=HEPING_SHOP,
            id=str(overdue[0][0]),
            rectification_note="已清理通道",
            evidence=[inspection_pb2.Evidence(description="整改后照片")],
        ),
        metadata=chief,
    )
    await drill(province, HEPING_EXPRESS, "210102", datetime.now(UTC) - timedelta(days=1))
    total, _ = await figures(province, "police-heping")
    assert (total.hazards_overdue, total.drills_overdue) == (0, 0)
    # A closed unit is no longer counted.
    police = province.auth("police-heping")
    unit = await province.units.GetUnit(unit_pb2.GetUnitRequest(uscc=HEPING_EXPRESS), metadata=police)
    await province.units.CloseUnit(
        unit_pb2.CloseUnitRequest(uscc=HEPING_EXPRESS, version=unit.unit.version, reason="注销"),
        metadata=police,
    )
    total, _ = await figures(province, "police-heping")
    assert (total.units, total.key_units) == (1, 1)


async def test_unit_security_may_not_and_a_bad_jurisdiction_is_named(province: Registry) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await figures(province, "security-chief-demo")
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as invalid:
        await figures(province, "admin", jurisdiction="21", sector="spaceflight")
    assert invalid.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations(invalid.value)) == {"jurisdiction", "sector"}
