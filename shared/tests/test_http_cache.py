"""Caching headers for public reads (dkbuza_kit.http_cache): ETag from the body, 304 on a
matching If-None-Match, If-Modified-Since only without it."""

from datetime import UTC
from datetime import datetime

import pytest
from starlette.requests import Request

from dkbuza_kit.http_cache import body_etag
from dkbuza_kit.http_cache import cached
from dkbuza_kit.http_cache import http_date

CHANGED = datetime(2025, 3, 3, 8, 0, 30, 123456, tzinfo=UTC)


def request(**headers: str) -> Request:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


def test_http_date_is_gmt_without_microseconds():
    assert http_date(CHANGED) == "Mon, 03 Mar 2025 08:00:30 GMT"


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 200),
    ({"if_none_match": body_etag(b"body")}, 304),
    ({"if_none_match": f'W/{body_etag(b"body")}'}, 304),  # weak comparison for GET
    ({"if_none_match": '"other", ' + body_etag(b"body")}, 304),
    ({"if_none_match": "*"}, 304),
    ({"if_none_match": '"other"'}, 200),
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.1.3)
    ({"if_none_match": '"other"', "if_modified_since": "Tue, 04 Mar 2025 00:00:00 GMT"}, 200),
    ({"if_modified_since": "Mon, 03 Mar 2025 08:00:30 GMT"}, 304),  # same second
    ({"if_modified_since": "Mon, 03 Mar 2025 08:00:29 GMT"}, 200),
    ({"if_modified_since": "not a date"}, 200),
])
def test_conditional_answers(headers, status):
    response = cached(request(**headers), b"body", "text/plain", last_modified=CHANGED)
    assert response.status_code == status
    assert response.headers["ETag"] == body_etag(b"body")
    assert response.headers["Last-Modified"] == "Mon, 03 Mar 2025 08:00:30 GMT"
    assert response.body == (b"" if status == 304 else b"body")


def test_a_version_etag_replaces_the_body_hash():
    response = cached(request(if_none_match='"7"'), b"body", "text/plain", etag='"7"')
    assert response.status_code == 304 and response.headers["ETag"] == '"7"'
    assert "Last-Modified" not in response.headers
