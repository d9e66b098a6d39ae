"""The README's run command, end to end: everything ready (within a generous 180 s), a CLI token gets through
the gateway to a protected route of each service, Ctrl-C stops all of it (PostgreSQL too), and
a second start keeps the data."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from dkbuza_kit.apps import APPS
from dkbuza_kit.apps import SERVICES

READY_BUDGET_S = 180  # generous: timings belong in bench/, a busy CI machine is slow
ROOT = Path(__file__).resolve().parents[2]


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Run:
    """The run command in the background, its output collected line by line."""

    def __init__(self, data_dir: Path) -> None:
        env = {**os.environ, "DKBUZA_DATA_DIR": str(data_dir)}
        env.pop("DKBUZA_POSTGRES_URL", None)
        self.process = subprocess.Popen([sys.executable, "-m", "dkbuza_dev.cli", "run"],
                                        cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for_line(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None, f"run command exited: {self.output[-4000:]}"
            assert time.monotonic() < deadline, f"no {text!r} after {timeout}s"
            time.sleep(0.2)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=45)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            raise


def _wait_all_ready(run: Run, budget: float) -> float:
    started = time.monotonic()
    pending = {app.port for app in APPS}
    while pending:
        assert run.process.poll() is None, f"run command exited: {run.output[-4000:]}"
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
    args = [sys.executable, "-m", "dkbuza_dev.cli", "token", "--org", "dkbuza"]
    for role in roles:
        args += ["--role", role]
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.timeout(400)
def test_run_command_end_to_end(tmp_path):
    busy = [app.port for app in APPS if _port_open(app.port)]
    assert not busy, f"ports already in use: {busy}"
    data_dir = tmp_path / "data"
    run = Run(data_dir)
    try:
        _wait_all_ready(run, READY_BUDGET_S)
        run.wait_for_line("DKBUZA backend is running", timeout=180)  # demo data loaded
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
            first = {service.name: _values(gateway, service, token) for service in SERVICES}
    finally:
        returncode = run.stop()
    assert returncode == 0, run.output[-4000:]
    assert not [app.port for app in APPS if _port_open(app.port)], "an app survived Ctrl-C"
    assert not (data_dir / "pg" / "postmaster.pid").exists(), "PostgreSQL survived Ctrl-C"

    # A second start keeps the data (demo loading is idempotent, nothing is lost).
    run = Run(data_dir)
    try:
        _wait_all_ready(run, READY_BUDGET_S)
        run.wait_for_line("DKBUZA backend is running", timeout=180)
        token = _mint(data_dir, "kpi.reader")
        with httpx.Client(base_url="http://127.0.0.1:8000", timeout=10) as gateway:
            for service in SERVICES:
                assert _values(gateway, service, token) == first[service.name], service.name
    finally:
        run.stop()


def _values(gateway: httpx.Client, service, token: str) -> dict:
    kpis = gateway.get(f"/{service.name}/v1/kpis",
                       headers={"Authorization": f"Bearer {token}"}).json()
    return {kpi["id"]: kpi["value"] for kpi in kpis}
