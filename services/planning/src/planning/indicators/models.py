"""Performance indicators (prestatie-indicatoren) and their measurements."""

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import func
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import int_pk
from dkbuza_kit.columns import owned_by
from planning.base import Base


class Indicator(Base):
    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = int_pk()
    plan_id: Mapped[int] = owned_by("plans.id")
    code: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    # Unit, baseline, target and direction may be unknown: the plan names indicators (sets)
    # before their figures are fixed; progress is then not computed.
    unit: Mapped[str | None] = mapped_column(String(50))
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    target: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    # Where the target comes from ("ondernemingsplan 2025, beoogd resultaat ...").
    target_source: Mapped[str | None] = mapped_column(String(300))
    direction: Mapped[str | None] = mapped_column(String(20))  # increasing / decreasing
    policy_field_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_fields.id", ondelete="SET NULL"), index=True)
    operational_goal_id: Mapped[int | None] = mapped_column(
        ForeignKey("operational_goals.id", ondelete="SET NULL"), index=True)
    initiative_id: Mapped[int | None] = mapped_column(
        ForeignKey("initiatives.id", ondelete="SET NULL"), index=True)
    # "manual" or "<service>:<kpi id>" (fed by the KPI sync job)
    source: Mapped[str] = mapped_column(String(200), default="manual")
    version: Mapped[int] = mapped_column(Integer, default=1)


class IndicatorMeasurement(Base):
    __tablename__ = "indicator_measurements"

    id: Mapped[int] = int_pk()
    indicator_id: Mapped[int] = owned_by("indicators.id")
    value: Mapped[Decimal] = mapped_column(Numeric(18, 3))
    measured_on: Mapped[date] = mapped_column(Date)
    period: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
