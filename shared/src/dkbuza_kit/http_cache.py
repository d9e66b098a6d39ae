"""Caching headers for public reads: a strong ETag from the body, Last-Modified from the data,
and 304 Not Modified on a matching If-None-Match (or, without it, If-Modified-Since).

    return cached(request, body_bytes, media_type, last_modified=max_updated_at)
    return cached_json(request, model, last_modified=...)

The ETag is a hash of the exact bytes, so any change of the representation changes it; bodies
must therefore be deterministic (no "generated at now" inside). A resource that is changed
with If-Match passes its own version ETag (`etag=etag(row.version)`) instead.
"""

import hashlib
from datetime import UTC
from datetime import datetime
from email.utils import format_datetime
from email.utils import parsedate_to_datetime
from typing import Any

from fastapi import Request
from fastapi import Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

DEFAULT_MAX_AGE = 60


def body_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def http_date(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return format_datetime(aware.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _not_modified(request: Request, tag: str, last_modified: datetime | None) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        candidates = {part.strip().removeprefix("W/") for part in if_none_match.split(",")}
        return "*" in candidates or tag in candidates
    since = request.headers.get("if-modified-since")
    if since is None or last_modified is None:
        return False
    try:
        threshold = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unparsable date is ignored (RFC 9110 13.1.3)
    if threshold.tzinfo is None:
        threshold = threshold.replace(tzinfo=UTC)
    return last_modified.replace(microsecond=0) <= threshold


def cached(request: Request, body: bytes, media_type: str, *,
           last_modified: datetime | None = None, headers: dict[str, str] | None = None,
           max_age: int = DEFAULT_MAX_AGE, etag: str | None = None) -> Response:
    tag = etag or body_etag(body)
    all_headers = {"ETag": tag, "Cache-Control": f"public, max-age={max_age}", **(headers or {})}
    if last_modified is not None:
        all_headers["Last-Modified"] = http_date(last_modified)
    if _not_modified(request, tag, last_modified):
        return Response(status_code=304, headers=all_headers)
    return Response(body, media_type=media_type, headers=all_headers)


def cached_json(request: Request, content: Any, *, last_modified: datetime | None = None,
                headers: dict[str, str] | None = None, max_age: int = DEFAULT_MAX_AGE,
                etag: str | None = None) -> Response:
    encoded = JSONResponse(jsonable_encoder(content, by_alias=True)).body
    return cached(request, encoded, "application/json", last_modified=last_modified,
                  headers=headers, max_age=max_age, etag=etag)
