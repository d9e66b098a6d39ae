"""`make bench`: the performance goals P1-P10 of quality.md as ratios measured in one run.

Everything runs on this machine and stops by itself: an embedded PostgreSQL under
`bench/.data/pg` (or the server of BENCH_POSTGRES_URL), the apps as real uvicorn processes on
free ports with freshly migrated databases, Debian's nginx for P2, small stub services for P4,
wrk pinned to one core for the load. Results: `bench/results/latest.json` and the table in
`bench/README.md`. Options (development only; `make bench` runs everything):

    --skip-history    skip P5, P6 and P9 (the 1,000,000-application data set)
    --history N       size of the large data set (default 1,000,000)
    --only P1,P4,...  run only these benchmarks
"""

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from importlib import metadata
from pathlib import Path

import asyncpg
import bare
import httpx
import loadgen
import psutil
import report
import seed
from baseline_sql import KPI_SQL
from load import LoadMonitor

from dkbuza_dev.postgres import plain_url
from dkbuza_dev.testing.processes import AppProcess
from dkbuza_dev.testing.processes import free_port
from dkbuza_dev.testing.processes import prepare_app
from dkbuza_kit.apps import GATEWAY
from dkbuza_kit.apps import SERVICES
from dkbuza_kit.clock import today_brussels
from dkbuza_kit.tokens import SigningKey
from dkbuza_kit.tokens import generate_key

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"
DISASTER_FUND = next(s for s in SERVICES if s.name == "disaster-fund")
EXPORT_CONTROL = next(s for s in SERVICES if s.name == "export-control")

CONNECTIONS = 32        # wrk connections for throughput runs
THROUGHPUT_S = 5        # seconds per throughput run
LATENCY_S = 3           # seconds per concurrency-1 latency run
LATENCY_ROUNDS = 5      # P3: more, shorter interleaved rounds find the machine's quiet moments
WARMUP_S = 2
ROUNDS = 3              # P1-P3: targets interleaved, best of the rounds kept
SMALL_HISTORY = 10_000
UPSTREAM_DELAY_S = 0.05


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run_async(coroutine):
    return asyncio.run(coroutine)


def database_url(app: AppProcess) -> str:
    return plain_url(app.env[f"{app.spec.env_prefix}DATABASE_URL"])


async def _execute(url: str, work: Callable):
    conn = await asyncpg.connect(url)
    try:
        return await work(conn)
    finally:
        await conn.close()


def with_db(app: AppProcess, work: Callable):
    """Run `await work(connection)` on the app's database."""
    return run_async(_execute(database_url(app), work))


def check_response(response: httpx.Response, expected: int, what: str) -> None:
    if response.status_code != expected:
        raise RuntimeError(f"{what}: expected {expected}, got {response.status_code}: "
                           f"{response.text[:500]}")


# --- processes ------------------------------------------------------------------------------

