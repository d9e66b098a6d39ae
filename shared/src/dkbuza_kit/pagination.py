"""limit/offset pagination with a total, over any SELECT."""

from typing import Annotated
from typing import Any
from typing import Generic
from typing import TypeVar

from fastapi import Depends
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
MAX_LIMIT = 200


class PageParams(BaseModel):
    limit: int
    offset: int


async def _page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


Pagination = Annotated[PageParams, Depends(_page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[Any], total: int, page: PageParams,
           out: type[BaseModel] | None = None) -> "Page[Any]":
        """A page body; `out` converts ORM rows (or mappings) to the item schema."""
        converted = [out.model_validate(item) for item in items] if out else list(items)
        return cls(items=converted, total=total, limit=page.limit, offset=page.offset)


async def paginate(session: AsyncSession, stmt: Select[Any], page: PageParams,
                   *, scalars: bool = True) -> tuple[list[Any], int]:
    """Rows of one page and the total count. `stmt` must already have a stable ORDER BY."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    paged = stmt.limit(page.limit).offset(page.offset)
    result = await session.execute(paged)
    rows = list(result.scalars().all()) if scalars else list(result.all())
    return rows, int(total or 0)


async def page_of(session: AsyncSession, stmt: Select[Any], page: PageParams, *,
                  out: type[BaseModel] | None = None) -> "Page[Any]":
    """The page body of a list endpoint in one call: `paginate` (ORM rows) and `Page.of`."""
    rows, total = await paginate(session, stmt, page)
    return Page.of(rows, total, page, out=out)
