"""The gateway's HTTP client, behind one module so that the library can change.

aiohttp, chosen by measurement (quality.md: an aiohttp-based proxy reached ~0.8 of direct
throughput here, an httpx-based one ~0.07). One long-lived ClientSession per upstream with
explicit pool limits and timeouts:
- connect: TCP connect (`sock_connect`);
- read: longest silence while waiting for response headers or body bytes (`sock_read`);
- pool: waiting for a free pooled connection plus connecting (aiohttp's `connect`).

Every call but the upstream's health routes goes through the upstream's circuit breaker.
Failures are connection failures (refused, reset, TCP connect timed out) and the upstream's
own 502/503 answers; a 500 is an answer (a bug of one request), not a sign that the service
is down. A read timeout (the gateway's own 504), the upstream's 504, a wait for one of the
gateway's own pooled connections and an aggregate's spent budget are "slow": they neither
open nor close the circuit (`CircuitBreaker.record_slow`). Connection failures are retried
with full-jitter backoff when the request may be repeated and its body was not started.
"""

import asyncio
import json
import random
import time
from collections.abc import AsyncIterator
from collections.abc import Sequence
from typing import Any

import aiohttp
from yarl import URL

from gateway.breaker import STATE_VALUES
from gateway.breaker import CircuitBreaker
from gateway.metrics import BREAKER_STATE
from gateway.metrics import UPSTREAM_DURATION
from gateway.metrics import UPSTREAM_RETRIES

HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection",
    "te", "trailer", "transfer-encoding", "upgrade",
})
# Answers by which an upstream (or a proxy right in front of it) says it cannot serve now.
UNAVAILABLE_STATUSES = frozenset({502, 503})
SLOW_STATUSES = frozenset({504})


