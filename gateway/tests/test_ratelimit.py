"""Rate limiting per client: RateLimit headers, 429, Redis store, fail open."""

import socket
import time
import uuid

import pytest

from gateway.ratelimit import (
    MemoryCounters,
    RateLimiter,
    RedisCounters,
    build_rate_limiter,
    client_key,
    decide,
)

REDIS_URL = "redis://127.0.0.1:6379/0"


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class BrokenCounters:
    def __init__(self) -> None:
        self.calls = 0

    async def increment(self, key: str, window: int, window_s: int) -> int:
        self.calls += 1
        raise ConnectionError("store down")

    async def close(self) -> None:
        return None


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nobody listens once the probe is closed


@pytest.mark.parametrize(("count", "limit", "now", "window", "allowed", "remaining", "reset"), [
    (1, 3, 120.0, 60, True, 2, 60),     # first request at the very start of a window
    (3, 3, 125.5, 60, True, 0, 55),     # the last allowed one; 54.5 s left rounds up
    (4, 3, 125.5, 60, False, 0, 55),    # one over
    (10, 3, 179.9, 60, False, 0, 1),    # never advertises 0 s: at least 1
    (1, 1, 0.0, 1, True, 0, 1),
])
def test_decide(count, limit, now, window, allowed, remaining, reset):
    decision = decide(count, limit, now, window)
    assert (decision.allowed, decision.remaining, decision.reset_s) == (allowed, remaining,
                                                                        reset)
    assert dict(decision.headers())["RateLimit-Policy"] == f"{limit};w={window}"


def test_client_key_prefers_the_token_subject():
    assert client_key("alice", "10.0.0.1") == "sub:alice"
    assert client_key(None, "10.0.0.1") == "ip:10.0.0.1"
    assert client_key(None, None) == "ip:unknown"


async def test_memory_counters_start_over_in_a_new_window():
    clock = FakeClock(59.0)
    limiter = RateLimiter(MemoryCounters(), limit=1, window_s=60, clock=clock)
    assert (await limiter.check("a")).allowed
    assert not (await limiter.check("a")).allowed
    assert (await limiter.check("b")).allowed  # per client
    clock.now = 60.0
    assert (await limiter.check("a")).allowed


async def test_store_failure_lets_requests_through_and_backs_off():
    broken = BrokenCounters()
    limiter = RateLimiter(broken, limit=1, window_s=60, store_backoff_s=30)
    assert await limiter.check("a") is None
    assert await limiter.check("a") is None
    assert broken.calls == 1  # the store is left alone during the back-off


def test_settings_choose_the_store():
    assert isinstance(build_rate_limiter(None, 10, 60).counters, MemoryCounters)
    assert isinstance(build_rate_limiter(REDIS_URL, 10, 60).counters, RedisCounters)
    assert build_rate_limiter(REDIS_URL, 0, 60) is None  # 0 disables limiting


async def test_redis_counters_are_shared_by_replicas():
    prefix = f"test:rl:{uuid.uuid4().hex}"
    replicas = [RateLimiter(RedisCounters(REDIS_URL, prefix=prefix), limit=2, window_s=60)
                for _ in range(2)]
    try:
        first = await replicas[0].check("sub:alice")
        second = await replicas[1].check("sub:alice")
        third = await replicas[0].check("sub:alice")
        assert (first.allowed, first.remaining) == (True, 1)
        assert (second.allowed, second.remaining) == (True, 0)
        assert third.allowed is False
    finally:
        for replica in replicas:
            await replica.close()


async def test_request_over_the_limit_gets_429_with_headers(client, harness, upstreams):
    harness.app.state.rate_limiter = RateLimiter(MemoryCounters(), limit=3, window_s=60)
    alice = harness.headers("x", sub="alice")
    for remaining in (2, 1, 0):
        response = await client.get("/planning/v1/goals", headers=alice)
        assert response.status_code == 200
        assert response.headers["ratelimit-limit"] == "3"
        assert response.headers["ratelimit-remaining"] == str(remaining)
        assert 1 <= int(response.headers["ratelimit-reset"]) <= 60
    refused = await client.get("/planning/v1/goals", headers=alice)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "RATE_LIMITED"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert refused.headers["retry-after"] == refused.headers["ratelimit-reset"]
    assert upstreams["planning"].hits == 3
    # Another client has its own budget; the gateway's aggregates count too.
    bob = harness.headers("kpi.reader", sub="bob")
    assert (await client.get("/statistics/v1/x", headers=bob)).status_code == 200
    assert (await client.get("/v1/kpis", headers=alice)).status_code == 429
    kpis = await client.get("/v1/kpis", headers=bob)
    assert kpis.status_code == 200 and kpis.headers["ratelimit-remaining"] == "1"


async def test_anonymous_clients_are_limited_by_ip(client, harness):
    harness.app.state.rate_limiter = RateLimiter(MemoryCounters(), limit=1, window_s=60)
    assert (await client.get("/statistics/v1/calendar")).status_code == 200
    response = await client.get("/statistics/v1/calendar")
    assert response.status_code == 429


async def test_redis_limiter_through_the_gateway(client, harness):
    counters = RedisCounters(REDIS_URL, prefix=f"test:rl:{uuid.uuid4().hex}")
    harness.app.state.rate_limiter = RateLimiter(counters, limit=1, window_s=60)
    try:
        headers = harness.headers("x", sub="carol")
        assert (await client.get("/planning/v1/goals", headers=headers)).status_code == 200
        assert (await client.get("/planning/v1/goals", headers=headers)).status_code == 429
    finally:
        await counters.close()


async def test_limiter_store_down_does_not_stop_traffic(client, harness):
    counters = RedisCounters(f"redis://127.0.0.1:{closed_port()}/0")
    harness.app.state.rate_limiter = RateLimiter(counters, limit=1, window_s=60)
    headers = harness.headers("x", sub="dave")
    started = time.perf_counter()
    try:
        for _ in range(5):
            response = await client.get("/planning/v1/goals", headers=headers)
            assert response.status_code == 200
            assert "ratelimit-limit" not in response.headers
    finally:
        await counters.close()
    assert time.perf_counter() - started < 1.5
