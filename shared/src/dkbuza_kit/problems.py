"""RFC 9457 problem details with a stable machine `code`, and the handlers that emit them."""

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic import ConfigDict
from sqlalchemy.exc import DataError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dkbuza_kit.context import request_id_var

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = structlog.get_logger("dkbuza.problems")


class Problem(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(extra="allow")
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    code: str
    request_id: str | None = None
    errors: list[dict[str, Any]] | None = None


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem; nothing of the unit of work commits."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str | None = None,
        *,
        title: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or code)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.errors = errors
        self.headers = headers
        self.extra = extra

    def response(self) -> JSONResponse:
        """The problem as its RFC 9457 response."""
        body: dict[str, Any] = {
            "type": f"https://dkbuza.vlaanderen.be/problems/{self.code.lower().replace('_', '-')}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
            "request_id": request_id_var.get(),
        }
        if self.errors is not None:
            body["errors"] = self.errors
        body.update(self.extra)
        return JSONResponse(body, status_code=self.status, media_type=PROBLEM_MEDIA_TYPE,
                            headers=self.headers)


def problem_response(status: int, code: str, detail: str | None = None,
                     **options: Any) -> JSONResponse:
    """A problem answered without raising (handlers, middleware); the options are ProblemError's."""
    return ProblemError(status, code, detail, **options).response()


def problem_bytes(status: int, code: str, detail: str) -> bytes:
    """A serialised problem, for pure-ASGI middleware that answers before routing."""
    return problem_response(status, code, detail).body


_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    412: "PRECONDITION_FAILED",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    428: "PRECONDITION_REQUIRED",
    429: "RATE_LIMITED",
}


def _jsonable_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        errors.append(
            {
                "loc": [str(part) for part in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_: Request, exc: ProblemError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(
            422,
            "VALIDATION_ERROR",
            "The request is not valid; see errors.",
            errors=_jsonable_errors(exc),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, HTTPStatus(exc.status_code).name)
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(exc.status_code, code, detail, headers=exc.headers)

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        return database_problem(exc)

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, exc: StaleDataError) -> JSONResponse:
        # A versioned ORM row changed between read and write (version_id_col): a lost race.
        return problem_response(412, "PRECONDITION_FAILED",
                                "the resource changed since it was read; fetch it again")

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error_type=type(exc).__name__)
        return problem_response(500, "INTERNAL_ERROR", "An unexpected error occurred.")


def database_problem(exc: DBAPIError) -> JSONResponse:
    """Map database errors by SQLSTATE class so that bad input or a lost race is never a 500.

    Domain code checks its rules first; this is the safety net for what slips through
    (a number out of a column's range, a unique key hit by a concurrent request ...).
    """
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    if sqlstate.startswith("22") or isinstance(exc, DataError):  # DataError: refused by the driver
        return problem_response(422, "INVALID_VALUE", "a value is out of range or malformed")
    if sqlstate.startswith("23"):
        return problem_response(409, "CONSTRAINT_VIOLATION",
                                "the change conflicts with existing data")
    if sqlstate in ("40001", "40P01", "55P03"):
        return problem_response(409, "CONCURRENT_UPDATE",
                                "a concurrent change interfered; retry the request",
                                headers={"Retry-After": "1"})
    if sqlstate == "57014":
        return problem_response(503, "QUERY_TIMEOUT", "the database took too long",
                                headers={"Retry-After": "5"})
    # 08: connection exceptions; 57P: the server is shutting down or starting up.
    if (exc.connection_invalidated or sqlstate.startswith(("08", "57P"))
            or isinstance(exc, (OperationalError, InterfaceError))):
        return problem_response(503, "DATABASE_UNAVAILABLE", "the database is not reachable",
                                headers={"Retry-After": "5"})
    log.error("database_error", sqlstate=sqlstate, error_type=type(exc.orig).__name__)
    return problem_response(500, "INTERNAL_ERROR", "An unexpected error occurred.")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}, "description": phrase}
    for status, phrase in [
        (400, "Bad request"),
        (401, "Missing or invalid token"),
        (403, "Role not allowed"),
        (404, "Not found"),
        (409, "Conflict with the current state"),
        (413, "Body too large"),
        (422, "Validation error or rule violated"),
        (429, "Rate limited"),
        (503, "Busy or the database unavailable (OVERLOADED, DATABASE_BUSY, QUERY_TIMEOUT, "
              "EXPORTS_BUSY, DATABASE_UNAVAILABLE); retry after Retry-After"),
    ]
}
