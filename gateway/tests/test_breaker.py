"""The circuit breaker state machine, table-driven over an injected clock.

Each scenario is a list of steps `(time, action, expected)`: `allow` expects the boolean
answer, `fail`/`ok`/`slow` record an outcome, and every step is followed by the expected
state. Threshold 3, cool-down 10 s (the gateway's default interval is shorter; the rules do
not depend on it).
"""

import random

import pytest

from gateway.breaker import BreakerState
from gateway.breaker import CircuitBreaker
from gateway.upstream import backoff_delay

CLOSED, OPEN, HALF = BreakerState.closed, BreakerState.open, BreakerState.half_open

SCENARIOS = {
    "closed below the threshold": [
        (0, "fail", CLOSED), (1, "fail", CLOSED), (2, ("allow", True), CLOSED),
    ],
    "opens at the threshold and fails fast": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "fail", OPEN), (0.1, ("allow", False), OPEN),
        (9.99, ("allow", False), OPEN),
    ],
    "a success resets the count": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "ok", CLOSED), (0, "fail", CLOSED), (0, "fail", CLOSED),
        (0, ("allow", True), CLOSED),
    ],
    "one probe after the cool-down, the others still fail fast": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "fail", OPEN),
        (10, ("allow", True), HALF), (10, ("allow", False), HALF), (11, ("allow", False), HALF),
    ],
    "a successful probe closes": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "fail", OPEN),
        (10, ("allow", True), HALF), (10.5, "ok", CLOSED), (10.5, ("allow", True), CLOSED),
        (11, "fail", CLOSED),  # counting starts again from zero
    ],
    "a failed probe reopens and restarts the cool-down": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "fail", OPEN),
        (10, ("allow", True), HALF), (12, "fail", OPEN),
        (21.9, ("allow", False), OPEN), (22, ("allow", True), HALF),
    ],
    "an abandoned probe is replaced after one cool-down": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "fail", OPEN),
        (10, ("allow", True), HALF), (19.9, ("allow", False), HALF), (20, ("allow", True), HALF),
    ],
    # Slow answers (the gateway's own 504s) are neither failures nor successes.
    "slow answers never open the circuit": [
        (0, "slow", CLOSED), (0, "slow", CLOSED), (0, "slow", CLOSED), (0, "slow", CLOSED),
        (0, ("allow", True), CLOSED),
    ],
    "a slow answer does not reset the failure count": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "slow", CLOSED), (0, "fail", OPEN),
    ],
    "slow answers leave an open circuit open": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "fail", OPEN), (1, "slow", OPEN),
        (5, ("allow", False), OPEN),
    ],
    "a slow probe frees the probe slot for the next request, still half-open": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "fail", OPEN),
        (10, ("allow", True), HALF), (10.1, ("allow", False), HALF), (11, "slow", HALF),
        (11, ("allow", True), HALF), (11, ("allow", False), HALF), (11.2, "ok", CLOSED),
    ],
    "a failure in half-open reopens even below the threshold": [
        (0, "fail", CLOSED), (0, "fail", CLOSED), (0, "fail", OPEN),
        (10, ("allow", True), HALF), (10, "fail", OPEN), (10, ("allow", False), OPEN),
    ],
}

# Probe interval 0.5 s, probe timeout 3 s (what the gateway configures from its timeouts).
SHORT_INTERVAL_SCENARIOS = {
    "probes every half second while the upstream stays down": [
        (0, "fail", OPEN), (0.49, ("allow", False), OPEN), (0.5, ("allow", True), HALF),
        (0.5, ("allow", False), HALF), (0.52, "fail", OPEN), (1.0, ("allow", False), OPEN),
        (1.02, ("allow", True), HALF), (1.03, "ok", CLOSED),
    ],
    "a probe in flight is not replaced before the probe timeout": [
        (0, "fail", OPEN), (0.5, ("allow", True), HALF), (3.4, ("allow", False), HALF),
        (3.5, ("allow", True), HALF), (3.6, ("allow", False), HALF),
    ],
    "a success while closed keeps it closed": [
        (0, "ok", CLOSED), (0, ("allow", True), CLOSED),
    ],
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_steps(breaker: CircuitBreaker, clock: "FakeClock", steps) -> None:
    for index, (at, action, state) in enumerate(steps):
        clock.now = at
        if action == "fail":
            breaker.record_failure()
        elif action == "ok":
            breaker.record_success()
        elif action == "slow":
            breaker.record_slow()
        else:
            assert breaker.allow() is action[1], f"step {index}"
        assert breaker.state is state, f"step {index}"


@pytest.mark.parametrize("steps", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_breaker_scenarios(steps):
    clock = FakeClock()
    run_steps(CircuitBreaker(failure_threshold=3, cooldown_s=10, clock=clock), clock, steps)


@pytest.mark.parametrize("steps", SHORT_INTERVAL_SCENARIOS.values(),
                         ids=SHORT_INTERVAL_SCENARIOS.keys())
def test_breaker_with_a_short_probe_interval(steps):
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=0.5, clock=clock,
                             probe_timeout_s=3.0)
    run_steps(breaker, clock, steps)


@pytest.mark.parametrize(("opened_at", "now", "expected"), [
    (0, 0, 10.0), (0, 4, 6.0), (0, 10, 0.0), (0, 15, 0.0),
])
def test_retry_after_counts_down_the_cool_down(opened_at, now, expected):
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=1, cooldown_s=10, clock=clock)
    clock.now = opened_at
    breaker.record_failure()
    clock.now = now
    assert breaker.retry_after() == expected


def test_retry_after_is_zero_while_requests_flow():
    assert CircuitBreaker(3, 10, clock=FakeClock()).retry_after() == 0.0


def test_threshold_must_be_positive():
    with pytest.raises(ValueError):
        CircuitBreaker(0, 10)


@pytest.mark.parametrize(("attempt", "ceiling"), [(0, 0.05), (1, 0.1), (3, 0.4)])
def test_backoff_has_full_jitter_under_an_exponential_ceiling(attempt, ceiling):
    rng = random.Random(7)
    delays = [backoff_delay(attempt, 0.05, rng) for _ in range(200)]
    assert all(0 <= delay <= ceiling for delay in delays)
    assert max(delays) > ceiling * 0.8 and min(delays) < ceiling * 0.2  # spread out
