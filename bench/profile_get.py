"""Where the service's CPU goes on the trivial authenticated GET that P1-P3 and P10 measure,
or (`--submission`) on the application submission of P7 and P10.

    python bench/profile_get.py [--seconds 10] [--rate 250] [--submission] [--variants a,b]

Starts the disaster fund as a real uvicorn process on a fresh database (embedded PostgreSQL
under bench/.data/pg, or BENCH_POSTGRES_URL), loads `GET /v1/rule-sets/{id}` with wrk
(32 connections, pinned to the load core) and samples the service with py-spy (a dev
dependency) meanwhile. Each sample is attributed to the innermost frame that belongs to a
layer below (stdlib frames count for their caller: json.dumps called by the response model's
serialisation is serialisation). Also counted per request, from pg_stat_database and the
server's own counters: transactions and statements (asyncpg query logger on one in-process
request). With `--submission`, 32 disasters open for applications are seeded and wrk posts
applications with an Idempotency-Key each (`lua/post.lua`, as P7 does). Prints one JSON document.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import asyncpg
import loadgen
import seed

from dkbuza_dev.postgres import plain_url
from dkbuza_dev.testing.processes import AppProcess
from dkbuza_dev.testing.processes import free_port
from dkbuza_dev.testing.processes import prepare_app
from dkbuza_kit.apps import SERVICES
from dkbuza_kit.header_limits import uvicorn_args
from dkbuza_kit.tokens import generate_key

BENCH_DIR = Path(__file__).resolve().parent
DISASTER_FUND = next(s for s in SERVICES if s.name == "disaster-fund")

# Call subtrees counted wherever they are in a stack (first match wins): the pool's ping on
# checkout and the transaction's own BEGIN/COMMIT/ROLLBACK round trips.
SUBTREES: list[tuple[str, tuple[str, ...]]] = [
    ("pool_pre_ping (BEGIN; ';'; ROLLBACK on checkout)", ("_async_ping",)),
    ("transaction BEGIN/COMMIT round trips", ("asyncpg/transaction.py",)),
]
# Otherwise: (layer, substrings of a py-spy frame "function (file:line)"), the innermost
# frame that matches one decides.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("ORM (session.get, identity map, row loading)", ("sqlalchemy/orm/",)),
    ("SQLAlchemy engine/pool/dialect", ("sqlalchemy/",)),
    ("asyncpg driver", ("asyncpg/",)),
    ("token verification", ("dkbuza_kit/auth.py", "/jwt/")),
    ("response model: validation + serialisation", ("pydantic", "encoders.py",
                                                    "serialize_response", "_prepare_response")),
    ("access log (structlog)", ("structlog", "dkbuza_kit/logs.py")),
    ("metrics (prometheus)", ("prometheus_client", "dkbuza_kit/metrics.py")),
    ("tracing", ("opentelemetry", "dkbuza_kit/tracing.py")),
    ("kit middleware (request id, body limit, header limit, in-flight limit)",
     ("dkbuza_kit/middleware.py", "dkbuza_kit/header_limits.py", "dkbuza_kit/shedding.py",
      "dkbuza_kit/context.py")),
    ("other kit code (session dependency, query checks)", ("dkbuza_kit/",)),
    ("the endpoint (disaster_fund)", ("disaster_fund/",)),
    ("FastAPI dependency solving", ("fastapi/dependencies/",)),
    ("FastAPI/Starlette routing, request, response", ("fastapi/", "starlette/")),
    ("uvicorn HTTP protocol (httptools)", ("uvicorn/", "httptools")),
    ("event loop, sockets", ("uvloop", "asyncio/", "selectors")),
]


def layer_of(stack: list[str]) -> str:
    for layer, needles in SUBTREES:
        if any(needle in frame for frame in stack for needle in needles):
            return layer
    for frame in reversed(stack):  # py-spy raw stacks run from the root to the leaf
        for layer, needles in LAYERS:
            if any(needle in frame for needle in needles):
                return layer
    return "other"


def attribute(raw: str) -> dict[str, float]:
    """py-spy `--format raw` (collapsed stacks "f1;f2;... count") -> share of samples per layer."""
    counts: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            counts[layer_of(stack.split(";"))] += int(count)
    total = sum(counts.values()) or 1
    return {layer: round(n / total, 3) for layer, n in counts.most_common()}


async def _stats(url: str, database: str) -> dict:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow("SELECT xact_commit + xact_rollback AS xacts FROM "
                                  "pg_stat_database WHERE datname = $1", database)
        return dict(row)
    finally:
        await conn.close()


async def statements_of_one_get(app_env: dict, path: str, headers: dict[str, str]) -> list[str]:
    """The statements one GET sends: asyncpg's query logger (simple-protocol statements:
    BEGIN, the ping, COMMIT) and SQLAlchemy's cursor events (the prepared statements)."""
    from asgi_lifespan import LifespanManager
    from httpx import ASGITransport
    from httpx import AsyncClient
    from sqlalchemy import event

    create_app, settings_cls, _ = DISASTER_FUND.load()
    previous = dict(os.environ)
    os.environ.update(app_env)
    try:
        app = create_app(settings_cls())
    finally:
        os.environ.clear()
        os.environ.update(previous)
    seen: list[str] = []
    async with LifespanManager(app):
        engine = app.state.engine

        def on_connect(dbapi_connection, record):
            dbapi_connection.driver_connection.add_query_logger(
                lambda record: seen.append(" ".join(record.query.split())[:120]))

        def on_execute(conn, cursor, statement, parameters, context, executemany):
            seen.append("(prepared) " + " ".join(statement.split())[:120])

        event.listen(engine.sync_engine, "connect", on_connect)
        event.listen(engine.sync_engine, "before_cursor_execute", on_execute)
        await engine.dispose()  # new connections get the logger
        async with AsyncClient(transport=ASGITransport(app), base_url="http://t") as client:
            await client.get(path, headers=headers)  # warm: connect, prepare
            seen.clear()
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, response.text
    return seen


