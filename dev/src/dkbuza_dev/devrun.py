"""`dkbuza run`: the whole system on one machine.

PostgreSQL (embedded under `.data/pg` unless DKBUZA_POSTGRES_URL names a server), one database
per service (the gateway has none), migrations, demo data, the five apps and their workers.
Ctrl-C stops everything, PostgreSQL included; the data stays for the next start. The apps'
development settings (database URLs, JWKS, upstreams) are set here, as environment variables:
the runtime kit has no development defaults for them.

Each service runs `SERVICE_WEB_WORKERS` uvicorn worker processes (measured with
`bench/probe_starvation.py`: with one process, probes waited up to 1.7 s behind concurrent
XLSX exports; with two, under 0.3 s), with their metrics summed over a fresh
`PROMETHEUS_MULTIPROC_DIR`. The gateway runs one: it does no CPU-bound work, and its breakers
and in-memory rate-limit counters are per process.

This is a development supervisor, not a production one: when any process exits, everything
is stopped (no restarts). Operators run the compose file or the Kubernetes manifests, whose
restart policies bring a failed process back on its own.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from dkbuza_dev.postgres import database_url
from dkbuza_dev.postgres import embedded_server
from dkbuza_dev.postgres import ensure_database
from dkbuza_kit.apps import APPS
from dkbuza_kit.apps import GATEWAY
from dkbuza_kit.apps import SERVICES
from dkbuza_kit.apps import AppSpec
from dkbuza_kit.db_roles import dev_password
from dkbuza_kit.db_roles import ensure_login_role
from dkbuza_kit.db_roles import with_user
from dkbuza_kit.header_limits import uvicorn_command
from dkbuza_kit.paths import data_dir
from dkbuza_kit.paths import repo_root
from dkbuza_kit.tokens import dev_signing_key

READY_TIMEOUT_S = 180  # generous: a busy machine starts ten processes slowly
# The apps and workers connect as this role (row access only); the server URL's role owns the
# databases and migrates them.
APP_ROLE = "dkbuza_app"
SERVICE_WEB_WORKERS = 2


def _app_env(app: AppSpec, server_url: str, jwks_path: Path,
             app_password: str) -> dict[str, str]:
    """The app's environment: the development defaults (its database on `server_url`, the
    development JWKS, local upstreams) unless the caller's environment sets them."""
    env = dict(os.environ)
    if app.database is not None:  # the gateway has none
        owner_url = database_url(server_url, app.database)
        env.setdefault(f"{app.env_prefix}MIGRATION_DATABASE_URL", owner_url)
        env.setdefault(f"{app.env_prefix}DATABASE_URL",
                       with_user(owner_url, APP_ROLE, app_password))
    env.setdefault(f"{app.env_prefix}JWKS_PATH", str(jwks_path))
    env.setdefault(f"{app.env_prefix}LOG_JSON", "true")
    if app is GATEWAY:
        for service in SERVICES:
            key = f"GATEWAY_UPSTREAM_{service.name.upper().replace('-', '_')}"
            env.setdefault(key, f"http://127.0.0.1:{service.port}")
        # The dashboard's development sign-in, over plain http on 127.0.0.1.
        env.setdefault("GATEWAY_DASHBOARD_DEV_LOGIN", "true")
        env.setdefault("GATEWAY_DASHBOARD_COOKIE_SECURE", "false")
    else:  # local development: webhooks may reach a receiver on this machine
        env.setdefault(f"{app.env_prefix}WEBHOOK_ALLOW_LOOPBACK_HTTP", "true")
    # The planning job reads other services' KPIs through the gateway.
    env.setdefault("PLANNING_GATEWAY_URL", f"http://127.0.0.1:{GATEWAY.port}")
    return env


def _app_role_password(server_url: str) -> str:
    """Create (or update) the app role; its password is kept in .data/keys/."""
    import asyncpg

    password = dev_password(data_dir() / "keys" / "db-app-password")
    try:
        asyncio.run(ensure_login_role(server_url, APP_ROLE, password))
    except asyncpg.InsufficientPrivilegeError as exc:
        raise RuntimeError(f"the role of DKBUZA_POSTGRES_URL cannot create the app role "
                           f"{APP_ROLE} (see deploy/README.md): {exc}") from exc
    return password


def _uvicorn(app: AppSpec, env: dict[str, str], workers: int) -> subprocess.Popen:
    args = uvicorn_command(app.factory, app.port)
    if workers > 1:
        metrics = data_dir() / "run" / "metrics" / app.name
        shutil.rmtree(metrics, ignore_errors=True)  # values of a previous run would be summed
        metrics.mkdir(parents=True)
        env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        # uvicorn restarts a worker that misses its 5 s health check; starting ten of them at
        # once on a small machine takes longer than that (imports alone ~4 s CPU each).
        args += ["--workers", str(workers), "--timeout-worker-healthcheck", "60"]
    return subprocess.Popen(args, env=env, cwd=repo_root())


