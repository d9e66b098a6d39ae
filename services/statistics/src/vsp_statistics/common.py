"""Small helpers shared by the domain folders."""

from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.problems import ProblemError

M = TypeVar("M")


class InputModel(BaseModel):
    """Request bodies: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid")


class OutputModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


async def get_or_404(session: AsyncSession, model: type[M], key: Any, what: str,
                     code: str = "NOT_FOUND") -> M:
    row = await session.get(model, key)
    if row is None:
        raise ProblemError(404, code, f"{what} not found")
    return row


def require_text(value: str | None, code: str, detail: str) -> str:
    """A mandatory free text that the schema leaves optional so that its absence has a code."""
    if value is None or not value.strip():
        raise ProblemError(422, code, detail)
    return value.strip()


def page_of(rows: list[Any], total: int, page: Any, out: type[BaseModel]) -> dict[str, Any]:
    """A `Page` body from ORM rows."""
    return {"items": [out.model_validate(row) for row in rows], "total": total,
            "limit": page.limit, "offset": page.offset}


def get_settings(request: Request) -> Any:
    """The app's settings (a `VspStatisticsSettings`)."""
    return request.app.state.settings
