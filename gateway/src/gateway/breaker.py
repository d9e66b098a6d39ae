"""A circuit breaker per upstream: a pure state machine over an injected clock (no I/O).

closed --(N consecutive failures)--> open --(cool-down elapsed, one request let through)-->
half_open --(probe succeeds)--> closed; half_open --(probe fails)--> open (cool-down restarts).

While half-open only one probe is in flight; the others fail fast. A probe whose outcome is
never reported (its caller was cancelled) is given up after one cool-down, so the breaker
cannot stay stuck half-open.
"""

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


# Prometheus gauge values of the states.
STATE_VALUES = {BreakerState.closed: 0, BreakerState.half_open: 1, BreakerState.open: 2}


class CircuitBreaker:
    def __init__(self, failure_threshold: int, cooldown_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        self.state = BreakerState.closed
        self.consecutive_failures = 0
        self._opened_at = 0.0
        self._probe_started_at: float | None = None

    def allow(self) -> bool:
        """May a request go to the upstream now? (Starts the probe when a cool-down is over.)"""
        if self.state is BreakerState.closed:
            return True
        now = self._clock()
        if self.state is BreakerState.open:
            if now - self._opened_at < self.cooldown_s:
                return False
            self.state = BreakerState.half_open
            self._probe_started_at = now
            return True
        # half_open: one probe at a time, unless the running one was abandoned.
        if self._probe_started_at is not None and now - self._probe_started_at < self.cooldown_s:
            return False
        self._probe_started_at = now
        return True

    def record_success(self) -> None:
        self.state = BreakerState.closed
        self.consecutive_failures = 0
        self._probe_started_at = None

    def record_failure(self) -> None:
        self.consecutive_failures += 1
        if (self.state is BreakerState.half_open
                or self.consecutive_failures >= self.failure_threshold):
            self.state = BreakerState.open
            self._opened_at = self._clock()
            self._probe_started_at = None

    def retry_after(self) -> float:
        """Seconds until the next probe may be let through (0 when requests flow)."""
        if self.state is not BreakerState.open:
            return 0.0
        return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
