"""Fault-injection fixtures: apps as real processes, a PostgreSQL the tests may stop.

- `private_pg`: an embedded PostgreSQL of this folder's own (never the machine's server nor
  the shared test server), stopped and started again with `pg_ctl` (fast shutdown).
- `launch`: prepare (fresh migrated database) and start an app process; everything launched
  is stopped and its database dropped after the test.
- `services`: the four services on the shared test server, started once per module; after
  each test a killed one is started again and a stopped (SIGSTOP) one resumed.
- `start_gateway`: a gateway in front of `services`, with the settings a test needs.

Waiting is always polling against a deadline (`wait_until`), never a bare sleep, so the tests
hold on a loaded 2-core machine and still fail in bounded time.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import asyncpg
import pytest

from dkbuza_dev.postgres import database_url
from dkbuza_dev.postgres import embedded_server
from dkbuza_dev.postgres import plain_url
from dkbuza_dev.testing.processes import AppProcess
from dkbuza_dev.testing.processes import prepare_app
from dkbuza_kit.apps import GATEWAY
from dkbuza_kit.apps import SERVICES
from dkbuza_kit.apps import AppSpec

SERVICE_SPECS = {spec.name: spec for spec in SERVICES}


def wait_until(condition: Callable[[], object], within: float, what: str,
               interval: float = 0.05) -> object:
    """Poll `condition` until it returns a truthy value; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        time.sleep(interval)


async def wait_until_async(condition, within: float, what: str, interval: float = 0.05):
    """`wait_until` for a coroutine function, without blocking the event loop."""
    deadline = time.monotonic() + within
    while True:
        value = await condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(interval)


def log_tail(app: AppProcess, chars: int = 3000) -> str:
    """The end of an app's log, for assertion messages."""
    if app.log_path is None or not app.log_path.exists():
        return "(no log)"
    return app.log_path.read_text(errors="replace")[-chars:]


def start_app(app: AppProcess, within: float) -> AppProcess:
    """Start and wait for `/readyz`; a failure names the app and shows the end of its log."""
    try:
        return app.start(timeout=within)
    except (RuntimeError, TimeoutError) as exc:
        app.stop(signal.SIGKILL)
        raise RuntimeError(f"{exc}; its log ends with:\n{log_tail(app, 1500)}") from exc


def app_dsn(app: AppProcess) -> str:
    """An asyncpg DSN of the app's own database."""
    return plain_url(database_url(app.server_url, app.database))


async def fetch(app: AppProcess, sql: str, *args) -> list[asyncpg.Record]:
    """Run one query on the app's database, bypassing the app (to check what was written)."""
    connection = await asyncpg.connect(app_dsn(app), timeout=10)
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


class PrivatePostgres:
    """An embedded PostgreSQL that tests stop and start (fast shutdown, like a failover)."""

    def __init__(self, directory: Path) -> None:
        self.server = embedded_server(directory)
        self.url = self.server.get_uri()
        self.pgdata = Path(self.server.pgdata)
        self.pg_ctl = str(Path(self.server.bin_path) / "pg_ctl")
        # The embedded server listens on a unix socket only; `start` must use the same one.
        self.socket_dir = parse_qs(urlsplit(self.url).query)["host"][0]

    def _pg_ctl(self, *args: str) -> None:
        # Output to a file, never a pipe: the postmaster would inherit the pipe and keep it open.
        with open(self.pgdata.parent / "pg_ctl.out", "ab") as out:
            subprocess.run([self.pg_ctl, "-D", str(self.pgdata), "-w", "-t", "60", *args],
                           user=self.server.system_user, stdout=out, stderr=subprocess.STDOUT,
                           check=True, timeout=90)

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def start(self) -> None:
        self._pg_ctl("-l", str(self.pgdata / "log"), "-o", f'-h "" -k {self.socket_dir}', "start")

    def is_running(self) -> bool:
        result = subprocess.run([self.pg_ctl, "-D", str(self.pgdata), "status"],
                                user=self.server.system_user, capture_output=True, timeout=30)
        return result.returncode == 0

    def close(self) -> None:
        if not self.is_running():
            self.start()  # the library's own cleanup expects the server it started
        self.server.cleanup()


