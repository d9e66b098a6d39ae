"""`/<service>/<path>` forwarded to the service, bodies streamed both ways.

A plain ASGI endpoint rather than a FastAPI route: the hot path skips dependency injection
and StreamingResponse's per-response task group (the proxy is benchmarked against nginx).
`ProxyRoute` sits first in the app's routes and matches by one dictionary lookup of the
first path segment, so a proxied request does not walk the gateway's other routes; paths
whose first segment is not a service fall through to the gateway's own endpoints.
Problems raised here before the response starts are rendered by the app's handlers.
"""

from collections.abc import Iterable

import aiohttp
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.routing import Match
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from dkbuza_kit.context import request_id_var
from dkbuza_kit.problems import ProblemError
from gateway.edge import check_edge
from gateway.upstream import HOP_BY_HOP
from gateway.upstream import RequestBody
from gateway.upstream import UpstreamError

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Only a service's API is published; its health, metrics and docs are for operators, who
# reach the service directly (the gateway serves the merged docs itself).
PUBLISHED_PREFIX = "v1/"
# A service's probes stay reachable through the gateway, without any edge check or breaker;
# its metrics and docs do not (operators scrape services directly).
PUBLIC_PATHS = frozenset({"livez", "readyz"})
# Bodies up to this size with a known length are passed on in one piece, both ways.
SMALL_BODY = 64 * 1024
_DROPPED_REQUEST = frozenset(
    name.encode() for name in HOP_BY_HOP | {"host", "x-request-id", "forwarded"})
# The ASGI server adds its own `date` and `server`; the request id is set by the middleware.
_DROPPED_RESPONSE = frozenset(
    name.encode() for name in HOP_BY_HOP | {"x-request-id", "date", "server"})


def _connection_tokens(value: bytes) -> set[bytes]:
    """Header names that the `Connection` header declares hop-by-hop."""
    return {token.strip().lower() for token in value.split(b",") if token.strip()}


def downstream_headers(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The upstream's response headers minus hop-by-hop ones, those its `Connection` names
    included (RFC 9110 7.6.1)."""
    lowered = [(name.lower(), value) for name, value in raw]
    dropped = _DROPPED_RESPONSE
    for name, value in lowered:
        if name == b"connection":
            dropped = dropped | _connection_tokens(value)
    return [(name, value) for name, value in lowered if name not in dropped]


def upstream_headers(scope: Scope, request_id: str) -> tuple[list[tuple[str, str]], int | None]:
    """Headers for the upstream and the body's length (-1: unknown length, None: no body)."""
    raw = scope["headers"]
    dropped = _DROPPED_REQUEST
    forwarded_before = None
    host = None
    body_length: int | None = None
    for name, value in raw:
        if name == b"connection":
            dropped = dropped | _connection_tokens(value)
        elif name == b"forwarded":
            forwarded_before = value.decode("latin-1")
        elif name == b"host":
            host = value.decode("latin-1")
        elif name == b"content-length" and value.isdigit():
            body_length = int(value) or None
        elif name == b"transfer-encoding":
            body_length = -1
    headers = [(name.decode("latin-1"), value.decode("latin-1")) for name, value in raw
               if name not in dropped]
    client = scope.get("client")
    element = f'for="{client[0] if client else "unknown"}";proto={scope.get("scheme", "http")}'
    if host:
        element += f';host="{host}"'
    headers.append(("Forwarded", f"{forwarded_before}, {element}" if forwarded_before
                    else element))
    headers.append(("X-Request-ID", request_id))
    return headers, body_length


async def read_small_body(receive: Receive) -> bytes:
    """The whole body of a request whose announced length is small (bounded by SMALL_BODY)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ConnectionResetError("client disconnected while sending its body")
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _raw_upstream_path(scope: Scope, service: str, path: str) -> str:
    """The path as the client encoded it, minus `/<service>` (so `%2F` stays `%2F`)."""
    raw: bytes | None = scope.get("raw_path")
    prefix = f"{scope.get('root_path', '')}/{service}/".encode()
    if raw and raw.startswith(prefix):
        return raw[len(prefix) - 1:].decode("latin-1")
    return "/" + path


class ProxyEndpoint:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope["app"]
        service = scope["path_params"]["service"]
        upstream = app.state.upstreams[service]
        path = scope["path_params"]["path"]
        limit_headers = await check_edge(Request(scope, receive))

        method = scope["method"]
        headers, body_length = upstream_headers(scope, request_id_var.get() or "")
        body: RequestBody | bytes | None = None
        if body_length is not None and 0 < body_length <= SMALL_BODY:
            # Small and announced: read at once, which also lets a retry send it again.
            body = await read_small_body(receive)
        elif body_length is not None:
            body = RequestBody(receive)
        retryable = method in IDEMPOTENT or any(
            name == b"idempotency-key" for name, _ in scope["headers"])
        query = scope.get("query_string", b"").decode("latin-1")
        try:
            # The service's health routes bypass its breaker: probes see the service itself.
            response = await upstream.open(method, _raw_upstream_path(scope, service, path),
                                           query, headers, body, retryable=retryable,
                                           use_breaker=path not in PUBLIC_PATHS)
        except UpstreamError as exc:
            extra = {"Retry-After": str(max(1, round(exc.retry_after)))} \
                if exc.retry_after is not None else None
            raise ProblemError(exc.status, exc.code, exc.detail, upstream=exc.upstream,
                               headers=extra) from exc
        await self._relay(response, limit_headers, send)

    @staticmethod
    async def _relay(response: aiohttp.ClientResponse, extra: list[tuple[bytes, bytes]],
                     send: Send) -> None:
        try:
            headers = downstream_headers(response.raw_headers)
            headers.extend(extra)
            length = response.content_length
            if length is not None and length <= SMALL_BODY:
                # Known and small: one body message instead of a stream.
                try:
                    body = await response.read()
                except TimeoutError as exc:
                    raise ProblemError(504, "UPSTREAM_TIMEOUT", "the upstream stopped sending"
                                       ) from exc
                except aiohttp.ClientError as exc:
                    raise ProblemError(502, "UPSTREAM_UNAVAILABLE", "the upstream broke off"
                                       ) from exc
                await send({"type": "http.response.start", "status": response.status,
                            "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            await send({"type": "http.response.start", "status": response.status,
                        "headers": headers})
            async for chunk in response.content.iter_any():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            response.release()


class ProxyRoute(BaseRoute):
    path = path_format = "/{service}/{path:path}"  # the route template in metrics and logs
    name = "forward"
    include_in_schema = False

    def __init__(self, services: Iterable[str]) -> None:
        self.services = frozenset(services)
        self.endpoint = ProxyEndpoint()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root):]
        service, slash, rest = path[1:].partition("/")
        if not slash or service not in self.services or not (rest.startswith(PUBLISHED_PREFIX)
                                                                     or rest in PUBLIC_PATHS):
            return Match.NONE, {}  # the gateway's own routes answer (404 for the rest)
        child = {"endpoint": self.endpoint, "route": self,
                 "path_params": {"service": service, "path": rest}}
        return (Match.FULL if scope["method"] in METHODS else Match.PARTIAL), child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in METHODS:
            raise HTTPException(405, headers={"Allow": ", ".join(METHODS)})
        await self.endpoint(scope, receive, send)