class UpstreamError(Exception):
    """A request that got no usable answer; `status`/`code` become the gateway's problem."""

    status = 502
    code = "UPSTREAM_UNAVAILABLE"
    outcome = "unavailable"

    def __init__(self, upstream: str, detail: str, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.upstream = upstream
        self.detail = detail
        self.retry_after = retry_after


class UpstreamUnavailable(UpstreamError):
    pass


class UpstreamTimeout(UpstreamError):
    status = 504
    code = "UPSTREAM_TIMEOUT"
    outcome = "timeout"


class CircuitOpen(UpstreamError):
    # 502 like any dead upstream (quality.md: a killed service's routes fail fast with 502);
    # the code and Retry-After tell the client that the gateway did not even try.
    status = 502
    code = "UPSTREAM_CIRCUIT_OPEN"
    outcome = "circuit_open"


def backoff_delay(attempt: int, base_s: float, rng: random.Random | None = None) -> float:
    """Full jitter: uniform in [0, base * 2**attempt] (attempt 0 is the first retry)."""
    return (rng or random).uniform(0.0, base_s * (2 ** attempt))


class RequestBody:
    """The client's request body as a one-shot async stream that knows if it was started.

    A request whose body was never read (the connection failed first) can be retried.
    """

    def __init__(self, receive) -> None:
        self._receive = receive
        self.started = False

    def __aiter__(self) -> AsyncIterator[bytes]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[bytes]:
        self.started = True
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                raise ConnectionResetError("client disconnected while sending its body")
            chunk = message.get("body", b"")
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return


class Upstream:
    def __init__(self, name: str, base_url: str, *, connect_timeout: float,
                 read_timeout: float, pool_timeout: float, pool_size: int,
                 breaker: CircuitBreaker, retry_attempts: int = 2,
                 retry_backoff_s: float = 0.05, trace_configs: Sequence[Any] = ()) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.read_timeout = read_timeout
        self._timeout = aiohttp.ClientTimeout(total=None, connect=pool_timeout,
                                              sock_connect=connect_timeout,
                                              sock_read=read_timeout)
        self._pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None
        self.breaker = breaker
        self.retry_attempts = retry_attempts
        self.retry_backoff_s = retry_backoff_s
        self._gauge = BREAKER_STATE.labels(name)
        self._gauge.set(STATE_VALUES[breaker.state])
        self._histograms: dict[str, Any] = {}
        self._trace_configs = list(trace_configs)  # aiohttp tracing (gateway.tracing)

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, keepalive_timeout=30),
                timeout=self._timeout,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept-Encoding", "Content-Type"),
                trace_configs=self._trace_configs or None,
            )
            # aiohttp silently repeats an idempotent request once when a pooled connection
            # turns out closed; our own bounded retries cover that case, so switch it off to
            # keep the number of attempts exactly 1 + retry_attempts.
            if hasattr(self._session, "_retry_connection"):
                self._session._retry_connection = False
        return self._session

    # -- bookkeeping --------------------------------------------------------------------------
    def _observe(self, outcome: str, started: float) -> None:
        histogram = self._histograms.get(outcome)
        if histogram is None:
            histogram = self._histograms[outcome] = UPSTREAM_DURATION.labels(self.name, outcome)
        histogram.observe(time.perf_counter() - started)

    def _sync_gauge(self) -> None:
        self._gauge.set(STATE_VALUES[self.breaker.state])

    def _admit(self) -> None:
        if not self.breaker.allow():
            self._observe(CircuitOpen.outcome, time.perf_counter())
            raise CircuitOpen(self.name, f"{self.name} is failing; its circuit is open",
                              retry_after=self.breaker.retry_after())
        self._sync_gauge()

    def _record(self, failed: bool) -> None:
        before = self.breaker.state
        if failed:
            self.breaker.record_failure()
        else:
            self.breaker.record_success()
        if self.breaker.state is not before:
            self._sync_gauge()

    def _record_status(self, status: int) -> None:
        if status in SLOW_STATUSES:
            self.breaker.record_slow()
        else:
            self._record(failed=status in UNAVAILABLE_STATUSES)

    def _pool_exhausted(self) -> bool:
        """Are all of the gateway's connections to this upstream in use? (Then a connect
        timeout was a wait for our own pool, caused by slow answers, not a dead upstream.)"""
        connector = self._session.connector if self._session is not None else None
        acquired = getattr(connector, "_acquired", None)  # aiohttp keeps no public count
        return acquired is not None and len(acquired) >= self._pool_size

    def _record_timeout(self, exc: BaseException) -> None:
        if isinstance(exc, aiohttp.ConnectionTimeoutError) and not self._pool_exhausted():
            self._record(failed=True)  # the TCP connect itself did not complete
        else:
            self.breaker.record_slow()

    def _timed_out(self, exc: BaseException, started: float,
                   use_breaker: bool) -> UpstreamTimeout:
        """Observe (and feed to the breaker) a call that timed out; the error to raise."""
        self._observe(UpstreamTimeout.outcome, started)
        if use_breaker:
            self._record_timeout(exc)
        return UpstreamTimeout(self.name, f"{self.name} did not answer in time")

    def _unreachable(self, started: float, use_breaker: bool) -> UpstreamUnavailable:
        self._observe(UpstreamUnavailable.outcome, started)
        if use_breaker:
            self._record(failed=True)
        return UpstreamUnavailable(self.name, f"{self.name} is not reachable")

    def _answered(self, status: int, started: float, use_breaker: bool) -> None:
        self._observe(str(status), started)
        if use_breaker:
            self._record_status(status)

    def reset_breaker(self) -> None:
        self.breaker.reset()
        self._sync_gauge()

    def record_abandoned(self) -> None:
        """A call given up by its caller (time budget spent) is slow, not failed."""
        self.breaker.record_slow()

    # -- calls --------------------------------------------------------------------------------
    async def open(self, method: str, path: str, query: str,
                   headers: Sequence[tuple[str, str]], body: RequestBody | bytes | None, *,
                   retryable: bool, use_breaker: bool = True) -> aiohttp.ClientResponse:
        """Send a request and return the response with its body still unread (streaming).

        Raises CircuitOpen, UpstreamUnavailable or UpstreamTimeout. `use_breaker=False`
        (the upstream's health routes) neither consults nor feeds the breaker.
        """
        if use_breaker:
            self._admit()
        # Already encoded by the client: passed on byte for byte, not re-encoded/normalised.
        url = URL(f"{self.base_url}{path}" + (f"?{query}" if query else ""), encoded=True)
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                response = await self.session.request(method, url, headers=headers, data=body,
                                                      allow_redirects=False)
            except TimeoutError as exc:  # includes aiohttp's connect/read timeouts
                raise self._timed_out(exc, started, use_breaker) from exc
            except (aiohttp.ClientError, OSError) as exc:
                if (retryable and attempt < self.retry_attempts
                        and not (isinstance(body, RequestBody) and body.started)):
                    self._observe(UpstreamUnavailable.outcome, started)
                    UPSTREAM_RETRIES.labels(self.name).inc()
                    await asyncio.sleep(backoff_delay(attempt, self.retry_backoff_s))
                    attempt += 1
                    continue
                raise self._unreachable(started, use_breaker) from exc
            self._answered(response.status, started, use_breaker)
            return response

    async def get_json(self, path: str, headers: Sequence[tuple[str, str]], *,
                       timeout_s: float, use_breaker: bool = True) -> tuple[int, Any]:
        """GET a small JSON document within `timeout_s` (aggregation, OpenAPI, readiness).

        Returns (status, parsed body or None). `use_breaker=False` observes without
        consulting or feeding the breaker (readiness probes).
        """
        if use_breaker:
            self._admit()
        started = time.perf_counter()
        try:
            async with self.session.get(f"{self.base_url}{path}", headers=headers,
                                        timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
                raw = await resp.read()
                status = resp.status
        except asyncio.CancelledError:
            if use_breaker:
                self.record_abandoned()
            raise
        except TimeoutError as exc:
            raise self._timed_out(exc, started, use_breaker) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise self._unreachable(started, use_breaker) from exc
        self._answered(status, started, use_breaker)
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
