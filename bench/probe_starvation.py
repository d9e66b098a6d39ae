"""How long `/livez` and `/readyz` take while a service renders heavy exports, by number of
uvicorn worker processes (issue 21: a CPU-bound request must not starve the probes).

    .venv/bin/python bench/probe_starvation.py [--rows 20000] [--exports 40] [--workers 1,2]

Seeds the disaster fund with `--rows` applications (bench/seed.py), starts it with each
worker count in turn, sends `--exports` concurrent XLSX exports of every dossier in waves
for `--seconds`, and meanwhile probes `/livez` and `/readyz` every 100 ms. Prints per worker
count: probe p50/p95/max (ms) and the export answers by status (200, 503 EXPORTS_BUSY ...).
Bounded: every phase stops after `--seconds`; the database is dropped at the end.
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed  # noqa: E402

from dkbuza_dev.postgres import database_url  # noqa: E402
from dkbuza_dev.postgres import plain_url  # noqa: E402
from dkbuza_dev.testing.processes import prepare_app  # noqa: E402
from dkbuza_kit.apps import app_named  # noqa: E402
from dkbuza_kit.tokens import generate_key  # noqa: E402


async def probe(client: httpx.AsyncClient, path: str, until: float) -> tuple[list, Counter]:
    latencies, statuses = [], Counter()
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            statuses[(await client.get(path, timeout=30)).status_code] += 1
        except httpx.HTTPError as exc:
            statuses[type(exc).__name__] += 1
        latencies.append((time.monotonic() - started) * 1000)
        await asyncio.sleep(0.1)
    return latencies, statuses


async def export_wave(client: httpx.AsyncClient, headers: dict, count: int,
                      until: float) -> Counter:
    statuses: Counter = Counter()

    async def one() -> None:
        while time.monotonic() < until:
            try:
                response = await client.get("/v1/exports/applications.xlsx", headers=headers,
                                            timeout=60)
                code = response.json().get("code") if response.status_code >= 400 else ""
                if response.status_code >= 500 and not code:
                    code = response.text[:80]
                statuses[f"{response.status_code} {code}".strip()] += 1
                if response.status_code == 503:
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
            except httpx.HTTPError as exc:
                statuses[type(exc).__name__] += 1

    await asyncio.gather(*(one() for _ in range(count)))
    return statuses


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 1),
            "p95": round(ordered[int(len(ordered) * 0.95) - 1], 1), "max": round(ordered[-1], 1)}


async def measure(app, headers: dict, exports: int, seconds: float) -> dict:
    limits = httpx.Limits(max_connections=exports + 10)
    async with httpx.AsyncClient(base_url=app.url, limits=limits) as client:
        until = time.monotonic() + seconds
        livez, readyz, statuses = await asyncio.gather(
            probe(client, "/livez", until), probe(client, "/readyz", until),
            export_wave(client, headers, exports, until))
    return {"livez_ms": summary(livez[0]), "livez": dict(livez[1]),
            "readyz_ms": summary(readyz[0]), "readyz": dict(readyz[1]),
            "exports": dict(statuses)}


async def seed_rows(app, rows: int) -> None:
    conn = await asyncpg.connect(plain_url(database_url(app.server_url, app.database)))
    try:
        await seed.seed_history_disasters(conn)
        await seed.seed_applications(conn, 1, rows)
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--exports", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", default="1,2")
    args = parser.parse_args()
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    key = generate_key(Path(tempfile.mkdtemp(prefix="dkbuza-probes-")))
    headers = {"Authorization": f"Bearer {key.mint(sub='bench', roles=['vrf.handler'])}"}
    app = prepare_app(app_named("disaster-fund"), server, key.jwks_path)
    results = {}
    try:
        asyncio.run(seed_rows(app, args.rows))
        for workers in (int(n) for n in args.workers.split(",")):
            app.extra_args = ["--workers", str(workers)]
            app.start(timeout=60)
            try:
                results[f"workers={workers}"] = asyncio.run(
                    measure(app, headers, args.exports, args.seconds))
            finally:
                app.stop()
    finally:
        app.drop_database()
    print(json.dumps({"rows": args.rows, "concurrent_exports": args.exports, **results},
                     indent=2))


if __name__ == "__main__":
    main()
