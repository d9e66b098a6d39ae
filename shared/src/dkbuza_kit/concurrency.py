"""Optimistic concurrency: ETag from a resource version, If-Match required on writes."""

from fastapi import Request, Response

from dkbuza_kit.problems import ProblemError


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


def check_if_match(request: Request, current_version: int) -> None:
    """428 without If-Match, 412 when it names another version than the current one."""
    header = request.headers.get("if-match")
    if header is None:
        raise ProblemError(428, "PRECONDITION_REQUIRED",
                           "If-Match with the resource's ETag is required for this change")
    candidates = [part.strip().removeprefix("W/") for part in header.split(",")]
    if "*" in candidates or etag(current_version) in candidates:
        return
    raise ProblemError(412, "PRECONDITION_FAILED",
                       "the resource changed since it was read; fetch it again",
                       current_etag=etag(current_version))
