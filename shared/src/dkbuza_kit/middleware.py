"""Pure-ASGI middleware (no BaseHTTPMiddleware: it buffers and breaks streaming).

- RequestContextMiddleware: accepts or generates X-Request-ID, echoes it, logs one access
  line per request (never the Authorization header) and records RED metrics.
- BodySizeLimitMiddleware: 413 problem for bodies above the limit, by Content-Length or while
  streaming.
"""

import re
import time
import uuid

import structlog
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from dkbuza_kit.context import actor_var
from dkbuza_kit.context import request_id_var
from dkbuza_kit.context import service_var
from dkbuza_kit.metrics import HTTP_DURATION
from dkbuza_kit.metrics import HTTP_REQUESTS
from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE
from dkbuza_kit.problems import problem_bytes
from dkbuza_kit.problems import problem_response

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
access_log = structlog.get_logger("dkbuza.access")
log = structlog.get_logger("dkbuza.errors")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin-1")
    return None


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request_token = request_id_var.set(request_id)
        actor_token = actor_var.set(None)
        service_token = service_var.set(self.service)
        status = 500
        started = time.perf_counter()
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k != b"x-request-id"]
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # Answer here, inside the request context, so the 500 carries the request id.
            if response_started:
                raise
            log.exception("unhandled_error", error_type=type(exc).__name__)
            response = problem_response(500, "INTERNAL_ERROR", "An unexpected error occurred.")
            await response(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_DURATION.labels(self.service, method, template).observe(elapsed)
            if template not in ("/livez", "/readyz", "/metrics"):
                access_log.info(
                    "request", method=method, path=scope["path"], route=template, status=status,
                    duration_ms=round(elapsed * 1000, 2), actor=actor_var.get(),
                )
            request_id_var.reset(request_token)
            actor_var.reset(actor_token)
            service_var.reset(service_token)


class _BodyTooLarge(StarletteHTTPException):
    """An HTTPException so that FastAPI's body parsing re-raises it instead of answering 400."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"request body exceeds {max_bytes} bytes")


class BodySizeLimitMiddleware:
    """413 beyond `max_bytes`; document uploads (multipart POST to a path ending in `/documents`) may use
    up to `upload_max_bytes` (their kind then applies its own, lower limit)."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes

    def _limit(self, scope: Scope) -> int:
        if (scope.get("method") == "POST" and scope.get("path", "").endswith("/documents")
                and (_header(scope, b"content-type") or "").startswith("multipart/form-data")):
            return self.upload_max_bytes
        return self.max_bytes

    async def _reject(self, send: Send, limit: int) -> None:
        body = problem_bytes(413, "PAYLOAD_TOO_LARGE", f"request body exceeds {limit} bytes")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            await self._reject(send, limit)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                await self._reject(send, limit)
