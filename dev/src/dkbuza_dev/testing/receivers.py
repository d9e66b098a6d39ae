"""A webhook receiver for tests: a plain ASGI app that records what it gets."""

import asyncio


class Receiver:
    """A real HTTP receiver: fails the first `failures` requests with `status`, answers
    after `delay` seconds (cut short by `release`), then 204."""

    def __init__(self, failures: int = 0, *, status: int = 500, body: bytes = b"",
                 delay: float = 0.0) -> None:
        self.failures = failures
        self.status = status
        self.body = body
        self.delay = delay
        self.release = asyncio.Event()
        self.requests: list[tuple[bytes, dict[str, str]]] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.requests.append((body, {k.decode(): v.decode() for k, v in scope["headers"]}))
        if self.delay:
            try:
                await asyncio.wait_for(self.release.wait(), self.delay)
            except TimeoutError:
                pass
        failing = len(self.requests) <= self.failures
        await send({"type": "http.response.start", "status": self.status if failing else 204,
                    "headers": []})
        await send({"type": "http.response.body", "body": self.body if failing else b""})
