"""Audit recommendations and their postponements (the original target date never changes)."""

from datetime import date
from datetime import datetime

from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import func
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from dkbuza_kit.columns import int_pk
from dkbuza_kit.columns import owned_by
from planning.base import Base


class AuditRecommendation(Base):
    __tablename__ = "audit_recommendations"

    id: Mapped[int] = int_pk()
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), index=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    title: Mapped[str] = mapped_column(Text)
    auditing_body: Mapped[str] = mapped_column(String(200))
    original_target_date: Mapped[date] = mapped_column(Date)
    current_target_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open/in_progress/implemented
    implemented_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)


class AuditRecommendationPostponement(Base):
    """Append-only: each postponement from one target date to a later one."""

    __tablename__ = "audit_recommendation_postponements"

    id: Mapped[int] = int_pk()
    recommendation_id: Mapped[int] = owned_by("audit_recommendations.id")
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                  server_default=func.now())
