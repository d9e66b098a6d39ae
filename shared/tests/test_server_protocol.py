"""The server protocol of every app (`UVICORN_OPTIONS`): httptools with a bound on the request
head it buffers, over real sockets."""

import asyncio
import json
import socket
from contextlib import asynccontextmanager

import uvicorn

from dkbuza_kit.header_limits import SERVER_MAX_HEAD_BYTES
from dkbuza_kit.header_limits import UVICORN_OPTIONS
from dkbuza_kit.header_limits import uvicorn_args
from dkbuza_kit.server_protocol import BoundedHeadHttpToolsProtocol

CHUNK = 1024


async def echo_app(scope, receive, send):
    """Answers 200 with the size of the body it read and the number of headers."""
    if scope["type"] != "http":
        return
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    body = json.dumps({"body": size, "headers": len(scope["headers"])}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


@asynccontextmanager
async def served():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(echo_app, lifespan="off", log_level="warning",
                                           **UVICORN_OPTIONS))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110  (uvicorn exposes no started event)
        await asyncio.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:] if line)
    body = await reader.readexactly(int(headers["content-length"]))
    return int(lines[0].split()[1]), json.loads(body)


def request(head_bytes: int = 0, body: bytes = b"") -> bytes:
    filler = f"X-Filler: {'x' * head_bytes}\r\n" if head_bytes else ""
    return (f"POST /echo HTTP/1.1\r\nHost: t\r\n{filler}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


def test_every_app_is_served_with_the_bounded_protocol():
    args = uvicorn_args()
    protocol = args[args.index("--http") + 1]
    module, _, name = protocol.partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is BoundedHeadHttpToolsProtocol
    assert "--no-proxy-headers" in args
    uvicorn.Config(echo_app, **UVICORN_OPTIONS).load()  # the import string loads


async def test_an_endless_head_is_refused_once_beyond_the_bound():
    async with served() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        start = b"GET /echo HTTP/1.1\r\nHost: t\r\nX-Filler: "
        writer.write(start)
        sent = len(start)
        while not reader.at_eof() and sent < 50 * SERVER_MAX_HEAD_BYTES:
            try:
                writer.write(b"x" * CHUNK)
                await writer.drain()
            except ConnectionError:
                break
            sent += CHUNK
            try:  # the server's answer, if any yet
                head = await asyncio.wait_for(reader.read(65_536), 0.005)
            except TimeoutError:
                continue
            assert head.startswith(b"HTTP/1.1 431 "), head[:80]
            assert b'"code":"HEADERS_TOO_LARGE"' in head.replace(b" ", b"")
            break
        else:
            raise AssertionError(f"no answer after {sent} bytes of head")
        writer.close()
    # Refused within a few chunks beyond the bound, never after buffering without limit.
    assert SERVER_MAX_HEAD_BYTES < sent <= SERVER_MAX_HEAD_BYTES + 16 * CHUNK, sent


async def test_heads_within_the_bound_reach_the_app_chunk_by_chunk_and_bodies_do_not_count():
    async with served() as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        # A head just within the bound, dribbled: answered by the app.
        data = request(SERVER_MAX_HEAD_BYTES - 200)
        for start in range(0, len(data), CHUNK):
            writer.write(data[start:start + CHUNK])
            await writer.drain()
            await asyncio.sleep(0.001)
        assert (await read_response(reader))[0] == 200
        # On the same connection: bodies far larger than the bound, in one write with the
        # next request's head (pipelined), are not counted as head.
        large = b"y" * (4 * SERVER_MAX_HEAD_BYTES)
        writer.write(request(20_000, large) + request(20_000, large) + request(10))
        await writer.drain()
        answers = [await read_response(reader) for _ in range(3)]
        assert [status for status, _ in answers] == [200, 200, 200]
        assert [body["body"] for _, body in answers] == [len(large), len(large), 0]
        # A head, then its body in one later write larger than the bound: the chunk that ends
        # the message is body, not the next head.
        writer.write(request(100, large)[:-len(large)])
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(large)
        await writer.drain()
        assert await read_response(reader) == (200, {"body": len(large), "headers": 3})
        writer.close()
