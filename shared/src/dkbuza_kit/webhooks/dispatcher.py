"""The worker side of webhooks: a loop that fans out events and keeps deliveries in flight."""

import asyncio
from typing import Any

import httpx
import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from dkbuza_kit.clock import Clock
from dkbuza_kit.clock import SystemClock
from dkbuza_kit.webhooks.delivery import Claim
from dkbuza_kit.webhooks.delivery import DeliveryOptions
from dkbuza_kit.webhooks.delivery import claim_due
from dkbuza_kit.webhooks.delivery import fan_out
from dkbuza_kit.webhooks.delivery import record
from dkbuza_kit.webhooks.delivery import send
from dkbuza_kit.webhooks.targets import TargetPolicy

log = structlog.get_logger("dkbuza.webhooks")


class Dispatcher:
    """Claims due deliveries while it has free slots and sends each in its own task.

    `run(stop)` is the worker's loop; `drain()` (tests, one-off runs) returns once nothing is
    due and nothing is in flight. Use as `async with Dispatcher(...) as dispatcher:`.
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock | None = None,
                 *, targets: TargetPolicy | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 options: DeliveryOptions | None = None) -> None:
        self.sessionmaker = sessionmaker
        self.clock = clock or SystemClock()
        self.targets = targets or TargetPolicy()
        self.options = options or DeliveryOptions()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._slot_freed = asyncio.Event()

    async def __aenter__(self) -> "Dispatcher":
        # No redirects: a 3xx to an internal address would walk around the target check.
        self._client = httpx.AsyncClient(transport=self._transport, follow_redirects=False,
                                         timeout=self.options.timeout_seconds, trust_env=False)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        for task in self._in_flight:
            task.cancel()
        await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    async def fan_out(self) -> None:
        async with self.sessionmaker() as session, session.begin():
            await fan_out(session, {}, self.clock)

    async def start_due(self) -> int:
        """Claim as many due deliveries as there are free slots and start sending them."""
        free = self.options.concurrency - len(self._in_flight)
        claims = await claim_due(self.sessionmaker, self.clock, limit=free, options=self.options)
        for claim in claims:
            task = asyncio.create_task(self._deliver(claim))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        return len(claims)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        self._slot_freed.set()
        if not task.cancelled() and task.exception() is not None:
            log.warning("webhook_delivery_crashed", error=repr(task.exception()))

    async def _deliver(self, claim: Claim) -> None:
        assert self._client is not None, "use the dispatcher as an async context manager"
        outcome = await send(self._client, self.targets, claim, self.clock,
                             timeout_seconds=self.options.timeout_seconds)
        await record(self.sessionmaker, claim, outcome, self.clock)

    async def drain(self) -> None:
        """Fan out, then deliver until nothing is due and nothing is in flight."""
        await self.fan_out()
        while True:
            started = await self.start_due()
            if not started and not self._in_flight:
                return
            if self._in_flight:
                await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: poll, fan out, start due deliveries; then let those in flight finish
        (up to the request timeout) before returning."""
        async with self:
            while not stop.is_set():
                try:
                    await self.fan_out()
                    await self.start_due()
                except Exception as exc:  # database down: keep polling
                    log.warning("webhook_poll_failed", error=repr(exc))
                self._slot_freed.clear()
                await _first_of(stop, self._slot_freed, within=self.options.poll_seconds)
            if self._in_flight:
                await asyncio.wait(self._in_flight, timeout=self.options.timeout_seconds + 1)


async def _first_of(*events: asyncio.Event, within: float) -> None:
    """Wait until one of `events` is set, at most `within` seconds."""
    waiters = [asyncio.create_task(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def deliver_pending(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, *,
                          targets: TargetPolicy | None = None,
                          transport: httpx.AsyncBaseTransport | None = None,
                          options: DeliveryOptions | None = None) -> None:
    """Fan out and deliver everything due now (tests, one-off runs)."""
    async with Dispatcher(sessionmaker, clock, targets=targets, transport=transport,
                          options=options) as dispatcher:
        await dispatcher.drain()
