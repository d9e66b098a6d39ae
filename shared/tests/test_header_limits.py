"""The header-limit rule (pure) and the command-line form of the server options."""

import pytest

from dkbuza_kit.header_limits import header_limit_problem
from dkbuza_kit.header_limits import uvicorn_args


@pytest.mark.parametrize(("headers", "refused"), [
    ([], False),
    ([(b"a", b"x" * 90)], False),                      # 1 + 90 + 4 = 95 bytes: at the limit
    ([(b"a", b"x" * 91)], True),                       # 96 bytes
    ([(b"h", b"")] * 10, False),                       # 10 headers: at the limit
    ([(b"h", b"")] * 11, True),
    ([(b"a", b"x" * 40), (b"b", b"x" * 50)], True),    # the total counts, not each header
])
def test_header_limit_rule(headers, refused):
    problem = header_limit_problem(headers, max_bytes=95, max_count=10)
    assert (problem is not None) is refused, problem


def test_uvicorn_args_give_the_server_protocol_and_ignore_forwarded_headers():
    args = uvicorn_args()
    assert args[args.index("--http") + 1] == (
        "dkbuza_kit.server_protocol:BoundedHeadHttpToolsProtocol")
    assert "--no-proxy-headers" in args
