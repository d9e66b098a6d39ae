"""The whole system in one test process: the four services served over real HTTP (uvicorn on
free ports, in the test's event loop) and the gateway in front of them.

Cheaper than processes (one interpreter, no startup per app) while the gateway still talks to
the services over TCP with its real client, so contract and tracing tests see what a user sees.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from contextlib import asynccontextmanager
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from dkbuza_dev.testing.harness import ServiceHarness
from dkbuza_kit.apps import SERVICES
from dkbuza_kit.tokens import SigningKey
from dkbuza_kit.tracing import use_provider


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Serve an app whose lifespan already ran (a harness's) on 127.0.0.1; yields its URL."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off",
                                           log_config=None, access_log=False))
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        if not server.started:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@dataclass
class Stack:
    services: dict[str, ServiceHarness]
    gateway: ServiceHarness
    urls: dict[str, str]

    async def reset(self) -> None:
        for harness in (*self.services.values(), self.gateway):
            await harness.reset()


@asynccontextmanager
async def system_stack(server_url: str, key: SigningKey, *,
                       service_options: dict[str, Any] | None = None,
                       tracer_provider: TracerProvider | None = None,
                       **gateway_options: Any) -> AsyncIterator[Stack]:
    """The four services (each on its own migrated database) and the gateway routing to them;
    with `tracer_provider`, these apps (and only these) trace into it."""

    async def start(name: str, **options: Any) -> ServiceHarness:
        with use_provider(tracer_provider) if tracer_provider else nullcontext():
            return await stack.enter_async_context(
                ServiceHarness.for_app(name, server_url, key, **options))

    async with AsyncExitStack() as stack:
        services: dict[str, ServiceHarness] = {}
        urls: dict[str, str] = {}
        for spec in SERVICES:
            services[spec.name] = await start(spec.name, **(service_options or {}))
            urls[spec.name] = await stack.enter_async_context(served(services[spec.name].app))
        upstreams = {f"upstream_{name.replace('-', '_')}": url for name, url in urls.items()}
        gateway = await start("gateway", **upstreams, **gateway_options)
        yield Stack(services, gateway, urls)