@pytest.fixture(scope="module")
def private_pg() -> Iterator[PrivatePostgres]:
    # Not under pytest's basetemp: every pytest session on the machine resets
    # /tmp/pytest-of-<user> to 0700, which locks out the server's own (non-root) user.
    directory = Path(tempfile.mkdtemp(prefix="dkbuza-reliability-pg-"))
    postgres = PrivatePostgres(directory / "pgdata")
    try:
        yield postgres
    finally:
        postgres.close()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def launch(signing_key, tmp_path) -> Iterator[Callable[..., AppProcess]]:
    """`launch(spec, server_url, extra_env=..., start=True)`: a started app on a fresh database."""
    launched: list[AppProcess] = []

    def _launch(spec: AppSpec, server_url: str, *, extra_env: dict[str, str] | None = None,
                start: bool = True) -> AppProcess:
        app = prepare_app(spec, server_url, signing_key.jwks_path, extra_env=extra_env,
                          log_path=tmp_path / f"{spec.name}-{len(launched)}.log")
        launched.append(app)
        return start_app(app, 180) if start else app

    yield _launch
    for app in launched:
        resume(app)
        app.stop(signal.SIGKILL)
        app.drop_database()


def resume(app: AppProcess) -> None:
    """SIGCONT a process a test may have stopped (harmless when it runs)."""
    if app.process is not None and app.process.poll() is None:
        os.kill(app.process.pid, signal.SIGCONT)


@pytest.fixture(scope="module")
def _service_processes(pg_server_url, signing_key, tmp_path_factory) -> Iterator[dict]:
    logs = tmp_path_factory.mktemp("reliability-services")

    def start(spec: AppSpec) -> AppProcess:
        app = prepare_app(spec, pg_server_url, signing_key.jwks_path,
                          log_path=logs / f"{spec.name}.log")
        return start_app(app, 90)

    # Migrations and imports in parallel: about half the start-up time on two cores.
    with ThreadPoolExecutor(max_workers=len(SERVICES)) as pool:
        futures = {spec.name: pool.submit(start, spec) for spec in SERVICES}
        running = {}
        errors = []
        for name, future in futures.items():
            try:
                running[name] = future.result()
            except Exception as exc:  # start what can be started, then report all failures
                errors.append(f"{name}: {exc}")
    try:
        if errors:
            raise RuntimeError("services did not start:\n" + "\n".join(errors))
        yield running
    finally:
        for app in running.values():
            resume(app)
            app.stop()
            app.drop_database()


@pytest.fixture
def services(_service_processes) -> Iterator[dict[str, AppProcess]]:
    """The four services (name -> AppProcess), all running and responsive at the start of a
    test; a test may kill or stop them, they are brought back afterwards."""
    yield _service_processes
    for app in _service_processes.values():
        resume(app)
        if app.process is None or app.process.poll() is not None:
            start_app(app, 180)  # same port and database: the gateway's upstream again


@pytest.fixture
def start_gateway(launch, pg_server_url, services) -> Callable[..., AppProcess]:
    """`start_gateway(**settings)`: a gateway routing to `services`; keyword arguments become
    `GATEWAY_<NAME>` environment variables (e.g. `upstream_read_timeout_s=1.5`)."""

    def _start(**settings: object) -> AppProcess:
        env = {f"GATEWAY_UPSTREAM_{name.upper().replace('-', '_')}": app.url
               for name, app in services.items()}
        env.update({f"GATEWAY_{key.upper()}": str(value) for key, value in settings.items()})
        return launch(GATEWAY, pg_server_url, extra_env=env)

    return _start
