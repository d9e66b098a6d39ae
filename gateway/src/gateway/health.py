"""`/readyz` of the gateway: ready when its process answers; upstream states are reported.

The kit's readiness check decides the status code (the gateway has no database, so it is the
process's own);
each upstream's `/readyz` is probed in parallel within `GATEWAY_READYZ_UPSTREAM_TIMEOUT_S`
and reported with its breaker state, without feeding the breaker (observation only).
"""

import json

from fastapi import APIRouter
from fastapi import FastAPI
from fastapi import Request
from fastapi.responses import JSONResponse
from fastapi.responses import Response
from starlette.routing import BaseRoute

from dkbuza_kit.query import accepts_any_query
from gateway.aggregate import fan_out


async def upstream_states(request: Request) -> dict[str, dict]:
    upstreams = request.app.state.upstreams
    results = await fan_out(upstreams, dict.fromkeys(upstreams, "/readyz"), [],
                            request.app.state.settings.readyz_upstream_timeout_s,
                            use_breaker=False)
    return {name: {**result.describe(), "breaker": upstreams[name].breaker.state.value}
            for name, result in results.items()}


def _detach_route(app: FastAPI, path: str) -> BaseRoute:
    """Remove the route at `path` from the router it was included with (before startup)."""
    for entry in app.router.routes:
        included = getattr(entry, "original_router", entry)  # FastAPI's included routers
        for route in list(getattr(included, "routes", [])):
            if getattr(route, "path", None) == path:
                included.routes.remove(route)
                return route
    raise LookupError(f"no route {path}")


def replace_readyz(app: FastAPI) -> None:
    """Swap the kit's `/readyz` for one that wraps it and adds the upstream states."""
    kit_readyz = _detach_route(app, "/readyz").endpoint
    router = APIRouter(tags=["health"])

    @router.get("/readyz", name="readyz")
    @accepts_any_query
    async def readyz(request: Request) -> Response:
        """The gateway's process answers (it has no database); `upstreams` tells how each
        service is doing (reported, not required)."""
        own: Response = await kit_readyz(request)
        body = json.loads(own.body)
        body["upstreams"] = await upstream_states(request)
        return JSONResponse(body, status_code=own.status_code, media_type=own.media_type)

    app.include_router(router)
