"""A circuit breaker per upstream: a pure state machine over an injected clock (no I/O).

closed --(N consecutive failures)--> open --(probe interval elapsed, ONE request let
through)--> half_open --(probe answered)--> closed; half_open --(probe failed)--> open.

What counts (decided by the caller, `upstream.py`): failures are connection failures and
the upstream's own "unavailable" answers (502/503); a slow answer that the gateway gave up
on (its own 504) is `record_slow`: neither a failure nor a success, because a busy upstream
is reachable and opening the circuit would refuse its fast routes too.

The probe interval is short (default 0.5 s) rather than a long fixed cool-down: while open,
one real request per interval tries the upstream, so the circuit closes within about one
interval of the upstream's recovery. While half-open only that probe is in flight; a probe
whose outcome never comes back (caller cancelled) is given up after `probe_timeout_s`, so
the breaker cannot stay stuck half-open. A slow probe frees the probe slot: the next
request probes again.
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
                 clock: Callable[[], float] = time.monotonic, *,
                 probe_timeout_s: float | None = None) -> None:
        """`cooldown_s`: open time before one probe request goes through;
        `probe_timeout_s` (default: `cooldown_s`): when an unanswered probe counts as lost."""
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.failure_threshold = failure_threshold
        self.cooldown_s = cooldown_s
        self.probe_timeout_s = cooldown_s if probe_timeout_s is None else probe_timeout_s
        self._clock = clock
        self.reset()

    def reset(self) -> None:
        self.state = BreakerState.closed
        self.consecutive_failures = 0
        self._opened_at = 0.0
        self._probe_started_at: float | None = None

    def allow(self) -> bool:
        """May a request go to the upstream now? (Starts the probe when the interval is over.)"""
        if self.state is BreakerState.closed:
            return True
        now = self._clock()
        if self.state is BreakerState.open:
            if now - self._opened_at < self.cooldown_s:
                return False
            self.state = BreakerState.half_open
            self._probe_started_at = now
            return True
        # half_open: one probe at a time, unless the running one was lost.
        if (self._probe_started_at is not None
                and now - self._probe_started_at < self.probe_timeout_s):
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

    def record_slow(self) -> None:
        """The gateway gave up waiting (read timeout, time budget): the upstream is reachable
        but slow. No failure counted; a half-open probe slot is freed for the next request."""
        if self.state is BreakerState.half_open:
            self._probe_started_at = None

    def retry_after(self) -> float:
        """Seconds until the next probe may be let through (0 when requests flow)."""
        if self.state is not BreakerState.open:
            return 0.0
        return max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
