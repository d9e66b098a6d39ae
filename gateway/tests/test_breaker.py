"""The circuit breaker state machine, table-driven over an injected clock.

Each scenario is a list of steps `(time, action, expected)`: `allow` expects the boolean
answer, `fail`/`ok` record an outcome, and every step is followed by the expected state.
Threshold 3, cool-down 10 s.
"""

import random

import pytest

from gateway.breaker import BreakerState, CircuitBreaker
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
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("steps", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_breaker_scenarios(steps):
    clock = FakeClock()
    breaker = CircuitBreaker(failure_threshold=3, cooldown_s=10, clock=clock)
    for index, (at, action, state) in enumerate(steps):
        clock.now = at
        if action == "fail":
            breaker.record_failure()
        elif action == "ok":
            breaker.record_success()
        else:
            assert breaker.allow() is action[1], f"step {index}"
        assert breaker.state is state, f"step {index}"


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