@dataclass
class Load:
    """What wrk sends: `path` with `headers`, or `script` with its `env` (a fresh run tag per
    run, so an Idempotency-Key is never reused)."""

    label: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    script: str = "report.lua"
    env: dict[str, str] = field(default_factory=dict)

    def run(self, base_url: str, seconds: int, **options) -> loadgen.WrkResult:
        env = {**self.env, "BENCH_RUN_TAG": uuid.uuid4().hex[:8]} if self.env else None
        return loadgen.wrk(base_url + self.path, connections=32, seconds=seconds,
                           headers=self.headers, script=self.script, env=env, **options)


async def get_load(url: str, key) -> Load:
    """The GET of P1-P3 and P10: one rule set by its id, as a handler."""
    conn = await asyncpg.connect(url)
    try:
        rule_set_id = await conn.fetchval("SELECT min(id) FROM rule_sets")
    finally:
        await conn.close()
    token = key.mint(sub="bench-user", roles=["vrf.handler"], ttl_seconds=3600)
    path = f"/v1/rule-sets/{rule_set_id}"
    return Load(f"GET {path} (vrf.handler)", path, {"Authorization": f"Bearer {token}"})


async def submission_load(owner_url: str, key) -> Load:
    """The submission of P7 and P10: a citizen's application, round robin over 32 disasters
    open for applications (seeded here), an Idempotency-Key on each."""
    conn = await asyncpg.connect(owner_url)
    try:
        disasters = await seed.seed_open_disasters(conn, 32)
    finally:
        await conn.close()
    body = seed.application_body(disasters)
    token = key.mint(sub="bench-citizen", roles=["vrf.citizen"], org="citizen", ttl_seconds=3600)
    return Load("POST /v1/applications (vrf.citizen)", "/v1/applications", script="post.lua",
                env={"BENCH_PATH": "/v1/applications", "BENCH_BODY": body, "BENCH_TOKEN": token,
                     "BENCH_IDEMPOTENCY": "1",
                     "BENCH_TARGETS": ",".join(d["id"] for d in disasters)})


