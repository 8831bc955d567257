"""The retention job on the real database: months made ahead, each dataset's expired rows deleted after its
own period, months past every period dropped whole, run as `python -m sector_exchange retention`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sector_exchange import bootstrap
from sector_exchange.__main__ import main
from sector_exchange.adapters.retention import load_retention

from .conftest import Running, shipment
from .test_early_warnings import submit_sales
from .test_fuel_sales import sale


def partitions(running: Running) -> list[str]:
    return [
        name
        for (name,) in running.rows(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'record' ORDER BY 1"
        )
    ]


def counts(running: Running) -> dict[str, int]:
    return dict(running.rows("SELECT dataset, count(*)::int FROM record GROUP BY dataset"))  # type: ignore[arg-type]


async def test_each_dataset_is_kept_for_its_own_period(running: Running, tmp_path: Path) -> None:
    await running.submit("old-ships", [shipment("SFO1"), shipment("SFO2")])
    await running.submit("new-ships", [shipment("SFN1")])
    await submit_sales(running, "old-fuel", [sale()])
    # Received 100 days ago (rows move to that month's partition, or the default one).
    running.execute(
        "UPDATE record SET received_at = received_at - interval '100 days'"
        " WHERE batch_id IN ('old-ships', 'old-fuel')"
    )
    periods = {**load_retention().days, "banking/outlet-events": 30}
    policy_file = tmp_path / "retention.yaml"
    policy_file.write_text(json.dumps({"version": 1, "datasets": periods}), encoding="utf-8")
    short = running.settings.model_copy(update={"retention_file": policy_file})
    # Nothing expires at 100 days under a 400-day period.
    now = datetime.now(UTC)
    report = bootstrap.retention(short)
    assert report.deleted == dict.fromkeys(sorted(periods), 0)
    assert report.dropped == {}
    assert counts(running) == {"shipments": 3, "fuel-sales": 1}
    # 301 days on, the 100-day-old rows are over 400 days old: gone; the fresh shipment stays.
    later = now + timedelta(days=301)
    report = bootstrap.retention(short, now=later)
    assert (report.deleted["postal/shipments"], report.deleted["commerce/fuel-sales"]) == (2, 1)
    assert counts(running) == {"shipments": 1}
    assert f"record_y{later:%Y}m{later:%m}" in partitions(running)
    # 500 days on, this month is past every period: its partition is dropped whole, with its row.
    report = bootstrap.retention(short, now=now + timedelta(days=500))
    assert report.dropped[f"record_y{now:%Y}m{now:%m}"] == 1
    assert counts(running) == {}
    remaining = partitions(running)
    assert f"record_y{now:%Y}m{now:%m}" not in remaining
    assert set(report.created) <= set(remaining)
    assert "record_default" in remaining


async def test_a_month_caught_by_the_default_partition_gets_its_own(running: Running) -> None:
    await running.submit("ahead", [shipment("SFA1")])
    # A row received in five months' time lands in the default partition (no month made that far ahead).
    running.execute("UPDATE record SET received_at = received_at + interval '150 days'")
    assert running.rows("SELECT tableoid::regclass::text FROM record") == [("record_default",)]
    later = datetime.now(UTC) + timedelta(days=150)
    bootstrap.retention(running.settings, now=later)
    assert running.rows("SELECT tableoid::regclass::text FROM record") == [
        (f"record_y{later:%Y}m{later:%m}",)
    ]


def _service_env(running: Running) -> dict[str, str]:
    """The variables `python -m sector_exchange` reads, pointing at the test's database and servers."""
    return {
        "NEIBAO_SECTOR_EXCHANGE_DATABASE_URL": running.database_url,
        "NEIBAO_KAFKA_BOOTSTRAP": running.settings.kafka_bootstrap,
        "NEIBAO_KEYCLOAK_URL": running.settings.keycloak_url,
        "NEIBAO_PII_KEYS": running.settings.pii_keys.get_secret_value(),
        "NEIBAO_PII_ACTIVE_KEY": running.settings.pii_active_key,
        "NEIBAO_PII_INDEX_KEY": running.settings.pii_index_key.get_secret_value(),
        "NEIBAO_SECTOR_EXCHANGE_SIGNING_KEYS": running.settings.signing_keys.get_secret_value(),
        "NEIBAO_SECTOR_EXCHANGE_SIGNING_ACTIVE_KEY": running.settings.signing_active_key,
    }


def test_the_command_line_runs_the_job(
    running: Running, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in _service_env(running).items():
        monkeypatch.setenv(name, value)
    assert main(["retention"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"created", "dropped", "deleted"}
    assert set(report["deleted"]) == set(load_retention().days)


def test_the_housekeeper_runs_the_job_at_start_and_stops_on_sigterm(running: Running, tmp_path: Path) -> None:
    following = datetime.now(UTC).replace(day=1) + timedelta(days=32)
    next_month = f"record_y{following.year:04d}m{following.month:02d}"  # made ahead by the job
    running.execute(f"DROP TABLE IF EXISTS {next_month}")
    with (tmp_path / "housekeeper.log").open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "sector_exchange", "housekeeper"],
            env={**os.environ, **_service_env(running)},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while next_month not in partitions(running) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert next_month in partitions(running)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
