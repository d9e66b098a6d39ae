"""The HTTP/1.1 protocol every app is served with: uvicorn's httptools protocol with a bound
on what it buffers of an incomplete request head.

httptools (llhttp, in C) collects a header's name and value until they are complete, without
limit, so a client dribbling an endless header would grow the process. h11 has such a limit
but parses in Python: served with h11 the disaster fund spent 6 % more CPU on a small GET
(2.11 against 1.99 ms, one interleaved A/B run, bench/README.md). Here the bytes of a
head still incomplete are counted as they arrive; beyond `max_head_bytes` the
connection gets a 431 problem and is closed. A head that completes reaches the app, whose
own, lower limit (`header_limits.HeaderLimitMiddleware`) answers it with the same problem.
"""

import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from dkbuza_kit.header_limits import SERVER_MAX_HEAD_BYTES
from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE
from dkbuza_kit.problems import problem_bytes

logger = logging.getLogger("dkbuza.server")


def refused_head_response(max_head_bytes: int) -> bytes:
    body = problem_bytes(431, "HEADERS_TOO_LARGE", f"request head exceeds {max_head_bytes} bytes")
    return b"".join([b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
                     b"content-type: ", PROBLEM_MEDIA_TYPE.encode(), b"\r\n",
                     b"content-length: ", str(len(body)).encode(), b"\r\n",
                     b"connection: close\r\n\r\n", body])


class BoundedHeadHttpToolsProtocol(HttpToolsProtocol):
    max_head_bytes = SERVER_MAX_HEAD_BYTES

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Bytes known to belong to the head being received. A chunk in which a head or a
        # message completes is not counted (how much of it is head is unknown), so a head within
        # the bound is never refused; what is buffered beyond the bound is at most one chunk.
        self._head_bytes = 0
        self._in_head = True
        self._boundaries = 0

    def data_received(self, data: bytes) -> None:
        boundaries_before = self._boundaries
        super().data_received(data)
        if not self._in_head or self._boundaries != boundaries_before:
            return
        self._head_bytes += len(data)
        if self._head_bytes > self.max_head_bytes and not self.transport.is_closing():
            logger.warning("request head over %d bytes refused", self.max_head_bytes)
            self.transport.write(refused_head_response(self.max_head_bytes))
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._boundaries += 1
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0
        self._boundaries += 1
