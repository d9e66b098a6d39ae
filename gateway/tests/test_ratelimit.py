"""Rate limiting per client: RateLimit headers, 429, Redis store, fail open."""

import socket
import time
import uuid

import pytest

from gateway.ratelimit import MemoryCounters
from gateway.ratelimit import RateLimiter
from gateway.ratelimit import RedisCounters
from gateway.ratelimit import build_rate_limiter
from gateway.ratelimit import client_key
from gateway.ratelimit import decide

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


async def test_requests_refused_for_a_bad_token_count_against_the_address(client, harness,
                                                                          upstreams):
    """Guessing tokens costs budget: the fourth bad token within the window gets 429."""
    harness.app.state.rate_limiter = RateLimiter(MemoryCounters(), limit=3, window_s=60)
    for _ in range(3):
        response = await client.get("/planning/v1/goals",
                                    headers={"Authorization": "Bearer forged"})
        assert response.status_code == 401
    refused = await client.get("/planning/v1/goals", headers={"Authorization": "Bearer forged"})
    assert (refused.status_code, refused.json()["code"]) == (429, "RATE_LIMITED")
    # Without a token the same address has no budget left either.
    assert (await client.get("/statistics/v1/calendar")).status_code == 429
    assert upstreams["planning"].hits == 0


async def test_bad_tokens_on_the_gateways_own_endpoints_count_against_the_address(
        client, harness, upstreams):
    """/v1/kpis and /v1/overview refuse a bad token before any aggregation; those 401s cost
    budget like the proxied routes' (the fourth within the window gets 429)."""
    harness.app.state.rate_limiter = RateLimiter(MemoryCounters(), limit=3, window_s=60)
    forged = {"Authorization": "Bearer forged"}
    statuses = [(await client.get(path, headers=forged)).status_code
                for path in ("/v1/kpis", "/v1/overview", "/v1/kpis")]
    assert statuses == [401, 401, 401]
    refused = await client.get("/v1/overview", headers=forged)
    assert (refused.status_code, refused.json()["code"]) == (429, "RATE_LIMITED")
    assert (await client.get("/v1/kpis")).status_code == 429  # no token: same address
    assert sum(upstream.hits for upstream in upstreams.values()) == 0


async def test_forwarded_for_is_believed_only_from_a_trusted_proxy(client, harness, upstreams):
    from gateway.clients import parse_networks

    harness.app.state.rate_limiter = RateLimiter(MemoryCounters(), limit=2, window_s=60)
    statuses = [(await client.get("/statistics/v1/calendar",
                                  headers={"X-Forwarded-For": f"198.51.100.{i}"})).status_code
                for i in range(4)]
    assert statuses == [200, 200, 429, 429]  # the peer (untrusted) is the client
    state = harness.app.state
    state.trusted_proxies = parse_networks(["127.0.0.1/32"])
    try:
        state.rate_limiter = RateLimiter(MemoryCounters(), limit=2, window_s=60)
        # Behind the trusted proxy a client cannot choose its address by adding hops: the
        # proxy's own (rightmost) entry counts.
        statuses = [(await client.get("/statistics/v1/calendar", headers={
            "X-Forwarded-For": f"10.9.9.{i}, 203.0.113.7"})).status_code for i in range(3)]
        assert statuses == [200, 200, 429]
        other = await client.get("/statistics/v1/calendar",
                                 headers={"X-Forwarded-For": "203.0.113.8"})
        assert other.status_code == 200
    finally:
        state.trusted_proxies = ()


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "client"), [
    ("127.0.0.1", "1.2.3.4", [], "127.0.0.1"),                       # nobody trusted
    ("10.0.0.5", "1.2.3.4", ["127.0.0.1"], "10.0.0.5"),               # peer not trusted
    ("127.0.0.1", "1.2.3.4", ["127.0.0.1"], "1.2.3.4"),
    ("127.0.0.1", "6.6.6.6, 1.2.3.4", ["127.0.0.1"], "1.2.3.4"),      # forged left hop
    ("127.0.0.1", "1.2.3.4, 10.0.0.2", ["127.0.0.1", "10.0.0.0/8"], "1.2.3.4"),
    ("127.0.0.1", "", ["127.0.0.1"], "127.0.0.1"),                    # no header
    ("127.0.0.1", "not-an-ip", ["127.0.0.1"], "127.0.0.1"),
    ("::1", "2001:db8::1", ["::1"], "2001:db8::1"),
])
def test_client_address(peer, forwarded, trusted, client):
    from gateway.clients import client_address
    from gateway.clients import parse_networks

    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    assert client_address(peer, headers, parse_networks(trusted)) == client


async def test_rotating_forwarded_for_does_not_bypass_the_limit_under_uvicorn(harness,
                                                                              upstreams):
    """The gateway as deployed (uvicorn with the run command's options): a client rotating
    X-Forwarded-For from loopback stays one client."""
    import asyncio
    import socket

    import httpx
    import uvicorn

    from dkbuza_kit.header_limits import UVICORN_OPTIONS

    harness.app.state.rate_limiter = RateLimiter(MemoryCounters(), limit=3, window_s=60)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(harness.app, lifespan="off", log_level="warning",
                                           **UVICORN_OPTIONS))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110  (uvicorn exposes no started event)
        await asyncio.sleep(0.01)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
                                     timeout=5.0) as http:
            statuses = [(await http.get("/statistics/v1/calendar", headers={
                "X-Forwarded-For": f"198.51.100.{i}"})).status_code for i in range(5)]
    finally:
        server.should_exit = True
        await task
        harness.app.state.rate_limiter = RateLimiter(MemoryCounters(), limit=100_000,
                                                     window_s=60)
    assert statuses == [200, 200, 200, 429, 429]