def compare_variants(app, load: Load, names: list[str], rounds: int = 3,
                     seconds: int = 5) -> dict:
    """CPU ms per request (median of `rounds` interleaved wrk runs) of each variant, the
    service as it is (`as_is`, started the same way) first."""
    if not names:
        return {}
    procs = {}
    for name in ["as_is", *names]:
        variant = AppProcess(spec=app.spec, port=free_port(), env=app.env,
                             server_url=app.server_url, database=app.database,
                             log_path=app.log_path)
        variant.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", f"variants:{name}", "--app-dir",
             str(BENCH_DIR), "--host", "127.0.0.1", "--port", str(variant.port),
             "--no-access-log", *uvicorn_args()], env=app.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT)
        variant.wait_ready(60)
        procs[name] = variant
    try:
        cpu: dict[str, list[float]] = {name: [] for name in procs}
        for variant in procs.values():
            load.run(variant.url, 2)
        for _ in range(rounds):
            for name, variant in procs.items():
                run = load.run(variant.url, seconds, watch={"s": (variant.process.pid, False)})
                cpu[name].append(run.extra["cpu_ms_per_request"]["s"])
    finally:
        for variant in procs.values():
            variant.stop()
    result = {name: round(statistics.median(values), 3) for name, values in cpu.items()}
    return {**result, "ratio_to_as_is": {name: round(value / result["as_is"], 3)
                                         for name, value in result.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=int, default=250)
    parser.add_argument("--stacks", type=Path, default=None,
                        help="only attribute a saved py-spy raw profile (no run)")
    parser.add_argument("--variants", default="",
                        help="comma-separated factories of variants.py to compare with the "
                             "service as it is (CPU per request, same run, interleaved)")
    parser.add_argument("--submission", action="store_true",
                        help="profile POST /v1/applications instead of the GET")
    args = parser.parse_args()
    if args.stacks:
        print(json.dumps(attribute(args.stacks.read_text()), indent=2))
        return 0
    loadgen.ensure_tool("wrk", "wrk")  # as `make bench` does: a fresh machine lacks it
    (BENCH_DIR / ".data").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="profile-", dir=BENCH_DIR / ".data"))
    server = os.environ.get("BENCH_POSTGRES_URL")
    if not server:
        from dkbuza_dev.postgres import embedded_server
        server = embedded_server(BENCH_DIR / ".data" / "pg").get_uri()
    key = generate_key(work / "keys")
    app = prepare_app(DISASTER_FUND, server, key.jwks_path, log_path=work / "service.log")
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, work, True)
        stack.callback(app.drop_database)
        app.start(timeout=60)
        stack.callback(app.stop)
        url = plain_url(app.env[f"{app.spec.env_prefix}DATABASE_URL"])
        owner = plain_url(app.env[f"{app.spec.env_prefix}MIGRATION_DATABASE_URL"])

        load = (asyncio.run(submission_load(owner, key)) if args.submission
                else asyncio.run(get_load(url, key)))
        load.run(app.url, 2)
        before = asyncio.run(_stats(owner, app.database))
        spy = subprocess.Popen(
            [str(Path(sys.executable).with_name("py-spy")), "record", "--pid",
             str(app.process.pid), "--rate", str(args.rate), "--duration", str(args.seconds),
             "--format", "raw", "--nonblocking", "--output", str(work / "stacks.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        run = load.run(app.url, args.seconds, watch={"service": (app.process.pid, False)})
        spy.wait(args.seconds + 30)
        after = asyncio.run(_stats(owner, app.database))
        app.stop()
        statements = (None if args.submission else
                      asyncio.run(statements_of_one_get(app.env, load.path, load.headers)))
        stacks = (work / "stacks.txt").read_text() if (work / "stacks.txt").exists() else ""
        if stacks:
            name = "submission" if args.submission else "get"
            (BENCH_DIR / ".data" / f"profile-{name}-stacks.txt").write_text(stacks)
        variants = compare_variants(app, load, [v for v in args.variants.split(",") if v])
        print(json.dumps({
            "request": load.label, "requests": run.requests,
            "rps": round(run.rps, 1),
            "service_cpu_ms_per_request": run.extra["cpu_ms_per_request"]["service"],
            "transactions_per_request": round((after["xacts"] - before["xacts"])
                                              / max(1, run.requests), 2),
            "statements_of_one_request": statements,
            "layers": attribute(stacks) if stacks else {"error": spy.stderr.read().decode()[-500:]},
            "variants_cpu_ms_per_request": variants,
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
