"""`/<service>/<path>` forwarded to the service, bodies streamed both ways."""

import asyncio

import aiohttp
from fastapi import APIRouter, Request
from starlette.responses import StreamingResponse

from dkbuza_kit.auth import authenticate_request
from dkbuza_kit.context import request_id_var
from dkbuza_kit.problems import ProblemError
from gateway.upstream import HOP_BY_HOP

router = APIRouter(tags=["proxy"])
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _forward_headers(request: Request) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in request.headers.items()
               if k.lower() not in HOP_BY_HOP and k.lower() not in ("x-request-id", "forwarded")]
    client = request.client.host if request.client else "unknown"
    headers.append(("X-Request-ID", request_id_var.get() or ""))
    headers.append(("Forwarded", f'for="{client}";proto={request.url.scheme}'))
    return headers


@router.api_route("/{service}/{path:path}", methods=METHODS, include_in_schema=False,
                  name="forward")
async def forward(service: str, path: str, request: Request):
    upstreams = request.app.state.upstreams
    upstream = upstreams.get(service)
    if upstream is None:
        raise ProblemError(404, "NOT_FOUND", f"no service named {service!r}")
    # Health and metrics of a service are public; everything else is checked at the edge too.
    if path not in ("livez", "readyz", "metrics") and request.headers.get("authorization"):
        await authenticate_request(request)
    body = request.stream() if request.method not in ("GET", "HEAD") else None
    try:
        response = await upstream.open(request.method, "/" + path, request.url.query,
                                       _forward_headers(request), body)
    except (TimeoutError, asyncio.TimeoutError) as exc:
        raise ProblemError(504, "UPSTREAM_TIMEOUT", f"{service} did not answer in time",
                           upstream=service) from exc
    except aiohttp.ClientError as exc:
        raise ProblemError(502, "UPSTREAM_UNAVAILABLE", f"{service} is not reachable",
                           upstream=service) from exc
    headers = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP
               and k.lower() != "x-request-id"}

    async def stream():
        try:
            async for chunk in response.content.iter_any():
                yield chunk
        finally:
            response.release()

    return StreamingResponse(stream(), status_code=response.status, headers=headers)
