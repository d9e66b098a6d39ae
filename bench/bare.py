"""P10: the service's CPU per request against a bare FastAPI + asyncpg app (`bare_app.py`)
serving the same two requests on the same database, side by side in one run.

Both servers are single uvicorn processes (uvloop + httptools, no access log) loaded by the
same wrk (32 connections, pinned to the load core), the targets interleaved over `ROUNDS`
rounds; the figure is the CPU time (user + system, /proc via psutil) the server process used
during a round divided by the requests it answered in that round, median over the rounds.
PostgreSQL's CPU per request is reported too (it shows the extra round trips).
"""

import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
import loadgen
import report
import seed

from dkbuza_dev.postgres import plain_url
from dkbuza_dev.testing.processes import free_port
from dkbuza_kit.tokens import DEV_AUDIENCE
from dkbuza_kit.tokens import DEV_ISSUER

ROUNDS = 2
SECONDS = 5
WARMUP_S = 2
CONNECTIONS = 32
BENCH_DIR = Path(__file__).resolve().parent


async def _first_rule_set(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT min(id) FROM rule_sets")
    finally:
        await conn.close()


def start_bare(bench, database_url: str):
    port = free_port()
    env = {**os.environ, "BARE_DATABASE_URL": database_url,
           "BARE_JWKS_PATH": str(bench.key.jwks_path), "BARE_ISSUER": DEV_ISSUER,
           "BARE_AUDIENCE": DEV_AUDIENCE}
    log = open(bench.run_dir / "bare.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "bare_app:create_app", "--app-dir",
         str(BENCH_DIR), "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
         "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT)
    bench.stack.callback(loadgen.stop_process, process)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"bare app exited with {process.returncode}")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("bare app not ready")


def _check(response: httpx.Response, expected: int, what: str) -> None:
    if response.status_code != expected:
        raise RuntimeError(f"{what}: expected {expected}, got {response.status_code}: "
                           f"{response.text[:500]}")


def _compare(urls: dict[str, str], pids: dict[str, int], postgres_pid: int | None,
             **wrk_args) -> dict:
    """Interleaved rounds; per target the median CPU ms per request of its server and of
    PostgreSQL's backends, requests/s and errors."""
    for url in urls.values():
        loadgen.wrk(url, connections=CONNECTIONS, seconds=WARMUP_S, **_fresh(wrk_args))
    runs: dict[str, list[loadgen.WrkResult]] = {name: [] for name in urls}
    for _ in range(ROUNDS):
        for name, url in urls.items():
            watch = {"server": (pids[name], False)}
            if postgres_pid:
                watch["postgres"] = (postgres_pid, True)
            runs[name].append(loadgen.wrk(url, connections=CONNECTIONS, seconds=SECONDS,
                                          label=name, watch=watch, **_fresh(wrk_args)))
    return {name: {
        "server_cpu_ms": round(statistics.median(r.extra["cpu_ms_per_request"]["server"]
                                                 for r in rs), 3),
        "postgres_cpu_ms": round(statistics.median(r.extra["cpu_ms_per_request"].get("postgres", 0)
                                                   for r in rs), 3),
        "rps": round(statistics.median(r.rps for r in rs), 1),
        "requests": sum(r.requests for r in rs), "errors": sum(r.error_count for r in rs)}
        for name, rs in runs.items()}


def _fresh(wrk_args: dict) -> dict:
    """A new run tag per wrk run (fresh Idempotency-Keys for the POSTs)."""
    if "env" not in wrk_args:
        return wrk_args
    return {**wrk_args, "env": {**wrk_args["env"], "BENCH_RUN_TAG": uuid.uuid4().hex[:8]}}


def benchmark(bench, service, disasters: list[dict]) -> report.Outcome:
    database_url = plain_url(service.env[f"{service.spec.env_prefix}DATABASE_URL"])
    bare_url, bare_process = start_bare(bench, database_url)
    pids = {"service": service.process.pid, "bare": bare_process.pid}
    rule_set_id = asyncio.run(_first_rule_set(database_url))
    path = f"/v1/rule-sets/{rule_set_id}"
    headers = {"Authorization": f"Bearer {bench.token('vrf.handler')}"}
    bases = {"service": service.url, "bare": bare_url}
    sizes = {}
    for name, base in bases.items():
        response = httpx.get(base + path, headers=headers, timeout=10)
        _check(response, 200, f"GET {name}")
        sizes[name] = len(response.content)
    get = _compare({n: b + path for n, b in bases.items()}, pids, bench.postgres_pid,
                   headers=headers)

    template = seed.application_body(disasters)
    token = bench.token("vrf.citizen", sub="bench-citizen", org="citizen")
    spread = ",".join(d["id"] for d in disasters)
    for name, base in bases.items():
        response = httpx.post(base + "/v1/applications", timeout=10,
                              content=template.replace("{{TARGET}}", disasters[0]["id"]),
                              headers={"Authorization": f"Bearer {token}",
                                       "Content-Type": "application/json",
                                       "Idempotency-Key": f"p10-probe-{uuid.uuid4()}"})
        _check(response, 201, f"POST {name}")
    env = {"BENCH_PATH": "/v1/applications", "BENCH_BODY": template, "BENCH_TOKEN": token,
           "BENCH_IDEMPOTENCY": "1", "BENCH_TARGETS": spread}
    post = _compare({n: b + "/v1/applications" for n, b in bases.items()}, pids,
                    bench.postgres_pid, script="post.lua", env=env)
    loadgen.stop_process(bare_process)
    ratios = {what: figures["service"]["server_cpu_ms"] / max(1e-6, figures["bare"]["server_cpu_ms"])
              for what, figures in (("get", get), ("submission", post))}
    errors = sum(f["errors"] for figures in (get, post) for f in figures.values())
    return report.Outcome(
        "P10", max(ratios.values()),
        {"get": {"request": f"GET {path} (vrf.handler token)", "response_bytes": sizes, **get},
         "submission": {"request": "POST /v1/applications (citizen, 2 items, Idempotency-Key, "
                                   f"spread over {len(disasters)} disasters)", **post},
         "ratios": {k: round(v, 3) for k, v in ratios.items()}, "rounds": ROUNDS,
         "seconds": SECONDS, "connections": CONNECTIONS},
        f"GET: service {get['service']['server_cpu_ms']:.2f} ms CPU/request vs bare "
        f"{get['bare']['server_cpu_ms']:.2f} ms = {ratios['get']:.2f} (PostgreSQL "
        f"{get['service']['postgres_cpu_ms']:.2f} vs {get['bare']['postgres_cpu_ms']:.2f} ms); "
        f"submission: {post['service']['server_cpu_ms']:.2f} vs "
        f"{post['bare']['server_cpu_ms']:.2f} ms = {ratios['submission']:.2f} (PostgreSQL "
        f"{post['service']['postgres_cpu_ms']:.2f} vs {post['bare']['postgres_cpu_ms']:.2f} ms)"
        + (f"; {errors} errors" if errors else ""))
