"""Resources per initiative and reporting period: planned and committed budget and staff."""

from decimal import Decimal

from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from planning.base import Base
from planning.reporting.models import InitiativePeriodRow


class InitiativeResources(InitiativePeriodRow, Base):
    __tablename__ = "initiative_resources"

    budget_planned: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    budget_committed: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=0)
    fte_planned: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=0)
    fte_committed: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
