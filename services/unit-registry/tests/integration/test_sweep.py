"""The overdue sweep: what the calendar makes overdue is flagged and announced once, however often it runs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta

from neibao.unitregistry.v1 import dossier_pb2, events_pb2, inspection_pb2, unit_pb2
from neibao_testkit.endpoints import StackEndpoints
from unit_registry.domain.dossier import FILING_GRACE_DAYS, local_date
from unit_registry.service.sweep import sweep_overdue

from .conftest import HEPING_EXPRESS, HEPING_SHOP, Registry

P = "neibao.unit-registry."


async def designate(registry: Registry, uscc: str, on: str) -> unit_pb2.Unit:
    await registry.units.ProposeKeyUnit(
        unit_pb2.ProposeKeyUnitRequest(uscc=uscc, category=unit_pb2.KEY_UNIT_CATEGORY_OTHER_DESIGNATED),
        metadata=registry.auth("police-heping"),
    )
    confirmed = await registry.units.ConfirmKeyUnit(
        unit_pb2.ConfirmKeyUnitRequest(uscc=uscc, designated_on=on), metadata=registry.auth("police-shenyang")
    )
    return confirmed.unit


async def flagged(registry: Registry, **criteria: bool) -> set[str]:
    found = await registry.units.ListUnits(
        unit_pb2.ListUnitsRequest(**criteria),  # type: ignore[arg-type]
        metadata=registry.auth("admin"),
    )
    return {u.uscc for u in found.items}


def payloads(registry: Registry, event_type: str) -> list[bytes]:
    return [
        bytes(row[0])
        for row in registry.rows(
            "SELECT payload FROM outbox WHERE headers->>'ce_type' = %s ORDER BY id", P + event_type
        )
    ]


async def test_the_sweep_flags_and_announces_once(populated: Registry) -> None:
    registry = populated
    now = datetime.now(UTC)
    today = local_date(now)
    shop = await designate(registry, HEPING_SHOP, today.isoformat())
    express = await designate(registry, HEPING_EXPRESS, today.isoformat())
    # Freshly designated: the filing has its grace period; drills are due at once.
    assert (shop.filing_overdue, shop.drills_overdue, express.drills_overdue) == (False, True, True)
    heping = registry.auth("police-heping")
    inspection = await registry.inspections.RecordInspection(
        inspection_pb2.RecordInspectionRequest(
            uscc=HEPING_SHOP, inspected_on=today.isoformat(), organisation="太原街派出所", inspectors=["张伟"]
        ),
        metadata=heping,
    )
    hazard = await registry.inspections.OpenHazard(
        inspection_pb2.OpenHazardRequest(
            uscc=HEPING_SHOP,
            inspection_id=inspection.inspection.id,
            severity=dossier_pb2.SEVERITY_HIGH,
            description="周界报警装置失效",
            deadline=(today + timedelta(days=10)).isoformat(),
        ),
        metadata=heping,
    )

    report = await sweep_overdue(registry.unit_of_work, clock=lambda: now)
    assert (report.hazards_overdue, report.flags_changed) == (0, 0)

    # A month on, twice at once: the hazard is past its deadline, the filing grace period is over.
    later = now + timedelta(days=FILING_GRACE_DAYS + 1)
    reports = await asyncio.gather(
        sweep_overdue(registry.unit_of_work, clock=lambda: later),
        sweep_overdue(registry.unit_of_work, clock=lambda: later),
    )
    assert sum(r.hazards_overdue for r in reports) == 1
    overdue = payloads(registry, "hazard.overdue.v1")
    assert len(overdue) == 1
    announced = events_pb2.HazardOverdue.FromString(overdue[0])
    assert announced.hazard.hazard_id == hazard.hazard.id
    assert announced.flags == dossier_pb2.DossierFlags(
        filing_overdue=True, drills_overdue=True, hazards_overdue=True
    )
    assert announced.actor.name == "unit-registry"
    # The express company has no hazard: its changed flags are announced as such, once.
    changed = [
        events_pb2.DossierFlagsChanged.FromString(p) for p in payloads(registry, "dossier.flags-changed.v1")
    ]
    assert [(c.uscc, c.flags.filing_overdue, c.previous.filing_overdue) for c in changed] == [
        (HEPING_EXPRESS, True, False)
    ]
    assert await flagged(registry, hazards_overdue=True) == {HEPING_SHOP}
    assert await flagged(registry, filing_overdue=True) == {HEPING_SHOP, HEPING_EXPRESS}

    events = registry.count("SELECT count(*) FROM outbox")
    again = await sweep_overdue(registry.unit_of_work, clock=lambda: later)
    assert (again.hazards_overdue, again.flags_changed) == (0, 0)
    assert registry.count("SELECT count(*) FROM outbox") == events

    # Rectified, the hazard no longer counts; the flag follows at once (no sweep needed).
    await registry.inspections.RectifyHazard(
        inspection_pb2.RectifyHazardRequest(
            uscc=HEPING_SHOP,
            id=hazard.hazard.id,
            rectification_note="已修复",
            evidence=[inspection_pb2.Evidence(description="测试记录")],
        ),
        metadata=registry.auth("security-chief-demo"),
    )
    assert await flagged(registry, hazards_overdue=True) == set()


async def test_the_sweeper_process_sweeps_on_its_own_and_stops_on_sigterm(
    populated: Registry, stack: StackEndpoints, pii_keys: dict[str, str]
) -> None:
    """`python -m unit_registry sweeper` (a process of the local stack) finds what time made overdue."""
    registry = populated
    today = local_date(datetime.now(UTC))
    heping = registry.auth("police-heping")
    inspection = await registry.inspections.RecordInspection(
        inspection_pb2.RecordInspectionRequest(
            uscc=HEPING_SHOP, inspected_on=today.isoformat(), organisation="太原街派出所", inspectors=["张伟"]
        ),
        metadata=heping,
    )
    await registry.inspections.OpenHazard(
        inspection_pb2.OpenHazardRequest(
            uscc=HEPING_SHOP,
            inspection_id=inspection.inspection.id,
            severity=dossier_pb2.SEVERITY_HIGH,
            description="消防通道堵塞",
            deadline=(today + timedelta(days=3)).isoformat(),
        ),
        metadata=heping,
    )
    # Time passes: the deadline is now behind us (as the calendar, not a write, would make it).
    registry.execute("UPDATE hazard SET deadline = %s", today - timedelta(days=1))
    env = {
        **os.environ,
        "NEIBAO_UNIT_REGISTRY_DATABASE_URL": registry.database_url,
        "NEIBAO_UNIT_REGISTRY_KAFKA_BOOTSTRAP": stack.kafka_bootstrap,
        "NEIBAO_UNIT_REGISTRY_KEYCLOAK_URL": stack.keycloak_url,
        "NEIBAO_UNIT_REGISTRY_SWEEP_INTERVAL_SECONDS": "0.5",
        **{f"NEIBAO_{name.upper()}": value for name, value in pii_keys.items()},
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "unit_registry", "sweeper", env=env, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while not payloads(registry, "hazard.overdue.v1"):
            assert process.returncode is None, "the sweeper exited"
            assert asyncio.get_running_loop().time() < deadline, "no sweep announced the overdue hazard"
            await asyncio.sleep(0.2)
        assert await flagged(registry, hazards_overdue=True) == {HEPING_SHOP}
        await asyncio.sleep(1.2)  # more ticks: the hazard is announced once, however often it runs
        assert len(payloads(registry, "hazard.overdue.v1")) == 1
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=20) == 0
