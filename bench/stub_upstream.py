"""Stub services for P4: answer `GET /v1/kpis` after a fixed delay, on one or more ports.

    python bench/stub_upstream.py 18001:0.05 18002:0.05 ...

Each `port:delay_s` is one stub service; `/readyz` and `/livez` answer at once.
"""

import asyncio
import json
import sys
from datetime import UTC
from datetime import datetime

from aiohttp import web


def kpi_document(port: int) -> bytes:
    now = datetime.now(UTC).isoformat()
    return json.dumps([
        {"id": f"stub_{port}_{n}", "title_nl": "Stub", "title_en": "Stub", "unit": "%",
         "value": 90.0 + n, "target": 90.0, "direction": "higher_is_better", "status": "met",
         "period": "as of today", "computed_at": now, "breakdown": None}
        for n in range(5)
    ]).encode()


def stub_app(port: int, delay_s: float) -> web.Application:
    body = kpi_document(port)

    async def kpis(_: web.Request) -> web.Response:
        await asyncio.sleep(delay_s)
        return web.Response(body=body, content_type="application/json")

    async def ready(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/v1/kpis", kpis)
    app.router.add_get("/readyz", ready)
    app.router.add_get("/livez", ready)
    return app


async def main(specs: list[str]) -> None:
    runners = []
    for spec in specs:
        port, _, delay = spec.partition(":")
        runner = web.AppRunner(stub_app(int(port), float(delay)), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", int(port)).start()
        runners.append(runner)
    print("stubs ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