def _module_available(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def _wait_ready(apps: list[AppSpec], deadline: float) -> list[str]:
    pending = {app.name: f"http://127.0.0.1:{app.port}/readyz" for app in apps}
    while pending and time.monotonic() < deadline:
        for name, url in list(pending.items()):
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    del pending[name]
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    return sorted(pending)


def _run_all(commands: dict[str, tuple[list[str], dict[str, str]]]) -> None:
    """Run one command per app in parallel; raise if any fails."""
    running = {name: subprocess.Popen(args, env=env, cwd=repo_root())
               for name, (args, env) in commands.items()}
    failed = [name for name, process in running.items() if process.wait() != 0]
    if failed:
        raise RuntimeError(f"failed for: {', '.join(failed)}")


def run(skip_demo: bool = False, workers: int = SERVICE_WEB_WORKERS) -> int:
    """`workers`: uvicorn processes per service (the gateway runs one)."""
    key = dev_signing_key()
    server = None
    server_url = os.environ.get("DKBUZA_POSTGRES_URL")
    if not server_url:
        print("Starting embedded PostgreSQL in .data/pg ...", flush=True)
        server = embedded_server(data_dir() / "pg")
        server_url = server.get_uri()
    processes: list[subprocess.Popen] = []
    try:
        apps = [app for app in APPS if _module_available(app.package)]
        envs = _prepare_databases(apps, server_url, key.jwks_path)
        processes += _start_apps(apps, envs, workers)
        if not skip_demo:
            _load_demo(apps, envs)
        missing = _wait_ready(apps, time.monotonic() + READY_TIMEOUT_S)
        if missing:
            print(f"Not ready after {READY_TIMEOUT_S}s: {', '.join(missing)}", flush=True)
            return 1
        _print_running(apps)
        return _supervise(processes)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    except RuntimeError as exc:
        print(f"Start-up failed: {exc}", flush=True)
        return 1
    finally:
        _stop(processes, server)


def _prepare_databases(apps: list[AppSpec], server_url: str,
                       jwks_path: Path) -> dict[str, dict[str, str]]:
    """One database per app that has one (the gateway has none), the app role, migrations;
    returns each app's environment."""
    for app in apps:
        if app.database is not None:
            asyncio.run(ensure_database(server_url, app.database))
    app_password = _app_role_password(server_url)
    envs = {app.name: _app_env(app, server_url, jwks_path, app_password) for app in apps}
    migrated = [app for app in apps if app.database is not None]
    print("Migrating " + ", ".join(app.name for app in migrated) + " ...", flush=True)
    _run_all({app.name: ([sys.executable, "-m", "alembic", "-c",
                          str(repo_root() / app.directory / "alembic.ini"), "upgrade", "head"],
                         envs[app.name]) for app in migrated})
    return envs


def _start_apps(apps: list[AppSpec], envs: dict[str, dict[str, str]],
                workers: int) -> list[subprocess.Popen]:
    processes = []
    for app in apps:
        processes.append(_uvicorn(app, envs[app.name], 1 if app is GATEWAY else workers))
        if _module_available(f"{app.package}.worker"):
            processes.append(subprocess.Popen(
                [sys.executable, "-m", f"{app.package}.worker"], env=envs[app.name],
                cwd=repo_root()))
    return processes


def _load_demo(apps: list[AppSpec], envs: dict[str, dict[str, str]]) -> None:
    """Demo data loads while the apps start (each loader is idempotent)."""
    demos = {app.name: ([sys.executable, "-m", f"{app.package}.demo"], envs[app.name])
             for app in apps if _module_available(f"{app.package}.demo")}
    if demos:
        print("Loading demo data for " + ", ".join(demos) + " ...", flush=True)
        _run_all(demos)


def _print_running(apps: list[AppSpec]) -> None:
    print("\nDKBUZA backend is running:")
    for app in apps:
        print(f"  {app.name:15} http://127.0.0.1:{app.port}   (docs: /docs)")
    print("\nGet a token (valid 1 hour; roles per service in README.md), e.g.:")
    print("  TOKEN=$(.venv/bin/dkbuza token --role planning.reader --role kpi.reader"
          " --org dkbuza)")
    print("  curl -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8000/planning/v1/kpis")
    print("\nCtrl-C stops everything (PostgreSQL too); data stays in .data/. If one process"
          " dies, everything stops\n(development only: compose and Kubernetes restart"
          " failed processes, see deploy/README.md).", flush=True)


def _supervise(processes: list[subprocess.Popen]) -> int:
    """Wait until a process exits: 0 for a stop request (signal), 1 for a failure."""
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    # A terminal's Ctrl-C reaches the apps too: an app stopped by a signal is a stop
    # request, anything else a failure.
    codes = {process.poll() for process in processes} - {None}
    if codes <= {0, -signal.SIGINT, -signal.SIGTERM, 130}:
        print("\nStopping ...", flush=True)
        return 0
    print(f"A process exited (codes {sorted(codes)}); stopping everything (the run command "
          "does not restart; compose and Kubernetes do).", flush=True)
    return 1


def _stop(processes: list[subprocess.Popen], server) -> None:
    # A terminal's Ctrl-C reaches every process of the group (and uv/make pass it on
    # again): further interrupts must not cut the orderly shutdown short.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    if server is not None:
        server.cleanup()
