"""Unknown query parameters are refused: `?dossier_number=X` on a route that has no such filter
must not silently answer with every dossier.

`reject_unknown_query_parameters` is an app-wide dependency (installed by `create_app`); it
compares the request's parameter names with those the matched route declares, its
dependencies included. Routes that pass their query on (the gateway's proxy) opt out with
`@accepts_any_query`.
"""

from collections.abc import Callable
from typing import Any
from typing import TypeVar

from fastapi import Request
from fastapi.dependencies.models import Dependant

from dkbuza_kit.errors import KitErrors

F = TypeVar("F", bound=Callable[..., Any])


def accepts_any_query(endpoint: F) -> F:
    endpoint.__dkbuza_any_query__ = True  # type: ignore[attr-defined]
    return endpoint


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    names: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        names.update(param.alias for param in current.query_params)
        stack.extend(current.dependencies)
    return frozenset(names)


# Routes are not hashable; they live as long as their app, so their id is a safe key.
_ALLOWED_BY_ROUTE: dict[int, frozenset[str] | None] = {}


def _allowed(route: Any) -> frozenset[str] | None:
    key = id(route)
    if key not in _ALLOWED_BY_ROUTE:
        endpoint = getattr(route, "endpoint", None)
        dependant = getattr(route, "dependant", None)
        skip = dependant is None or getattr(endpoint, "__dkbuza_any_query__", False)
        _ALLOWED_BY_ROUTE[key] = None if skip else declared_query_names(dependant)
    return _ALLOWED_BY_ROUTE[key]


async def reject_unknown_query_parameters(request: Request) -> None:
    if not request.query_params:
        return
    allowed = _allowed(request.scope.get("route"))
    if allowed is None:
        return
    unknown = sorted({name for name in request.query_params if name not in allowed})
    if unknown:
        raise KitErrors.UNKNOWN_QUERY_PARAMETER(
            f"unknown query parameter(s): {', '.join(unknown)}; this route accepts: "
            f"{', '.join(sorted(allowed)) or 'none'}",
            parameters=unknown, accepted=sorted(allowed))
