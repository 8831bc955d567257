"""`make run` on its own ports and run folder: reaches ready, prints URLs and accounts, stops on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[1]
# Ports away from the stack `make test` itself runs on.
PORTS = {
    "NEIBAO_PG_PORT": 56432,
    "NEIBAO_KAFKA_PORT": 19092,
    "NEIBAO_KAFKA_CONTROLLER_PORT": 19093,
    "NEIBAO_KEYCLOAK_PORT": 18280,
    "NEIBAO_KEYCLOAK_MANAGEMENT_PORT": 19280,
    "NEIBAO_GATEWAY_PORT": 18080,
    "NEIBAO_GRPC_BASE_PORT": 51051,
    "NEIBAO_METRICS_BASE_PORT": 19464,
}
DEMO_USERS = [
    "admin",
    "police-shenyang",
    "police-heping",
    "police-dalian",
    "regulator-postal",
    "regulator-commerce-dalian",
    "security-chief-demo",
]


def _open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.3)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path / "run"


# Its own deadlines (420 s to ready, 180 s to stop) bound it; make check runs it beside other stages.
@pytest.mark.timeout(900)
def test_make_run_reaches_ready_and_stops_on_ctrl_c(run_dir: Path) -> None:
    busy = [port for port in PORTS.values() if _open(port)]
    assert not busy, f"ports {busy} are taken before the test started"
    env = {**os.environ, **{key: str(value) for key, value in PORTS.items()}, "NEIBAO_RUN_DIR": str(run_dir)}
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    process = subprocess.Popen(
        ["make", "-C", str(REPO), "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job is
    )
    output: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 420
        ready = False
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            output.append(line)
            if "[neibao] ready in" in line:
                ready = True
                break
        text = "".join(output)
        assert ready, f"make run did not reach ready:\n{text[-5000:]}"
        for user in DEMO_USERS:
            assert user in text
        assert "sector-postal-demo" in text
        assert f"http://127.0.0.1:{PORTS['NEIBAO_KEYCLOAK_PORT']}" in text

        # What it printed is true: the realm there hands a demo user a token.
        token = httpx.post(
            f"http://127.0.0.1:{PORTS['NEIBAO_KEYCLOAK_PORT']}/realms/neibao/protocol/openid-connect/token",
            data={
                "grant_type": "password",
                "client_id": "neibao-cli",
                "username": "police-heping",
                "password": "neibao-demo",
            },
            timeout=30,
        )
        assert token.status_code == 200, token.text
        gateway = f"http://127.0.0.1:{PORTS['NEIBAO_GATEWAY_PORT']}"
        assert gateway in text
        assert httpx.get(f"{gateway}/readyz", timeout=10).status_code == 200
        me = httpx.get(
            f"{gateway}/api/v1/me",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            timeout=10,
        )
        assert me.status_code == 200, me.text
        assert me.json()["jurisdiction"]["code"] == "210102"
        assert _open(PORTS["NEIBAO_PG_PORT"])
        assert _open(PORTS["NEIBAO_KAFKA_PORT"])

        # Ctrl-C: SIGINT to the whole foreground process group.
        os.killpg(process.pid, signal.SIGINT)
        rest, _ = process.communicate(timeout=180)
        output.append(rest)
        assert process.returncode is not None
        still_open = [port for port in PORTS.values() if _open(port)]
        assert not still_open, f"ports {still_open} still answer after Ctrl-C:\n{''.join(output)[-3000:]}"
        assert not (run_dir / "supervisord.pid").exists() or not _supervisord_alive(run_dir)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        # Leave nothing behind: stop (if still up) and delete this run folder's data.
        subprocess.run(
            [
                str(REPO / ".run" / "tools" / "bin" / "uv"),
                "run",
                "--frozen",
                "--no-sync",
                "neibao-stack",
                "purge",
            ],
            cwd=REPO,
            env=env,
            check=False,
            capture_output=True,
        )


def _supervisord_alive(run_dir: Path) -> bool:
    try:
        os.kill(int((run_dir / "supervisord.pid").read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True
