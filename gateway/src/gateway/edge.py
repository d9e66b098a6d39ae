"""Checks at the edge, shared by the proxy and the gateway's own endpoints.

- A request carrying a token has it verified here (a bad token never reaches a service);
  a request without one is passed on, because services decide what is public.
  Verified tokens are remembered briefly by the kit's verifier (`dkbuza_kit.auth`).
- The rate limit is counted per token subject, else per client IP (`gateway.clients`:
  forwarded addresses only from trusted proxies). A request refused for a bad token counts
  against its IP too, so guessing tokens is limited like everything else.
"""

from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from dkbuza_kit.auth import Principal
from dkbuza_kit.auth import authenticate_request
from dkbuza_kit.auth import authenticates
from dkbuza_kit.problems import ProblemError
from gateway.clients import scope_client_address
from gateway.ratelimit import RateLimiter
from gateway.ratelimit import client_key


async def verify_token_if_present(request: Request) -> str | None:
    """The verified subject, None without a token; 401 problem for a bad one."""
    if request.headers.get("authorization") is None:
        return None
    return (await authenticate_request(request)).sub


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


def client_host(request: Request) -> str | None:
    return scope_client_address(request.scope, request.app.state.trusted_proxies)


@authenticates
async def edge_principal(request: Request) -> Principal:
    """The caller of one of the gateway's own endpoints; a request refused for a missing or bad
    token counts against its address, as on proxied routes."""
    try:
        return await authenticate_request(request)
    except ProblemError as refused:
        if refused.status == 401:
            await enforce_rate_limit(request.app.state.rate_limiter, None, client_host(request))
        raise


EdgePrincipal = Annotated[Principal, Depends(edge_principal)]


async def check_edge(request: Request) -> list[tuple[bytes, bytes]]:
    """Token (if any) and rate limit of a proxied request; its RateLimit headers."""
    limiter = request.app.state.rate_limiter
    host = client_host(request)
    try:
        subject = await verify_token_if_present(request)
    except ProblemError as refused:
        if refused.status == 401:
            await enforce_rate_limit(limiter, None, host)  # 429 once over the IP's budget
        raise
    return await enforce_rate_limit(limiter, subject, host)
