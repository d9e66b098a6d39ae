import uuid
from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from disaster_fund.base import Base
from dkbuza_kit.columns import uuid_pk


class DamageReport(Base):
    """A damage report (schademelding): one per reporter per disaster."""

    __tablename__ = "damage_reports"
    __table_args__ = (UniqueConstraint("disaster_id", "reporter_key"),)

    id: Mapped[uuid.UUID] = uuid_pk()
    number: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    disaster_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("disasters.id"), nullable=False)
    # "sub:<token subject>" for people, "org:<NIS code>" for a municipality's own domain.
    reporter_key: Mapped[str] = mapped_column(String(220), nullable=False)
    reporter_sub: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    reporter_org: Mapped[str | None] = mapped_column(String(100))
    municipality_nis: Mapped[str] = mapped_column(String(5), nullable=False, index=True)
    public_domain: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    description: Mapped[str] = mapped_column(Text, nullable=False)
    estimated_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    filed_by: Mapped[str] = mapped_column(String(200), nullable=False)
    # Paper intake: the day the paper report was received (what the report window uses).
    channel: Mapped[str] = mapped_column(String(10), nullable=False, server_default="online")
    received_on: Mapped[date | None] = mapped_column(Date)
