"""Per-client rate limiting: fixed windows, IETF `RateLimit` headers, fail-open store.

A client is the verified token's subject, else the client IP. Counters live in memory
(one replica) or in Redis (`GATEWAY_REDIS_URL`, shared by all replicas: windows are aligned
on the wall clock, so replicas agree on them). Headers follow
draft-ietf-httpapi-ratelimit-headers: `RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset` (seconds until the window ends) and `RateLimit-Policy`.

When the store fails the request is let through without headers (fail open on the limiter
only) and the store is left alone for a short while, so that a dead Redis costs one timeout
per back-off period instead of one per request.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import structlog

from gateway.breaker import CircuitBreaker
from gateway.metrics import RATE_LIMIT_STORE_ERRORS
from gateway.metrics import RATE_LIMITED

log = structlog.get_logger("gateway.ratelimit")
STORE_BACKOFF_S = 5.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int
    window_s: int

    def headers(self) -> list[tuple[str, str]]:
        return [
            ("RateLimit-Limit", str(self.limit)),
            ("RateLimit-Remaining", str(self.remaining)),
            ("RateLimit-Reset", str(self.reset_s)),
            ("RateLimit-Policy", f"{self.limit};w={self.window_s}"),
        ]


def decide(count: int, limit: int, now: float, window_s: int) -> Decision:
    """The decision for the `count`-th request of the window containing `now` (pure)."""
    window_end = (math.floor(now / window_s) + 1) * window_s
    return Decision(
        allowed=count <= limit,
        limit=limit,
        remaining=max(0, limit - count),
        reset_s=max(1, math.ceil(window_end - now)),
        window_s=window_s,
    )


class MemoryCounters:
    """Counters of the current window only: a new window drops the old one (bounded memory)."""

    def __init__(self) -> None:
        self._window = -1
        self._counts: dict[str, int] = {}

    async def increment(self, key: str, window: int, window_s: int) -> int:
        if window != self._window:
            self._window = window
            self._counts = {}
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        return count

    async def close(self) -> None:
        return None


class RedisCounters:
    """INCR + EXPIRE of one key per client and window, in one round trip."""

    def __init__(self, url: str, *, timeout_s: float = 0.25, prefix: str = "gateway:rl") -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(url, socket_connect_timeout=timeout_s,
                                     socket_timeout=timeout_s, retry_on_timeout=False)
        self._prefix = prefix

    async def increment(self, key: str, window: int, window_s: int) -> int:
        name = f"{self._prefix}:{window}:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_s + 1)
            count, _ = await pipe.execute()
        return int(count)

    async def close(self) -> None:
        await self._redis.aclose()


class RateLimiter:
    def __init__(self, counters, *, limit: int, window_s: int,
                 clock: Callable[[], float] = time.time,
                 store_backoff_s: float = STORE_BACKOFF_S) -> None:
        self.counters = counters
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        # Reuses the breaker: one failure pauses the store for `store_backoff_s`.
        self._store = CircuitBreaker(1, store_backoff_s, clock=time.monotonic)

    async def check(self, client: str) -> Decision | None:
        """The decision for one request of `client`; None when the store is unavailable."""
        if not self._store.allow():
            return None
        now = self._clock()
        try:
            count = await self.counters.increment(client, int(now // self.window_s),
                                                  self.window_s)
        except Exception as exc:  # any store failure: serve anyway
            self._store.record_failure()
            RATE_LIMIT_STORE_ERRORS.inc()
            log.warning("rate_limit_store_unavailable", error_type=type(exc).__name__)
            return None
        self._store.record_success()
        decision = decide(count, self.limit, now, self.window_s)
        if not decision.allowed:
            RATE_LIMITED.inc()
        return decision

    async def close(self) -> None:
        await self.counters.close()


def build_rate_limiter(redis_url: str | None, limit: int, window_s: int) -> RateLimiter | None:
    """The limiter the settings ask for (None when `limit` is 0: limiting disabled)."""
    if limit <= 0:
        return None
    counters = RedisCounters(redis_url) if redis_url else MemoryCounters()
    return RateLimiter(counters, limit=limit, window_s=window_s)


def client_key(principal_sub: str | None, client_host: str | None) -> str:
    return f"sub:{principal_sub}" if principal_sub else f"ip:{client_host or 'unknown'}"
