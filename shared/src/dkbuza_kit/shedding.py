"""Load shedding: bounded work per app, answered at once with a clean 503 beyond the bounds.

A saturated app must refuse early and say when to come back, not queue requests until they
time out as 500s. Three bounds, each a 503 problem with `Retry-After`:
- `InFlightLimitMiddleware`: at most `MAX_IN_FLIGHT` requests per process are being handled;
  the next one is answered `OVERLOADED` without being routed. Health and metrics are exempt
  (probes must see a busy process as alive and ready).
- the database pool: a request that waits longer than `DB_POOL_TIMEOUT_S` for a connection
  gets `DATABASE_BUSY` (`install_overload_handlers`), logged as one line without a traceback.
- heavy exports: `ExportSlot` admits `EXPORT_CONCURRENCY` exports per process at a time (one
  waits up to `EXPORT_WAIT_S` for a slot), otherwise `EXPORTS_BUSY`.

Every request also gets a route class (`read`, `write` or `export`; see `timeouts.py`) that
sets the statement timeout of its database transaction.
"""

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Iterable
from typing import Annotated

import structlog
from fastapi import Depends
from fastapi import FastAPI
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from dkbuza_kit.metrics import REQUESTS_SHED as SHED
from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE
from dkbuza_kit.problems import ProblemError
from dkbuza_kit.problems import problem_bytes
from dkbuza_kit.problems import problem_response
from dkbuza_kit.timeouts import EXPORT
from dkbuza_kit.timeouts import READ
from dkbuza_kit.timeouts import WRITE
from dkbuza_kit.timeouts import route_class_var

HEALTH_PATHS = frozenset({"/livez", "/readyz", "/metrics"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = structlog.get_logger("dkbuza.shedding")


class InFlightLimitMiddleware:
    """Pure ASGI: count requests in flight (until their response is fully sent); refuse
    beyond `limit` with 503 `OVERLOADED`. Sets the request's route class by its method."""

    def __init__(self, app: ASGIApp, *, service: str, limit: int, retry_after_s: int = 1,
                 exempt_paths: Iterable[str] = HEALTH_PATHS) -> None:
        self.app = app
        self.limit = limit
        self.retry_after = str(max(1, retry_after_s)).encode()
        self.exempt = frozenset(exempt_paths)
        self.in_flight = 0
        self._shed = SHED.labels(service, "in_flight")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self._shed.inc()
            await self._refuse(send)
            return
        self.in_flight += 1
        token = route_class_var.set(READ if scope["method"] in READ_METHODS else WRITE)
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            route_class_var.reset(token)

    async def _refuse(self, send: Send) -> None:
        body = problem_bytes(503, "OVERLOADED",
                             "too many requests in progress; retry after the indicated delay")
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                                (b"content-length", str(len(body)).encode()),
                                (b"retry-after", self.retry_after)]})
        await send({"type": "http.response.body", "body": body})


def install_overload_handlers(app: FastAPI, service: str) -> None:
    """The pool timeout becomes 503 `DATABASE_BUSY` (an expected condition under load: one
    warning line, no traceback)."""
    shed = SHED.labels(service, "database_pool")

    @app.exception_handler(PoolTimeoutError)
    async def _pool_timeout(_: Request, exc: PoolTimeoutError) -> JSONResponse:
        shed.inc()
        log.warning("database_pool_timeout", error=str(exc).split("\n")[0][:200])
        return problem_response(503, "DATABASE_BUSY",
                                "no database connection became free in time; retry later",
                                headers={"Retry-After": "1"})


class ExportSlots:
    """A small per-process limit on concurrent heavy exports."""

    def __init__(self, limit: int, wait_s: float) -> None:
        self.limit = limit
        self.wait_s = wait_s
        self._semaphore = asyncio.Semaphore(limit)

    async def acquire(self) -> bool:
        try:
            async with asyncio.timeout(self.wait_s):
                await self._semaphore.acquire()
        except TimeoutError:
            return False
        return True

    def release(self) -> None:
        self._semaphore.release()


async def _export_slot(request: Request) -> AsyncIterator[None]:
    slots: ExportSlots = request.app.state.export_slots
    if not await slots.acquire():
        SHED.labels(request.app.state.settings.service_name, "exports").inc()
        raise ProblemError(503, "EXPORTS_BUSY",
                           f"{slots.limit} exports are being produced; retry shortly",
                           headers={"Retry-After": "2"})
    # No reset: the middleware restores the request's class when the request ends.
    route_class_var.set(EXPORT)
    try:
        yield  # held until the response, streamed body included, is sent
    finally:
        slots.release()


# Declare `_: ExportSlot` on a heavy export route (CSV/XLSX, large reports).
ExportSlot = Annotated[None, Depends(_export_slot)]
