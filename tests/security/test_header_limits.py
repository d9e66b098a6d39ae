"""Oversized request heads get a 431 problem in every app, before any token is parsed, and
the ASGI server itself refuses heads beyond its own buffer limit (the run command's options)."""

import asyncio
import socket
import time

import httpx
import pytest
import uvicorn

from dkbuza_kit.apps import APPS
from dkbuza_kit.header_limits import UVICORN_OPTIONS

APP_NAMES = [spec.name for spec in APPS]
MIB = 1024 * 1024


def oversized_heads(harness) -> dict[str, list[tuple[str, str]]]:
    token = harness.headers("kpi.reader")["Authorization"]
    return {
        "one header of 1 MiB": [("Authorization", token), ("X-Filler", "x" * MIB)],
        "2,000 headers": [("Authorization", token)] + [(f"X-H{i}", "1") for i in range(2000)],
        "Authorization of 8 MiB": [("Authorization", "Bearer " + "a" * (8 * MIB))],
        "101 headers": [("Authorization", token)] + [(f"X-H{i}", "1") for i in range(100)],
    }


@pytest.mark.parametrize("app", APP_NAMES)
async def test_oversized_request_heads_get_431(apps, app):
    harness = apps[app]
    for case, headers in oversized_heads(harness).items():
        started = time.perf_counter()
        response = await harness.client.get("/v1/kpis", headers=headers)
        assert response.status_code == 431, (case, response.status_code)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "HEADERS_TOO_LARGE", case
        assert time.perf_counter() - started < 1.0, case
    # Just inside the limits: an ordinary request with many small headers passes.
    headers = {**harness.headers("kpi.reader"), **{f"X-H{i}": "1" for i in range(80)}}
    assert (await harness.client.get("/livez", headers=headers)).status_code == 200


async def test_the_asgi_server_refuses_heads_beyond_its_buffer(apps):
    """Run an app under uvicorn with the run command's options: a 1 MiB header never
    reaches the app (the server protocol's head bound answers); a 40 KiB one gets the app's 431."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(apps["statistics"].app, lifespan="off", log_level="warning",
                            **UVICORN_OPTIONS)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110  (uvicorn exposes no started event)
        await asyncio.sleep(0.01)
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5.0) as client:
            try:
                huge = await client.get("/livez", headers={"X-Filler": "x" * MIB})
                assert huge.status_code in (400, 431), huge.status_code
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
                pass  # the server closed the connection: refused as well
            medium = await client.get("/livez", headers={"X-Filler": "x" * 40_000})
            assert medium.status_code == 431
            assert medium.json()["code"] == "HEADERS_TOO_LARGE"
            assert (await client.get("/livez")).status_code == 200
    finally:
        server.should_exit = True
        await task
