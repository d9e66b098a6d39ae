"""Indicators: progress computed in SQL with the same formula as `progress.py`."""

from decimal import Decimal

from sqlalchemy import Numeric
from sqlalchemy import case
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dkbuza_kit.audit import add_audited
from dkbuza_kit.audit import record_audit
from dkbuza_kit.clock import Clock
from dkbuza_kit.concurrency import bump_version
from dkbuza_kit.db import get_or_404
from dkbuza_kit.timeline import check_timeline
from planning.errors import Errors
from planning.indicators.models import Indicator
from planning.indicators.models import IndicatorMeasurement
from planning.indicators.schemas import IndicatorPatch
from planning.indicators.schemas import MeasurementIn
from planning.plans.models import Initiative
from planning.plans.models import OperationalGoal
from planning.plans.models import PolicyField
from planning.plans.service import plan_by_year

LINKS = {"policy_field_id": PolicyField, "operational_goal_id": OperationalGoal,
         "initiative_id": Initiative}


def latest_measurement():
    """One row per indicator: its latest measurement."""
    newest_first = func.row_number().over(
        partition_by=IndicatorMeasurement.indicator_id,
        order_by=(IndicatorMeasurement.measured_on.desc(), IndicatorMeasurement.id.desc()))
    ranked = select(IndicatorMeasurement.indicator_id, IndicatorMeasurement.value,
                    IndicatorMeasurement.measured_on, newest_first.label("n")).subquery()
    return select(ranked.c.indicator_id, ranked.c.value, ranked.c.measured_on) \
        .where(ranked.c.n == 1).subquery()


def valid_target_sql():
    unset = or_(Indicator.baseline.is_(None), Indicator.target.is_(None),
                Indicator.direction.is_(None))
    return case((unset, False), (Indicator.baseline == Indicator.target, False),
                else_=(Indicator.target > Indicator.baseline)
                == (Indicator.direction == literal("increasing")))


def progress_sql(value):
    raw = (value - Indicator.baseline) * 100 / func.nullif(Indicator.target - Indicator.baseline, 0)
    clamped = func.greatest(literal(0), func.least(literal(100), raw))
    return case((valid_target_sql(), func.round(cast(clamped, Numeric(18, 3)), 1)), else_=None)


def indicators_with_progress():
    latest = latest_measurement()
    return (select(Indicator, latest.c.value, latest.c.measured_on,
                   progress_sql(latest.c.value).label("progress"),
                   valid_target_sql().label("valid"))
            .outerjoin(latest, latest.c.indicator_id == Indicator.id))


async def average_progress(session: AsyncSession) -> Decimal | None:
    sub = indicators_with_progress().subquery()
    return await session.scalar(select(func.round(func.avg(sub.c.progress), 1)))


async def check_links(session: AsyncSession, plan_id: int, links: dict[str, int | None]) -> None:
    """422 INDICATOR_LINK_INVALID when a linked policy field, OD or initiative is not part of
    the indicator's plan."""
    for name, value in links.items():
        model = LINKS[name]
        if value is not None and await session.scalar(
                select(model.id).where(model.id == value, model.plan_id == plan_id)) is None:
            raise Errors.INDICATOR_LINK_INVALID(
                f"{name} {value} is not part of the indicator's plan",
                errors=[{"field": name, "message": "not in this plan"}])


async def update_indicator(session: AsyncSession, indicator: Indicator,
                           body: IndicatorPatch) -> Indicator:
    """Apply a patch to a locked indicator, audited."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("title", "") is None or changes.get("source", "") is None:
        raise Errors.FIELD_NOT_NULLABLE("title and source cannot be cleared")
    await check_links(session, indicator.plan_id,
                      {name: value for name, value in changes.items() if name in LINKS})
    for name, value in changes.items():
        setattr(indicator, name, value)
    bump_version(indicator)
    await session.flush()
    await record_audit(session, entity_type="indicator", entity_id=indicator.id,
                       action="updated", data=body.model_dump(exclude_unset=True, mode="json"))
    return indicator


async def add_manual_measurement(session: AsyncSession, indicator_id: int, body: MeasurementIn,
                                 clock: Clock) -> IndicatorMeasurement:
    await get_or_404(session, Indicator, indicator_id, what="indicator",
                     error=Errors.INDICATOR_NOT_FOUND)
    check_timeline("measured_on", body.measured_on, now=clock.now())
    measurement = IndicatorMeasurement(indicator_id=indicator_id, value=body.value,
                                       measured_on=body.measured_on, period=body.period,
                                       note=body.note, source="manual")
    await add_audited(session, measurement, entity_type="indicator", entity_id=indicator_id,
                      action="measurement_recorded",
                      data={"value": str(body.value), "measured_on": body.measured_on.isoformat()})
    await session.refresh(measurement)
    return measurement


async def create_indicator(session: AsyncSession, body) -> Indicator:
    """A plan indicator added by a manager (unique code per plan, links checked), audited."""
    plan = await plan_by_year(session, body.plan_year)
    if await session.scalar(select(Indicator.id).where(Indicator.plan_id == plan.id,
                                                       Indicator.code == body.code)):
        raise Errors.INDICATOR_EXISTS(f"indicator {body.code} exists")
    await check_links(session, plan.id, {name: getattr(body, name) for name in LINKS})
    indicator = Indicator(plan_id=plan.id, **body.model_dump(exclude={"plan_year"}, mode="json"))
    indicator.baseline, indicator.target = body.baseline, body.target
    await add_audited(session, indicator, entity_type="indicator", action="created")
    return indicator
