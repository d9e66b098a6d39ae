"""Request-header limits: 431 problem (`HEADERS_TOO_LARGE`) above a total size or a count.

Pure ASGI, mounted inside the request-context middleware (so the answer carries a request id
and is logged) and ahead of everything that reads headers, the bearer token included.
The ASGI server buffers the head before the app sees it, so the server keeps a limit of its
own as well (`UVICORN_OPTIONS`, `server_protocol`).
"""

import sys

from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE
from dkbuza_kit.problems import problem_bytes

# Twice the largest token we accept (8 KiB) plus room for ordinary headers; nginx's default
# for a whole request head is 4 buffers of 8 KiB.
DEFAULT_MAX_HEADER_BYTES = 32_768
# Apache httpd's LimitRequestFields default.
DEFAULT_MAX_HEADER_COUNT = 100
# What the server buffers at most of an incomplete request head (`server_protocol`): twice
# our own limit, so the app's 431 problem answers first whenever the head reaches the app.
SERVER_MAX_HEAD_BYTES = 2 * DEFAULT_MAX_HEADER_BYTES
# The uvicorn options every app runs with (run command, images, process tests, bench): that
# protocol, and no X-Forwarded-For rewriting of the client address (uvicorn trusts it from
# loopback by default; the gateway decides itself which proxies it trusts,
# `GATEWAY_TRUSTED_PROXIES`).
UVICORN_OPTIONS = {"http": "dkbuza_kit.server_protocol:BoundedHeadHttpToolsProtocol",
                   "proxy_headers": False}


def uvicorn_command(factory: str, port: int, host: str = "127.0.0.1") -> list[str]:
    """The command line an app is served with by the run command, the process tests and the
    bench (the images' CMD says the same, `tests/deploy/test_dockerfiles.py`)."""
    return [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", host,
            "--port", str(port), "--no-access-log", "--timeout-graceful-shutdown", "10",
            *uvicorn_args()]


def uvicorn_args() -> list[str]:
    """`UVICORN_OPTIONS` as uvicorn command-line options."""
    args = []
    for name, value in UVICORN_OPTIONS.items():
        option = name.replace("_", "-")
        if isinstance(value, bool):
            args.append(f"--{option}" if value else f"--no-{option}")
        else:
            args += [f"--{option}", str(value)]
    return args


def header_limit_problem(headers: list[tuple[bytes, bytes]], *, max_bytes: int,
                         max_count: int) -> str | None:
    """Why the headers are refused, or None (pure)."""
    if len(headers) > max_count:
        return f"more than {max_count} request headers"
    # Counted like HTTP/1.1 on the wire: "name: value\r\n".
    size = sum(len(name) + len(value) + 4 for name, value in headers)
    if size > max_bytes:
        return f"request headers exceed {max_bytes} bytes"
    return None


class HeaderLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_HEADER_BYTES,
                 max_count: int = DEFAULT_MAX_HEADER_COUNT) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_count = max_count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            problem = header_limit_problem(scope.get("headers", []), max_bytes=self.max_bytes,
                                           max_count=self.max_count)
            if problem:
                body = problem_bytes(431, "HEADERS_TOO_LARGE", problem)
                await send({"type": "http.response.start", "status": 431,
                            "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                                        (b"content-length", str(len(body)).encode()),
                                        (b"connection", b"close")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
