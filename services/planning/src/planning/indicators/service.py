"""Indicators: progress computed in SQL with the same formula as `progress.py`."""

from decimal import Decimal

from sqlalchemy import Numeric, case, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from planning.indicators.models import Indicator, IndicatorMeasurement


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
    return case((Indicator.baseline == Indicator.target, False),
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