class Bench:
    def __init__(self, args: argparse.Namespace, stack: contextlib.ExitStack) -> None:
        self.args = args
        self.stack = stack
        self.run_dir = DATA_DIR / "run"
        shutil.rmtree(self.run_dir, ignore_errors=True)
        self.run_dir.mkdir(parents=True)
        self.server_url, self.server_version, self.postgres_pid = self._postgres()
        self.key: SigningKey = generate_key(self.run_dir / "keys")
        self.outcomes: list[report.Outcome] = []
        self.monitor = LoadMonitor(self.postgres_pid).start()
        stack.callback(self.monitor.stop)

    def _postgres(self) -> tuple[str, str, int | None]:
        """Server URL, version and the postmaster's pid (None when it is not on this host)."""
        url = os.environ.get("BENCH_POSTGRES_URL")
        if not url:
            from dkbuza_dev.postgres import embedded_server

            log("starting the embedded PostgreSQL under bench/.data/pg")
            url = embedded_server(DATA_DIR / "pg").get_uri()

        async def probe(conn):
            backend = await conn.fetchval("SELECT pg_backend_pid()")
            try:  # while the backend lives: its parent is the postmaster
                postmaster = psutil.Process(backend).parent()
            except psutil.Error:
                postmaster = None
            return (await conn.fetchval("SHOW server_version"),
                    postmaster.pid if postmaster else None)

        version, postmaster_pid = run_async(_execute(plain_url(url), probe))
        return url, version, postmaster_pid

    def watch(self, **processes: AppProcess | subprocess.Popen) -> dict[str, tuple[int, bool]]:
        """CPU accounting for wrk: these processes, nginx's worker and PostgreSQL's backends."""
        watched = {name: (proc.process.pid if isinstance(proc, AppProcess) else proc.pid,
                          name == "nginx") for name, proc in processes.items()}
        if self.postgres_pid:
            watched["postgres"] = (self.postgres_pid, True)
        return watched

    def token(self, *roles: str, sub: str = "bench-user", org: str = "dkbuza") -> str:
        return self.key.mint(sub=sub, roles=list(roles), org=org, ttl_seconds=4 * 3600)

    def prepare(self, spec, name: str, extra_env: dict[str, str] | None = None) -> AppProcess:
        app = prepare_app(spec, self.server_url, self.key.jwks_path, extra_env=extra_env,
                          log_path=self.run_dir / f"{name}.log")
        self.stack.callback(app.drop_database)
        self.stack.callback(app.stop)
        return app

    def start(self, app: AppProcess) -> AppProcess:
        app.start(timeout=60)
        self.stack.callback(app.stop)
        return app

    def gateway(self, name: str, upstreams: dict[str, str], base: AppProcess | None = None
                ) -> AppProcess:
        """A gateway whose four upstreams are `upstreams`; `base` lends its database."""
        env = {f"GATEWAY_UPSTREAM_{service.upper().replace('-', '_')}": url
               for service, url in upstreams.items()}
        # The limiter stays on (its cost is part of the path) but never refuses the load.
        env["GATEWAY_RATE_LIMIT_REQUESTS"] = "1000000000"
        if base is None:
            return self.prepare(GATEWAY, name, env)
        return AppProcess(spec=GATEWAY, port=free_port(), env={**base.env, **env},
                          server_url=base.server_url, database=base.database,
                          log_path=self.run_dir / f"{name}.log")

    def nginx(self, upstream_port: int) -> tuple[str, subprocess.Popen]:
        """Debian's nginx in the foreground as a plain reverse proxy (`/disaster-fund/` ->
        the service), one worker like the single-process gateway, keep-alive upstream."""
        binary = loadgen.ensure_tool("nginx", "nginx-light")
        home = Path(tempfile.mkdtemp(prefix="nginx-", dir=self.run_dir))
        port = free_port()
        temp_paths = "\n".join(f"    {kind}_temp_path {home}/{kind};"
                               for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (home / "nginx.conf").write_text(f"""
worker_processes 1;
daemon off;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp_paths}
    upstream service {{ server 127.0.0.1:{upstream_port}; keepalive 64; }}
    server {{
        listen 127.0.0.1:{port};
        location /disaster-fund/ {{
            proxy_pass http://service/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
""")
        process = subprocess.Popen([binary, "-p", str(home), "-c", str(home / "nginx.conf"),
                                    "-e", str(home / "error.log")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        self.stack.callback(loadgen.stop_process, process)
        _wait_port(port, process, "nginx")
        return f"http://127.0.0.1:{port}", process

    def stubs(self, count: int) -> list[str]:
        ports = [free_port() for _ in range(count)]
        process = subprocess.Popen(
            [sys.executable, str(BENCH_DIR / "stub_upstream.py"),
             *(f"{port}:{UPSTREAM_DELAY_S}" for port in ports)],
            stdout=subprocess.DEVNULL, stderr=open(self.run_dir / "stubs.log", "wb"))  # noqa: SIM115
        self.stack.callback(loadgen.stop_process, process)
        for port in ports:
            _wait_port(port, process, "stub upstream")
        return [f"http://127.0.0.1:{port}" for port in ports]

    # --- bookkeeping ------------------------------------------------------------------------
    def measure(self, benchmark_id: str, function: Callable[[], report.Outcome],
                since: float | None = None) -> None:
        """Run one benchmark; its verdict weighs the machine's load from `since` (the start
        of its load runs, default now) to its end."""
        if self.args.only and benchmark_id not in self.args.only:
            return
        started = time.monotonic() if since is None else since
        log(f"{benchmark_id}: {report.GOALS[benchmark_id][0]}")
        try:
            outcome = function()
        except Exception as exc:  # one broken benchmark must not hide the others
            traceback.print_exc()
            outcome = report.Outcome(benchmark_id, None, error=f"{type(exc).__name__}: {exc}"[:400])
        outcome.load = self.monitor.between(started)
        self.outcomes.append(outcome)
        log(f"{benchmark_id}: {outcome.status()} value={outcome.value} {outcome.note}")


def _wait_port(port: int, process: subprocess.Popen, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(OSError):
            with __import__("socket").create_connection(("127.0.0.1", port), timeout=0.5):
                return
        time.sleep(0.1)
    raise TimeoutError(f"{what} not listening on {port}")


class WaitSampler:
    """What the app's PostgreSQL sessions are doing during a load run (pg_stat_activity
    sampled every 50 ms): CPU, client round trips, commits (WAL flush) or row-lock waits."""

    def __init__(self, app: AppProcess) -> None:
        self.url = database_url(app)
        self.database = app.database
        self.counts: dict[str, int] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: run_async(self._run()), daemon=True)

    async def _run(self) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            while not self._stop.is_set():
                rows = await conn.fetch(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                    self.database)
                self.samples += 1
                for row in rows:
                    if row["state"] == "idle":
                        continue
                    key = (row["state"] if row["wait_event"] is None else
                           f"{row['state']}: {row['wait_event_type']}/{row['wait_event']}")
                    self.counts[key] = self.counts.get(key, 0) + 1
                await asyncio.sleep(0.05)
        finally:
            await conn.close()

    def __enter__(self) -> "WaitSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def summary(self) -> dict[str, float]:
        """Average number of non-idle sessions per sample in each state / wait event."""
        return {key: round(count / max(1, self.samples), 2) for key, count in
                sorted(self.counts.items(), key=lambda item: -item[1])}


# --- P1-P3: the gateway's proxy path ---------------------------------------------------------

def proxy_benchmarks(bench: Bench, service: AppProcess) -> None:
    since = time.monotonic()
    rule_set_id = with_db(service, lambda c: c.fetchval("SELECT min(id) FROM rule_sets"))
    path = f"/v1/rule-sets/{rule_set_id}"
    gateway = bench.start(bench.gateway("gateway", dict.fromkeys(
        ("planning", "disaster-fund", "export-control", "statistics"), service.url)))
    nginx_url, nginx = bench.nginx(service.port)
    watch = bench.watch(service=service, gateway=gateway, nginx=nginx)
    targets = {"direct": service.url + path, "gateway": f"{gateway.url}/disaster-fund{path}",
               "nginx": f"{nginx_url}/disaster-fund{path}"}
    headers = {"Authorization": f"Bearer {bench.token('vrf.handler')}"}
    bodies = {}
    for name, url in targets.items():
        response = httpx.get(url, headers=headers, timeout=10)
        check_response(response, 200, f"GET {name}")
        bodies[name] = len(response.content)
    for url in targets.values():
        loadgen.wrk(url, connections=CONNECTIONS, seconds=WARMUP_S, headers=headers)
    throughput: dict[str, list[loadgen.WrkResult]] = {name: [] for name in targets}
    latency: dict[str, list[loadgen.WrkResult]] = {name: [] for name in targets}
    for _ in range(ROUNDS):
        for name, url in targets.items():
            throughput[name].append(loadgen.wrk(url, connections=CONNECTIONS,
                                                seconds=THROUGHPUT_S, headers=headers,
                                                label=name, watch=watch))
    for _ in range(LATENCY_ROUNDS):
        for name, url in targets.items():
            latency[name].append(loadgen.wrk(url, connections=1, seconds=LATENCY_S,
                                             headers=headers, label=name))
    best_rps = {name: max(r.rps for r in runs) for name, runs in throughput.items()}
    best_p50 = {name: min(r.latency_us["p50"] for r in runs) / 1000
                for name, runs in latency.items()}
    errors = {name: sum(r.error_count for r in runs + latency[name])
              for name, runs in throughput.items()}
    # CPU ms per request of each process, median over the rounds (robust to other load).
    cpu = {name: {proc: round(statistics.median(r.extra["cpu_ms_per_request"][proc]
                                                for r in runs), 3) for proc in watch}
           for name, runs in throughput.items()}
    # What P2 would be if the gateway's or nginx's CPU came straight out of the service's.
    cpu_only_p2 = ((cpu["nginx"]["service"] + cpu["nginx"]["nginx"])
                   / (cpu["gateway"]["service"] + cpu["gateway"]["gateway"]))
    raw = {"request": f"GET {path} (rule set, vrf.handler token)", "response_bytes": bodies,
           "best_rps": {k: round(v, 1) for k, v in best_rps.items()},
           "best_p50_ms_c1": {k: round(v, 3) for k, v in best_p50.items()},
           "errors": errors, "cpu_ms_per_request_c32": cpu,
           "runs_c32": [r.as_dict() for runs in throughput.values() for r in runs],
           "runs_c1": [r.as_dict() for runs in latency.values() for r in runs]}
    error_note = f"; errors {errors}" if any(errors.values()) else ""
    bench.measure("P1", lambda: report.Outcome(
        "P1", best_rps["gateway"] / best_rps["direct"], raw,
        f"gateway {best_rps['gateway']:.0f} / direct {best_rps['direct']:.0f} req/s "
        f"(best of {ROUNDS} interleaved {THROUGHPUT_S} s runs, c{CONNECTIONS}); CPU per "
        f"request: service {cpu['direct']['service']:.2f} ms, gateway "
        f"{cpu['gateway']['gateway']:.2f} ms, nginx {cpu['nginx']['nginx']:.2f} ms{error_note}"),
        since=since)
    bench.measure("P2", lambda: report.Outcome(
        "P2", best_rps["gateway"] / best_rps["nginx"],
        {"best_rps": raw["best_rps"], "cpu_ms_per_request_c32": cpu},
        f"gateway {best_rps['gateway']:.0f} / nginx {best_rps['nginx']:.0f} req/s "
        f"(nginx/direct {best_rps['nginx'] / best_rps['direct']:.2f}); if one core served it "
        f"all (CPU per request): {cpu_only_p2:.2f}"), since=since)
    bench.measure("P3", lambda: report.Outcome(
        "P3", best_p50["gateway"] - best_p50["direct"], {"best_p50_ms_c1": raw["best_p50_ms_c1"]},
        f"p50 gateway {best_p50['gateway']:.2f} ms, direct {best_p50['direct']:.2f} ms, "
        f"nginx {best_p50['nginx']:.2f} ms (+{best_p50['nginx'] - best_p50['direct']:.2f})"),
        since=since)
    gateway.stop()


# --- P4: aggregation over slow upstreams ----------------------------------------------------

def aggregate_benchmark(bench: Bench, database_donor: AppProcess) -> report.Outcome:
    stubs = bench.stubs(4)
    services = ("planning", "disaster-fund", "export-control", "statistics")
    gateway = bench.start(bench.gateway("gateway-aggregate", dict(zip(services, stubs, strict=True)),
                                        base=database_donor))
    headers = {"Authorization": f"Bearer {bench.token('kpi.reader')}"}
    response = httpx.get(f"{gateway.url}/v1/kpis", headers=headers, timeout=10)
    check_response(response, 200, "gateway /v1/kpis")
    if response.json().get("completed") is not True:
        raise RuntimeError(f"aggregate not completed: {response.text[:300]}")
    targets = {"gateway": f"{gateway.url}/v1/kpis", "single": f"{stubs[0]}/v1/kpis"}
    runs = {}
    for name, url in targets.items():
        loadgen.wrk(url, connections=1, seconds=WARMUP_S, headers=headers)
        runs[name] = loadgen.wrk(url, connections=1, seconds=THROUGHPUT_S, headers=headers,
                                 label=name, watch=bench.watch(gateway=gateway))
    loaded = {name: loadgen.wrk(url, connections=16, seconds=LATENCY_S, headers=headers,
                                label=f"{name} c16") for name, url in targets.items()}
    gateway.stop()
    p50 = {name: run.latency_us["p50"] / 1000 for name, run in runs.items()}
    p50_loaded = {name: run.latency_us["p50"] / 1000 for name, run in loaded.items()}
    return report.Outcome(
        "P4", p50["gateway"] / p50["single"],
        {"upstreams": len(stubs), "delay_ms": UPSTREAM_DELAY_S * 1000,
         "p50_ms_c1": p50, "p50_ms_c16": p50_loaded,
         "runs": [r.as_dict() for r in (*runs.values(), *loaded.values())]},
        f"p50 {p50['gateway']:.1f} ms via the gateway (all 4 upstreams at 50 ms) vs "
        f"{p50['single']:.1f} ms for one stub; at c16: {p50_loaded['gateway']:.1f} vs "
        f"{p50_loaded['single']:.1f} ms")


# --- P7: creating applications --------------------------------------------------------------

def create_benchmark(bench: Bench, service: AppProcess, disasters: list[dict]) -> report.Outcome:
    """All submissions for one disaster (as after a storm), then spread over many (a
    diagnostic: how much of the cost is contention on per-disaster rows)."""
    template = seed.application_body(disasters)
    one, spread = disasters[0]["id"], ",".join(d["id"] for d in disasters)
    token = bench.token("vrf.citizen", sub="bench-citizen", org="citizen")
    response = httpx.post(service.url + "/v1/applications", timeout=10,
                          content=template.replace("{{TARGET}}", one),
                          headers={"Authorization": f"Bearer {token}",
                                   "Content-Type": "application/json",
                                   "Idempotency-Key": f"bench-probe-{uuid.uuid4()}"})
    check_response(response, 201, "POST /v1/applications")
    template_id = response.json()["id"]
    env = {"BENCH_PATH": "/v1/applications", "BENCH_BODY": template, "BENCH_TOKEN": token,
           "BENCH_IDEMPOTENCY": "1"}
    url = service.url + "/v1/applications"
    watch = bench.watch(service=service)

    def post(label: str, targets: str) -> tuple[loadgen.WrkResult, dict]:
        with WaitSampler(service) as waits:
            run = loadgen.wrk(url, connections=CONNECTIONS, seconds=THROUGHPUT_S,
                              script="post.lua", label=label, watch=watch,
                              env={**env, "BENCH_TARGETS": targets,
                                   "BENCH_RUN_TAG": uuid.uuid4().hex[:8]})
        return run, waits.summary()

    loadgen.wrk(url, connections=CONNECTIONS, seconds=WARMUP_S, script="post.lua",
                env={**env, "BENCH_TARGETS": spread, "BENCH_RUN_TAG": "warm"})
    count = lambda: with_db(service, lambda c: c.fetchval("SELECT count(*) FROM applications"))  # noqa: E731
    before = count()
    hot, hot_waits = post("one disaster", one)
    created = count() - before
    spread_run, spread_waits = post(f"{len(disasters)} disasters", spread)
    ceiling = bare_ceiling(bench, service, env, one)
    baseline = json.loads(subprocess.run(
        ["taskset", "-c", loadgen.LOAD_CPU, sys.executable,
         str(BENCH_DIR / "insert_baseline.py"), database_url(service), template_id,
         str(CONNECTIONS), str(THROUGHPUT_S)],
        check=True, capture_output=True, text=True, timeout=120).stdout)
    baseline_rate = baseline["inserts"] / baseline["seconds"]
    errors = hot.error_count + spread_run.error_count
    cpu = hot.extra.get("cpu_ms_per_request", {})
    lock_waits = sum(v for k, v in hot_waits.items() if "Lock/" in k)
    return report.Outcome(
        "P7", hot.rps / baseline_rate,
        {"api_one_disaster": hot.as_dict(), "rows_created": created,
         "postgres_sessions_one_disaster": hot_waits,
         "api_many_disasters": spread_run.as_dict(),
         "postgres_sessions_many_disasters": spread_waits,
         "asyncpg_baseline": baseline, "asyncpg_inserts_per_s": round(baseline_rate, 1),
         "bare_app_one_disaster": ceiling.as_dict(),
         "bare_app_ratio": round(ceiling.rps / baseline_rate, 3)},
        f"API {hot.rps:.0f}/s for one disaster ({spread_run.rps:.0f}/s spread over "
        f"{len(disasters)}) vs asyncpg {baseline_rate:.0f} single-row insert tx/s, "
        f"{CONNECTIONS} clients, Idempotency-Key on each; on average {lock_waits:.1f} of "
        f"{CONNECTIONS} sessions waited on a row lock; CPU per application: service "
        f"{cpu.get('service', 0):.1f} ms, PostgreSQL {cpu.get('postgres', 0):.1f} ms; the "
        f"ceiling of one Python process here, a bare FastAPI + asyncpg app sending the same "
        f"statements (bench/bare_app.py): {ceiling.rps:.0f}/s = "
        f"{ceiling.rps / baseline_rate:.3f}"
        + (f"; {errors} errors" if errors else ""))


def bare_ceiling(bench: Bench, service: AppProcess, env: dict, disaster_id: str
                 ) -> loadgen.WrkResult:
    """The same submissions for one disaster against `bare_app.py` on the same database: what
    P7 can reach at best with one Python process on this machine, whatever the stack."""
    url, process = bare.start_bare(bench, database_url(service))
    try:
        target = url + "/v1/applications"
        run_env = {**env, "BENCH_TARGETS": disaster_id}
        loadgen.wrk(target, connections=CONNECTIONS, seconds=WARMUP_S, script="post.lua",
                    env={**run_env, "BENCH_RUN_TAG": "bare-warm"})
        return loadgen.wrk(target, connections=CONNECTIONS, seconds=THROUGHPUT_S,
                           script="post.lua", label="bare app, one disaster",
                           env={**run_env, "BENCH_RUN_TAG": uuid.uuid4().hex[:8]})
    finally:
        loadgen.stop_process(process)


# --- P8: customs debits ---------------------------------------------------------------------

def debit_benchmark(bench: Bench) -> report.Outcome:
    service = bench.prepare(EXPORT_CONTROL, "export-control")
    spread = with_db(service, lambda c: seed.seed_licences(c, 50, "BENCH"))
    hot = with_db(service, lambda c: seed.seed_licences(c, 1, "BENCHHOT"))
    bench.start(service)
    token = bench.token("csg.customs", sub="bench-customs", org="customs")
    probe = httpx.post(service.url + "/v1/customs/debits", timeout=10,
                       headers={"Authorization": f"Bearer {token}"},
                       json={"licence_number": spread[0], "line_no": 1, "mrn": "26BEPROBE000000001",
                             "item_number": 1, "quantity": "1.000", "value": "10.00"})
    check_response(probe, 201, "POST /v1/customs/debits")
    url = service.url + "/v1/customs/debits"
    env = {"BENCH_PATH": "/v1/customs/debits", "BENCH_TOKEN": token}
    loadgen.wrk(url, connections=CONNECTIONS, seconds=WARMUP_S, script="debit.lua",
                env={**env, "BENCH_LICENCES": ",".join(spread), "BENCH_RUN_TAG": "WRM"})
    runs = {}
    for name, numbers, tag in (("50 licences", spread, "SPR"), ("one hot line", hot, "HOT")):
        with WaitSampler(service) as waits:
            runs[name] = loadgen.wrk(url, connections=CONNECTIONS, seconds=THROUGHPUT_S,
                                     script="debit.lua", label=name,
                                     watch=bench.watch(service=service),
                                     env={**env, "BENCH_LICENCES": ",".join(numbers),
                                          "BENCH_RUN_TAG": tag})
        runs[name].extra["postgres_sessions"] = waits.summary()

    async def ledger(conn):
        return dict(await conn.fetchrow(
            """SELECT (SELECT count(*) FROM ledger_entries e JOIN licences l ON l.id = e.licence_id
                        WHERE l.number = $1 AND e.kind = 'debit') AS hot_debits,
                      (SELECT licensed_quantity - remaining_quantity FROM licence_lines ll
                        JOIN licences l ON l.id = ll.licence_id WHERE l.number = $1) AS hot_used,
                      (SELECT min(remaining_quantity) FROM licence_lines) AS min_remaining""",
            hot[0]))

    check = with_db(service, ledger)
    service.stop()
    spread_run, hot_run = runs["50 licences"], runs["one hot line"]
    consistent = check["hot_debits"] == check["hot_used"] and check["min_remaining"] >= 0
    return report.Outcome(
        "P8", spread_run.rps,
        {name: run.as_dict() for name, run in runs.items()} | {"ledger_check": check,
                                                               "ledger_consistent": consistent},
        f"{spread_run.rps:.0f}/s over 50 licences ({spread_run.error_count} errors, p99 "
        f"{spread_run.latency_us['p99'] / 1000:.0f} ms); {hot_run.rps:.0f}/s on one hot line "
        f"({hot_run.error_count} errors, p99 {hot_run.latency_us['p99'] / 1000:.0f} ms); "
        f"ledger {'consistent' if consistent else 'INCONSISTENT'}")


# --- P5, P6, P9: the KPI endpoint over history ----------------------------------------------

def time_requests(url: str, headers: dict, *, count: int, budget_s: float) -> list[float]:
    """Seconds per sequential GET (after one warm-up), at most `count` or `budget_s`."""
    timings = []
    with httpx.Client(headers=headers, timeout=300) as client:
        check_response(client.get(url), 200, f"GET {url}")
        started = time.monotonic()
        while len(timings) < count and (time.monotonic() - started < budget_s or len(timings) < 3):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - t0)
            check_response(response, 200, f"GET {url}")
    return timings


async def time_sql(url: str, *, count: int) -> list[float]:
    conn = await asyncpg.connect(url)
    try:
        today = today_brussels(_SystemClock())
        await conn.fetchrow(KPI_SQL, today)
        timings = []
        for _ in range(count):
            t0 = time.perf_counter()
            await conn.fetchrow(KPI_SQL, today)
            timings.append(time.perf_counter() - t0)
        return timings
    finally:
        await conn.close()


async def baseline_figures(url: str) -> dict:
    """The headline KPI figures from the hand-written query (the source-of-truth aggregate)."""
    row = await _execute(url, lambda c: c.fetchrow(KPI_SQL, today_brussels(_SystemClock())))
    completion, payout, open_dossiers = (json.loads(row[k]) for k in
                                         ("completion", "payout", "open_dossiers"))

    def one(value):
        return None if value is None else round(float(value), 1)

    return {
        "applications_completed_within_1y_pct":
            one(100 * completion["on_time"] / completion["counted"])
            if completion["counted"] else None,
        "recognition_to_payout_median_days": one(payout["median"]),
        "backlog_open_applications": one(open_dossiers["backlog"]),
        "applications_at_risk": one(open_dossiers["at_risk"]),
        "dossier_lead_time_gross_avg_days": one(completion["gross_avg"]),
        "dossier_lead_time_net_avg_days": one(completion["net_avg"]),
    }


def compare_figures(kpis: list[dict], expected: dict) -> dict:
    """Endpoint values vs the hand-written query: incremental figures must not drift."""
    served = {k["id"]: k["value"] for k in kpis}
    return {kpi_id: {"endpoint": served.get(kpi_id), "sql": value}
            for kpi_id, value in expected.items()
            if served.get(kpi_id) is None or value is None
            or abs(float(served[kpi_id]) - value) > 0.05 + 1e-6}


class _SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


async def profile_kpis(url: str) -> dict:
    """Run the service's own compute_kpis in-process and time every SQL statement it sends,
    with EXPLAIN ANALYZE of the slowest: where the KPI endpoint's time goes."""
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import create_async_engine

    from disaster_fund.kpis import compute_kpis
    from dkbuza_kit.db import create_sessionmaker

    engine = create_async_engine(url.replace("postgresql://", "postgresql+asyncpg://", 1))
    statements: list[dict] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        statements.append({"sql": statement, "parameters": parameters,
                           "ms": (time.perf_counter() - conn.info["bench_started"]) * 1000})

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    try:
        async with create_sessionmaker(engine)() as session:
            await compute_kpis(session, _SystemClock())  # warm
            statements.clear()
            t0 = time.perf_counter()
            await compute_kpis(session, _SystemClock())
            total_ms = (time.perf_counter() - t0) * 1000
        event.remove(engine.sync_engine, "before_cursor_execute", before)
        event.remove(engine.sync_engine, "after_cursor_execute", after)
        slowest = max(statements, key=lambda s: s["ms"])
        async with engine.connect() as conn:
            plan = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"],
                                              slowest["parameters"])
            plan_lines = [row[0] for row in plan]
    finally:
        await engine.dispose()
    return {"compute_kpis_ms": round(total_ms, 1),
            "sql_ms_total": round(sum(s["ms"] for s in statements), 1),
            "statements": [{"ms": round(s["ms"], 1),
                            "sql": " ".join(s["sql"].split())[:160]} for s in statements],
            "slowest_plan": plan_lines}


def rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/{pid}/status")


def peak_memory(pid: int, request: Callable[[], dict]) -> dict:
    """Idle RSS, then the peak while `request` runs: VmHWM after resetting it (clear_refs 5),
    cross-checked by sampling VmRSS every 20 ms."""
    time.sleep(0.5)
    idle = rss_kb(pid, "VmRSS")
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    sampled = [idle]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError, RuntimeError):
                sampled.append(rss_kb(pid, "VmRSS"))
            stop.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        details = request()
    finally:
        stop.set()
        sampler.join()
    hwm = rss_kb(pid, "VmHWM")
    peak = max(hwm, max(sampled))
    return {"idle_mb": round(idle / 1024, 1), "peak_mb": round(peak / 1024, 1),
            "vmhwm_mb": round(hwm / 1024, 1), "sampled_max_mb": round(max(sampled) / 1024, 1),
            "added_mb": round((peak - idle) / 1024, 1),
            "seconds": round(time.perf_counter() - t0, 2), **details}


