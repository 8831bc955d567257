"""Migrations upgrade and downgrade cleanly and match the models; compliance through gRPC explains itself."""

from __future__ import annotations

from typing import Any

import grpc
import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

import neibao_messaging
from device_inventory import bootstrap
from device_inventory.adapters.db.tables import Base
from neibao.deviceinventory.v1 import compliance_pb2, device_pb2

from .conftest import HEPING_EXPRESS, HEPING_SHOP, SHOP_KEY_PART, Running, conninfo, field_violations

TABLES = {"unit", "key_part", "device", "device_liveness", "protection", "outbox", "processed_event"}
DEMO_TABLES = {"demo_platform", "demo_unit", "demo_device"}


def tables(url: str) -> set[str]:
    with psycopg.connect(conninfo(url)) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
    return {row[0] for row in rows} - {"alembic_version"}


def test_upgrade_downgrade_upgrade(pg_database: str) -> None:
    bootstrap.migrate(pg_database)
    assert tables(pg_database) == TABLES | DEMO_TABLES
    bootstrap.downgrade(pg_database, "0001")
    assert tables(pg_database) == TABLES
    bootstrap.downgrade(pg_database, "base")
    assert tables(pg_database) == set()
    bootstrap.migrate(pg_database)
    assert tables(pg_database) == TABLES | DEMO_TABLES


def test_the_migrations_match_the_models(database: str) -> None:
    def used(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        return not (type_ == "table" and name == "alembic_version")

    engine = create_engine(database)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": used}
            )
            diff = compare_metadata(context, [Base.metadata, neibao_messaging.metadata])
    finally:
        engine.dispose()
    assert diff == []


async def test_compliance_explains_each_requirement_and_follows_the_inventory(running: Running) -> None:
    async def compliance(user: str, uscc: str) -> compliance_pb2.UnitCompliance:
        response = await running.compliance.GetCompliance(
            compliance_pb2.GetComplianceRequest(uscc=uscc), metadata=running.auth(user)
        )
        return response.compliance

    express = await compliance("regulator-postal", HEPING_EXPRESS)
    assert not express.compliant
    assert express.rules_version
    unmet = {r.rule_id: r for r in express.requirements if not r.met}
    assert set(unmet) == {"perimeter_or_intrusion_alarm", "xray_screening"}
    assert unmet["xray_screening"].evidence
    assert unmet["xray_screening"].measures == ["§13"]
    for device_type, name in (
        (device_pb2.DEVICE_TYPE_INTRUSION_PANEL, "入侵报警主机"),
        (device_pb2.DEVICE_TYPE_XRAY_SCREENING, "安检机"),
    ):
        await running.register("police-heping", HEPING_EXPRESS, device_type, name)
    express = await compliance("police-heping", HEPING_EXPRESS)
    assert express.compliant
    assert all(r.met and r.device_ids for r in express.requirements)
    # A plain shop (not a key unit) needs nothing yet; an NVR keeping 7 days breaks the 30-day rule.
    assert (await compliance("security-chief-demo", HEPING_SHOP)).compliant
    await running.register(
        "security-chief-demo",
        HEPING_SHOP,
        device_pb2.DEVICE_TYPE_NVR,
        "录像机",
        retention_days=7,
        key_part=str(SHOP_KEY_PART),
    )
    shop = await compliance("security-chief-demo", HEPING_SHOP)
    [retention] = [r for r in shop.requirements if r.rule_id == "video_retention_30_days"]
    assert not retention.met
    assert any("7 days" in line for line in retention.evidence)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await compliance("police-dalian", HEPING_SHOP)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await compliance("admin", "nonsense")
    assert field_violations(caught.value) == {"uscc": "INVALID_FORMAT"}
    # Every change of compliance was announced: the express company twice (non-compliant, then compliant).
    changes = running.rows(
        "SELECT headers->>'ce_unit' FROM outbox "
        "WHERE headers->>'ce_type' = 'neibao.device-inventory.compliance.changed.v1' ORDER BY id"
    )
    assert [row[0] for row in changes].count(HEPING_EXPRESS) == 2
