"""Error catalogues: every problem `code` an app can answer, with its status and title, in one place.

A service declares its codes once, in its `errors.py`:

    class Errors(ErrorCatalogue):
        DOSSIER_CLOSED = ErrorCode(409, "The dossier is closed")

and raises them by name: `raise Errors.DOSSIER_CLOSED("paid on 2026-03-01", paid_on=...)`.
Routes document exactly the problems they can answer with `responses(Errors.X, KitErrors.Y)`.
`KitErrors` holds the codes the kit itself raises (validation, time rules, concurrency ...).
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from dkbuza_kit.problems import PROBLEM_MEDIA_TYPE
from dkbuza_kit.problems import Problem
from dkbuza_kit.problems import ProblemError


class ErrorCode:
    """One stable problem code; the attribute name it is assigned to is the code."""

    def __init__(self, status: int, title: str) -> None:
        if not 400 <= status <= 599:
            raise ValueError(f"not an error status: {status}")
        self.status = status
        self.title = title
        self.code = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.code = name

    def __call__(self, detail: str | None = None, *, headers: dict[str, str] | None = None,
                 errors: list[dict[str, Any]] | None = None, **extra: Any) -> ProblemError:
        """The exception to raise; `extra` become extension members of the problem body."""
        return ProblemError(self.status, self.code, detail or self.title, title=self.title,
                            headers=headers, errors=errors, **extra)

    def __repr__(self) -> str:
        return f"ErrorCode({self.status}, {self.code})"


class ErrorCatalogue:
    """Base of a service's catalogue. Iterating a catalogue class yields its codes."""

    @classmethod
    def codes(cls) -> Iterator[ErrorCode]:
        seen: set[str] = set()
        for klass in cls.__mro__:
            for name, value in vars(klass).items():
                if isinstance(value, ErrorCode) and name not in seen:
                    seen.add(name)
                    yield value


class KitErrors(ErrorCatalogue):
    """Codes the kit raises on behalf of every app."""

    VALIDATION_ERROR = ErrorCode(422, "The request is not valid")
    UNKNOWN_QUERY_PARAMETER = ErrorCode(422, "Unknown query parameter")
    NOT_FOUND = ErrorCode(404, "Not found")
    UNAUTHENTICATED = ErrorCode(401, "Missing or invalid token")
    FORBIDDEN = ErrorCode(403, "Role not allowed")
    PRECONDITION_REQUIRED = ErrorCode(428, "If-Match is required")
    PRECONDITION_FAILED = ErrorCode(412, "The resource changed since it was read")
    ILLEGAL_TRANSITION = ErrorCode(409, "This state change is not allowed")
    IDEMPOTENCY_KEY_REUSED = ErrorCode(422, "Idempotency-Key reused with another request")
    IDEMPOTENCY_IN_PROGRESS = ErrorCode(409, "A request with this Idempotency-Key is in progress")
    # Time and reality rules (dkbuza_kit.timeline, dkbuza_kit.types, dkbuza_kit.refdata).
    DATE_IN_FUTURE = ErrorCode(422, "The date lies in the future")
    DATE_BEFORE_PREDECESSOR = ErrorCode(422, "The date lies before the step it follows")
    DATE_BEFORE_ORIGIN = ErrorCode(422, "The date lies before the object's origin")
    DATE_OUT_OF_WINDOW = ErrorCode(422, "The date lies outside the accepted window")
    PERIOD_INVERTED = ErrorCode(422, "The period ends before it starts")
    VALUE_OUT_OF_RANGE = ErrorCode(422, "A value is out of its accepted range")
    UNKNOWN_COUNTRY = ErrorCode(422, "Not an ISO 3166-1 country code")
    INVALID_IBAN = ErrorCode(422, "Not a valid IBAN")
    INVALID_BIC = ErrorCode(422, "Not a valid BIC")


# Statuses every protected route can answer whatever it does (token, role, body, rules).
AUTH_ERRORS = (KitErrors.UNAUTHENTICATED, KitErrors.FORBIDDEN)
IF_MATCH_ERRORS = (KitErrors.PRECONDITION_REQUIRED, KitErrors.PRECONDITION_FAILED)


def responses(*codes: ErrorCode) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for a route: one entry per status, listing the codes it may carry."""
    by_status: dict[int, list[ErrorCode]] = defaultdict(list)
    for error in codes:
        if error not in by_status[error.status]:
            by_status[error.status].append(error)
    return {
        status: {
            "model": Problem,
            "content": {PROBLEM_MEDIA_TYPE: {}},
            "description": "; ".join(f"`{e.code}`: {e.title}" for e in errors),
        }
        for status, errors in sorted(by_status.items())
    }


def catalogue_table(*catalogues: type[ErrorCatalogue]) -> list[dict[str, Any]]:
    """Every code of the catalogues as rows (code, status, title), e.g. for documentation."""
    rows = {e.code: {"code": e.code, "status": e.status, "title": e.title}
            for catalogue in catalogues for e in catalogue.codes()}
    return sorted(rows.values(), key=lambda row: row["code"])
