"""Look-backs (terugblik): final status per initiative and the counts checked against print."""

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query
from pydantic import BaseModel
from pydantic import Field
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.db import DbSession
from dkbuza_kit.db import get_or_404
from dkbuza_kit.db import where_given
from dkbuza_kit.errors import AUTH_ERRORS
from dkbuza_kit.errors import responses
from dkbuza_kit.pagination import Page
from dkbuza_kit.pagination import Pagination
from dkbuza_kit.pagination import page_of
from dkbuza_kit.pagination import paginate
from dkbuza_kit.schemas import InputModel
from dkbuza_kit.schemas import OutputModel
from dkbuza_kit.types import Year
from planning.errors import Errors
from planning.reporting.rules import NOT_REPORTED
from planning.reporting.rules import STATUSES
from planning.reviews import service
from planning.reviews.models import Review
from planning.reviews.models import ReviewItem
from planning.reviews.rules import review_summary
from planning.roles import Manager
from planning.roles import Reader

router = APIRouter(tags=["reviews"])


class ReviewOut(BaseModel):
    id: int
    plan_id: int
    year: int
    origin: str = Field(description="imported (a plan document's TERUGBLIK) or produced (from "
                                    "the year's final status reports)")
    printed_total: int | None
    printed_counts: dict[str, int]
    counts: dict[str, int]
    listed_total: int = Field(description="titles listed in the look-back (sum of `counts`)")
    counts_match: bool | None = Field(description="per-status counts AND the printed total "
                                                  "agree with the titles listed; null when "
                                                  "nothing is printed (produced)")


class ReviewComparison(BaseModel):
    review: "ReviewOut"
    other: "ReviewOut"
    only_in_review: list[str] = Field(description="titles (lower case) listed only here")
    only_in_other: list[str]


class ReviewItemOut(OutputModel):
    id: int
    position: int
    title: str
    final_status: str
    initiative_id: int | None = None


async def review_counts(session: AsyncSession, review_id: int) -> dict[str, int]:
    rows = (await session.execute(select(ReviewItem.final_status, func.count())
                                  .where(ReviewItem.review_id == review_id)
                                  .group_by(ReviewItem.final_status))).all()
    found = dict(rows)
    return {status: int(found.get(status, 0)) for status in (*STATUSES, NOT_REPORTED)
            if status in found or status in STATUSES}


async def _out(session: AsyncSession, review: Review) -> ReviewOut:
    counts = await review_counts(session, review.id)
    printed = {k: int(v) for k, v in (review.printed_counts or {}).items()}
    return ReviewOut(id=review.id, plan_id=review.plan_id, year=review.year, origin=review.origin,
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
                                                     "action_needed|done|not_reported)$")] = None,
):
    stmt = select(ReviewItem).where(ReviewItem.review_id == review_id)
    stmt = where_given(stmt, (ReviewItem.final_status, final_status))
    return await page_of(session, stmt.order_by(ReviewItem.position), page)


class ProduceIn(InputModel):
    plan_year: Year


@router.post("/v1/reviews/produce", response_model=ReviewOut, status_code=201,
             responses=responses(Errors.PLAN_NOT_FOUND, Errors.REVIEW_EXISTS, *AUTH_ERRORS))
async def produce_review(body: ProduceIn, session: DbSession, _: Manager):
    """This year's look-back from its final reports (the latest report of each initiative;
    `not_reported` without one), in the shape of an imported look-back; produced again on
    each call until next year's document brings the printed one."""
    return await _out(session, await service.produce_review(session, body.plan_year))


@router.get("/v1/reviews/{review_id}/comparison", response_model=ReviewComparison,
            responses=responses(Errors.REVIEW_NOT_FOUND, *AUTH_ERRORS))
async def compare_reviews(review_id: int, session: DbSession, _: Reader,
                          other: Annotated[int, Query(description="the other look-back's id")]):
    """Counts per status side by side, and the titles listed in only one of the two."""
    first = await _out(session, await get_or_404(session, Review, review_id, what="review",
                                                 error=Errors.REVIEW_NOT_FOUND))
    second = await _out(session, await get_or_404(session, Review, other, what="review",
                                                  error=Errors.REVIEW_NOT_FOUND))
    titles = [set((await session.scalars(select(func.lower(ReviewItem.title))
                                         .where(ReviewItem.review_id == r.id))).all())
              for r in (first, second)]
    return ReviewComparison(review=first, other=second,
                            only_in_review=sorted(titles[0] - titles[1]),
                            only_in_other=sorted(titles[1] - titles[0]))