def history_benchmarks(bench: Bench, size: int) -> None:
    since = time.monotonic()
    service = bench.prepare(DISASTER_FUND, "disaster-fund-history")
    url = database_url(service)

    async def seed_small(conn):
        await seed.seed_history_disasters(conn)
        await seed.seed_applications(conn, 1, SMALL_HISTORY)
        await conn.execute("VACUUM ANALYZE")

    with_db(service, seed_small)
    bench.start(service)
    kpi_url = service.url + "/v1/kpis"
    kpi_headers = {"Authorization": f"Bearer {bench.token('kpi.reader')}"}
    small = time_requests(kpi_url, kpi_headers, count=30, budget_s=10)
    small_sql = run_async(time_sql(url, count=10))
    log(f"KPI at {SMALL_HISTORY}: {statistics.median(small) * 1000:.1f} ms; "
        f"growing to {size} applications")
    t0 = time.perf_counter()

    async def grow(conn):
        await seed.seed_applications(conn, SMALL_HISTORY + 1, size,
                                     progress=lambda n: log(f"  {SMALL_HISTORY + n} applications"))
        await conn.execute("VACUUM ANALYZE")
        return await conn.fetchval("SELECT count(*) FROM applications")

    rows = with_db(service, grow)
    seed_s = time.perf_counter() - t0
    log(f"{rows} applications generated in {seed_s:.0f} s")
    large = time_requests(kpi_url, kpi_headers, count=7, budget_s=30)
    large_sql = run_async(time_sql(url, count=5))
    profile = run_async(profile_kpis(url))
    served = httpx.get(kpi_url, headers=kpi_headers, timeout=300).json()
    mismatches = compare_figures(served, run_async(baseline_figures(url)))
    kpi_large, kpi_small = statistics.median(large), statistics.median(small)
    sql_large = statistics.median(large_sql)
    raw = {"applications_large": rows, "applications_small": SMALL_HISTORY,
           "generation_s": round(seed_s, 1),
           "kpi_ms_small": [round(t * 1000, 1) for t in small],
           "kpi_ms_large": [round(t * 1000, 1) for t in large],
           "sql_ms_small": [round(t * 1000, 1) for t in small_sql],
           "sql_ms_large": [round(t * 1000, 1) for t in large_sql],
           "profile_large": profile, "figures_mismatching_sql": mismatches}
    bench.measure("P5", lambda: report.Outcome(
        "P5", kpi_large / sql_large, raw,
        f"endpoint {kpi_large * 1000:.0f} ms vs one hand-written query {sql_large * 1000:.0f} ms "
        f"(medians, {rows:,} applications); service SQL alone {profile['sql_ms_total']:.0f} ms "
        f"in {len(profile['statements'])} statements; figures "
        + (f"DIFFER from the query: {mismatches}" if mismatches else "equal to the query's")),
        since=since)
    bench.measure("P6", lambda: report.Outcome(
        "P6", kpi_large / kpi_small,
        {k: raw[k] for k in ("kpi_ms_small", "kpi_ms_large", "applications_large")},
        f"{kpi_large * 1000:.0f} ms at {rows:,} vs {kpi_small * 1000:.1f} ms at "
        f"{SMALL_HISTORY:,} (the hand-written query: {sql_large * 1000:.0f} vs "
        f"{statistics.median(small_sql) * 1000:.1f} ms)"), since=since)

    def memory() -> report.Outcome:
        pid = service.process.pid

        def kpi_request() -> dict:
            response = httpx.get(kpi_url, headers=kpi_headers, timeout=300)
            check_response(response, 200, "KPIs")
            return {"bytes": len(response.content)}

        def export_request() -> dict:
            headers = {"Authorization": f"Bearer {bench.token('vrf.handler')}"}
            received = lines = 0
            deadline = time.monotonic() + bench.args.export_budget
            with httpx.stream("GET", service.url + "/v1/exports/applications.csv",
                              headers=headers, timeout=300) as response:
                check_response(response, 200, "CSV export")
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    lines += chunk.count(b"\n")
                    if time.monotonic() > deadline:
                        break
            return {"bytes": received, "rows": max(0, lines - 1),
                    "complete": lines - 1 >= rows}

        kpi = peak_memory(pid, kpi_request)
        export = peak_memory(pid, export_request)
        worst = max(kpi["added_mb"], export["added_mb"])
        export_note = "" if export["complete"] else \
            f" (stopped after {export['rows']:,} rows at the {bench.args.export_budget} s budget)"
        return report.Outcome(
            "P9", worst, {"kpi": kpi, "csv_export": export},
            f"KPI +{kpi['added_mb']:.1f} MB (idle {kpi['idle_mb']:.0f} MB); CSV export of "
            f"{export['rows']:,} rows +{export['added_mb']:.1f} MB in {export['seconds']:.0f} s"
            + export_note)

    bench.measure("P9", memory)
    service.stop()


