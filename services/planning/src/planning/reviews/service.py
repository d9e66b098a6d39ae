"""This year's look-back produced from the final reports, in the shape of an imported one."""

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dkbuza_kit.audit import record_audit
from planning.errors import Errors
from planning.plans.models import Initiative
from planning.plans.models import Plan
from planning.plans.service import plan_by_year
from planning.reporting.models import ReportingPeriod
from planning.reporting.models import StatusReport
from planning.reporting.rules import NOT_REPORTED
from planning.reviews.models import Review
from planning.reviews.models import ReviewItem


def final_reports_query(plan_id: int):
    """Per initiative of the plan (not archived) the status of its report in the latest period
    it reported in; `not_reported` when it never reported."""
    period = aliased(ReportingPeriod)
    latest = (select(StatusReport.status).join(period, period.id == StatusReport.period_id)
              .where(StatusReport.initiative_id == Initiative.id)
              .order_by(period.ends_on.desc(), period.id.desc()).limit(1)
              .correlate(Initiative).scalar_subquery())
    return (select(Initiative.id, Initiative.title, func.coalesce(latest, NOT_REPORTED))
            .where(Initiative.plan_id == plan_id, Initiative.archived.is_(False))
            .order_by(Initiative.position, Initiative.id))


async def produce_review(session: AsyncSession, plan_year: int) -> Review:
    """(Re)produce the look-back of `plan_year`; an imported look-back of that year stays."""
    plan: Plan = await plan_by_year(session, plan_year)
    existing = await session.scalar(select(Review).where(Review.plan_id == plan.id,
                                                         Review.year == plan_year))
    if existing is not None and existing.origin != "produced":
        raise Errors.REVIEW_EXISTS(f"plan {plan_year} already has an imported look-back "
                                   f"of {plan_year}")
    if existing is not None:
        await session.execute(delete(Review).where(Review.id == existing.id))
    rows = (await session.execute(final_reports_query(plan.id))).all()
    review = Review(plan_id=plan.id, year=plan_year, printed_total=None, printed_counts={},
                    origin="produced")
    session.add(review)
    await session.flush()
    session.add_all([ReviewItem(review_id=review.id, position=n, title=title,
                                final_status=status, initiative_id=initiative_id)
                     for n, (initiative_id, title, status) in enumerate(rows, 1)])
    await session.flush()
    await record_audit(session, entity_type="review", entity_id=review.id, action="produced",
                       data={"year": plan_year, "items": len(rows)})
    return review
