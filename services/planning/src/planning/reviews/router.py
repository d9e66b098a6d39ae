"""Look-backs (terugblik): final status per initiative and the counts checked against print."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.db import DbSession, get_or_404
from dkbuza_kit.pagination import Page, Pagination, paginate
from planning.errors import Errors
from planning.reporting.rules import STATUSES
from planning.reviews.models import Review, ReviewItem
from planning.reviews.rules import review_summary
from planning.roles import Reader

router = APIRouter(tags=["reviews"])


class ReviewOut(BaseModel):
    id: int
    plan_id: int
    year: int
    printed_total: int | None
    printed_counts: dict[str, int]
    counts: dict[str, int]
    listed_total: int = Field(description="titles listed in the look-back (sum of `counts`)")
    counts_match: bool = Field(description="per-status counts AND the printed total agree "
                                           "with the titles listed")


class ReviewItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    position: int
    title: str
    final_status: str


async def review_counts(session: AsyncSession, review_id: int) -> dict[str, int]:
    rows = (await session.execute(select(ReviewItem.final_status, func.count())
                                  .where(ReviewItem.review_id == review_id)
                                  .group_by(ReviewItem.final_status))).all()
    found = dict(rows)
    return {status: int(found.get(status, 0)) for status in STATUSES}


async def _out(session: AsyncSession, review: Review) -> ReviewOut:
    counts = await review_counts(session, review.id)
    printed = {k: int(v) for k, v in (review.printed_counts or {}).items()}
    return ReviewOut(id=review.id, plan_id=review.plan_id, year=review.year,
                     **review_summary(review.printed_total, printed, counts))


@router.get("/v1/reviews", response_model=Page[ReviewOut])
async def list_reviews(session: DbSession, _: Reader, page: Pagination):
    rows, total = await paginate(session, select(Review).order_by(Review.year, Review.id), page)
    return Page.of([await _out(session, r) for r in rows], total, page)


@router.get("/v1/reviews/{review_id}", response_model=ReviewOut)
async def get_review(review_id: int, session: DbSession, _: Reader):
    review = await get_or_404(session, Review, review_id, what="review",
                              error=Errors.REVIEW_NOT_FOUND)
    return await _out(session, review)


@router.get("/v1/reviews/{review_id}/items", response_model=Page[ReviewItemOut])
async def list_review_items(
    review_id: int, session: DbSession, _: Reader, page: Pagination,
    final_status: Annotated[str | None, Query(pattern="^(on_track|attention_needed|"
                                                     "action_needed|done)$")] = None,
):
    stmt = select(ReviewItem).where(ReviewItem.review_id == review_id)
    if final_status is not None:
        stmt = stmt.where(ReviewItem.final_status == final_status)
    rows, total = await paginate(session, stmt.order_by(ReviewItem.position), page)
    return Page.of(rows, total, page)
