"""Optimistic concurrency: ETag from a resource version, If-Match required on writes.

The idiom for every If-Match route: `row = await lock_for_change(session, Model, id, request,
what=...)` (with `scope=` the caller's visible rows where an object rule applies), change it,
`bump_version(row)`, `set_etag(response, row.version)`. A stale write
of an ORM model mapped with `version_id_col` (StaleDataError) also answers 412.
"""

from typing import Any
from typing import TypeVar

from fastapi import Request
from fastapi import Response
from sqlalchemy import Select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.errors import ErrorCode
from dkbuza_kit.errors import KitErrors
from dkbuza_kit.problems import ProblemError

M = TypeVar("M")


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


async def lock_for_change(session: AsyncSession, model: type[M], key: Any, request: Request,
                          *, what: str, not_found: ErrorCode | None = None,
                          scope: Select | None = None) -> M:
    """The row, locked FOR UPDATE, after its If-Match was checked against the LOCKED version.

    Check and write are one atomic step: a concurrent change with the same ETag waits on the row
    lock and then sees the new version (412), so no update is lost. Bump the version when you
    write (`bump_version`). `scope`, a SELECT of `model` carrying the caller's object rule (an
    entity: its own rows only), is narrowed to the key and locked in the same statement: a row
    outside it is a 404 like a missing one.
    """
    if scope is None:
        row = await session.get(model, key, with_for_update=True, populate_existing=True)
    else:
        [key_column] = sa_inspect(model).primary_key
        row = await session.scalar(scope.where(key_column == key).with_for_update(of=model)
                                   .execution_options(populate_existing=True))
    if row is None:
        raise (not_found or KitErrors.NOT_FOUND)(f"{what} not found")
    check_if_match(request, row.version)
    return row


def bump_version(row: Any) -> None:
    """The representation changed: its ETag changes."""
    row.version += 1
