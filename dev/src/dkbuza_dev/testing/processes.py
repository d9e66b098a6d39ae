"""Apps as real processes on free ports (fuzzing, reliability tests, benchmarks).

Each gets its own freshly migrated database on the given server; `stop()` sends SIGTERM and
waits, like an orchestrator would.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import httpx

from dkbuza_dev.postgres import database_url
from dkbuza_dev.postgres import drop_database
from dkbuza_dev.postgres import ensure_database
from dkbuza_kit.apps import AppSpec
from dkbuza_kit.db_roles import TEST_APP_ROLE
from dkbuza_kit.db_roles import ensure_login_role
from dkbuza_kit.db_roles import with_user
from dkbuza_kit.header_limits import uvicorn_command
from dkbuza_kit.paths import repo_root

# How long a started app may take to answer its readiness probe: generous, because a busy
# machine (CI, parallel test runs) can take long to import and migrate; timings are bench/'s.
READY_TIMEOUT_S = 180.0


def run_sync(coroutine):
    """Run a coroutine to completion from sync code, in a thread of its own so that it never
    touches an event loop the caller (e.g. pytest-asyncio) has set on this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppProcess:
    spec: AppSpec
    port: int
    env: dict[str, str]
    server_url: str
    database: str | None  # None: the app has no database
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    extra_args: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait: bool = True, timeout: float = READY_TIMEOUT_S) -> "AppProcess":
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [*uvicorn_command(self.spec.factory, self.port), *self.extra_args],
            env=self.env, cwd=repo_root(), stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT_S, path: str = "/readyz") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.spec.name} exited with {self.process.returncode}")
            try:
                if httpx.get(self.url + path, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.spec.name} not ready on {self.url} after {timeout}s")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def drop_database(self) -> None:
        if self.database is not None:
            run_sync(drop_database(self.server_url, self.database))


def prepare_app(spec: AppSpec, server_url: str, jwks_path: Path, *, port: int | None = None,
                extra_env: dict[str, str] | None = None, log_path: Path | None = None,
                migrate: bool = True) -> AppProcess:
    """Create and migrate a fresh database for `spec` (none for an app without a database)
    and return the (not yet started) app."""
    env = {**os.environ, f"{spec.env_prefix}JWKS_PATH": str(jwks_path),
           f"{spec.env_prefix}LOG_LEVEL": "INFO"}
    database = None
    if spec.database is not None:
        database = f"proc_{spec.database}_{uuid.uuid4().hex[:8]}"
        env.update(_database_env(spec, server_url, database))
    env.update(extra_env or {})
    if migrate and database is not None:
        try:
            subprocess.run([sys.executable, "-m", "alembic", "-c",
                            str(repo_root() / spec.directory / "alembic.ini"), "upgrade", "head"],
                           env=env, check=True, cwd=repo_root(), capture_output=True)
        except subprocess.CalledProcessError:
            run_sync(drop_database(server_url, database))
            raise
    return AppProcess(spec=spec, port=port or free_port(), env=env, server_url=server_url,
                      database=database, log_path=log_path)


def prepare_apps(specs: Sequence[AppSpec], server_url: str, jwks_path: Path, *,
                 log_dir: Path | None = None) -> dict[str, AppProcess]:
    """`prepare_app` for several apps, their databases created and migrated side by side; when
    one fails, the databases of the others are dropped again before the error is raised."""
    with ThreadPoolExecutor(max_workers=max(1, len(specs))) as pool:
        futures = {spec.name: pool.submit(
            prepare_app, spec, server_url, jwks_path,
            log_path=log_dir / f"{spec.name}.log" if log_dir else None) for spec in specs}
    failed = [future.exception() for future in futures.values() if future.exception()]
    if failed:
        for future in futures.values():
            if not future.exception():
                future.result().drop_database()
        raise failed[0]
    return {name: future.result() for name, future in futures.items()}


def start_together(apps: Sequence[AppProcess], timeout: float = READY_TIMEOUT_S) -> None:
    """Start the apps side by side (their imports overlap), then wait until each is ready."""
    for app in apps:
        app.start(wait=False)
    for app in apps:
        app.wait_ready(timeout)


def _database_env(spec: AppSpec, server_url: str, database: str) -> dict[str, str]:
    """A fresh database; as in production the app connects with row grants only and the
    owner migrates."""
    run_sync(ensure_database(server_url, database))
    run_sync(ensure_login_role(server_url, TEST_APP_ROLE))
    owner_url = database_url(server_url, database)
    return {f"{spec.env_prefix}DATABASE_URL": with_user(owner_url, TEST_APP_ROLE),
            f"{spec.env_prefix}MIGRATION_DATABASE_URL": owner_url}
