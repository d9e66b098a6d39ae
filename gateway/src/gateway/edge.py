"""Checks at the edge, shared by the proxy and the gateway's own endpoints.

- A request carrying a token has it verified here (a bad token never reaches a service);
  a request without one is passed on, because services decide what is public.
  Verifying an RS256 signature costs more than proxying the request (~250 us here), so a
  verified token is remembered for a short while (`VerifiedTokens`): never past its `exp`,
  at most `ttl_s` (a removed signing key stops being honoured within that time), bounded
  in size. Only successes are remembered; a bad token is checked (and refused) every time.
- The rate limit is counted per token subject, else per client IP.
"""

import time
from collections.abc import Callable

from starlette.requests import Request

from dkbuza_kit.auth import Principal, authenticate_request
from dkbuza_kit.context import actor_var
from dkbuza_kit.problems import ProblemError
from gateway.ratelimit import RateLimiter, client_key


class VerifiedTokens:
    def __init__(self, *, max_entries: int = 10_000, ttl_s: float = 60.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.max_entries = max_entries
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[Principal, float]] = {}

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        if self._clock() >= entry[1]:
            del self._entries[token]
            return None
        return entry[0]

    def put(self, token: str, principal: Principal) -> None:
        expires = min(float(principal.claims.get("exp", 0)), self._clock() + self.ttl_s)
        if len(self._entries) >= self.max_entries:
            del self._entries[next(iter(self._entries))]  # the oldest entry
        self._entries[token] = (principal, expires)


async def verify_token_if_present(request: Request) -> str | None:
    """The verified subject, None without a token; 401 problem for a bad one."""
    authorization = request.headers.get("authorization")
    if authorization is None:
        return None
    cache: VerifiedTokens = request.app.state.verified_tokens
    principal = cache.get(authorization)
    if principal is None:
        principal = await authenticate_request(request)
        cache.put(authorization, principal)
    else:
        actor_var.set(principal.sub)
    return principal.sub


async def enforce_rate_limit(limiter: RateLimiter | None, subject: str | None,
                             client_host: str | None) -> list[tuple[bytes, bytes]]:
    """RateLimit headers for the response; raises the 429 problem over the limit."""
    if limiter is None:
        return []
    decision = await limiter.check(client_key(subject, client_host))
    if decision is None:
        return []
    if not decision.allowed:
        headers = {name: value for name, value in decision.headers()}
        headers["Retry-After"] = str(decision.reset_s)
        raise ProblemError(429, "RATE_LIMITED",
                           f"more than {decision.limit} requests in {decision.window_s} s",
                           headers=headers)
    return [(name.lower().encode(), value.encode()) for name, value in decision.headers()]
