"""What the pages read: the services' own `/v1` endpoints through the gateway's upstream
clients, with the signed-in user's token, so a page never shows what the API refuses.

Every read goes through `gateway.aggregate.fetch_all` (one time budget, partial results):
a refused call (401/403) becomes `Denied`, a failed one `Missing`; the page says which.
"""

from dataclasses import dataclass
from typing import Any
from typing import Literal

from fastapi import Request

from dkbuza_kit.context import request_id_var
from gateway.aggregate import SourceResult
from gateway.aggregate import fetch_all


@dataclass(frozen=True)
class Outcome:
    """One call's result as a page needs it."""

    body: Any = None
    denied: bool = False
    missing: bool = False  # timeout, error or not found

    @property
    def ok(self) -> bool:
        return not (self.denied or self.missing)


Shape = Literal["page", "list", "object"]


def has_shape(shape: Shape, body: Any) -> bool:
    """A 200 whose body is not what the endpoint documents is treated as missing."""
    if shape == "page":
        return (isinstance(body, dict) and isinstance(body.get("items"), list)
                and all(isinstance(item, dict) for item in body["items"]))
    if shape == "list":
        return isinstance(body, list) and all(isinstance(item, dict) for item in body)
    return isinstance(body, dict)


def outcome_of(result: SourceResult | None, shape: Shape) -> Outcome:
    if result is None:
        return Outcome(missing=True)
    if result.status == "ok":
        return Outcome(body=result.body) if has_shape(shape, result.body) else Outcome(
            missing=True)
    return Outcome(denied=result.http_status in (401, 403), missing=result.http_status
                   not in (401, 403))


def user_headers(token: str) -> list[tuple[str, str]]:
    return [("X-Request-ID", request_id_var.get() or ""), ("Authorization", f"Bearer {token}")]


async def read_all(request: Request, token: str,
                   calls: dict[str, tuple[str, str, Shape]]) -> dict[str, Outcome]:
    """GET `calls[key] = (service, path, shape)` in parallel within the aggregation budget."""
    settings = request.app.state.settings
    results = await fetch_all(request.app.state.upstreams,
                              {key: (service, path) for key, (service, path, _) in calls.items()},
                              user_headers(token), settings.aggregate_budget_s)
    return {key: outcome_of(results.get(key), shape) for key, (_, _, shape) in calls.items()}
