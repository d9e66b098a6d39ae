"""The README's run command, end to end: everything ready within 60 s, a CLI token gets through
the gateway to a protected route of each service, Ctrl-C stops all of it (PostgreSQL too), and
a second start keeps the data."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from dkbuza_kit.apps import APPS, SERVICES

READY_BUDGET_S = 60
ROOT = Path(__file__).resolve().parents[2]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _start(data_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "DKBUZA_DATA_DIR": str(data_dir)}
    env.pop("DKBUZA_POSTGRES_URL", None)
    return subprocess.Popen([sys.executable, "-m", "dkbuza_kit.cli", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _wait_all_ready(process: subprocess.Popen, budget: float) -> float:
    started = time.monotonic()
    pending = {app.port for app in APPS}
    while pending:
        assert process.poll() is None, f"run command exited: {process.stdout.read()[-4000:]}"
        elapsed = time.monotonic() - started
        assert elapsed < budget, f"not ready after {budget}s: ports {sorted(pending)}"
        for port in list(pending):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    pending.discard(port)
            except httpx.HTTPError:
                pass
        time.sleep(0.5)
    return time.monotonic() - started


def _mint(data_dir: Path, *roles: str) -> str:
    env = {**os.environ, "DKBUZA_DATA_DIR": str(data_dir)}
    args = [sys.executable, "-m", "dkbuza_kit.cli", "token", "--org", "dkbuza"]
    for role in roles:
        args += ["--role", role]
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=45)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return output


@pytest.mark.timeout(400)
def test_run_command_end_to_end(tmp_path):
    busy = [app.port for app in APPS if _port_open(app.port)]
    assert not busy, f"ports already in use: {busy}"
    data_dir = tmp_path / "data"
    process = _start(data_dir)
    try:
        _wait_all_ready(process, READY_BUDGET_S)
        token = _mint(data_dir, "kpi.reader")
        with httpx.Client(base_url="http://127.0.0.1:8000", timeout=10) as gateway:
            for service in SERVICES:
                denied = gateway.get(f"/{service.name}/v1/kpis")
                assert denied.status_code == 401, service.name
                allowed = gateway.get(f"/{service.name}/v1/kpis",
                                      headers={"Authorization": f"Bearer {token}"})
                assert allowed.status_code == 200, (service.name, allowed.text)
                assert isinstance(allowed.json(), list)
                assert allowed.headers["x-request-id"]
            first_kpis = {
                service.name: gateway.get(f"/{service.name}/v1/kpis",
                                          headers={"Authorization": f"Bearer {token}"}).json()
                for service in SERVICES
            }
    finally:
        output = _stop(process)
    assert process.returncode == 0, output[-4000:]
    assert not [app.port for app in APPS if _port_open(app.port)], "an app survived Ctrl-C"
    assert not (data_dir / "pg" / "postmaster.pid").exists(), "PostgreSQL survived Ctrl-C"

    # A second start keeps the data (demo loading is idempotent, nothing is lost).
    process = _start(data_dir)
    try:
        _wait_all_ready(process, READY_BUDGET_S)
        token = _mint(data_dir, "kpi.reader")
        for service in SERVICES:
            again = httpx.get(f"http://127.0.0.1:8000/{service.name}/v1/kpis",
                              headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
            values = lambda kpis: {k["id"]: k["value"] for k in kpis}  # noqa: E731
            assert values(again) == values(first_kpis[service.name]), service.name
    finally:
        _stop(process)