# --- the run --------------------------------------------------------------------------------

def busy_processes() -> list[dict]:
    """Processes other than this benchmark using CPU right now (noise in the ratios)."""
    mine = {os.getpid(), *(c.pid for c in psutil.Process().children(recursive=True))}
    procs = [p for p in psutil.process_iter(["pid", "name", "cmdline"]) if p.pid not in mine]
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            proc.cpu_percent(None)
    time.sleep(1.0)
    busy = []
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            cpu = proc.cpu_percent(None)
            if cpu >= 5:
                command = " ".join(proc.info["cmdline"] or [proc.info["name"] or "?"])
                busy.append({"name": command[:80], "cpu_pct": round(cpu)})
    return sorted(busy, key=lambda p: -p["cpu_pct"])


def machine() -> dict:
    cpu_model = next((line.split(":", 1)[1].strip() for line in
                      Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), platform.processor() or "unknown")
    return {"hostname": platform.node(), "kernel": platform.release(), "cpu_model": cpu_model,
            "cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1)}


def versions(postgres: str) -> dict:
    packages = ("uvicorn", "fastapi", "starlette", "sqlalchemy", "asyncpg", "aiohttp", "uvloop",
                "httptools", "pydantic")
    found = {}
    for name in packages:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    return {"python": platform.python_version(), "postgresql": postgres,
            **loadgen.tool_versions(nginx), "packages": found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-history", action="store_true")
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--only", type=lambda s: set(s.upper().split(",")), default=None)
    parser.add_argument("--export-budget", type=float, default=240.0,
                        help="seconds the P9 CSV export may stream before it is cut off")
    args = parser.parse_args()
    started = time.monotonic()
    date = datetime.now(UTC).isoformat(timespec="seconds")
    loadgen.ensure_tool("wrk", "wrk")
    loadgen.ensure_tool("nginx", "nginx-light")
    conditions = {"loadavg_before": [round(x, 2) for x in os.getloadavg()],
                  "busy_processes_before": busy_processes()}
    if conditions["busy_processes_before"]:
        log("other processes are busy on this machine; ratios will be noisy: "
            + ", ".join(p["name"][:40] for p in conditions["busy_processes_before"][:5]))
    with contextlib.ExitStack() as stack:
        bench = Bench(args, stack)
        log(f"PostgreSQL {bench.server_version}; wrk pinned to CPU {loadgen.LOAD_CPU}")
        wanted = lambda *ids: not args.only or any(i in args.only for i in ids)  # noqa: E731
        front = None
        if wanted("P1", "P2", "P3", "P4", "P7", "P10"):
            front = bench.prepare(DISASTER_FUND, "disaster-fund")
            disasters = with_db(front, lambda c: seed.seed_open_disasters(c, CONNECTIONS))
            bench.start(front)
            if wanted("P1", "P2", "P3"):
                proxy_benchmarks(bench, front)
            if wanted("P7"):
                bench.measure("P7", lambda: create_benchmark(bench, front, disasters))
            if wanted("P10"):
                bench.measure("P10", lambda: bare.benchmark(bench, front, disasters))
            front.stop()
        if wanted("P4"):
            donor = bench.prepare(GATEWAY, "gateway-db")
            bench.measure("P4", lambda: aggregate_benchmark(bench, donor))
        bench.measure("P8", lambda: debit_benchmark(bench))
        if not args.skip_history and wanted("P5", "P6", "P9"):
            try:
                history_benchmarks(bench, args.history)
            except Exception as exc:
                traceback.print_exc()
                for benchmark_id in ("P5", "P6", "P9"):
                    if benchmark_id not in {o.id for o in bench.outcomes}:
                        bench.outcomes.append(report.Outcome(
                            benchmark_id, None, error=f"{type(exc).__name__}: {exc}"[:400]))
        conditions["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
        run_load = bench.monitor.between(started)
        conditions["load_over_run"] = run_load.as_dict() if run_load else None
        conditions["busy_thresholds"] = {"other_cpu_share": report.BUSY_OTHER_CPU_SHARE,
                                         "steal_share": report.BUSY_STEAL_SHARE}
        conditions["busy_processes_after"] = busy_processes()
        outcomes = sorted(bench.outcomes, key=lambda o: int(o.id[1:]))
        context = {"date": date, "duration_s": time.monotonic() - started,
                   "machine": machine(), "versions": versions(bench.server_version),
                   "conditions": conditions,
                   "method": {"connections": CONNECTIONS, "throughput_s": THROUGHPUT_S,
                              "latency_s": LATENCY_S, "rounds": ROUNDS,
                              "load_cpu": loadgen.LOAD_CPU,
                              "postgres": "BENCH_POSTGRES_URL" if os.environ.get(
                                  "BENCH_POSTGRES_URL") else "embedded (bench/.data/pg)"},
                   "partial": bool(args.only or args.skip_history)}
        log("stopping processes and dropping the benchmark databases")
    report.write(outcomes, context)
    print()
    print(report.table(outcomes))
    print(f"\nresults: {report.RESULTS.relative_to(BENCH_DIR.parent)}; "
          f"{time.monotonic() - started:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
