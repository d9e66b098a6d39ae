"""Resources per initiative and reporting period: planned and committed budget and staff."""

from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from planning.base import Base


class InitiativeResources(Base):
    __tablename__ = "initiative_resources"
    __table_args__ = (UniqueConstraint("initiative_id", "period_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    initiative_id: Mapped[int] = mapped_column(
        ForeignKey("initiatives.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_periods.id", ondelete="CASCADE"), index=True)
    budget_planned: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    budget_committed: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    fte_planned: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=0)
    fte_committed: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
